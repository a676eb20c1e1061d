import type { SessionStore } from '@fastify/session';
import type SQLite from 'better-sqlite3';
import type { Session } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: Session | null) => void;

/**
 * HTTP sessions kept in the database, so that a restart signs nobody out. A row lives `ttlMs`
 * after its last save; the sign-in idle limit is enforced separately (plugins/auth.ts).
 */
export class DatabaseSessionStore implements SessionStore {
  // Every request reads its session (a candidate's every click): a statement prepared once, not a
  // query built each time. Writes are rare and go through Kysely, which orders them with the
  // other transactions on the shared connection.
  readonly #read: SQLite.Statement<[string], { data: string; expires_at: string }>;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.#read = sqlite.prepare('select data, expires_at from http_sessions where id = ?');
  }

  get(sessionId: string, callback: GetCallback): void {
    let row: { data: string; expires_at: string } | undefined;
    try {
      row = this.#read.get(sessionId);
    } catch (err) {
      return callback(err);
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
      .then(() => callback(), callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.db
      .deleteFrom('http_sessions')
      .where('id', '=', sessionId)
      .execute()
      .then(() => callback(), callback);
  }

  async purgeExpired(): Promise<void> {
    await this.db.deleteFrom('http_sessions').where('expires_at', '<=', this.clock.now().toISOString()).execute();
  }
}
