import { accountState } from '../../../domain/account-state.js';
import type { Queryable } from '../../../db/schema.js';

export async function listManagers(db: Queryable) {
  const managers = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'display_name', 'disabled_at', 'password_hash'])
    .where('role', '=', 'manager')
    .orderBy('display_name')
    .execute();
  const links = await db.selectFrom('account_centres').select(['account_id', 'centre_id']).execute();
  return managers.map((m) => ({
    id: m.id,
    email: m.email,
    displayName: m.display_name,
    state: accountState(m),
    centreIds: links.filter((l) => l.account_id === m.id).map((l) => l.centre_id),
  }));
}

export function getManager(db: Queryable, id: number) {
  return db
    .selectFrom('accounts')
    .select(['id', 'email', 'display_name', 'disabled_at', 'password_hash', 'created_at'])
    .where('id', '=', id)
    .where('role', '=', 'manager')
    .executeTakeFirst();
}

export function managerCentres(db: Queryable, accountId: number) {
  return db
    .selectFrom('centres as c')
    .innerJoin('account_centres as ac', 'ac.centre_id', 'c.id')
    .select(['c.id', 'c.name', 'c.status'])
    .where('ac.account_id', '=', accountId)
    .orderBy('c.id')
    .execute();
}

export async function insertManager(trx: Queryable, input: { email: string; displayName: string }, createdAt: string): Promise<number> {
  const row = await trx
    .insertInto('accounts')
    .values({ email: input.email, display_name: input.displayName, role: 'manager', password_hash: null, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function linkCentre(trx: Queryable, accountId: number, centreId: number): Promise<void> {
  await trx.insertInto('account_centres').values({ account_id: accountId, centre_id: centreId }).onConflict((oc) => oc.doNothing()).execute();
}

export async function unlinkCentre(trx: Queryable, accountId: number, centreId: number): Promise<void> {
  await trx.deleteFrom('account_centres').where('account_id', '=', accountId).where('centre_id', '=', centreId).execute();
}

export async function setDisabled(trx: Queryable, accountId: number, disabledAt: string | null): Promise<void> {
  await trx.updateTable('accounts').set({ disabled_at: disabledAt }).where('id', '=', accountId).execute();
}

export async function emailTaken(db: Queryable, email: string): Promise<boolean> {
  return (await db.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirst()) !== undefined;
}
