import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database } from '../../../db/schema.js';
import { recordAudit, type Acting } from '../../../services/audit.js';

/** A download of the centre's results carries candidates' identities: who took it, with which filter, how many rows. */
export async function recordCentreResultsExport(
  db: Kysely<Database>,
  clock: Clock,
  centreId: number,
  export_: { filter: string; rows: number },
  { actor }: Acting,
): Promise<void> {
  await recordAudit(db, clock, {
    action: 'centre.export_resultats',
    actor,
    target: { type: 'centre', id: centreId },
    details: { filtre: export_.filter || 'aucun', lignes: export_.rows },
  });
}
