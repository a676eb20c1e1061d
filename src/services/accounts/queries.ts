import { credentialOf } from './passwords.js';
import type { Kysely } from 'kysely';
import type { Database, Queryable, Role } from '../../db/schema.js';

export interface SignedInAccount {
  id: number;
  email: string;
  displayName: string;
  role: Role;
  centreIds: number[];
  /** Whether the account has a second factor (sign-in asks for its code). */
  secondFactor: boolean;
}

/**
 * The account of a sign-in, if it may still act: not disabled, and its password still the one the
 * sign-in was made with (`credential`, see credentialOf).
 */
export async function findActiveAccount(db: Kysely<Database>, id: number, credential: string | undefined): Promise<SignedInAccount | null> {
  const row = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'display_name', 'role', 'password_hash', 'totp_enabled_at'])
    .where('id', '=', id)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // An account without a password signs in through an identity provider only: its credential is
  // then its second factor alone (credentialOf of an empty hash), and a password set later ends it.
  if (!row || credentialOf(row.password_hash ?? '', row.totp_enabled_at) !== credential) return null;
  const links = await db.selectFrom('account_centres').select('centre_id').where('account_id', '=', id).execute();
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    centreIds: links.map((l) => l.centre_id).sort((a, b) => a - b),
    secondFactor: row.totp_enabled_at !== null,
  };
}

export function findAccountByEmail(db: Queryable, email: string) {
  return db.selectFrom('accounts').selectAll().where('email', '=', email.trim()).executeTakeFirst();
}

/** The addresses of the national administrators who can sign in: whom a security alert goes to. */
export async function activeAdministratorEmails(db: Queryable): Promise<string[]> {
  const rows = await db.selectFrom('accounts').select('email').where('role', '=', 'admin').where('disabled_at', 'is', null).orderBy('id').execute();
  return rows.map((r) => r.email);
}
