import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/**
 * Whether this instance runs `job` for the period starting now. Several instances sweep on the same
 * schedule; the one whose conditional update moves the job's last start on wins the period, the
 * others see no row updated and skip it. An instance that stops mid-job only delays the work to the
 * next period: the jobs themselves are idempotent (an exam is finished once, a purge deletes what is
 * due). The margin lets an instance whose timer fires a little early still take its turn.
 */
export async function claimPeriod(db: Kysely<Database>, job: string, now: Date, periodMs: number): Promise<boolean> {
  const startedAt = now.toISOString();
  await db
    .insertInto('periodic_runs')
    .values({ job, started_at: new Date(0).toISOString() })
    .onConflict((oc) => oc.column('job').doNothing())
    .execute();
  const due = new Date(now.getTime() - periodMs * 0.9).toISOString();
  const claimed = await db
    .updateTable('periodic_runs')
    .set({ started_at: startedAt })
    .where('job', '=', job)
    // A start dated after now: a clock put back (an operator's correction); the job must not wait for it.
    .where((eb) => eb.or([eb('started_at', '<=', due), eb('started_at', '>', startedAt)]))
    .executeTakeFirst();
  return claimed.numUpdatedRows === 1n;
}
