import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // An exam cancelled by its centre (fraud, usurped identity, serious incident): « Annulé » everywhere.
  await db.schema.alterTable('exams').addColumn('cancelled_at', 'text').execute();
  await db.schema.alterTable('exams').addColumn('cancel_reason', 'text').execute();
  // Paused by the supervisor (a power cut, a network failure): while set, the exam's time stands still.
  await db.schema.alterTable('exams').addColumn('paused_at', 'text').execute();
  // The centre's results list: counted and paged from this index alone, without reading the table
  // (bench/results.ts: a 10,000-exam centre's count fell from 18 ms to about 1 ms). Every column a
  // filter or the page's order reads is in it; id last for « started_at desc, id desc ».
  await db.schema
    .createIndex('exams_centre_results')
    .on('exams')
    .columns(['centre_id', 'started_at', 'id', 'questionnaire_id', 'finished_at', 'cancelled_at', 'passed', 'search_key'])
    .execute();
  // What happened in the room, in order: notes, cancellations, pauses and resumptions. The session's
  // page and its report read it by session.
  await db.schema
    .createTable('session_incidents')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('exam_session_id', 'integer', (c) => c.notNull().references('exam_sessions.id'))
    .addColumn('exam_id', 'integer', (c) => c.references('exams.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('note', 'annulation', 'pause', 'reprise')`))
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_incidents_session').on('session_incidents').columns(['exam_session_id', 'at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exams_centre_results').execute();
  await db.schema.dropTable('session_incidents').execute();
  await db.schema.alterTable('exams').dropColumn('paused_at').execute();
  await db.schema.alterTable('exams').dropColumn('cancel_reason').execute();
  await db.schema.alterTable('exams').dropColumn('cancelled_at').execute();
}
