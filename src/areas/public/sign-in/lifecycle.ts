import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Role } from '../../../db/schema.js';
import { ACCOUNT_POLICY, ADDRESS_POLICY } from '../../../domain/throttle.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { credentialOf, verifyAgainstDecoy, verifyPassword } from '../../../services/accounts/passwords.js';
import { clearThrottle, countFailure, latestLock } from '../../../services/throttle-store.js';
import { findAccountByEmail } from '../../../services/accounts/queries.js';

export type SignInOutcome =
  | { ok: true; accountId: number; role: Role; credential: string }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'invalid' };

const accountKey = (email: string) => `compte:${email.trim().toLowerCase()}`;
const addressKey = (ip: string) => `adresse:${ip}`;

// Attempts on one account, and attempts from one address, run one after the other: parallel guesses
// would otherwise all pass the lock check before any failure is counted. (One process serves the
// platform.) The address is always taken before the account, so two attempts never wait on each other.
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

/** Checks the throttles, then the password; records the outcome in the throttles and the audit log. */
export function attemptSignIn(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; password: string; ip: string },
): Promise<SignInOutcome> {
  return oneAtATime(addressKey(input.ip), () => oneAtATime(accountKey(input.email), () => attemptSignInNow(db, clock, input)));
}

async function attemptSignInNow(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; password: string; ip: string },
): Promise<SignInOutcome> {
  const now = clock.now();
  const email = input.email.trim();
  const keys = [accountKey(email), addressKey(input.ip)];
  const lock = await latestLock(db, keys, now);
  if (lock) return { ok: false, reason: 'locked', until: lock };

  const account = email ? await findAccountByEmail(db, email) : undefined;
  const usable = account && account.password_hash && account.disabled_at === null;
  const valid = usable ? await verifyPassword(account.password_hash!, input.password) : await verifyAgainstDecoy(input.password);

  if (valid && account) {
    await db.transaction().execute(async (trx) => {
      await clearThrottle(trx, accountKey(email));
      await recordAudit(trx, clock, {
        action: 'connexion.reussie',
        actor: { accountId: account.id, label: account.email, ip: input.ip },
        target: { type: 'compte', id: account.id },
      });
    });
    // From the very row whose hash was verified: a password changed meanwhile ends this sign-in too.
    return { ok: true, accountId: account.id, role: account.role, credential: credentialOf(account.password_hash!) };
  }

  await db.transaction().execute(async (trx) => {
    await countFailure(trx, accountKey(email), now, ACCOUNT_POLICY);
    await countFailure(trx, addressKey(input.ip), now, ADDRESS_POLICY);
    await recordAudit(trx, clock, {
      action: 'connexion.echouee',
      actor: { accountId: null, label: email.slice(0, 200) || 'anonyme', ip: input.ip },
      target: account ? { type: 'compte', id: account.id } : null,
      details: account?.disabled_at ? { motif: 'compte désactivé' } : null,
    });
  });
  const lockNow = await latestLock(db, keys, now);
  return lockNow ? { ok: false, reason: 'locked', until: lockNow } : { ok: false, reason: 'invalid' };
}

/** The journal keeps each sign-out, as it keeps each sign-in. */
export async function recordSignOut(db: Kysely<Database>, clock: Clock, accountId: number, { actor }: Acting): Promise<void> {
  await recordAudit(db, clock, { action: 'deconnexion', actor, target: { type: 'compte', id: accountId } });
}
