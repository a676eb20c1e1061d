import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';

export interface SqlTimingEntry {
  /** The statement's first words, e.g. `update "exam_questions"`. */
  statement: string;
  count: number;
  totalMs: number;
}

export interface SqlTiming {
  /** Per statement kind, most time first. */
  entries(): SqlTimingEntry[];
  /** Stops timing statements prepared from now on. */
  detach(): void;
}

function kindOf(sql: string): string {
  const words = sql.replace(/\s+/g, ' ').trim().split(' ');
  const verb = (words[0] ?? '').toLowerCase();
  const table =
    verb === 'select' ? words[words.findIndex((w) => w.toLowerCase() === 'from') + 1]
    : verb === 'update' ? words[1]
    : verb === 'insert' || verb === 'delete' ? words[2]
    : undefined;
  return table ? `${verb} ${table}` : verb;
}

/**
 * Times every statement the app runs from now on (Kysely's SQLite driver prepares each query on the
 * better-sqlite3 handle, and runs it synchronously: the time measured here is time the event loop
 * was blocked, commits and their fsync included). A few performance.now() calls per statement.
 */
export function timeStatements(sqlite: SQLite.Database): SqlTiming {
  const original = sqlite.prepare;
  const stats = new Map<string, SqlTimingEntry>();
  const kinds = new Map<string, string>();
  const patched = function (this: SQLite.Database, source: string) {
    const stmt = original.call(this, source);
    const key = kinds.get(source) ?? kindOf(source);
    kinds.set(source, key);
    for (const method of ['all', 'get', 'run'] as const) {
      const call = stmt[method] as (...args: unknown[]) => unknown;
      Object.defineProperty(stmt, method, {
        configurable: true,
        value: (...args: unknown[]) => {
          const started = performance.now();
          try {
            return call.apply(stmt, args);
          } finally {
            let entry = stats.get(key);
            if (!entry) stats.set(key, (entry = { statement: key, count: 0, totalMs: 0 }));
            entry.count++;
            entry.totalMs += performance.now() - started;
          }
        },
      });
    }
    return stmt;
  };
  sqlite.prepare = patched as typeof sqlite.prepare;
  return {
    entries: () => [...stats.values()].sort((a, b) => b.totalMs - a.totalMs),
    detach: () => {
      sqlite.prepare = original;
    },
  };
}

/**
 * The disk's ceiling for committed writes, measured now in `dir`: single-row UPDATEs, each its own
 * transaction, on a scratch SQLite file opened with the app's pragmas (WAL, synchronous=FULL).
 */
export interface CommitCeiling {
  commitsPerSecond: number;
  msPerCommit: number;
}

export function measureCommitCeiling(dir: string, durationMs = 1000): CommitCeiling {
  const file = join(dir, `commit-ceiling-${Date.now()}.sqlite`);
  const db = new SQLite(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (0)');
    db.transaction(() => {
      for (let i = 0; i < 100; i++) insert.run();
    })();
    const update = db.prepare('UPDATE t SET v = v + 1 WHERE id = ?');
    const started = performance.now();
    let commits = 0;
    while (performance.now() - started < durationMs) update.run((commits++ % 100) + 1);
    const ms = performance.now() - started;
    return { commitsPerSecond: (commits * 1000) / ms, msPerCommit: ms / commits };
  } finally {
    db.close();
  }
}
