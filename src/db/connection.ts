import { mkdirSync } from 'node:fs';
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

export function openDatabase(dataDir: string): Db {
  mkdirSync(dataDir, { recursive: true });
  return openDatabaseFile(join(dataDir, DATABASE_FILE));
}
