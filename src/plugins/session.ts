import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import type SQLite from 'better-sqlite3';
import fp from 'fastify-plugin';
import { DatabaseSessionStore } from './session-store.js';

/** A session row outlives any sign-in (whose idle limit is checked in plugins/auth.ts); this only bounds storage. */
const SESSION_ROW_TTL_MS = 12 * 60 * 60 * 1000;

export default fp(
  async (app, opts: { secret: string; secure: boolean; sqlite: SQLite.Database }) => {
    const store = new DatabaseSessionStore(app.db, opts.sqlite, app.clock, SESSION_ROW_TTL_MS);
    await app.register(fastifyCookie);
    await app.register(fastifySession, {
      secret: opts.secret,
      cookieName: 'qcm_session',
      store,
      saveUninitialized: false,
      rolling: false,
      cookie: { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/' },
    });

    const purge = setInterval(() => {
      store.purgeExpired().catch((err: unknown) => app.log.warn({ err }, 'purge of expired sessions failed'));
    }, 10 * 60 * 1000);
    purge.unref();
    app.addHook('onClose', async () => clearInterval(purge));
  },
  { name: 'session', dependencies: ['database'] },
);
