import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, IdentityProvider, Queryable, Role, SignInMethod } from '../../../db/schema.js';
import { passwordAllowed, type LocalSignIn } from '../../../domain/account-state.js';
import { ACCOUNT_ALERT_POLICY, ACCOUNT_POLICY, ADDRESS_POLICY, SIGN_IN_SLOWDOWN_MS } from '../../../domain/throttle.js';
import { recordAudit, recordRepeatedAudit, SYSTEM_ACTOR, type Acting, type Actor } from '../../../services/audit.js';
import { credentialOf, verifyAgainstDecoy, verifyPassword } from '../../../services/accounts/passwords.js';
import { clearThrottle, countFailure, latestLock } from '../../../services/throttle-store.js';
import { accountKey, addressKey, alertKey } from '../../../services/accounts/sign-in-throttle.js';
import { findAccountByEmail } from '../../../services/accounts/queries.js';
import { transaction } from '../../../db/transaction.js';

export type SignInOutcome =
  | { ok: true; accountId: number; role: Role; credential: string; secondFactor: boolean }
  | { ok: false; reason: 'locked'; until: Date; alertAccount?: string }
  | { ok: false; reason: 'invalid'; alertAccount?: string }
  | { ok: false; reason: 'busy' };

/** Attempts waiting behind one address beyond which the next is refused at once (bounded memory). */
const MAX_QUEUED_PER_ADDRESS = 50;

// Attempts from one address prefix run one after the other: parallel guesses would otherwise all
// pass the checks before any failure is counted (and the slow-down would slow nothing). The queue is
// each instance's: behind a load balancer, one address has at most one attempt under way per
// instance, and the counters themselves are exact (database transactions). The price: people behind
// one NAT wait behind each other's attempts, an attacker's slowed ones included; nobody at another
// address does.
const queues = new Map<string, { tail: Promise<unknown>; waiting: number }>();

function oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> | null {
  const queue = queues.get(key) ?? { tail: Promise.resolve(), waiting: 0 };
  if (queue.waiting >= MAX_QUEUED_PER_ADDRESS) return null;
  queue.waiting += 1;
  const run = queue.tail.then(task, task);
  queue.tail = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, queue);
  void queue.tail.then(() => {
    queue.waiting -= 1;
    if (queue.waiting === 0 && queues.get(key) === queue) queues.delete(key);
  });
  return run;
}

/**
 * Checks the address limit, slows down a place that failed too often on this account, then checks
 * the password; records the outcome in the throttles and the audit log. The right password is never
 * refused because of what others tried elsewhere: an address is locked only by its own failures.
 */
export async function attemptSignIn(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; password: string; ip: string; localSignIn: LocalSignIn },
  alert: (accountEmail: string) => void = () => undefined,
): Promise<SignInOutcome> {
  const outcome = await oneAtATime(addressKey(input.ip), () => attemptSignInNow(db, clock, input));
  if (!outcome) return { ok: false, reason: 'busy' };
  // Told after the queue moved on: nobody waits on the mail server.
  if (!outcome.ok && 'alertAccount' in outcome && outcome.alertAccount) alert(outcome.alertAccount);
  return outcome;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function attemptSignInNow(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; password: string; ip: string; localSignIn: LocalSignIn },
): Promise<SignInOutcome> {
  const now = clock.now();
  const email = input.email.trim();
  const addressLock = await latestLock(db, [addressKey(input.ip)], now);
  if (addressLock) return { ok: false, reason: 'locked', until: addressLock };
  if (await latestLock(db, [accountKey(email, input.ip)], now)) await pause(SIGN_IN_SLOWDOWN_MS);

  const account = email ? await findAccountByEmail(db, email) : undefined;
  // LOCAL_SIGN_IN=admins: a manager's password is not checked at all, so the answer never tells
  // whether it was right (the page says managers sign in through the identity provider).
  const usable = account && account.password_hash && account.disabled_at === null && passwordAllowed(account.role, input.localSignIn);
  const valid = usable ? await verifyPassword(account.password_hash!, input.password) : await verifyAgainstDecoy(input.password);

  if (valid && account) {
    const secondFactor = account.totp_enabled_at !== null;
    await transaction(db, async (trx) => {
      await clearThrottle(trx, accountKey(email, input.ip));
      // With a second factor, the sign-in is journalled once its code is right (recordSignIn).
      if (!secondFactor) await recordSignIn(trx, clock, { accountId: account.id, label: account.email, ip: input.ip }, 'mot de passe');
    });
    // From the very row whose hash was verified: a password changed meanwhile ends this sign-in too.
    return { ok: true, accountId: account.id, role: account.role, credential: credentialOf(account.password_hash!, account.totp_enabled_at), secondFactor };
  }

  const alerted = await transaction(db, async (trx) => {
    if (!(await latestLock(trx, [accountKey(email, input.ip)], now))) await countFailure(trx, accountKey(email, input.ip), now, ACCOUNT_POLICY);
    await countFailure(trx, addressKey(input.ip), now, ADDRESS_POLICY);
    await recordRepeatedAudit(
      trx,
      clock,
      {
        action: 'connexion.echouee',
        actor: { accountId: null, label: email.toLowerCase().slice(0, 200) || 'anonyme', ip: input.ip },
        target: account ? { type: 'compte', id: account.id } : null,
        details: account?.disabled_at ? { motif: 'compte désactivé' } : null,
      },
      FAILED_SIGN_IN_AGGREGATION_MS,
    );
    return account ? await countTowardsAlert(trx, clock, account) : false;
  });
  const alertAccount = alerted ? account!.email : undefined;
  const lockNow = await latestLock(db, [addressKey(input.ip)], now);
  return lockNow ? { ok: false, reason: 'locked', until: lockNow, alertAccount } : { ok: false, reason: 'invalid', alertAccount };
}

/** Failed sign-ins of one address and e-mail make one journal row an hour (services/audit.ts). */
const FAILED_SIGN_IN_AGGREGATION_MS = 60 * 60_000;

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

/**
 * The journal's row of a sign-in — how it was made (a password or an identity provider) and its
 * second factor when it had one — and the account's « last sign-in », which the administrator reads.
 */
export async function recordSignIn(
  db: Queryable,
  clock: Clock,
  actor: Actor,
  method: SignInMethod,
  secondFactor?: 'application' | 'code de secours',
): Promise<void> {
  await db
    .updateTable('accounts')
    .set({ last_sign_in_at: clock.now().toISOString(), last_sign_in_method: method })
    .where('id', '=', actor.accountId!)
    .execute();
  const details = { ...(method === 'mot de passe' ? {} : { methode: method }), ...(secondFactor ? { second_facteur: secondFactor } : {}) };
  await recordAudit(db, clock, {
    action: 'connexion.reussie',
    actor,
    target: { type: 'compte', id: actor.accountId! },
    details: Object.keys(details).length > 0 ? details : null,
  });
}

/** The journal keeps each sign-out, as it keeps each sign-in. */
export async function recordSignOut(db: Kysely<Database>, clock: Clock, accountId: number, { actor }: Acting): Promise<void> {
  await recordAudit(db, clock, { action: 'deconnexion', actor, target: { type: 'compte', id: accountId } });
}

export type ProviderSignInOutcome =
  | { ok: true; accountId: number; role: Role; credential: string; secondFactor: boolean }
  | { ok: false; reason: 'unknown' | 'disabled' | 'taken' };

/** Who a provider vouched for: its name for the account (subject) and the e-mail that finds it. */
export interface ProviderIdentity {
  provider: IdentityProvider;
  subject: string;
}

/**
 * The account an identity provider vouched for, found by its e-mail (trimmed, case-insensitive). An
 * unknown e-mail, a disabled account, or a provider's account already linked to another of ours (its
 * e-mail changed to someone else's) signs nobody in, and the journal keeps the attempt. Without a
 * second factor the sign-in is complete here (completeSignIn); with one, nothing is written until
 * its code is right — a provider's account alone must not re-link ours.
 */
export async function signInThroughProvider(
  db: Kysely<Database>,
  clock: Clock,
  input: ProviderIdentity & { email: string; ip: string },
): Promise<ProviderSignInOutcome> {
  const email = input.email.trim();
  const account = email ? await findAccountByEmail(db, email) : undefined;
  const elsewhere =
    account &&
    (await db
      .selectFrom('account_identities')
      .select('account_id')
      .where('provider', '=', input.provider)
      .where('subject', '=', input.subject)
      .where('account_id', '<>', account.id)
      .executeTakeFirst());
  if (!account || account.disabled_at !== null || elsewhere) {
    const motif = !account ? 'adresse rattachée à aucun compte' : account.disabled_at !== null ? 'compte désactivé' : 'identité déjà liée à un autre compte';
    await recordRepeatedAudit(
      db,
      clock,
      {
        action: 'connexion.echouee',
        actor: { accountId: null, label: email.toLowerCase().slice(0, 200) || 'anonyme', ip: input.ip },
        target: account ? { type: 'compte', id: account.id } : null,
        details: { fournisseur: input.provider, sujet: input.subject, motif },
      },
      FAILED_SIGN_IN_AGGREGATION_MS,
    );
    return { ok: false, reason: !account ? 'unknown' : account.disabled_at !== null ? 'disabled' : 'taken' };
  }
  const secondFactor = account.totp_enabled_at !== null;
  if (!secondFactor) {
    await completeSignIn(db, clock, { accountId: account.id, label: account.email, ip: input.ip }, { method: input.provider, identity: input });
  }
  return { ok: true, accountId: account.id, role: account.role, credential: credentialOf(account.password_hash ?? '', account.totp_enabled_at), secondFactor };
}

/**
 * A sign-in complete (after its second factor when it has one): the provider's subject remembered —
 * a new subject for the same e-mail re-links the account, audited since it means the provider's
 * account changed — and the journal's row of the sign-in, in one transaction.
 */
export async function completeSignIn(
  db: Kysely<Database>,
  clock: Clock,
  actor: Actor,
  how: { method: SignInMethod; secondFactor?: 'application' | 'code de secours'; identity?: ProviderIdentity | null },
): Promise<void> {
  await transaction(db, async (trx) => {
    if (how.identity) await linkIdentity(trx, clock, actor, how.identity);
    await recordSignIn(trx, clock, actor, how.method, how.secondFactor);
  });
}

async function linkIdentity(db: Queryable, clock: Clock, actor: Actor, identity: ProviderIdentity): Promise<void> {
  const accountId = actor.accountId!;
  const at = clock.now().toISOString();
  const details = { fournisseur: identity.provider, sujet: identity.subject };
  const known = await db
    .selectFrom('account_identities')
    .select('subject')
    .where('account_id', '=', accountId)
    .where('provider', '=', identity.provider)
    .executeTakeFirst();
  if (!known) {
    await db.insertInto('account_identities').values({ account_id: accountId, provider: identity.provider, subject: identity.subject, linked_at: at, last_used_at: at }).execute();
    await recordAudit(db, clock, { action: 'compte.identite_liee', actor, target: { type: 'compte', id: accountId }, details });
    return;
  }
  const changed = known.subject !== identity.subject;
  await db
    .updateTable('account_identities')
    .set({ subject: identity.subject, last_used_at: at, ...(changed ? { linked_at: at } : {}) })
    .where('account_id', '=', accountId)
    .where('provider', '=', identity.provider)
    .execute();
  if (changed) {
    await recordAudit(db, clock, { action: 'compte.identite_reliee', actor, target: { type: 'compte', id: accountId }, details: { ...details, ancien_sujet: known.subject } });
  }
}
