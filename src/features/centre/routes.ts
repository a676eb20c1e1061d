import type { FastifyInstance } from 'fastify';
import { formatCentreId } from '../../domain/centre-id.js';

/** The exam centre manager's area: every route here needs the manager role. */
export default async function centreRoutes(app: FastifyInstance) {
  app.get('/centre', async (request, reply) => {
    const centreIds = request.account!.centreIds;
    const centres = centreIds.length
      ? await app.db.selectFrom('centres').select(['id', 'name', 'status', 'suspension_reason']).where('id', 'in', centreIds).orderBy('id').execute()
      : [];
    return reply.render(
      'centre/dashboard',
      { centres: centres.map((c) => ({ ...c, code: formatCentreId(c.id) })) },
      { title: 'Tableau de bord du centre' },
    );
  });
}
