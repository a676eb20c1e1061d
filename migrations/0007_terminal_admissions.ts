import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // The code the room view shows and the supervisor types on each terminal; renewed on demand.
  await db.schema.alterTable('exam_sessions').addColumn('admission_code', 'text').execute();
  await db.schema.alterTable('exam_sessions').addColumn('admission_code_expires_at', 'text').execute();

  // A terminal admitted to a session: its cookie holds the id and a secret whose hash only is kept.
  await db.schema
    .createTable('terminal_admissions')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('exam_session_id', 'integer', (c) => c.notNull().references('exam_sessions.id'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('admitted_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('terminal_admissions_session').on('terminal_admissions').column('exam_session_id').execute();

  // The terminal an exam runs on, and the supervisor's leave to take it over on another one.
  await db.schema
    .alterTable('exams')
    .addColumn('admission_id', 'integer', (c) => c.references('terminal_admissions.id'))
    .execute();
  await db.schema.alterTable('exams').addColumn('resume_allowed_until', 'text').execute();
  // The room view looks up each terminal's exam; a withdrawal detaches it.
  await db.schema.createIndex('exams_admission').on('exams').column('admission_id').execute();

  await db.schema
    .createTable('exam_resumes')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id'))
    .addColumn('from_admission_id', 'integer', (c) => c.references('terminal_admissions.id'))
    .addColumn('to_admission_id', 'integer', (c) => c.notNull().references('terminal_admissions.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    // Whether the supervisor's leave was used (a move to another terminal), or the same terminal came back.
    .addColumn('allowed', 'integer', (c) => c.notNull().check(sql`allowed in (0, 1)`))
    .execute();
  await db.schema.createIndex('exam_resumes_exam').on('exam_resumes').column('exam_id').execute();

  // The stale-session check runs often; it looks for open sessions of past days.
  await db.schema.createIndex('exam_sessions_status_date').on('exam_sessions').columns(['status', 'date']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exam_sessions_status_date').execute();
  await db.schema.dropTable('exam_resumes').execute();
  await db.schema.dropIndex('exams_admission').execute();
  await db.schema.alterTable('exams').dropColumn('resume_allowed_until').execute();
  await db.schema.alterTable('exams').dropColumn('admission_id').execute();
  await db.schema.dropTable('terminal_admissions').execute();
  await db.schema.alterTable('exam_sessions').dropColumn('admission_code_expires_at').execute();
  await db.schema.alterTable('exam_sessions').dropColumn('admission_code').execute();
}
