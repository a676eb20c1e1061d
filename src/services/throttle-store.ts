import type { Queryable } from '../db/schema.js';
import { afterFailure, lockedUntil, type ThrottlePolicy, type ThrottleState } from '../domain/throttle.js';

/**
 * Failure counters kept in the database (so that a restart does not reset them), shared by the
 * sign-in page and the kiosk's entry form. Keys name what is counted: `compte:…`, `adresse:…`,
 * `kiosque-centre:…`.
 */
export async function readThrottle(db: Queryable, key: string): Promise<ThrottleState | null> {
  const row = await db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  return {
    failures: row.failures,
    windowStartedAt: new Date(row.window_started_at),
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
  };
}

export async function writeThrottle(db: Queryable, key: string, state: ThrottleState): Promise<void> {
  const values = {
    failures: state.failures,
    window_started_at: state.windowStartedAt.toISOString(),
    locked_until: state.lockedUntil?.toISOString() ?? null,
  };
  await db
    .insertInto('sign_in_throttle')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

export async function clearThrottle(db: Queryable, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}

/** The latest end of lock among these keys, or null when none is locked. */
export async function latestLock(db: Queryable, keys: string[], now: Date): Promise<Date | null> {
  let latest: Date | null = null;
  for (const key of keys) {
    const until = lockedUntil(await readThrottle(db, key), now);
    if (until && (!latest || until > latest)) latest = until;
  }
  return latest;
}

export async function countFailure(db: Queryable, key: string, now: Date, policy: ThrottlePolicy): Promise<void> {
  await writeThrottle(db, key, afterFailure(await readThrottle(db, key), now, policy));
}
