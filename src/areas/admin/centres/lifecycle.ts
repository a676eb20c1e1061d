import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { CENTRE_ID_MAX, formatCentreId } from '../../../domain/centre-id.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { getCentre, otherCentresWithSiret, type CentreBrief, type CentreFields } from './queries.js';
import { nationalDailyQuota } from '../../../services/centres/token-quota.js';
import type { CentreStatus } from '../../../domain/statuses.js';
import { transaction } from '../../../db/transaction.js';

/**
 * What a centre's SIRET may share with the centres already recognised: nothing (null), or, when the
 * administrator says it is another site of the same company, anything, with the reason they gave.
 */
export type SiretSharing = { reason: string } | null;

/** Refused: the SIRET is already that of these centres, and the administrator did not say it may be shared. */
export interface SiretTaken {
  ok: false;
  sharedWith: CentreBrief[];
}

/**
 * The SIRET against the other centres, read in the transaction of the write so that two forms sent
 * at once with the same SIRET cannot both pass: the app's one connection runs its transactions one
 * after the other, and SQLite refuses the write of a transaction whose reads another connection
 * (the CLI) has overtaken (SQLITE_BUSY_SNAPSHOT). No UNIQUE index: a shared SIRET may be forced.
 * Allowed: what the audit row adds, naming the centres shared with on purpose and the reason.
 */
async function checkSiret(
  trx: Queryable,
  fields: CentreFields,
  edited: { id: number; siret: string } | null,
  sharing: SiretSharing,
): Promise<SiretTaken | { ok: true; audit: { siret_partage_avec?: string[]; motif?: string } }> {
  const sharedWith = await otherCentresWithSiret(trx, fields.siret, edited);
  if (sharedWith.length === 0) return { ok: true, audit: {} };
  if (!sharing) return { ok: false, sharedWith };
  return { ok: true, audit: { siret_partage_avec: sharedWith.map((c) => formatCentreId(c.id)), motif: sharing.reason } };
}

/**
 * Recognises a centre: the platform hands out the next `centreXXXX`, never a used one. A SIRET
 * already known is refused unless `sharing` gives the reason for a second site of the same company.
 */
export async function recogniseCentre(
  db: Kysely<Database>,
  clock: Clock,
  fields: CentreFields,
  sharing: SiretSharing,
  { actor }: Acting,
): Promise<{ ok: true; id: number } | SiretTaken> {
  return transaction(
    db,
    async (trx) => {
      const check = await checkSiret(trx, fields, null, sharing);
      if (!check.ok) return check;
      const created = await insertCentre(trx, fields, clock.now().toISOString());
      if (created > CENTRE_ID_MAX) throw new Error(`Centre number ${created} exceeds ${CENTRE_ID_MAX}`);
      await recordAudit(trx, clock, {
        action: 'centre.reconnu',
        actor,
        target: { type: 'centre', id: formatCentreId(created) },
        details: { nom: fields.name, siret: fields.siret, ...check.audit },
      });
      return { ok: true, id: created };
    },
    { oneAtATime: 'centres' },
  );
}

/**
 * Changes what the centre is known by; the journal keeps the values before and after. A new SIRET
 * already known is refused as on recognition (the centre's own, kept, is not checked again).
 * Null: no such centre.
 */
export async function updateCentreFields(
  db: Kysely<Database>,
  clock: Clock,
  centreId: number,
  fields: CentreFields,
  sharing: SiretSharing,
  { actor }: Acting,
): Promise<{ ok: true } | SiretTaken | null> {
  return transaction(db, async (trx) => {
    const before = await getCentre(trx, centreId);
    if (!before) return null;
    const check = await checkSiret(trx, fields, before, sharing);
    if (!check.ok) return check;
    await updateCentre(trx, centreId, fields);
    await recordAudit(trx, clock, {
      action: 'centre.modifie',
      actor,
      target: { type: 'centre', id: formatCentreId(centreId) },
      details: { avant: { nom: before.name, adresse: before.address, siret: before.siret, email: before.contact_email }, apres: fields, ...check.audit },
    });
    return { ok: true };
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
  return transaction(db, async (trx) => {
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
  return transaction(db, async (trx) => {
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
  await transaction(db, async (trx) => {
    const before = await nationalDailyQuota(trx);
    if (before === quota) return;
    await updateNationalQuota(trx, quota);
    await recordAudit(trx, clock, { action: 'plateforme.quota_modifie', actor, details: { avant: before, apres: quota } });
  });
}

// The writes themselves, only ever run inside the transactions above.

/**
 * The database hands out the next number, never a used one (SQLite's AUTOINCREMENT, PostgreSQL's
 * identity sequence). Recognitions run one at a time (SQLite's single writer; PostgreSQL:
 * `oneAtATime`), on any instance: none is rolled back for another, so no number is lost either.
 */
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
