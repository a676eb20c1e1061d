import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
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

let databases = 0;

/**
 * TEST_DATABASE_URL when set (a server of the developer's: each test gets a database of its own on
 * it), else a throw-away cluster from Debian's postgresql on a temporary folder and a loopback port,
 * stopped with the test. PostgreSQL refuses to run as root: as root, the cluster is the `postgres`
 * user's. Without either, the test fails (never skips), saying what to install.
 */
export async function startPostgres(t: Teardown & { fail(message: string): void }): Promise<TestPostgres | null> {
  const given = process.env.TEST_DATABASE_URL;
  let adminUrl: string;
  if (given) {
    adminUrl = given;
  } else {
    const bin = binaries();
    if (!bin) {
      t.fail('Les tests PostgreSQL ont besoin du paquet Debian postgresql (apt-get install postgresql), ou de TEST_DATABASE_URL.');
      return null;
    }
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
    // fsync off: a test cluster lost with the machine is of no matter, and it runs much faster.
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await as('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
    t.teardown(async () => {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });
    adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  }
  return {
    async database(test) {
      const name = `qcm_aipr_test_${process.pid}_${++databases}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url.href, max: 4 }) }) });
      test.teardown(async () => {
        await db.destroy();
        const cleanup = new pg.Client({ connectionString: adminUrl });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      });
      return { url: url.href, db };
    },
  };
}
