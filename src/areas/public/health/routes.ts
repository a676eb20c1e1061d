import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';

export default async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', async (_request, reply) => {
    let database: 'ok' | 'indisponible' = 'ok';
    try {
      await sql`select 1`.execute(app.db);
    } catch {
      database = 'indisponible';
    }
    const body = {
      status: database === 'ok' ? 'ok' : 'erreur',
      database,
      databaseKind: app.databaseKind === 'postgres' ? 'PostgreSQL' : 'SQLite',
      pdf: app.browserPool.available ? 'disponible' : 'indisponible',
    };
    return reply.code(database === 'ok' ? 200 : 503).header('cache-control', 'no-store').send(body);
  });
}
