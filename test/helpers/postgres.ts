import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { openDatabase, openDatabaseUrl, type Db } from '../../src/db/connection.js';
import { migrateToLatest, MIGRATION_NAMES } from '../../src/db/migrate.js';
import type { Teardown } from './app.js';
import { freePort } from './ports.js';

const run = promisify(execFile);

/** A PostgreSQL server for the tests, and a fresh database on it for each caller. */
export interface TestPostgres {
  /** A new, empty database (its own name), and a Kysely on it closed with the test. */
  database(t: Teardown): Promise<{ url: string; db: Kysely<unknown> }>;
}

function binaries(): string | null {
  let versions: string[] = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  } catch {
    return null;
  }
  const found = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => existsSync(join(dir, 'initdb')));
  return found ?? null;
}

export const MISSING_POSTGRES = 'Les tests PostgreSQL ont besoin du paquet Debian postgresql (apt-get install postgresql), ou de TEST_DATABASE_URL.';

/**
 * A throw-away cluster from Debian's postgresql on a temporary folder and a loopback port; null
 * without the package. PostgreSQL refuses to run as root: as root, the cluster is the `postgres`
 * user's. fsync off: a test cluster lost with the machine is of no matter, and it runs much faster.
 */
export async function startCluster(): Promise<{ url: string; stop(): Promise<void> } | null> {
  const bin = binaries();
  if (!bin) return null;
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-pg-'));
  const asRoot = process.getuid?.() === 0;
  const as = async (command: string, args: string[]) => {
    if (!asRoot) return run(join(bin, command), args);
    return run('runuser', ['-u', 'postgres', '--', join(bin, command), ...args]);
  };
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const uid = Number(stdout.trim());
    chownSync(dir, uid, uid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await as('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400`;
  await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let databases = 0;

async function onServer(adminUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

const newDatabaseName = () => `qcm_aipr_test_${process.pid}_${++databases}`;

/**
 * TEST_DATABASE_URL when set (a server of the developer's, or the cluster `npm run test:postgres`
 * starts: each test gets a database of its own on it), else a throw-away cluster stopped with the
 * test. Without either, the test fails (never skips), saying what to install.
 */
export async function startPostgres(t: Teardown & { fail(message: string): void }): Promise<TestPostgres | null> {
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const cluster = await startCluster();
    if (!cluster) {
      t.fail(MISSING_POSTGRES);
      return null;
    }
    t.teardown(() => cluster.stop());
    adminUrl = cluster.url;
  }
  const server = adminUrl;
  return {
    async database(test) {
      const name = newDatabaseName();
      await onServer(server, `create database ${name}`);
      const url = databaseUrl(server, name);
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) });
      test.teardown(async () => {
        await db.destroy();
        await onServer(server, `drop database if exists ${name} with (force)`);
      });
      return { url, db };
    },
  };
}

/** Which database the suite runs on: PostgreSQL when TEST_DATABASE_URL is set, else SQLite. */
export const TEST_DATABASE_KIND: Db['kind'] = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';

// The migrated schema, made once per server and copied for each app (CREATE DATABASE … TEMPLATE is
// a file copy: far quicker than running every migration again). Named after the migrations, so
// that a new one makes a new template.
const TEMPLATE = `qcm_aipr_template_${createHash('sha256').update(MIGRATION_NAMES.join(',')).digest('hex').slice(0, 12)}`;
const TEMPLATE_LOCK = 4_202_614;

async function ensureTemplate(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // The suite's files run in parallel processes: one makes the template, the others wait for it.
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [TEMPLATE]);
    if (rowCount) return;
    const building = `${TEMPLATE}_building_${process.pid}`;
    await admin.query(`create database ${building}`);
    const db = await openDatabaseUrl(databaseUrl(adminUrl, building), { poolSize: 1 });
    try {
      await migrateToLatest(db.kysely);
    } finally {
      await db.close();
    }
    await admin.query(`alter database ${building} rename to ${TEMPLATE}`);
  } finally {
    await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK]).catch(() => undefined);
    await admin.end();
  }
}

const MARKER = 'test-database-url';

/**
 * The database of a test app whose data folder is `dataDir`: SQLite in the folder, or on PostgreSQL
 * a database of its own, named in the folder so that a restart on the same folder finds it again.
 */
export async function openTestDatabase(dataDir: string): Promise<Db> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const db = openDatabase(dataDir);
    await migrateToLatest(db.kysely);
    return db;
  }
  const marker = join(dataDir, MARKER);
  let url: string;
  if (existsSync(marker)) {
    url = readFileSync(marker, 'utf8');
  } else {
    await ensureTemplate(adminUrl);
    const name = newDatabaseName();
    await onServer(adminUrl, `create database ${name} template ${TEMPLATE}`);
    url = databaseUrl(adminUrl, name);
    writeFileSync(marker, url, { mode: 0o600 });
  }
  const db = await openDatabaseUrl(url, { poolSize: 5 });
  await migrateToLatest(db.kysely);
  return db;
}

/** Drops the PostgreSQL database of a test app's folder, if it has one (after its pool is closed). */
export async function dropTestDatabase(dataDir: string): Promise<void> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  const marker = join(dataDir, MARKER);
  if (!adminUrl || !existsSync(marker)) return;
  const name = new URL(readFileSync(marker, 'utf8')).pathname.slice(1);
  await onServer(adminUrl, `drop database if exists ${name} with (force)`);
}
