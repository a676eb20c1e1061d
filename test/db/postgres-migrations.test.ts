import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import t, { type Test } from 'tap';
import { openDatabaseFile } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { startPostgres } from '../helpers/postgres.js';

/**
 * The one set of migrations (issue 14) on PostgreSQL: the same tables and columns as on SQLite, and
 * the same guarantees — e-mails unique whatever their case, numbered ids, and a published bank that
 * the database itself refuses to change.
 */

const server = await startPostgres(t);
const NOW = '2026-11-29T09:00:00.000Z';

async function onPostgres(test: Test) {
  const { db } = await server!.database(test);
  const applied = await migrateToLatest(db as Kysely<Database>);
  return { db: db as Kysely<Database>, applied };
}

if (server) {
  t.test('every migration runs on PostgreSQL and leaves the tables and columns SQLite has', async (t) => {
    const { db, applied } = await onPostgres(t);
    const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-migrate-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const lite = openDatabaseFile(join(dir, 'reference.sqlite'));
    t.teardown(() => lite.close());
    t.same(applied, await migrateToLatest(lite.kysely), 'the same migrations, in the same order');

    const postgresColumns = await sql<{ table_name: string; column_name: string; is_nullable: string }>`
      select table_name, column_name, is_nullable from information_schema.columns
      where table_schema = 'public' and table_name not like 'kysely_%' order by table_name, column_name`.execute(db);
    const pgShape = postgresColumns.rows.map((c) => `${c.table_name}.${c.column_name}${c.is_nullable === 'NO' ? ' not null' : ''}`);
    const tables = lite.sqlite
      .prepare("select name from sqlite_master where type = 'table' and name not like 'kysely_%' and name <> 'sqlite_sequence' order by name")
      .all() as {
      name: string;
    }[];
    const liteShape = tables
      .flatMap(({ name }) =>
        (lite.sqlite.prepare(`pragma table_info(${name})`).all() as { name: string; notnull: number; pk: number; type: string }[]).map(
          // SQLite lets an integer primary key be null in its table_info; it never is.
          (c) => `${name}.${c.name}${c.notnull || (c.pk && c.type.toLowerCase() === 'integer') || c.pk ? ' not null' : ''}`,
        ),
      )
      .sort();
    t.same([...pgShape].sort(), liteShape, 'the same columns, nullable alike');
  });

  t.test('on PostgreSQL, e-mails are unique and found whatever their case; ids are numbered by the database', async (t) => {
    const { db } = await onPostgres(t);
    const account = await db
      .insertInto('accounts')
      .values({ email: 'Gestion@Centre.test', display_name: 'G', role: 'manager', password_hash: null, created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow();
    t.equal(account.id, 1, 'numbered from 1');
    await t.rejects(
      db.insertInto('accounts').values({ email: 'gestion@centre.TEST', display_name: 'G2', role: 'manager', password_hash: null, created_at: NOW }).execute(),
      'unique whatever the case',
    );
    const found = await db.selectFrom('accounts').select('id').where('email', '=', 'GESTION@centre.test').executeTakeFirst();
    t.same(found, { id: account.id }, 'found whatever the case');
    await t.rejects(
      db
        .insertInto('accounts')
        .values({ email: 'x@centre.test', display_name: 'X', role: 'superuser' as 'admin', password_hash: null, created_at: NOW })
        .execute(),
      'the checks hold: an unknown role is refused',
    );
    const stamp = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);
    await db
      .insertInto('centres')
      .values({ id: 7, name: 'C', address: 'A', siret: '73282932000074', contact_email: 'c@c.test', status: 'active', created_at: NOW })
      .execute();
    await db.insertInto('centre_stamps').values({ centre_id: 7, mime: 'image/png', data: stamp, created_at: NOW }).execute();
    const read = await db.selectFrom('centre_stamps').select('data').where('centre_id', '=', 7).executeTakeFirstOrThrow();
    t.same(Buffer.from(read.data), stamp, 'bytes come back as they went in');
  });

  t.test('on PostgreSQL, a published bank is frozen by the database itself, as on SQLite', async (t) => {
    const { db } = await onPostgres(t);
    const questionnaire = (version: string) =>
      db
        .insertInto('questionnaires')
        .values({ profile: 'operateur', version, title: 'Opérateur', rules: '{}', status: 'draft', created_at: NOW, published_at: null, retired_at: null })
        .returning('id')
        .executeTakeFirstOrThrow();
    const question = (questionnaireId: number, position: number) =>
      db
        .insertInto('questions')
        .values({
          questionnaire_id: questionnaireId,
          position,
          code: `Q${position}`,
          theme: 'T',
          priority: 0,
          statement: 'Énoncé',
          image_mime: null,
          image_data: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
    const { id } = await questionnaire('2026');
    const q = await question(id, 1);
    await db.insertInto('answers').values({ question_id: q.id, position: 1, text: 'Oui', correct: 1 }).execute();
    await db.updateTable('answers').set({ text: 'Oui, toujours' }).where('question_id', '=', q.id).execute();
    t.same(await db.selectFrom('answers').select('text').where('question_id', '=', q.id).execute(), [{ text: 'Oui, toujours' }], 'a draft is edited freely');
    await db.updateTable('questionnaires').set({ status: 'published', published_at: NOW }).where('id', '=', id).execute();

    const refused = /questionnaire publié : modification interdite/;
    await t.rejects(question(id, 2), refused, 'no question added');
    await t.rejects(db.updateTable('questions').set({ statement: 'Autre' }).where('id', '=', q.id).execute(), refused, 'no question changed');
    await t.rejects(db.deleteFrom('questions').where('id', '=', q.id).execute(), refused, 'no question deleted');
    await t.rejects(db.insertInto('answers').values({ question_id: q.id, position: 2, text: 'Non', correct: 0 }).execute(), refused, 'no answer added');
    await t.rejects(db.updateTable('answers').set({ correct: 0 }).where('question_id', '=', q.id).execute(), refused, 'no answer changed');
    await t.rejects(db.updateTable('questionnaires').set({ title: 'Autre' }).where('id', '=', id).execute(), refused, 'its content stays');
    await t.rejects(db.updateTable('questionnaires').set({ status: 'draft' }).where('id', '=', id).execute(), refused, 'never back to draft');
    await t.rejects(db.deleteFrom('questionnaires').where('id', '=', id).execute(), refused, 'never deleted');
    await db.updateTable('questionnaires').set({ status: 'retired', retired_at: NOW }).where('id', '=', id).execute();
    t.same(await db.selectFrom('questionnaires').select('status').where('id', '=', id).execute(), [{ status: 'retired' }], 'published → retired');

    const draft = await questionnaire('2027');
    const dq = await question(draft.id, 1);
    await db.insertInto('answers').values({ question_id: dq.id, position: 1, text: 'Oui', correct: 1 }).execute();
    await db.deleteFrom('questionnaires').where('id', '=', draft.id).execute();
    t.equal(
      (await db.selectFrom('questions').select('id').where('questionnaire_id', '=', draft.id).execute()).length,
      0,
      'a draft is deleted with its questions',
    );
  });
}
