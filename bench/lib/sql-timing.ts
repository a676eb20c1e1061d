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
  /** Stops timing. */
  detach(): void;
}

function kindOf(sql: string): string {
  const words = sql.replace(/\s+/g, ' ').trim().split(' ');
  const verb = (words[0] ?? '').toLowerCase();
  const table =
    verb === 'select'
      ? words[words.findIndex((w) => w.toLowerCase() === 'from') + 1]
      : verb === 'update'
        ? words[1]
        : verb === 'insert' || verb === 'delete'
          ? words[2]
          : undefined;
  return table ? `${verb} ${table}` : verb;
}

/**
 * Times every statement run from now on, on any connection of this process: the statements' own
 * methods are wrapped, so that statements prepared before (the answer writer prepares its UPDATE
 * once), and the BEGIN/COMMIT of better-sqlite3's transactions, are timed too. better-sqlite3 runs
 * them synchronously: the time measured here is time the event loop was blocked, commits and their
 * fsync included. A few performance.now() calls per statement.
 */
export function timeStatements(sqlite: SQLite.Database): SqlTiming {
  const prototype = Object.getPrototypeOf(sqlite.prepare('select 1')) as Record<'all' | 'get' | 'run', (...args: unknown[]) => unknown>;
  const originals = { all: prototype.all, get: prototype.get, run: prototype.run };
  const stats = new Map<string, SqlTimingEntry>();
  const kinds = new Map<string, string>();
  for (const method of ['all', 'get', 'run'] as const) {
    const call = originals[method];
    prototype[method] = function (this: SQLite.Statement, ...args: unknown[]) {
      const started = performance.now();
      try {
        return call.apply(this, args);
      } finally {
        const elapsed = performance.now() - started;
        let key = kinds.get(this.source);
        if (key === undefined) kinds.set(this.source, (key = kindOf(this.source)));
        let entry = stats.get(key);
        if (!entry) stats.set(key, (entry = { statement: key, count: 0, totalMs: 0 }));
        entry.count++;
        entry.totalMs += elapsed;
      }
    };
  }
  return {
    entries: () => [...stats.values()].sort((a, b) => b.totalMs - a.totalMs),
    detach: () => Object.assign(prototype, originals),
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
