import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { BrowserPool } from '../pdf/browser-pool.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    clock: Clock;
    browserPool: BrowserPool;
  }
}

/** The shared services every feature reaches through `app`: the database, the clock, the browser. */
export default fp(
  async (app, opts: { db: Kysely<Database>; clock: Clock; browserPool: BrowserPool }) => {
    app.decorate('db', opts.db);
    app.decorate('clock', opts.clock);
    app.decorate('browserPool', opts.browserPool);
  },
  { name: 'database' },
);
