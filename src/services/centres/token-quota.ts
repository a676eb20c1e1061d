import type { Queryable } from '../../db/schema.js';
import { parisDayBounds } from '../../domain/paris-time.js';
import { effectiveDailyQuota, type DailyQuota } from '../../domain/token-quota.js';

/** A centre's quota of the day (src/domain/token-quota.ts), with where it comes from. */
export interface CentreDailyQuota extends DailyQuota {
  /** The centre's own quota; null when the national default applies. */
  centreQuota: number | null;
  nationalQuota: number;
}

/** The national default: tokens a centre may issue per day unless it has a quota of its own. */
export async function nationalDailyQuota(db: Queryable): Promise<number> {
  const row = await db.selectFrom('platform_settings').select('daily_token_quota').where('id', '=', 1).executeTakeFirstOrThrow();
  return row.daily_token_quota;
}

/**
 * The quota in effect for the centre and the tokens it issued on the Paris day of `now`: the sizes
 * of its batches of the day, whoever made them (manager or operator). null: no such centre.
 * Read in the generation's own transaction, so that the count and the new batch go together.
 */
export async function centreDailyQuota(db: Queryable, centreId: number, now: Date): Promise<CentreDailyQuota | null> {
  const { start, end } = parisDayBounds(now);
  const row = await db
    .selectFrom('centres as c')
    .select((eb) => [
      'c.daily_token_quota as centre_quota',
      eb.selectFrom('platform_settings as p').select('p.daily_token_quota').where('p.id', '=', 1).as('national_quota'),
      eb
        .selectFrom('token_batches as b')
        .select((sub) => sub.fn.coalesce(sub.fn.sum<number>('b.size'), sub.lit(0)).as('n'))
        .whereRef('b.centre_id', '=', 'c.id')
        .where('b.created_at', '>=', start.toISOString())
        .where('b.created_at', '<', end.toISOString())
        .as('issued_today'),
    ])
    .where('c.id', '=', centreId)
    .executeTakeFirst();
  if (!row) return null;
  if (row.national_quota === null) throw new Error('platform_settings has no row 1 (migration 0009)');
  return {
    quota: effectiveDailyQuota(row.centre_quota, row.national_quota),
    issuedToday: Number(row.issued_today ?? 0),
    centreQuota: row.centre_quota,
    nationalQuota: row.national_quota,
  };
}
