import type { Kysely } from 'kysely';
import type { Database, Role } from '../../db/schema.js';
import type { ThrottleState } from '../../domain/sign-in-throttle.js';

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

export async function readThrottle(db: Kysely<Database>, key: string): Promise<ThrottleState | null> {
  const row = await db.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row) return null;
  return {
    failures: row.failures,
    windowStartedAt: new Date(row.window_started_at),
    lockedUntil: row.locked_until ? new Date(row.locked_until) : null,
  };
}

export async function writeThrottle(db: Kysely<Database>, key: string, state: ThrottleState): Promise<void> {
  const values = {
    failures: state.failures,
    window_started_at: state.windowStartedAt.toISOString(),
    locked_until: state.lockedUntil?.toISOString() ?? null,
  };
  await db
    .insertInto('sign_in_throttle')
    .values({ key, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute();
}

export async function clearThrottle(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}
