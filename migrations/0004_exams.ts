import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exams')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('exam_session_id', 'integer', (c) => c.notNull().references('exam_sessions.id'))
    // One token, one exam: the unique index settles two terminals starting with the same token.
    .addColumn('token_id', 'integer', (c) => c.notNull().unique().references('exam_tokens.id'))
    .addColumn('questionnaire_id', 'integer', (c) => c.notNull().references('questionnaires.id'))
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'text', (c) => c.notNull())
    .addColumn('company', 'text')
    .addColumn('seed', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('extra_minutes', 'integer', (c) => c.notNull().defaultTo(0))
    // Bumped at each resume: a terminal whose session holds an older value no longer reaches the exam.
    .addColumn('terminal_generation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('finish_reason', 'text', (c) => c.check(sql`finish_reason in ('candidat', 'delai')`))
    .addColumn('score', 'integer')
    .addColumn('maximum', 'integer')
    .addColumn('pass_mark', 'integer')
    .addColumn('passed', 'integer')
    .addColumn('result_detail', 'text')
    .execute();
  await db.schema.createIndex('exams_unfinished_deadline').on('exams').columns(['finished_at', 'deadline_at']).execute();
  await db.schema.createIndex('exams_centre_started').on('exams').columns(['centre_id', 'started_at']).execute();

  await db.schema
    .createTable('exam_questions')
    .addColumn('exam_id', 'integer', (c) => c.notNull().references('exams.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id'))
    /** JSON array of answer ids in the order shown to this candidate. */
    .addColumn('answer_order', 'text', (c) => c.notNull())
    .addColumn('chosen_answer_id', 'integer', (c) => c.references('answers.id'))
    .addColumn('dont_know', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flagged', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('response_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('answered_at', 'text')
    .addPrimaryKeyConstraint('exam_questions_pk', ['exam_id', 'position'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exam_questions').execute();
  await db.schema.dropTable('exams').execute();
}
