import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('questionnaires')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('profile', 'text', (c) => c.notNull().check(sql`profile in ('concepteur', 'encadrant', 'operateur')`))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft', 'published', 'retired')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('retired_at', 'text')
    .addUniqueConstraint('questionnaires_profile_version', ['profile', 'version'])
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('questionnaire_id', 'integer', (c) => c.notNull().references('questionnaires.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('theme', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority in (0, 1)`))
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('image_mime', 'text')
    .addColumn('image_data', 'blob')
    .addUniqueConstraint('questions_questionnaire_code', ['questionnaire_id', 'code'])
    .execute();

  await db.schema
    .createTable('answers')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull().check(sql`correct in (0, 1)`))
    .execute();
  await db.schema.createIndex('answers_question').on('answers').column('question_id').execute();

  // A published or retired version never changes: a correction is a new version. The database
  // refuses it too, so that no future code path can quietly edit a bank candidates have sat.
  for (const [table, owner] of [
    ['questions', 'OLD.questionnaire_id'],
    ['answers', '(select questionnaire_id from questions where id = OLD.question_id)'],
  ] as const) {
    for (const event of ['update', 'delete'] as const) {
      await sql
        .raw(
          `create trigger ${table}_frozen_${event} before ${event} on ${table}
           when (select status from questionnaires where id = ${owner}) <> 'draft'
           begin select raise(abort, 'questionnaire publié : modification interdite'); end`,
        )
        .execute(db);
    }
  }
  await sql
    .raw(
      `create trigger questionnaires_frozen_content before update of profile, version, title, rules on questionnaires
       when OLD.status <> 'draft'
       begin select raise(abort, 'questionnaire publié : modification interdite'); end`,
    )
    .execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('answers').execute();
  await db.schema.dropTable('questions').execute();
  await db.schema.dropTable('questionnaires').execute();
}
