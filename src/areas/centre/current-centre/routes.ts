import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The header's switch between the centres of a manager who has several. */
export default async function currentCentreRoutes(app: FastifyInstance) {
  app.post('/centre/changer', async (request: FastifyRequest<{ Body: { centre?: string } }>, reply) => {
    const wanted = Number(request.body?.centre);
    const own = request.managerCentres.find((c) => c.id === wanted);
    if (own) {
      request.session.currentCentreId = own.id;
      reply.flash('info', `Vous travaillez maintenant pour le centre ${own.code} — ${own.name}.`);
    }
    return reply.redirect('/centre', 303);
  });
}
