import SQLite from 'better-sqlite3';

/**
 * A connection to the platform's SQLite file, with the pragmas every connection to it needs: the
 * main one, and the answer writer's own in its thread.
 */
export function openSqliteFile(file: string): SQLite.Database {
  const sqlite = new SQLite(file);
  // WAL lets readers (and the backup) work while a candidate's answer is being written.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // NORMAL would lose the last transactions on power loss in WAL mode: an acknowledged answer must survive.
  sqlite.pragma('synchronous = FULL');
  return sqlite;
}
