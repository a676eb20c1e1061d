import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';

/** How many sessions the read cache keeps: a few rooms of candidates and their managers. */
const CACHE_SIZE = 5000;

interface Row {
  data: string;
  expires_at: string;
}

/**
 * What the table keeps of a session id: its SHA-256. A copy of the database (a backup, a stolen
 * file) then holds no cookie that would sign anyone in.
 */
export function storedSessionKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

/**
 * HTTP sessions kept in the database, so that a restart signs nobody out. A row lives `ttlMs`
 * after its last save; the sign-in idle limit is enforced separately (plugins/auth.ts).
 */
export class SessionStore {
  // Every request reads its session (a candidate's every click). The database stays the record;
  // this process is its only writer, so a write-through cache of the rows it read or wrote answers
  // most reads without SQL (and without hashing the id: the cache is keyed by the id itself). Writes are rare and go through Kysely, which orders them with the other
  // transactions on the shared connection.
  readonly #read: SQLite.Statement<[string], Row>;
  readonly #cache = new Map<string, Row>();

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {
    this.#read = sqlite.prepare('select data, expires_at from http_sessions where id = ?');
  }

  #remember(id: string, row: Row): void {
    this.#cache.delete(id);
    if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(id, row);
  }

  /** The session's data (JSON), or null when there is no such session or it has expired. */
  read(id: string): string | null {
    let row = this.#cache.get(id);
    if (!row) {
      row = this.#read.get(storedSessionKey(id));
      if (row) this.#remember(id, row);
    }
    return row && row.expires_at > this.clock.now().toISOString() ? row.data : null;
  }

  /** Stores a new session. */
  async create(id: string, data: string): Promise<void> {
    const expiresAt = this.#expiry();
    await this.db
      .insertInto('http_sessions')
      .values({ id: storedSessionKey(id), data, expires_at: expiresAt })
      .execute();
    this.#remember(id, { data, expires_at: expiresAt });
  }

  /**
   * Rewrites an existing session; false when it is gone. A request that read the session before a
   * sign-out deleted it must not bring it back when it saves.
   */
  async update(id: string, data: string): Promise<boolean> {
    const expiresAt = this.#expiry();
    const result = await this.db.updateTable('http_sessions').set({ data, expires_at: expiresAt }).where('id', '=', storedSessionKey(id)).executeTakeFirst();
    if (result.numUpdatedRows === 0n) {
      this.#cache.delete(id);
      return false;
    }
    this.#remember(id, { data, expires_at: expiresAt });
    return true;
  }

  #expiry(): string {
    return new Date(this.clock.now().getTime() + this.ttlMs).toISOString();
  }

  async delete(id: string): Promise<void> {
    this.#cache.delete(id);
    await this.db.deleteFrom('http_sessions').where('id', '=', storedSessionKey(id)).execute();
    // A read between the two deletes may have cached the row again.
    this.#cache.delete(id);
  }

  async purgeExpired(): Promise<void> {
    const now = this.clock.now().toISOString();
    for (const [id, row] of this.#cache) if (row.expires_at <= now) this.#cache.delete(id);
    await this.db.deleteFrom('http_sessions').where('expires_at', '<=', now).execute();
  }
}
