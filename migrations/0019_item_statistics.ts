import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // One row per questionnaire version, its whole analysis as JSON: the page and the CSV always read
  // a version's analysis at once, and one recomputation replaces it at once, so rows per question
  // would only add writes and joins; nothing queries a single figure in SQL.
  await db.schema
    .createTable('item_statistics')
    .addColumn('questionnaire_id', 'integer', (c) => c.primaryKey().references('questionnaires.id'))
    .addColumn('computed_at', 'text', (c) => c.notNull())
    // What the analysis covered (count and latest end of the finished, not cancelled exams): the job
    // compares them with the exams now to recompute only the versions whose exams changed.
    .addColumn('exams_count', 'integer', (c) => c.notNull())
    .addColumn('last_finished_at', 'text')
    .addColumn('payload', 'text', (c) => c.notNull())
    .execute();
  // The job reads each version's finished exams from this index alone, never the whole table.
  await db.schema.createIndex('exams_questionnaire_finished').on('exams').columns(['questionnaire_id', 'finished_at', 'cancelled_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exams_questionnaire_finished').execute();
  await db.schema.dropTable('item_statistics').execute();
}
