import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, openDatabase, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { issueMissingAttestations } from '../services/attestations/issue.js';

/** Opens the data folder's database and brings its schema (and the data it adds) up to date; says whether it was new. */
export async function openMigratedDatabase(dataDir: string): Promise<{ db: Db; created: boolean }> {
  const created = !existsSync(join(dataDir, DATABASE_FILE));
  const db = openDatabase(dataDir);
  const applied = await migrateToLatest(db.kysely);
  // Only on the start that adds attestations: afterwards every exam gets its number as it ends.
  if (applied.includes('0005_attestations')) await issueMissingAttestations(db.kysely);
  return { db, created };
}
