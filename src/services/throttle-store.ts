import { startsWithText } from '../db/like.js';
import type { Queryable } from '../db/schema.js';
import { afterFailure, lockedUntil, type ThrottlePolicy, type ThrottleState } from '../domain/throttle.js';

/**
 * Failure counters kept in the database (so that a restart does not reset them), shared by the
 * sign-in page, « Mot de passe oublié », the verification page and the kiosk. Keys name what is
 * counted: `compte:<e-mail>:<préfixe>`, `compte-alerte:…`, `adresse:…`, `oubli:…`, `verifier:…`,
 * `kiosque:<centre>:<préfixe>`.
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

/** Clears every key that starts with `prefix` (an account's keys from all its places). */
export async function clearThrottlesStartingWith(db: Queryable, prefix: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where(startsWithText('key', prefix)).execute();
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

/**
 * Deletes the counters that no longer count: not locked, and whose window started more than a day
 * ago (every window is an hour at most). Without it, each address that ever failed once stays.
 */
export async function purgeStaleThrottles(db: Queryable, now: Date): Promise<number> {
  const dayAgo = new Date(now.getTime() - 24 * 60 * 60_000).toISOString();
  const result = await db
    .deleteFrom('sign_in_throttle')
    .where('window_started_at', '<', dayAgo)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
