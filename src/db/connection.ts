import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.js';

export interface Db {
  kysely: Kysely<Database>;
  /** The raw handle, for what Kysely does not cover (online backup, pragmas). */
  sqlite: SQLite.Database;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'qcm-aipr.sqlite';

export function openDatabaseFile(file: string): Db {
  const sqlite = new SQLite(file);
  // WAL lets readers (and the backup) work while a candidate's answer is being written.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // NORMAL would lose the last transactions on power loss in WAL mode: an acknowledged answer must survive.
  sqlite.pragma('synchronous = FULL');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
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
export function openDatabase(dataDir: string): Db {
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
