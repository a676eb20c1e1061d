import { sql, type Kysely } from 'kysely';
import { autoId, bytes, isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('questionnaires')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('profile', 'text', (c) => c.notNull().check(sql`profile in ('concepteur', 'encadrant', 'operateur')`))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('draft')
        .check(sql`status in ('draft', 'published', 'retired')`),
    )
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('published_at', 'text')
    .addColumn('retired_at', 'text')
    .addUniqueConstraint('questionnaires_profile_version', ['profile', 'version'])
    .execute();

  await db.schema
    .createTable('questions')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('questionnaire_id', 'integer', (c) => c.notNull().references('questionnaires.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('theme', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().check(sql`priority in (0, 1)`))
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('image_mime', 'text')
    .addColumn('image_data', bytes(db))
    .addUniqueConstraint('questions_questionnaire_code', ['questionnaire_id', 'code'])
    .execute();

  await db.schema
    .createTable('answers')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('question_id', 'integer', (c) => c.notNull().references('questions.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('correct', 'integer', (c) => c.notNull().check(sql`correct in (0, 1)`))
    .execute();
  await db.schema.createIndex('answers_question').on('answers').column('question_id').execute();

  // A published or retired version never changes: a correction is a new version. The database
  // refuses it too, so that no code path can quietly edit, add to or delete a bank candidates sat.
  for (const statement of isPostgres(db) ? frozenBankPostgres : frozenBankSqlite) await sql.raw(statement).execute(db);
}

const REFUSAL = 'questionnaire publié : modification interdite';
const statusOf = (questionnaireId: string) => `(select status from questionnaires where id = ${questionnaireId})`;
const questionOwner = (questionId: string) => `(select questionnaire_id from questions where id = ${questionId})`;
const frozen = (condition: string) => `when ${condition} begin select raise(abort, '${REFUSAL}'); end`;

const frozenBankSqlite = [
  `create trigger questions_frozen_insert before insert on questions ${frozen(`${statusOf('NEW.questionnaire_id')} <> 'draft'`)}`,
  `create trigger questions_frozen_update before update on questions ${frozen(`${statusOf('OLD.questionnaire_id')} <> 'draft' or ${statusOf('NEW.questionnaire_id')} <> 'draft'`)}`,
  `create trigger questions_frozen_delete before delete on questions ${frozen(`${statusOf('OLD.questionnaire_id')} <> 'draft'`)}`,
  `create trigger answers_frozen_insert before insert on answers ${frozen(`${statusOf(questionOwner('NEW.question_id'))} <> 'draft'`)}`,
  `create trigger answers_frozen_update before update on answers ${frozen(`${statusOf(questionOwner('OLD.question_id'))} <> 'draft' or ${statusOf(questionOwner('NEW.question_id'))} <> 'draft'`)}`,
  `create trigger answers_frozen_delete before delete on answers ${frozen(`${statusOf(questionOwner('OLD.question_id'))} <> 'draft'`)}`,
  `create trigger questionnaires_frozen_content before update of profile, version, title, rules on questionnaires ${frozen(`OLD.status <> 'draft'`)}`,
  // Only forward: draft → published → retired.
  `create trigger questionnaires_status_forward before update of status on questionnaires ${frozen(
    `NEW.status <> OLD.status and not ((OLD.status = 'draft' and NEW.status = 'published') or (OLD.status = 'published' and NEW.status = 'retired'))`,
  )}`,
  `create trigger questionnaires_frozen_delete before delete on questionnaires ${frozen(`OLD.status <> 'draft'`)}`,
];

/**
 * The same rules for PostgreSQL, whose trigger conditions may not hold a subquery: each table's
 * function tests them (`is distinct from`: a row whose questionnaire is gone, in a cascade, passes).
 */
const postgresTrigger = (table: string, events: string, body: string) => [
  `create function ${table}_frozen() returns trigger language plpgsql as $$ begin ${body} if tg_op = 'DELETE' then return old; end if; return new; end $$`,
  `create trigger ${table}_frozen before ${events} on ${table} for each row execute function ${table}_frozen()`,
];
const refuseWhen = (condition: string) => `if ${condition} then raise exception '${REFUSAL}'; end if;`;
const notDraft = (status: string) => `coalesce(${status} <> 'draft', false)`;

const frozenBankPostgres = [
  ...postgresTrigger(
    'questions',
    'insert or update or delete',
    refuseWhen(
      `(tg_op <> 'INSERT' and ${notDraft(statusOf('old.questionnaire_id'))}) or (tg_op <> 'DELETE' and ${notDraft(statusOf('new.questionnaire_id'))})`,
    ),
  ),
  ...postgresTrigger(
    'answers',
    'insert or update or delete',
    refuseWhen(
      `(tg_op <> 'INSERT' and ${notDraft(statusOf(questionOwner('old.question_id')))}) or (tg_op <> 'DELETE' and ${notDraft(statusOf(questionOwner('new.question_id')))})`,
    ),
  ),
  ...postgresTrigger(
    'questionnaires',
    'update or delete',
    [
      refuseWhen(`tg_op = 'DELETE' and old.status <> 'draft'`),
      refuseWhen(
        `tg_op = 'UPDATE' and old.status <> 'draft' and (new.profile, new.version, new.title, new.rules) is distinct from (old.profile, old.version, old.title, old.rules)`,
      ),
      refuseWhen(
        `tg_op = 'UPDATE' and new.status <> old.status and not ((old.status = 'draft' and new.status = 'published') or (old.status = 'published' and new.status = 'retired'))`,
      ),
    ].join(' '),
  ),
];

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('answers').execute();
  await db.schema.dropTable('questions').execute();
  await db.schema.dropTable('questionnaires').execute();
}
