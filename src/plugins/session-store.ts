import type { SessionStore } from '@fastify/session';
import type SQLite from 'better-sqlite3';
import type { Session } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: Session | null) => void;

/** How many sessions the read cache keeps: a few rooms of candidates and their managers. */
const CACHE_SIZE = 5000;

/**
 * HTTP sessions kept in the database, so that a restart signs nobody out. A row lives `ttlMs`
 * after its last save; the sign-in idle limit is enforced separately (plugins/auth.ts).
 */

export class DatabaseSessionStore implements SessionStore {
  // Every request reads its session (a candidate's every click). The database stays the record
  // (a restart signs nobody out); this process is its only writer, so a write-through cache of the
  // rows it read or wrote answers most reads without SQL. Writes are rare and go through Kysely,
  // which orders them with the other transactions on the shared connection.
  readonly #read: SQLite.Statement<[string], { data: string; expires_at: string }>;
  readonly #cache = new Map<string, { data: string; expires_at: string }>();

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.#read = sqlite.prepare('select data, expires_at from http_sessions where id = ?');
  }

  #remember(sessionId: string, row: { data: string; expires_at: string }): void {
    this.#cache.delete(sessionId);
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(sessionId, row);
  }

  get(sessionId: string, callback: GetCallback): void {
    let row = this.#cache.get(sessionId);
    if (!row) {
      try {
        row = this.#read.get(sessionId);
      } catch (err) {
        return callback(err);
      }
      if (row) this.#remember(sessionId, row);
    }
    if (!row || row.expires_at <= this.clock.now().toISOString()) return callback(null, null);
    callback(null, JSON.parse(row.data) as Session);
  }

  set(sessionId: string, session: unknown, callback: Callback): void {
    const data = JSON.stringify(session);
    const expiresAt = new Date(this.clock.now().getTime() + this.ttlMs).toISOString();
    this.db
      .insertInto('http_sessions')
      .values({ id: sessionId, data, expires_at: expiresAt })
      .onConflict((oc) => oc.column('id').doUpdateSet({ data, expires_at: expiresAt }))
      .execute()
      .then(() => {
        this.#remember(sessionId, { data, expires_at: expiresAt });
        callback();
      }, callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.#cache.delete(sessionId);
    this.db
      .deleteFrom('http_sessions')
      .where('id', '=', sessionId)
      .execute()
      .then(() => {
        // A read between the two deletes may have cached the row again.
        this.#cache.delete(sessionId);
        callback();
      }, callback);
  }

  async purgeExpired(): Promise<void> {
    const now = this.clock.now().toISOString();
    for (const [id, row] of this.#cache) if (row.expires_at <= now) this.#cache.delete(id);
    await this.db.deleteFrom('http_sessions').where('expires_at', '<=', this.clock.now().toISOString()).execute();
  }
}
