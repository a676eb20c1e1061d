import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { formatCentreId } from '../../../domain/centre-id.js';
import { writeAccountLink, type LinkPurpose } from '../../../services/accounts/links.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { getManager } from './queries.js';
import { transaction } from '../../../db/transaction.js';

/**
 * Creates the manager's account, links it to its first centre and, when asked, makes its activation
 * link (a password to choose), in one transaction. Without a link (`secret` null), the account signs
 * in through the identity provider.
 */
export async function createManager(
  db: Kysely<Database>,
  clock: Clock,
  input: { email: string; displayName: string; centreId: number; activationLink: boolean },
  { actor }: Acting,
): Promise<{ id: number; secret: string | null }> {
  return transaction(db, async (trx) => {
    const now = clock.now();
    const id = await insertManager(trx, { email: input.email, displayName: input.displayName }, now.toISOString());
    await linkCentre(trx, id, input.centreId);
    await recordAudit(trx, clock, {
      action: 'gestionnaire.cree',
      actor,
      target: { type: 'compte', id },
      details: { email: input.email, centre: formatCentreId(input.centreId) },
    });
    return { id, secret: input.activationLink ? await writeAccountLink(trx, now, id, 'activation') : null };
  });
}

/** Links the manager to one more centre, or unlinks it from one. */
export async function changeManagerCentre(
  db: Kysely<Database>,
  clock: Clock,
  input: { managerId: number; centreId: number; linked: boolean },
  { actor }: Acting,
): Promise<void> {
  await transaction(db, async (trx) => {
    if (input.linked) await linkCentre(trx, input.managerId, input.centreId);
    else await unlinkCentre(trx, input.managerId, input.centreId);
    await recordAudit(trx, clock, {
      action: input.linked ? 'gestionnaire.rattache' : 'gestionnaire.detache',
      actor,
      target: { type: 'compte', id: input.managerId },
      details: { centre: formatCentreId(input.centreId) },
    });
  });
}

/** A disabled account can no longer sign in (its sign-ins end at their next request). */
export async function setManagerDisabled(db: Kysely<Database>, clock: Clock, managerId: number, disabled: boolean, { actor }: Acting): Promise<void> {
  await transaction(db, async (trx) => {
    await setDisabled(trx, managerId, disabled ? clock.now().toISOString() : null);
    await recordAudit(trx, clock, {
      action: disabled ? 'gestionnaire.desactive' : 'gestionnaire.reactive',
      actor,
      target: { type: 'compte', id: managerId },
    });
  });
}

/**
 * A new one-time link for the manager: activation while no password was ever chosen, reset after.
 * Null: no such manager.
 */
export async function renewManagerLink(
  db: Kysely<Database>,
  clock: Clock,
  managerId: number,
  { actor }: Acting,
): Promise<{ purpose: LinkPurpose; secret: string } | null> {
  return transaction(db, async (trx) => {
    const manager = await getManager(trx, managerId);
    if (!manager) return null;
    const purpose: LinkPurpose = manager.password_hash ? 'reset' : 'activation';
    const secret = await writeAccountLink(trx, clock.now(), manager.id, purpose);
    await recordAudit(trx, clock, {
      action: purpose === 'activation' ? 'gestionnaire.lien_activation' : 'gestionnaire.lien_reinitialisation',
      actor,
      target: { type: 'compte', id: manager.id },
    });
    return { purpose, secret };
  });
}

// The writes themselves, only ever run inside the transactions above.

async function insertManager(trx: Queryable, input: { email: string; displayName: string }, createdAt: string): Promise<number> {
  const row = await trx
    .insertInto('accounts')
    .values({ email: input.email, display_name: input.displayName, role: 'manager', password_hash: null, created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function linkCentre(trx: Queryable, accountId: number, centreId: number): Promise<void> {
  await trx
    .insertInto('account_centres')
    .values({ account_id: accountId, centre_id: centreId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

async function unlinkCentre(trx: Queryable, accountId: number, centreId: number): Promise<void> {
  await trx.deleteFrom('account_centres').where('account_id', '=', accountId).where('centre_id', '=', centreId).execute();
}

async function setDisabled(trx: Queryable, accountId: number, disabledAt: string | null): Promise<void> {
  await trx.updateTable('accounts').set({ disabled_at: disabledAt }).where('id', '=', accountId).execute();
}
