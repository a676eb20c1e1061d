import type { FastifyInstance } from 'fastify';
import { nationalCounts } from './queries.js';

/** The national administrator's dashboard (the admin area's guard is in app.ts). */
export default async function adminRoutes(app: FastifyInstance) {
  app.get('/admin', async (_request, reply) => {
    return reply.render('admin/dashboard/dashboard', await nationalCounts(app.db), { title: 'Administration nationale' });
  });
}
