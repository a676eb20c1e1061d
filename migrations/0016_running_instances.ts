import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The instances now serving this database, each with what names its secrets (the attestation
  // key's id, a digest of the session secret): an instance whose secrets differ from a running
  // one's refuses to start. Rows not renewed for a while are of instances that stopped.
  await db.schema
    .createTable('running_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('signing_key_id', 'text', (c) => c.notNull())
    .addColumn('session_secret_digest', 'text', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('running_instances').execute();
}
