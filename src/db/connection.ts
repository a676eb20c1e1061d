import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

/** The embedded default: one SQLite file in the data folder. */
export interface SqliteDb {
  kind: 'sqlite';
  kysely: Kysely<Database>;
  /** The raw handle, for what Kysely does not cover (the answer writer's prepared statements, online backup). */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

/** A PostgreSQL server shared by several instances (DATABASE_URL). */
export interface PostgresDb {
  kind: 'postgres';
  kysely: Kysely<Database>;
  /** The pool Kysely draws from, for what Kysely does not cover (the answer writer's batches). */
  pool: pg.Pool;
  /** DATABASE_URL, for the tools that connect on their own (pg_dump). */
  url: string;
  close(): Promise<void>;
}

export type Db = SqliteDb | PostgresDb;
export type DatabaseKind = Db['kind'];

export const DATABASE_FILE = 'qcm-aipr.sqlite';

export function openDatabaseFile(file: string): SqliteDb {
  const sqlite = new SQLite(file);
  // WAL lets readers (and the backup) work while a candidate's answer is being written.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // NORMAL would lose the last transactions on power loss in WAL mode: an acknowledged answer must survive.
  sqlite.pragma('synchronous = FULL');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    kind: 'sqlite',
    kysely,
    sqlite,
    close: async () => {
      await kysely.destroy();
    },
  };
}

/**
 * The data folder's database. The folder holds candidates' identities, the session secret and the
 * attestations' signing key: only the server's own user may enter it (0700), and the database is
 * created readable by that user alone (0600; SQLite gives its -wal and -shm files the same mode).
 */
export function openDatabase(dataDir: string): SqliteDb {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dataDir, 0o700);
  } catch {
    // A folder mounted by the operator and owned by another user keeps its mode: the files below are still ours.
  }
  const file = join(dataDir, DATABASE_FILE);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  chmodSync(file, 0o600);
  return openDatabaseFile(file);
}

// PostgreSQL's counts and sums are bigint and its averages numeric, which pg hands over as strings
// (they may not fit a JavaScript number); ours are counts of exams and scores, well within 2^53, and
// the code expects numbers as SQLite gives them.
const INT8 = 20;
const NUMERIC = 1700;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
    oid === INT8 || oid === NUMERIC ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** How many connections one instance holds: a few per core is what PostgreSQL serves best. */
const POOL_SIZE = 10;

export class DatabaseUnreachableError extends Error {}

/**
 * A pool on DATABASE_URL, checked by one query: a server that does not answer, or refuses the
 * credentials, is told now in French rather than at the first candidate's click.
 */
export async function openDatabaseUrl(url: string, options: { poolSize?: number } = {}): Promise<PostgresDb> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? POOL_SIZE, types, connectionTimeoutMillis: 10_000 });
  // An idle connection the server drops (a restart, a failover) must not bring the process down; the
  // pool opens another at the next query.
  pool.on('error', (err) => console.warn(`Connexion PostgreSQL perdue : ${err.message}`));
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    const reason = err instanceof Error ? err.message : String(err);
    throw new DatabaseUnreachableError(`la base PostgreSQL de DATABASE_URL ne répond pas (${reason})`, { cause: err });
  }
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    kysely,
    pool,
    url,
    close: async () => {
      await kysely.destroy();
    },
  };
}
