import { sql, type Kysely } from 'kysely';

/** The national default when the migration runs: as long as a centre must keep its own copies. */
const INITIAL_RETENTION_YEARS = 5;

export async function up(db: Kysely<unknown>): Promise<void> {
  // How long candidates' identities are kept after their exam, set by the national administration.
  await db.schema
    .alterTable('platform_settings')
    .addColumn('identity_retention_years', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(INITIAL_RETENTION_YEARS)
        .check(sql`identity_retention_years between 1 and 30`),
    )
    .execute();
  // When the exam's identity was replaced by neutral values: the purge skips it, pages say so.
  await db.schema.alterTable('exams').addColumn('anonymised_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('exams').dropColumn('anonymised_at').execute();
  await db.schema.alterTable('platform_settings').dropColumn('identity_retention_years').execute();
}
