import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Role } from '../../db/schema.js';
import { recordAudit, type Acting } from '../audit.js';
import { hashPassword } from './passwords.js';
import { transaction } from '../../db/transaction.js';

/**
 * Creates the account, or sets the name, role and password of the existing one with that email, in
 * one transaction; with `acting`, the journal records it in the same transaction (the demo seed
 * records its own single row instead).
 */
export async function upsertAccountWithPassword(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; displayName: string; role: Role; password: string },
  acting?: Acting,
): Promise<{ id: number; created: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const email = input.email.trim();
  return transaction(db, async (trx) => {
    const existing = await trx.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst();
    let account: { id: number; created: boolean };
    if (existing) {
      await trx
        .updateTable('accounts')
        .set({ display_name: input.displayName, role: input.role, password_hash: passwordHash, disabled_at: null })
        .where('id', '=', existing.id)
        .execute();
      account = { id: existing.id, created: false };
    } else {
      const row = await trx
        .insertInto('accounts')
        .values({ email, display_name: input.displayName, role: input.role, password_hash: passwordHash, created_at: clock.now().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      account = { id: row.id, created: true };
    }
    if (acting) {
      await recordAudit(trx, clock, {
        action: account.created ? 'compte.cree' : 'compte.mot_de_passe_change',
        actor: acting.actor,
        target: { type: 'compte', id: account.id },
        details: { role: input.role },
      });
    }
    return account;
  });
}
