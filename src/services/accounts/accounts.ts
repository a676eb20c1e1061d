import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Role } from '../../db/schema.js';
import { hashPassword } from './passwords.js';

/** Creates the account, or sets the name, role and password of the existing one with that email. */
export async function upsertAccountWithPassword(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; displayName: string; role: Role; password: string },
): Promise<{ id: number; created: boolean }> {
  const passwordHash = await hashPassword(input.password);
  const email = input.email.trim();
  const existing = await db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) {
    await db
      .updateTable('accounts')
      .set({ display_name: input.displayName, role: input.role, password_hash: passwordHash, disabled_at: null })
      .where('id', '=', existing.id)
      .execute();
    return { id: existing.id, created: false };
  }
  const row = await db
    .insertInto('accounts')
    .values({ email, display_name: input.displayName, role: input.role, password_hash: passwordHash, created_at: clock.now().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, created: true };
}
