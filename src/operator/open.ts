import type { Config } from '../config.js';
import { openDatabase, openDatabaseUrl, type Db } from '../db/connection.js';
import { migrateToLatest } from '../db/migrate.js';
import { issueMissingAttestations } from '../services/attestations/issue.js';

/** PostgreSQL when DATABASE_URL is set, else the data folder's SQLite file; not yet migrated. */
export async function openConfiguredDatabase(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<Db> {
  return config.databaseUrl ? openDatabaseUrl(config.databaseUrl) : openDatabase(config.dataDir);
}

/**
 * Opens the configured database and brings its schema (and the data it adds) up to date; says
 * whether it was new. Several instances starting at once on one PostgreSQL are safe: the migrator
 * holds a lock, so only one of them applies the migrations, and only that one reads « new ».
 */
export async function openMigratedDatabase(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Promise<{ db: Db; created: boolean }> {
  const db = await openConfiguredDatabase(config);
  try {
    const applied = await migrateToLatest(db.kysely);
    // Only on the start that adds attestations: afterwards every exam gets its number as it ends.
    if (applied.includes('0005_attestations')) await issueMissingAttestations(db.kysely);
    return { db, created: applied.includes('0001_foundation') };
  } catch (err) {
    await db.close();
    throw err;
  }
}
