import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { SessionCookieSigner } from './session-signer.js';
import { EMPTY_SESSION_DATA, SessionStore, sessionData } from './session-store.js';

declare module 'fastify' {
  /** What a visitor's session holds; each feature declares its own fields. */
  interface Session {
    /** The CSRF secret of a visitor who has a session (plugins/csrf.ts). */
    _csrf?: string;
  }
  interface FastifyRequest {
    /** Whether this request's session has a row, or gets one at the end of this request (it holds data). */
    sessionIsKept(): boolean;
  }
}

export const SESSION_COOKIE = 'qcm_session';
/** A session row outlives any sign-in (whose idle limit is checked in plugins/auth.ts); this only bounds storage. */
const SESSION_ROW_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Sessions through @fastify/session, in the database (session-store.ts), named by a random id in a
 * signed, HTTP-only cookie. A request that changes nothing writes nothing and sets no cookie (the
 * kiosk saves answers thousands of times a second), and a visitor who keeps nothing has no row.
 *
 * `request.session.regenerate()` is the library's: it deletes the old row and starts an empty
 * session under a new id, which the store writes only once something is put in it (at sign-in, so
 * that an id planted before is worth nothing after; at sign-out and for the kiosk's next candidate,
 * so that nothing of the previous one remains).
 */
export default fp(
  async (app, opts: { secret: string; secure: boolean }) => {
    const store = new SessionStore(app.db, app.clock, SESSION_ROW_TTL_MS);

    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: new SessionCookieSigner(opts.secret),
      cookieName: SESSION_COOKIE,
      // No maxAge: a browser-session cookie; the row's expiry follows app.clock in the store.
      cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/' },
      store,
      saveUninitialized: false,
      rolling: false,
    });

    // Runs after the library's: a session it read from the store carries the very cookie that named it.
    app.addHook('onRequest', (request, _reply, done) => {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie !== undefined && request.session.encryptedSessionId === cookie) store.readFromRow(request.session);
      done();
    });

    app.decorateRequest('sessionIsKept', function (this: FastifyRequest) {
      return store.hasRow(this.session) || sessionData(this.session) !== EMPTY_SESSION_DATA;
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
