import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, IdentityProvider, Queryable, Role, SignInMethod } from '../../../db/schema.js';
import { ACCOUNT_ALERT_POLICY, ACCOUNT_POLICY, ADDRESS_POLICY, SIGN_IN_SLOWDOWN_MS } from '../../../domain/throttle.js';
import { recordAudit, recordRepeatedAudit, SYSTEM_ACTOR, type Acting, type Actor } from '../../../services/audit.js';
import { credentialOf, verifyAgainstDecoy, verifyPassword } from '../../../services/accounts/passwords.js';
import { clearThrottle, countFailure, latestLock } from '../../../services/throttle-store.js';
import { accountKey, addressKey, alertKey } from '../../../services/accounts/sign-in-throttle.js';
import { findAccountByEmail } from '../../../services/accounts/queries.js';

export type SignInOutcome =
  | { ok: true; accountId: number; role: Role; credential: string; secondFactor: boolean }
  | { ok: false; reason: 'locked'; until: Date; alertAccount?: string }
  | { ok: false; reason: 'invalid'; alertAccount?: string }
  | { ok: false; reason: 'busy' };

/** Attempts waiting behind one address beyond which the next is refused at once (bounded memory). */
const MAX_QUEUED_PER_ADDRESS = 50;

// Attempts from one address prefix run one after the other: parallel guesses would otherwise all
// pass the checks before any failure is counted (and the slow-down would slow nothing). One process
// serves the platform. The price: people behind one NAT wait behind each other's attempts, an
// attacker's slowed ones included; nobody at another address does.
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
  input: { email: string; password: string; ip: string; adminsOnly?: boolean },
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
  input: { email: string; password: string; ip: string; adminsOnly?: boolean },
): Promise<SignInOutcome> {
  const now = clock.now();
  const email = input.email.trim();
  const addressLock = await latestLock(db, [addressKey(input.ip)], now);
  if (addressLock) return { ok: false, reason: 'locked', until: addressLock };
  if (await latestLock(db, [accountKey(email, input.ip)], now)) await pause(SIGN_IN_SLOWDOWN_MS);

  const account = email ? await findAccountByEmail(db, email) : undefined;
  // LOCAL_SIGN_IN=admins: a manager's password is not checked at all, so the answer never tells
  // whether it was right (the page says managers sign in through the identity provider).
  const usable = account && account.password_hash && account.disabled_at === null && (!input.adminsOnly || account.role === 'admin');
  const valid = usable ? await verifyPassword(account.password_hash!, input.password) : await verifyAgainstDecoy(input.password);

  if (valid && account) {
    const secondFactor = account.totp_enabled_at !== null;
    await db.transaction().execute(async (trx) => {
      await clearThrottle(trx, accountKey(email, input.ip));
      // With a second factor, the sign-in is journalled once its code is right (recordSignIn).
      if (!secondFactor) await recordSignIn(trx, clock, { accountId: account.id, label: account.email, ip: input.ip }, 'mot de passe');
    });
    // From the very row whose hash was verified: a password changed meanwhile ends this sign-in too.
    return { ok: true, accountId: account.id, role: account.role, credential: credentialOf(account.password_hash!, account.totp_enabled_at), secondFactor };
  }

  const alerted = await db.transaction().execute(async (trx) => {
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
  | { ok: false; reason: 'unknown' | 'disabled' };

/**
 * The account an identity provider vouched for, found by its e-mail (trimmed, case-insensitive): the
 * provider's subject is remembered, and a new subject for the same e-mail re-links the account —
 * audited, since it means the provider's account changed. An unknown e-mail or a disabled account
 * signs nobody in, and the journal keeps the attempt.
 */
export async function signInThroughProvider(
  db: Kysely<Database>,
  clock: Clock,
  input: { provider: IdentityProvider; email: string; subject: string; ip: string },
): Promise<ProviderSignInOutcome> {
  const email = input.email.trim();
  const at = clock.now().toISOString();
  const details = { fournisseur: input.provider, sujet: input.subject };
  return db.transaction().execute(async (trx) => {
    const account = email ? await findAccountByEmail(trx, email) : undefined;
    if (!account || account.disabled_at !== null) {
      await recordRepeatedAudit(
        trx,
        clock,
        {
          action: 'connexion.echouee',
          actor: { accountId: null, label: email.toLowerCase().slice(0, 200) || 'anonyme', ip: input.ip },
          target: account ? { type: 'compte', id: account.id } : null,
          details: { ...details, motif: account ? 'compte désactivé' : 'adresse rattachée à aucun compte' },
        },
        FAILED_SIGN_IN_AGGREGATION_MS,
      );
      return { ok: false, reason: account ? 'disabled' : 'unknown' };
    }
    const actor = { accountId: account.id, label: account.email, ip: input.ip };
    const known = await trx
      .selectFrom('account_identities')
      .select('subject')
      .where('account_id', '=', account.id)
      .where('provider', '=', input.provider)
      .executeTakeFirst();
    if (!known) {
      await trx.insertInto('account_identities').values({ account_id: account.id, provider: input.provider, subject: input.subject, linked_at: at, last_used_at: at }).execute();
      await recordAudit(trx, clock, { action: 'compte.identite_liee', actor, target: { type: 'compte', id: account.id }, details });
    } else {
      await trx
        .updateTable('account_identities')
        .set({ subject: input.subject, last_used_at: at, ...(known.subject === input.subject ? {} : { linked_at: at }) })
        .where('account_id', '=', account.id)
        .where('provider', '=', input.provider)
        .execute();
      if (known.subject !== input.subject) {
        await recordAudit(trx, clock, {
          action: 'compte.identite_reliee',
          actor,
          target: { type: 'compte', id: account.id },
          details: { ...details, ancien_sujet: known.subject },
        });
      }
    }
    const secondFactor = account.totp_enabled_at !== null;
    // With a second factor, the sign-in is journalled once its code is right, as after a password.
    if (!secondFactor) await recordSignIn(trx, clock, actor, input.provider);
    return { ok: true, accountId: account.id, role: account.role, credential: credentialOf(account.password_hash ?? '', account.totp_enabled_at), secondFactor };
  });
}
