import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // When each periodic job (the deadline sweep, the purges) last started, on any instance: the
  // instance whose conditional update moves it on runs the job for that period, the others skip it.
  await db.schema
    .createTable('periodic_runs')
    .addColumn('job', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('periodic_runs').execute();
}
