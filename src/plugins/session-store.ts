import { hash } from 'node:crypto';
import type { Session } from 'fastify';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';

type Done = (err?: unknown) => void;
type Found = (err: unknown, session?: Session | null) => void;

/** At most this many ids in one read: far below the parameter limits of SQLite and PostgreSQL. */
const READ_BATCH = 500;

/** What a session holds, as stored: its fields, without the cookie options @fastify/session keeps on it. */
export function sessionData(session: Session): string {
  return JSON.stringify({ ...session, cookie: undefined });
}

/** The data of a session that holds nothing. */
export const EMPTY_SESSION_DATA = '{}';

/** Each request gets a session of its own, even when two requests of one browser are read together. */
function answer(done: Found, data: string | undefined): void {
  let session: Session | null;
  try {
    session = data === undefined ? null : (JSON.parse(data) as Session);
  } catch (err) {
    return done(err);
  }
  done(null, session);
}

/**
 * What the table keeps of a session id: its SHA-256. A copy of the database (a backup, a stolen
 * file) then holds no cookie that would sign anyone in.
 */
export function storedSessionKey(id: string): string {
  // The one-shot hash: a quarter of createHash's cost, on every request.
  return hash('sha256', id, 'base64url');
}

/**
 * The store of @fastify/session: sessions in the database, through Kysely (SQLite or PostgreSQL).
 * Every read asks the database, so that a session ended by another instance sharing it (a sign-out,
 * an expiry) is over here too. A row lives `ttlMs` after its last save; the sign-in's idle limit is
 * enforced separately (plugins/auth.ts).
 */
export class SessionStore {
  // The sessions of this process's requests that have a row: read from it, or inserted. Only those
  // are updated, and an update never inserts: a request that read its session before a sign-out
  // (in another tab, on another instance) deleted it cannot bring it back by saving.
  readonly #withRow = new WeakSet<Session>();
  // Every request reads its session (a candidate's every click). The reads asked for during one
  // turn of the event loop are made by one query once that turn's I/O is done, as the answer writer
  // groups its commits: the database is asked for each of them, after the request arrived, at the
  // cost of one query per turn rather than one per request.
  #waiting = new Map<string, Found[]>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
  ) {}

  /** Marks a session that the library built from the row `get` returned. */
  readFromRow(session: Session): void {
    this.#withRow.add(session);
  }

  hasRow(session: Session): boolean {
    return this.#withRow.has(session);
  }

  get(id: string, done: Found): void {
    if (this.#waiting.size === 0) setImmediate(() => this.#read());
    const key = storedSessionKey(id);
    const found = this.#waiting.get(key);
    if (found) found.push(done);
    else this.#waiting.set(key, [done]);
  }

  #read(): void {
    const waiting = [...this.#waiting];
    this.#waiting = new Map();
    const now = this.clock.now().toISOString();
    for (let i = 0; i < waiting.length; i += READ_BATCH) {
      const batch = waiting.slice(i, i + READ_BATCH);
      this.db
        .selectFrom('http_sessions')
        .select(['id', 'data'])
        .where(
          'id',
          'in',
          batch.map(([key]) => key),
        )
        .where('expires_at', '>', now)
        .execute()
        .then(
          (rows) => {
            const data = new Map(rows.map((row) => [row.id, row.data]));
            for (const [key, found] of batch) for (const done of found) answer(done, data.get(key));
          },
          (err: unknown) => {
            for (const [, found] of batch) for (const done of found) done(err);
          },
        );
    }
  }

  set(id: string, session: Session, done: Done): void {
    const data = sessionData(session);
    const expiresAt = new Date(this.clock.now().getTime() + this.ttlMs).toISOString();
    if (this.#withRow.has(session)) {
      this.db
        .updateTable('http_sessions')
        .set({ data, expires_at: expiresAt })
        .where('id', '=', storedSessionKey(id))
        .execute()
        .then(() => done(), done);
      return;
    }
    // @fastify/session's regenerate() saves the new, empty session at once: a session that holds
    // nothing is no session, and gets a row only once something is put in it.
    if (data === EMPTY_SESSION_DATA) return done();
    this.db
      .insertInto('http_sessions')
      .values({ id: storedSessionKey(id), data, expires_at: expiresAt })
      .execute()
      .then(() => {
        this.#withRow.add(session);
        done();
      }, done);
  }

  destroy(id: string, done: Done): void {
    this.db
      .deleteFrom('http_sessions')
      .where('id', '=', storedSessionKey(id))
      .execute()
      .then(() => done(), done);
  }

  /** Deletes the expired rows: a plain conditional delete, harmless when several instances run it. */
  async purgeExpired(): Promise<void> {
    await this.db.deleteFrom('http_sessions').where('expires_at', '<=', this.clock.now().toISOString()).execute();
  }
}
