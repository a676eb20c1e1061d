import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Queryable } from '../../db/schema.js';
import type { SignatoryFields } from '../../domain/centre-signatory.js';
import { recordAudit, type Acting } from '../audit.js';
import { transaction } from '../../db/transaction.js';

/** What the attestations print of the centre beyond its name and address: signatory, town, telephone, stamp. */
export function findSignatory(db: Queryable, centreId: number) {
  return db
    .selectFrom('centres')
    .select(['id', 'representative_name', 'representative_title', 'town', 'phone', 'stamp_id'])
    .where('id', '=', centreId)
    .executeTakeFirst();
}

/** Sets who signs the centre's attestations (manager or administrator), audited with the old values. */
export async function updateSignatory(db: Kysely<Database>, clock: Clock, centreId: number, fields: SignatoryFields, acting: Acting): Promise<void> {
  await transaction(db, async (trx) => {
    const previous = await trx
      .selectFrom('centres')
      .select(['representative_name', 'representative_title', 'town', 'phone'])
      .where('id', '=', centreId)
      .executeTakeFirst();
    if (!previous || (Object.keys(fields) as (keyof SignatoryFields)[]).every((key) => previous[key] === fields[key])) return;
    await trx.updateTable('centres').set(fields).where('id', '=', centreId).execute();
    await recordAudit(trx, clock, {
      action: 'centre.signataire_modifie',
      actor: acting.actor,
      target: { type: 'centre', id: centreId },
      details: { avant: previous, apres: fields },
    });
  });
}

/**
 * The stamp printed from now on. The previous one stays stored: attestations printed with it keep
 * it in their snapshot. null removes the stamp (the box is then left for a stamp by hand).
 */
export async function replaceStamp(
  db: Kysely<Database>,
  clock: Clock,
  centreId: number,
  image: { mime: 'image/png' | 'image/jpeg'; data: Buffer } | null,
  acting: Acting,
): Promise<void> {
  await transaction(db, async (trx) => {
    let stampId: number | null = null;
    if (image) {
      const inserted = await trx
        .insertInto('centre_stamps')
        .values({ centre_id: centreId, mime: image.mime, data: image.data, created_at: clock.now().toISOString() })
        .returning('id')
        .executeTakeFirstOrThrow();
      stampId = inserted.id;
    }
    await trx.updateTable('centres').set({ stamp_id: stampId }).where('id', '=', centreId).execute();
    await recordAudit(trx, clock, {
      action: image ? 'centre.cachet_depose' : 'centre.cachet_retire',
      actor: acting.actor,
      target: { type: 'centre', id: centreId },
      details: image ? { format: image.mime, octets: image.data.length } : null,
    });
  });
}

/** The centre's current stamp, for its settings page (scoped: only the centre's own). */
export function findCurrentStamp(db: Queryable, centreId: number) {
  return db
    .selectFrom('centres as c')
    .innerJoin('centre_stamps as s', 's.id', 'c.stamp_id')
    .select(['s.id', 's.mime', 's.data'])
    .where('c.id', '=', centreId)
    .executeTakeFirst();
}
