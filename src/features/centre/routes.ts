import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The manager's home and the switch between their centres (manager area, guarded in app.ts). */
export default async function centreRoutes(app: FastifyInstance) {
  app.get('/centre', async (request, reply) => {
    return reply.render('centre/dashboard', {}, { title: 'Tableau de bord du centre' });
  });

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
