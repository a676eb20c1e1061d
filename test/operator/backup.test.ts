import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import SQLite from 'better-sqlite3';
import { sql, type QueryExecutorProvider } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { ManualClock } from '../../src/clock.js';
import { DATABASE_FILE, type Db } from '../../src/db/connection.js';
import { backupDatabase, libpqAddress } from '../../src/operator/backup.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { DEMO_PASSWORD, type Teardown } from '../helpers/app.js';
import { dropTestDatabase, MISSING_POSTGRES, openTestDatabase, startPostgres, TEST_DATABASE_KIND } from '../helpers/postgres.js';

const run = promisify(execFile);

const ACCOUNTS = 'select id, email, display_name, role, password_hash, disabled_at, created_at from accounts order by id';
const CENTRES = 'select * from centres order by id';
const LINKS = 'select * from account_centres order by account_id, centre_id';
const AUDIT = 'select * from audit_log order by id';

/** SQLite's online backup makes a database file; pg_dump, an archive for pg_restore. */
const EXTENSION = TEST_DATABASE_KIND === 'postgres' ? 'dump' : 'sqlite';

const rows = async (db: QueryExecutorProvider, query: string) => (await sql.raw(query).execute(db)).rows;

/** The test database of the suite's kind, migrated and seeded with the demo, in a folder of its own. */
async function seededDatabase(t: Teardown): Promise<{ db: Db; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-backup-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const db = await openTestDatabase(dataDir);
  t.teardown(async () => {
    await db.close();
    await dropTestDatabase(dataDir);
    rmSync(dir, { recursive: true, force: true });
  });
  await seedDemo(db.kysely, new ManualClock(), DEMO_PASSWORD);
  return { db, dir };
}

interface Backup {
  accounts: unknown[];
  centres: unknown[];
  links: unknown[];
  audit: unknown[];
  /** SQLite: the copy passes integrity_check. PostgreSQL: pg_restore lists the archive and restores it whole into an empty database. */
  sound: boolean;
}

/** What a backup file holds, read back as an operator would restore it. */
async function readBackup(t: Teardown & { fail(message: string): void }, file: string): Promise<Backup> {
  if (TEST_DATABASE_KIND === 'sqlite') {
    const copy = new SQLite(file, { readonly: true, fileMustExist: true });
    try {
      return {
        accounts: copy.prepare(ACCOUNTS).all(),
        centres: copy.prepare(CENTRES).all(),
        links: copy.prepare(LINKS).all(),
        audit: copy.prepare(AUDIT).all(),
        sound: copy.pragma('integrity_check', { simple: true }) === 'ok',
      };
    } finally {
      copy.close();
    }
  }
  const { stdout: listing } = await run('pg_restore', ['--list', file]);
  const postgres = await startPostgres(t);
  if (!postgres) throw new Error(MISSING_POSTGRES);
  const restored = await postgres.database(t);
  await run('pg_restore', ['--exit-on-error', '--no-owner', `--dbname=${restored.url}`, file]);
  return {
    accounts: await rows(restored.db, ACCOUNTS),
    centres: await rows(restored.db, CENTRES),
    links: await rows(restored.db, LINKS),
    audit: await rows(restored.db, AUDIT),
    sound: ['accounts', 'centres', 'account_centres', 'audit_log'].every((table) => listing.includes(`TABLE DATA public ${table} `)),
  };
}

t.test('a backup holds the same rows as the database', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const accounts = await rows(db.kysely, ACCOUNTS);
  const centres = await rows(db.kysely, CENTRES);
  t.equal(accounts.length, 2, 'the demo has two accounts');
  t.equal(centres.length, 1, 'and one centre');

  const target = join(dir, `sauvegarde.${EXTENSION}`);
  const written = await backupDatabase(db, target);
  t.equal(written, target);
  t.equal(statSync(target).mode & 0o777, 0o600, 'readable by its owner alone: identities are in it');
  const copy = await readBackup(t, target);
  t.ok(copy.sound, `the copy is a sound ${TEST_DATABASE_KIND === 'postgres' ? 'pg_dump archive' : 'SQLite database'}`);
  t.same(copy.accounts, accounts, 'same accounts, password hashes included');
  t.same(copy.centres, centres, 'same centres');
  t.same(copy.links, await rows(db.kysely, LINKS), 'same links between managers and centres');
});

t.test('a relative target is resolved and returned absolute', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const cwd = process.cwd();
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const written = await backupDatabase(db, `relative.${EXTENSION}`);
  t.ok(isAbsolute(written));
  t.equal(written, join(dir, `relative.${EXTENSION}`));
  t.ok((await readBackup(t, written)).sound);
});

/** Another connection to the same database, holding a write transaction open. */
interface Writer {
  /** Opens the transaction, adds 500 audit rows and renames every account, without committing. */
  write(): Promise<void>;
  inTransaction(): Promise<boolean>;
  commit(): Promise<void>;
}

function sqliteWriter(t: Teardown, file: string): Writer {
  const writer = new SQLite(file);
  writer.pragma('busy_timeout = 5000');
  t.teardown(() => {
    if (writer.inTransaction) writer.exec('rollback');
    writer.close();
  });
  return {
    write: async () => {
      writer.exec('begin immediate');
      const insert = writer.prepare("insert into audit_log (at, actor_label, action) values ('2026-11-29T09:00:00.000Z', 'test', ?)");
      for (let i = 0; i < 500; i += 1) insert.run(`ecriture.${i}`);
      writer.prepare("update accounts set display_name = 'Renommé pendant la sauvegarde'").run();
    },
    inTransaction: async () => writer.inTransaction,
    commit: async () => void writer.exec('commit'),
  };
}

async function postgresWriter(t: Teardown, url: string): Promise<Writer> {
  const writer = new pg.Client({ connectionString: url });
  await writer.connect();
  t.teardown(() => writer.end());
  return {
    write: async () => {
      await writer.query('begin');
      for (let i = 0; i < 500; i += 1) {
        await writer.query("insert into audit_log (at, actor_label, action) values ('2026-11-29T09:00:00.000Z', 'test', $1)", [`ecriture.${i}`]);
      }
      await writer.query("update accounts set display_name = 'Renommé pendant la sauvegarde'");
    },
    // A transaction that has written holds a transaction id until it ends.
    inTransaction: async () => (await writer.query<{ open: boolean }>('select txid_current_if_assigned() is not null as open')).rows[0]!.open,
    commit: async () => void (await writer.query('commit')),
  };
}

t.test('a backup taken while another connection is writing is consistent', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const before = { accounts: await rows(db.kysely, ACCOUNTS), centres: await rows(db.kysely, CENTRES), audit: await rows(db.kysely, AUDIT) };

  const writer = db.kind === 'sqlite' ? sqliteWriter(t, join(dir, 'data', DATABASE_FILE)) : await postgresWriter(t, db.url);
  await writer.write();
  t.ok(await writer.inTransaction(), 'a write transaction is open on another connection');

  const target = join(dir, `pendant-ecriture.${EXTENSION}`);
  await backupDatabase(db, target);
  t.ok(await writer.inTransaction(), 'the backup did not wait for it to end');
  await writer.commit();

  const copy = await readBackup(t, target);
  t.ok(copy.sound);
  t.same(copy.accounts, before.accounts, 'the accounts as committed, not half-renamed');
  t.same(copy.centres, before.centres, 'the centres as committed');
  t.same(copy.audit, before.audit, 'none of the uncommitted rows');

  const after = (await rows(db.kysely, ACCOUNTS)) as { display_name: string }[];
  t.ok(
    after.every((a) => a.display_name === 'Renommé pendant la sauvegarde'),
    'the write itself went through',
  );
  const later = join(dir, `apres-ecriture.${EXTENSION}`);
  await backupDatabase(db, later);
  t.same((await readBackup(t, later)).accounts, after, 'the next backup has the change');
});

t.test('an existing file is never overwritten', async (t) => {
  const { db, dir } = await seededDatabase(t);
  const target = join(dir, `existe.${EXTENSION}`);
  writeFileSync(target, 'une sauvegarde précieuse');
  await t.rejects(backupDatabase(db, target), /existe déjà/, 'refused with a French message');
  t.equal(readFileSync(target, 'utf8'), 'une sauvegarde précieuse', 'the file is untouched');

  const first = join(dir, `deux-fois.${EXTENSION}`);
  await backupDatabase(db, first);
  await t.rejects(backupDatabase(db, first), /existe déjà/, 'a second backup to the same name is refused');
  t.ok((await readBackup(t, first)).sound);
});

t.test('a backup that fails leaves no file behind', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-backup-failed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Nothing listens on port 1: pg_dump fails (or is missing: the French message says so); either way, no file.
  const unreachable = { kind: 'postgres', url: 'postgres://qcm:secret@127.0.0.1:1/absente' } as Db;
  const target = join(dir, 'echec.dump');
  await t.rejects(backupDatabase(unreachable, target), /pg_dump/);
  t.same(readdirSync(dir), [], 'no partial copy remains');
});

t.test('pg_dump gets the address libpq reads, never the password', async (t) => {
  t.same(libpqAddress('postgres://qcm:s%C3%A9cret@db.example:5433/qcm_aipr?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=qcm'), {
    dbname: 'postgres://qcm@db.example:5433/qcm_aipr?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem&application_name=qcm',
    password: 'sécret',
  });
  t.same(
    libpqAddress('postgres://qcm@db.example/qcm_aipr?password=cache&ssl=true'),
    {
      dbname: 'postgres://qcm@db.example/qcm_aipr?sslmode=require',
      password: 'cache',
    },
    'a password given as a parameter is taken out too; ssl=true is libpq’s sslmode=require',
  );
  t.same(
    libpqAddress('postgres://qcm@db.example/qcm_aipr?sslmode=no-verify&max=20&idleTimeoutMillis=1000'),
    {
      dbname: 'postgres://qcm@db.example/qcm_aipr?sslmode=require',
      password: null,
    },
    'node-postgres’s own parameters are left out',
  );
  t.same(libpqAddress('postgres:///qcm_aipr?host=/var/run/postgresql'), { dbname: 'postgres:///qcm_aipr?host=%2Fvar%2Frun%2Fpostgresql', password: null });
});
