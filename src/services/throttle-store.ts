import { startsWithText } from '../db/like.js';
import { isPostgres, transaction } from '../db/transaction.js';
import type { Queryable } from '../db/schema.js';
import { afterFailure, lockedUntil, type ThrottlePolicy, type ThrottleState } from '../domain/throttle.js';

/**
 * Failure counters kept in the database (so that a restart does not reset them), shared by the
 * sign-in page, « Mot de passe oublié », the verification page and the kiosk. Keys name what is
 * counted: `compte:<e-mail>:<préfixe>`, `compte-alerte:…`, `adresse:…`, `oubli:…`, `verifier:…`,
 * `kiosque:<centre>:<préfixe>`.
 */
export async function readThrottle(db: Queryable, key: string, options: { lock?: boolean } = {}): Promise<ThrottleState | null> {
  const query = db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key);
  const row = await (options.lock ? query.forUpdate() : query).executeTakeFirst();
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

/**
 * One more failure under `key`. The counter's row is made if missing, then locked before it is read
 * (PostgreSQL): failures counted at once by two instances are both counted, the second waiting for
 * the first (or, in a serializable caller's transaction, running again after it).
 */
export async function countFailure(db: Queryable, key: string, now: Date, policy: ThrottlePolicy): Promise<void> {
  if (!db.isTransaction) return transaction(db, (trx) => countFailure(trx, key, now, policy), { isolation: 'read committed' });
  // A counter of no failure counts as none (afterFailure starts its window at the first one).
  await db
    .insertInto('sign_in_throttle')
    .values({ key, failures: 0, window_started_at: now.toISOString(), locked_until: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const state = await readThrottle(db, key, { lock: isPostgres(db) });
  // Locked by a failure counted meanwhile (the caller's own check came before the row was locked):
  // nothing is counted during a lock, and counting would start the window again, lifting the lock.
  if (lockedUntil(state, now)) return;
  await writeThrottle(db, key, afterFailure(state, now, policy));
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
