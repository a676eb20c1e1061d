import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { openDatabaseFile } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';

const FOUNDATION_TABLES = ['accounts', 'centres', 'account_centres', 'http_sessions', 'audit_log', 'sign_in_throttle'];

function tableNames(sqlite: import('better-sqlite3').Database): string[] {
  return (sqlite.prepare("select name from sqlite_master where type = 'table' order by name").all() as { name: string }[]).map((r) => r.name);
}

t.test('migrateToLatest on an empty database creates the tables', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = openDatabaseFile(join(dir, 'empty.sqlite'));
  t.teardown(() => db.close());

  t.same(tableNames(db.sqlite), [], 'the database starts empty');
  const applied = await migrateToLatest(db.kysely);
  t.ok(applied.length >= 1, 'at least one migration is applied');
  t.ok(applied.includes('0001_foundation'), 'the foundation migration is among them');
  t.same([...applied].sort(), applied, 'migrations are applied in name order');

  const tables = tableNames(db.sqlite);
  for (const table of FOUNDATION_TABLES) t.ok(tables.includes(table), `table ${table} exists`);

  // The schema works as the code expects: an account with a centre, case-insensitive unique emails.
  const now = '2026-11-29T09:00:00.000Z';
  const account = await db.kysely
    .insertInto('accounts')
    .values({ email: 'Gestion@Centre.test', display_name: 'G', role: 'manager', password_hash: null, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  await t.rejects(
    db.kysely
      .insertInto('accounts')
      .values({ email: 'gestion@centre.test', display_name: 'G2', role: 'manager', password_hash: null, created_at: now })
      .execute(),
    'emails are unique whatever their case',
  );
  await t.rejects(
    db.kysely
      .insertInto('accounts')
      .values({ email: 'x@centre.test', display_name: 'X', role: 'superuser' as 'admin', password_hash: null, created_at: now })
      .execute(),
    'an unknown role is refused',
  );
  await t.rejects(
    db.kysely.insertInto('account_centres').values({ account_id: account.id, centre_id: 999 }).execute(),
    'a link to a missing centre is refused (foreign keys are on)',
  );
});

t.test('running the migrations again applies nothing and keeps the data', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'twice.sqlite');

  const first = openDatabaseFile(file);
  t.ok((await migrateToLatest(first.kysely)).length >= 1);
  await first.kysely
    .insertInto('centres')
    .values({
      name: 'Centre de Lyon',
      address: '1 place Bellecour, 69002 Lyon',
      siret: '73282932000074',
      contact_email: 'lyon@centre.test',
      status: 'active',
      created_at: '2026-11-29T09:00:00.000Z',
    })
    .execute();
  t.same(await migrateToLatest(first.kysely), [], 'a second run on the same connection applies nothing');
  await first.close();

  const reopened = openDatabaseFile(file);
  t.teardown(() => reopened.close());
  t.same(await migrateToLatest(reopened.kysely), [], 'a run after a restart applies nothing');
  const centres = await reopened.kysely.selectFrom('centres').select(['name', 'siret']).execute();
  t.same(centres, [{ name: 'Centre de Lyon', siret: '73282932000074' }], 'the data is kept');
});
