import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import SQLite from 'better-sqlite3';
import t from 'tap';
import { ManualClock } from '../../src/clock.js';
import { DATABASE_FILE, openDatabase, type Db } from '../../src/db/connection.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { backupDatabase } from '../../src/operator/backup.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { DEMO_PASSWORD, type Teardown } from '../helpers/app.js';

const ACCOUNTS = 'select id, email, display_name, role, password_hash, disabled_at, created_at from accounts order by id';
const CENTRES = 'select * from centres order by id';
const LINKS = 'select * from account_centres order by account_id, centre_id';

async function seededDatabase(t: Teardown): Promise<{ db: Db; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-backup-'));
  const db = openDatabase(join(dir, 'data'));
  t.teardown(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await migrateToLatest(db.kysely);
  await seedDemo(db.kysely, new ManualClock(), DEMO_PASSWORD);
  return { db, dir };
}

function readBackup(file: string): { accounts: unknown[]; centres: unknown[]; links: unknown[]; integrity: unknown } {
  const copy = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return {
      accounts: copy.prepare(ACCOUNTS).all(),
      centres: copy.prepare(CENTRES).all(),
      links: copy.prepare(LINKS).all(),
      integrity: copy.pragma('integrity_check', { simple: true }),
    };
  } finally {
    copy.close();
  }
}

t.test('a backup holds the same rows as the database', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const accounts = db.sqlite.prepare(ACCOUNTS).all();
  const centres = db.sqlite.prepare(CENTRES).all();
  t.equal(accounts.length, 2, 'the demo has two accounts');
  t.equal(centres.length, 1, 'and one centre');

  const target = join(dir, 'sauvegarde.sqlite');
  const written = await backupDatabase(db.sqlite, target);
  t.equal(written, target);
  const copy = readBackup(target);
  t.equal(copy.integrity, 'ok', 'the copy is a sound SQLite database');
  t.same(copy.accounts, accounts, 'same accounts, password hashes included');
  t.same(copy.centres, centres, 'same centres');
  t.same(copy.links, db.sqlite.prepare(LINKS).all(), 'same links between managers and centres');
});

t.test('a relative target is resolved and returned absolute', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const written = await backupDatabase(db.sqlite, 'relative.sqlite');
  t.ok(isAbsolute(written));
  t.equal(readBackup(join(dir, 'relative.sqlite')).integrity, 'ok');
});

t.test('a backup taken while another connection is writing is consistent', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const AUDIT = 'select * from audit_log order by id';
  const before = { accounts: db.sqlite.prepare(ACCOUNTS).all(), centres: db.sqlite.prepare(CENTRES).all(), audit: db.sqlite.prepare(AUDIT).all() };

  const writer = new SQLite(join(dir, 'data', DATABASE_FILE));
  writer.pragma('busy_timeout = 5000');
  t.teardown(() => {
    if (writer.inTransaction) writer.exec('rollback');
    writer.close();
  });
  writer.exec('begin immediate');
  const insert = writer.prepare("insert into audit_log (at, actor_label, action) values ('2026-11-29T09:00:00.000Z', 'test', ?)");
  for (let i = 0; i < 500; i += 1) insert.run(`ecriture.${i}`);
  writer.prepare("update accounts set display_name = 'Renommé pendant la sauvegarde'").run();
  t.ok(writer.inTransaction, 'a write transaction is open on another connection');

  const target = join(dir, 'pendant-ecriture.sqlite');
  await backupDatabase(db.sqlite, target);
  t.ok(writer.inTransaction, 'the backup did not wait for it to end');
  writer.exec('commit');

  const copy = new SQLite(target, { readonly: true });
  t.teardown(() => copy.close());
  t.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
  t.same(copy.prepare(ACCOUNTS).all(), before.accounts, 'the accounts as committed, not half-renamed');
  t.same(copy.prepare(CENTRES).all(), before.centres, 'the centres as committed');
  t.same(copy.prepare(AUDIT).all(), before.audit, 'none of the uncommitted rows');

  const after = db.sqlite.prepare(ACCOUNTS).all() as { display_name: string }[];
  t.ok(
    after.every((a) => a.display_name === 'Renommé pendant la sauvegarde'),
    'the write itself went through',
  );
  const later = join(dir, 'apres-ecriture.sqlite');
  await backupDatabase(db.sqlite, later);
  t.same(readBackup(later).accounts, after, 'the next backup has the change');
});

t.test('an existing file is never overwritten', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const target = join(dir, 'existe.sqlite');
  writeFileSync(target, 'une sauvegarde précieuse');
  await t.rejects(backupDatabase(db.sqlite, target), /existe déjà/, 'refused with a French message');
  t.equal(readFileSync(target, 'utf8'), 'une sauvegarde précieuse', 'the file is untouched');

  const first = join(dir, 'deux-fois.sqlite');
  await backupDatabase(db.sqlite, first);
  await t.rejects(backupDatabase(db.sqlite, first), /existe déjà/, 'a second backup to the same name is refused');
  t.equal(readBackup(first).integrity, 'ok');
});
