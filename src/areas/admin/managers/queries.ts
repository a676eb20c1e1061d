import type { ExpressionBuilder } from 'kysely';
import { accountState, signInMeans } from '../../../domain/account-state.js';
import type { Database, Queryable } from '../../../db/schema.js';

/** Whether the account has signed in through an identity provider (it is then linked to it). */
const linkedToProvider = (eb: ExpressionBuilder<Database, 'accounts'>) =>
  eb.exists(eb.selectFrom('account_identities as i').select('i.account_id').whereRef('i.account_id', '=', 'accounts.id')).as('linked');

export async function listManagers(db: Queryable, providers: boolean) {
  const managers = await db
    .selectFrom('accounts')
    .select(['id', 'email', 'display_name', 'disabled_at', 'password_hash', 'last_sign_in_at', 'last_sign_in_method', linkedToProvider])
    .where('role', '=', 'manager')
    .orderBy('display_name')
    .execute();
  const links = await db.selectFrom('account_centres').select(['account_id', 'centre_id']).execute();
  return managers.map((m) => ({
    id: m.id,
    email: m.email,
    displayName: m.display_name,
    state: accountState(m, providers),
    means: signInMeans({ hasPassword: m.password_hash !== null, linked: Boolean(m.linked) }, providers),
    lastSignIn: m.last_sign_in_at ? { at: m.last_sign_in_at, method: m.last_sign_in_method } : null,
    centreIds: links.filter((l) => l.account_id === m.id).map((l) => l.centre_id),
  }));
}

export function getManager(db: Queryable, id: number) {
  return db
    .selectFrom('accounts')
    .select([
      'id',
      'email',
      'display_name',
      'disabled_at',
      'password_hash',
      'created_at',
      'totp_enabled_at',
      'last_sign_in_at',
      'last_sign_in_method',
      linkedToProvider,
    ])
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

/** The account that already has this e-mail, if any: a new manager's form offers to open it instead. */
export function accountWithEmail(db: Queryable, email: string) {
  return db.selectFrom('accounts').select(['id', 'role', 'display_name']).where('email', '=', email).executeTakeFirst();
}
