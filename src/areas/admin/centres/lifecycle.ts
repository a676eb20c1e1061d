import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { CENTRE_ID_MAX, formatCentreId } from '../../../domain/centre-id.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { getCentre, type CentreFields } from './queries.js';
import { nationalDailyQuota } from '../../../services/centres/token-quota.js';
import type { CentreStatus } from '../../../domain/statuses.js';

/** Recognises a centre: the platform hands out the next `centreXXXX`, never a used one. */
export async function recogniseCentre(db: Kysely<Database>, clock: Clock, fields: CentreFields, { actor }: Acting): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const created = await insertCentre(trx, fields, clock.now().toISOString());
    if (created > CENTRE_ID_MAX) throw new Error(`Centre number ${created} exceeds ${CENTRE_ID_MAX}`);
    await recordAudit(trx, clock, {
      action: 'centre.reconnu',
      actor,
      target: { type: 'centre', id: formatCentreId(created) },
      details: { nom: fields.name, siret: fields.siret },
    });
    return created;
  });
}

/** Changes what the centre is known by; the journal keeps the values before and after. False: no such centre. */
export async function updateCentreFields(db: Kysely<Database>, clock: Clock, centreId: number, fields: CentreFields, { actor }: Acting): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await getCentre(trx, centreId);
    if (!before) return false;
    await updateCentre(trx, centreId, fields);
    await recordAudit(trx, clock, {
      action: 'centre.modifie',
      actor,
      target: { type: 'centre', id: formatCentreId(centreId) },
      details: { avant: { nom: before.name, adresse: before.address, siret: before.siret, email: before.contact_email }, apres: fields },
    });
    return true;
  });
}

/** Suspends (with the reason the managers will read) or reactivates a centre. False: no such centre. */
export async function setCentreSuspension(
  db: Kysely<Database>,
  clock: Clock,
  centreId: number,
  change: { suspended: true; reason: string } | { suspended: false },
  { actor }: Acting,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await getCentre(trx, centreId))) return false;
    await setCentreStatus(trx, centreId, change.suspended ? 'suspended' : 'active', change.suspended ? change.reason : null);
    await recordAudit(trx, clock, {
      action: change.suspended ? 'centre.suspendu' : 'centre.reactive',
      actor,
      target: { type: 'centre', id: formatCentreId(centreId) },
      details: change.suspended ? { motif: change.reason } : null,
    });
    return true;
  });
}

/**
 * Sets the centre's own daily quota of tokens (null: back to the national default), audited with
 * the values before and after; nothing is written when it does not change. False: no such centre.
 */
export async function setCentreDailyQuota(db: Kysely<Database>, clock: Clock, centreId: number, quota: number | null, { actor }: Acting): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const before = await getCentre(trx, centreId);
    if (!before) return false;
    if (before.daily_token_quota === quota) return true;
    await updateCentreQuota(trx, centreId, quota);
    await recordAudit(trx, clock, {
      action: 'centre.quota_modifie',
      actor,
      target: { type: 'centre', id: formatCentreId(centreId) },
      details: { avant: before.daily_token_quota, apres: quota },
    });
    return true;
  });
}

/** Sets the national default of the daily quota of tokens (centres without a quota of their own), audited. */
export async function setNationalDailyQuota(db: Kysely<Database>, clock: Clock, quota: number, { actor }: Acting): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await nationalDailyQuota(trx);
    if (before === quota) return;
    await updateNationalQuota(trx, quota);
    await recordAudit(trx, clock, { action: 'plateforme.quota_modifie', actor, details: { avant: before, apres: quota } });
  });
}

// The writes themselves, only ever run inside the transactions above.

/** AUTOINCREMENT hands out the next number, never a used one, and SQLite serialises the writers. */
async function insertCentre(trx: Queryable, fields: CentreFields, createdAt: string): Promise<number> {
  const row = await trx
    .insertInto('centres')
    .values({ ...fields, status: 'active', created_at: createdAt })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function updateCentre(db: Queryable, id: number, fields: CentreFields): Promise<void> {
  await db.updateTable('centres').set(fields).where('id', '=', id).execute();
}

async function setCentreStatus(db: Queryable, id: number, status: CentreStatus, reason: string | null): Promise<void> {
  await db.updateTable('centres').set({ status, suspension_reason: reason }).where('id', '=', id).execute();
}

async function updateCentreQuota(db: Queryable, id: number, quota: number | null): Promise<void> {
  await db.updateTable('centres').set({ daily_token_quota: quota }).where('id', '=', id).execute();
}

async function updateNationalQuota(db: Queryable, quota: number): Promise<void> {
  await db.updateTable('platform_settings').set({ daily_token_quota: quota }).where('id', '=', 1).execute();
}
