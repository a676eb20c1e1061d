import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema.js';

export interface SignedInAccount {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  centreIds: number[];
}

export async function findActiveAccount(db: Kysely<Database>, id: number): Promise<SignedInAccount | null> {
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'display_name', 'role'])
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const links = await db.selectFrom('account_centres').select('centre_id').where('account_id', '=', id).execute();
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    centreIds: links.map((l) => l.centre_id).sort((a, b) => a - b),
  };
}

export function findAccountByEmail(db: Kysely<Database>, email: string) {
  return db.selectFrom('accounts').selectAll().where('email', '=', email.trim()).executeTakeFirst();
}
