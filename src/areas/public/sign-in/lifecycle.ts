import { addressPrefix } from '../../../domain/address-prefix.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable, Role } from '../../../db/schema.js';
import { ACCOUNT_ALERT_POLICY, ACCOUNT_POLICY, ADDRESS_POLICY, SIGN_IN_SLOWDOWN_MS } from '../../../domain/throttle.js';
import { recordAudit, SYSTEM_ACTOR, type Acting } from '../../../services/audit.js';
import { credentialOf, verifyAgainstDecoy, verifyPassword } from '../../../services/accounts/passwords.js';
import { clearThrottle, clearThrottlesStartingWith, countFailure, latestLock } from '../../../services/throttle-store.js';
import { findAccountByEmail } from '../../../services/accounts/queries.js';

export type SignInOutcome =
  | { ok: true; accountId: number; role: Role; credential: string }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'invalid' };

const normalized = (email: string) => email.trim().toLowerCase();
/** Failures on one account from one address prefix: they slow that place down. */
const accountKey = (email: string, ip: string) => `compte:${normalized(email)}:${addressPrefix(ip)}`;
/** Failures on one account from anywhere: they alert the administrators. */
const alertKey = (email: string) => `compte-alerte:${normalized(email)}`;
const addressKey = (ip: string) => `adresse:${addressPrefix(ip)}`;

// Attempts from one address, and attempts on one account from one address, run one after the other:
// parallel guesses would otherwise all pass the checks before any failure is counted (and the
// slow-down would not slow anything). One process serves the platform. The address is always taken
// first, so two attempts never wait on each other; nobody elsewhere waits behind a slowed place.
const queues = new Map<string, Promise<unknown>>();

function oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return run;
}

/**
 * Checks the address limit, slows down a place that failed too often on this account, then checks
 * the password; records the outcome in the throttles and the audit log. The right password is never
 * refused because of what others tried: an address is locked only by its own failures.
 */
export function attemptSignIn(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; password: string; ip: string },
  alert: (accountEmail: string) => Promise<void> = async () => undefined,
): Promise<SignInOutcome> {
  return oneAtATime(addressKey(input.ip), () => oneAtATime(accountKey(input.email, input.ip), () => attemptSignInNow(db, clock, input, alert)));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function attemptSignInNow(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; password: string; ip: string },
  alert: (accountEmail: string) => Promise<void>,
): Promise<SignInOutcome> {
  const now = clock.now();
  const email = input.email.trim();
  const addressLock = await latestLock(db, [addressKey(input.ip)], now);
  if (addressLock) return { ok: false, reason: 'locked', until: addressLock };
  if (await latestLock(db, [accountKey(email, input.ip)], now)) await pause(SIGN_IN_SLOWDOWN_MS);

  const account = email ? await findAccountByEmail(db, email) : undefined;
  const usable = account && account.password_hash && account.disabled_at === null;
  const valid = usable ? await verifyPassword(account.password_hash!, input.password) : await verifyAgainstDecoy(input.password);

  if (valid && account) {
    await db.transaction().execute(async (trx) => {
      await clearThrottle(trx, accountKey(email, input.ip));
      await recordAudit(trx, clock, {
        action: 'connexion.reussie',
        actor: { accountId: account.id, label: account.email, ip: input.ip },
        target: { type: 'compte', id: account.id },
      });
    });
    // From the very row whose hash was verified: a password changed meanwhile ends this sign-in too.
    return { ok: true, accountId: account.id, role: account.role, credential: credentialOf(account.password_hash!) };
  }

  const alerted = await db.transaction().execute(async (trx) => {
    if (!(await latestLock(trx, [accountKey(email, input.ip)], now))) await countFailure(trx, accountKey(email, input.ip), now, ACCOUNT_POLICY);
    await countFailure(trx, addressKey(input.ip), now, ADDRESS_POLICY);
    await recordFailedSignIn(trx, clock, {
      label: email.slice(0, 200) || 'anonyme',
      ip: input.ip,
      account: account ? { id: account.id, disabled: account.disabled_at !== null } : null,
    });
    return account ? await countTowardsAlert(trx, clock, account) : false;
  });
  if (alerted) await alert(account!.email);
  const lockNow = await latestLock(db, [addressKey(input.ip)], now);
  return lockNow ? { ok: false, reason: 'locked', until: lockNow } : { ok: false, reason: 'invalid' };
}

const FAILED_SIGN_IN_AGGREGATION_MS = 60 * 60_000;

/**
 * A failed sign-in in the journal: one row per (address, e-mail typed) and hour, whose details count
 * the attempts (`tentatives`) and date the last one (`derniere`), so that guessing grows the journal
 * by a row an hour, not a row a try. The row's date is that of the first attempt.
 */
async function recordFailedSignIn(db: Queryable, clock: Clock, failure: { label: string; ip: string; account: { id: number; disabled: boolean } | null }) {
  const now = clock.now();
  const since = new Date(now.getTime() - FAILED_SIGN_IN_AGGREGATION_MS).toISOString();
  const earlier = await db
    .selectFrom('audit_log')
    .select(['id', 'details'])
    .where('at', '>=', since)
    .where('action', '=', 'connexion.echouee')
    .where('ip', '=', failure.ip)
    .where('actor_label', '=', failure.label)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const motif = failure.account?.disabled ? { motif: 'compte désactivé' } : {};
  if (earlier) {
    const previous = JSON.parse(earlier.details ?? '{}') as { tentatives?: number };
    const details = { ...previous, ...motif, tentatives: (previous.tentatives ?? 1) + 1, derniere: now.toISOString() };
    await db.updateTable('audit_log').set({ details: JSON.stringify(details) }).where('id', '=', earlier.id).execute();
    return;
  }
  await recordAudit(db, clock, {
    action: 'connexion.echouee',
    actor: { accountId: null, label: failure.label, ip: failure.ip },
    target: failure.account ? { type: 'compte', id: failure.account.id } : null,
    details: { ...motif, tentatives: 1 },
  });
}

/**
 * One more failure on an existing account, from anywhere; true when it is the one that reaches the
 * alert threshold (recorded in the journal; the caller tells the administrators). Failures after it
 * are not counted until its window ends: one alert per window.
 */
async function countTowardsAlert(db: Queryable, clock: Clock, account: { id: number; email: string }): Promise<boolean> {
  const now = clock.now();
  const key = alertKey(account.email);
  if (await latestLock(db, [key], now)) return false;
  await countFailure(db, key, now, ACCOUNT_ALERT_POLICY);
  if (!(await latestLock(db, [key], now))) return false;
  await recordAudit(db, clock, {
    action: 'compte.attaque_suspectee',
    actor: SYSTEM_ACTOR,
    target: { type: 'compte', id: account.id },
    details: { echecs: ACCOUNT_ALERT_POLICY.maxFailures, fenetre_minutes: ACCOUNT_ALERT_POLICY.windowMs / 60_000 },
  });
  return true;
}

/** A password set through a one-time link ends every slow-down and alert window of the account. */
export async function liftSignInThrottles(db: Queryable, email: string): Promise<void> {
  await clearThrottlesStartingWith(db, `compte:${normalized(email)}:`);
  await clearThrottle(db, alertKey(email));
}

/** The journal keeps each sign-out, as it keeps each sign-in. */
export async function recordSignOut(db: Kysely<Database>, clock: Clock, accountId: number, { actor }: Acting): Promise<void> {
  await recordAudit(db, clock, { action: 'deconnexion', actor, target: { type: 'compte', id: accountId } });
}
