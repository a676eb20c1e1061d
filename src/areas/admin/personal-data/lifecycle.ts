import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database } from '../../../db/schema.js';
import { transaction } from '../../../db/transaction.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { identityRetentionYears } from '../../../services/personal-data.js';

/** Sets how many years candidates' identities are kept after their exam; audited with the values before and after. */
export async function setIdentityRetentionYears(db: Kysely<Database>, clock: Clock, years: number, { actor }: Acting): Promise<void> {
  await transaction(db, async (trx) => {
    const before = await identityRetentionYears(trx);
    if (before === years) return;
    await trx.updateTable('platform_settings').set({ identity_retention_years: years }).where('id', '=', 1).execute();
    await recordAudit(trx, clock, { action: 'plateforme.conservation_modifiee', actor, details: { avant: before, apres: years } });
  });
}
