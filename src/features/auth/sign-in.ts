import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/schema.js';
import { ACCOUNT_POLICY, ADDRESS_POLICY } from '../../domain/throttle.js';
import { recordAudit } from '../audit/audit-log.js';
import { verifyAgainstDecoy, verifyPassword } from './passwords.js';
import { clearThrottle, countFailure, latestLock } from '../throttle/store.js';
import { findAccountByEmail } from './queries.js';

export type SignInOutcome =
  | { ok: true; accountId: number }
  | { ok: false; reason: 'locked'; until: Date }
  | { ok: false; reason: 'invalid' };

const accountKey = (email: string) => `compte:${email.trim().toLowerCase()}`;
const addressKey = (ip: string) => `adresse:${ip}`;

/** Checks the throttles, then the password; records the outcome in the throttles and the audit log. */
export async function attemptSignIn(
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
    await clearThrottle(db, accountKey(email));
    await recordAudit(db, clock, {
      action: 'connexion.reussie',
      actor: { accountId: account.id, label: account.email },
      target: { type: 'compte', id: account.id },
      ip: input.ip,
    });
    return { ok: true, accountId: account.id };
  }

  await countFailure(db, accountKey(email), now, ACCOUNT_POLICY);
  await countFailure(db, addressKey(input.ip), now, ADDRESS_POLICY);
  await recordAudit(db, clock, {
    action: 'connexion.echouee',
    actor: { accountId: null, label: email.slice(0, 200) || 'anonyme' },
    target: account ? { type: 'compte', id: account.id } : null,
    details: account?.disabled_at ? { motif: 'compte désactivé' } : null,
    ip: input.ip,
  });
  const lockNow = await latestLock(db, keys, now);
  return lockNow ? { ok: false, reason: 'locked', until: lockNow } : { ok: false, reason: 'invalid' };
}
