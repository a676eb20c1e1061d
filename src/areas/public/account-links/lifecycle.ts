import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database } from '../../../db/schema.js';
import { passwordAllowed, type LocalSignIn } from '../../../domain/account-state.js';
import { writeAccountLink } from '../../../services/accounts/links.js';
import { findAccountByEmail } from '../../../services/accounts/queries.js';
import { recordAudit } from '../../../services/audit.js';
import { transaction } from '../../../db/transaction.js';

/**
 * A reset link for the account with this e-mail, made and recorded in one transaction; null when
 * no active account that may have a password has it (the caller says the same either way). The journal records the request,
 * made before the e-mail is sent: a mail server that fails shows in the server's log.
 */
export async function requestPasswordReset(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; ip: string; localSignIn: LocalSignIn },
): Promise<{ email: string; displayName: string; secret: string } | null> {
  return transaction(db, async (trx) => {
    const account = await findAccountByEmail(trx, input.email);
    // An account that signs in through the identity provider only (LOCAL_SIGN_IN) has no password to reset.
    if (!account || account.disabled_at || !passwordAllowed(account.role, input.localSignIn)) return null;
    const secret = await writeAccountLink(trx, clock.now(), account.id, 'reset');
    await recordAudit(trx, clock, {
      action: 'compte.reinitialisation_demandee',
      actor: { accountId: account.id, label: account.email, ip: input.ip },
      target: { type: 'compte', id: account.id },
    });
    return { email: account.email, displayName: account.display_name, secret };
  });
}
