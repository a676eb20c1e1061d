import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import type SQLite from 'better-sqlite3';
import type { Session } from 'fastify';
import fp from 'fastify-plugin';
import { SessionStore } from './session-store.js';

declare module 'fastify' {
  /** What a visitor's session holds; each feature declares its own fields. */
  interface Session {
    /** The CSRF secret of a visitor who has a session (plugins/csrf.ts). */
    _csrf?: string;
    /** Whether this session has a row, or gets one at the end of this request (it holds data). */
    isKept(): boolean;
    /**
     * Drops this session (its row is deleted now) and starts an empty one, saved under a new id only
     * if something is put in it: at sign-in, so that an id planted before is worth nothing after;
     * at sign-out and for the kiosk's next candidate, so that nothing of the previous one remains.
     */
    regenerate(): Promise<void>;
  }
  interface FastifyRequest {
    session: Session;
  }
}

export const SESSION_COOKIE = 'qcm_session';
/** A session row outlives any sign-in (whose idle limit is checked in plugins/auth.ts); this only bounds storage. */
const SESSION_ROW_TTL_MS = 12 * 60 * 60 * 1000;
/** How many verified cookies are remembered, so that a candidate's every click costs no HMAC. */
const VERIFIED_CACHE_SIZE = 5000;
const EMPTY = '{}';

/**
 * The session of one request. Its data are its own enumerable properties (what JSON.stringify
 * keeps); whether it changed is known by comparing that JSON with what was read, so an unchanged
 * session costs no write.
 */
class HttpSession {
  #store: SessionStore;
  #id: string | null;
  #persisted: string;

  constructor(store: SessionStore, id: string | null, data: string) {
    this.#store = store;
    this.#id = id;
    this.#persisted = data;
    if (data !== EMPTY) Object.assign(this, JSON.parse(data) as object);
  }

  isKept(): boolean {
    return this.#id !== null || JSON.stringify(this) !== EMPTY;
  }

  async regenerate(): Promise<void> {
    const old = this.#id;
    for (const key of Object.keys(this)) delete (this as Record<string, unknown>)[key];
    this.#id = null;
    this.#persisted = EMPTY;
    if (old) await this.#store.delete(old);
  }

  /** The session's JSON if it changed since it was read or saved, else null. */
  static changes(session: HttpSession): string | null {
    const data = JSON.stringify(session);
    return data === session.#persisted ? null : data;
  }

  /**
   * Saves the session's data; returns its id when it is new (the browser must be given a cookie).
   * A session deleted meanwhile by another request (a sign-out in another tab) stays deleted.
   */
  static async save(session: HttpSession, data: string): Promise<string | null> {
    if (session.#id !== null) {
      if (!(await session.#store.update(session.#id, data))) session.#id = null;
      else session.#persisted = data;
      return null;
    }
    const id = randomBytes(24).toString('base64url');
    await session.#store.create(id, data);
    session.#id = id;
    session.#persisted = data;
    return id;
  }

  static isStored(session: HttpSession): boolean {
    return session.#id !== null;
  }
}

/**
 * Sessions in the database (session-store.ts), named by a random id in a signed, HTTP-only cookie.
 * Written for the kiosk's hot path: reading a session is synchronous (a cache, else one prepared
 * statement), and a request that changes nothing writes nothing and sets no cookie.
 */
export default fp(
  async (app, opts: { secret: string; secure: boolean; sqlite: SQLite.Database }) => {
    const store = new SessionStore(app.db, opts.sqlite, app.clock, SESSION_ROW_TTL_MS);
    const cookieOptions = { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/' } as const;
    const verified = new Map<string, string>();

    const signatureOf = (id: string) => createHmac('sha256', opts.secret).update(id).digest('base64url');

    /** The session id a cookie carries, if its signature is ours. */
    function idFromCookie(value: string | undefined): string | null {
      if (!value) return null;
      const known = verified.get(value);
      if (known) return known;
      const dot = value.lastIndexOf('.');
      if (dot <= 0) return null;
      const id = value.slice(0, dot);
      const given = Buffer.from(value.slice(dot + 1));
      const expected = Buffer.from(signatureOf(id));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(value, id);
      return id;
    }

    await app.register(fastifyCookie);
    // Null until the onRequest hook below: a request refused before it (a malformed one) has none.
    app.decorateRequest('session', null as unknown as Session);

    // Callback-style hooks: the kiosk's saves go through them thousands of times a second.
    app.addHook('onRequest', (request, _reply, done) => {
      try {
        const id = idFromCookie(request.cookies[SESSION_COOKIE]);
        const data = id ? store.read(id) : null;
        request.session = new HttpSession(store, data === null ? null : id, data ?? EMPTY);
        done();
      } catch (err) {
        done(err as Error);
      }
    });

    app.addHook('onSend', (request, reply, payload, done) => {
      const session = request.session;
      if (!(session instanceof HttpSession)) return done(null, payload);
      const data = HttpSession.changes(session);
      if (data === null) {
        // The browser names a session that is gone (expired, forged, dropped by regenerate()).
        if (request.cookies[SESSION_COOKIE] && !HttpSession.isStored(session)) reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return done(null, payload);
      }
      HttpSession.save(session, data).then((newId) => {
        if (newId) reply.setCookie(SESSION_COOKIE, `${newId}.${signatureOf(newId)}`, cookieOptions);
        else if (!HttpSession.isStored(session)) reply.clearCookie(SESSION_COOKIE, { path: '/' });
        done(null, payload);
      }, done);
    });

    const purge = setInterval(
      () => {
        store.purgeExpired().catch((err: unknown) => app.log.warn({ err }, 'purge of expired sessions failed'));
      },
      10 * 60 * 1000,
    );
    purge.unref();
    app.addHook('onClose', async () => clearInterval(purge));
  },
  { name: 'session', dependencies: ['services'] },
);
