import type { FastifyInstance } from 'fastify';

export default async function helpRoutes(app: FastifyInstance) {
  app.get('/aide', async (request, reply) => {
    return reply.render('public/help/index', { role: request.account?.role ?? null }, { title: 'Aide' });
  });
}
