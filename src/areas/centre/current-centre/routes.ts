import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The sections of the manager area that are pages of their own, without an id in the URL. */
const SECTIONS = new Set(['jetons', 'sessions', 'parametres']);

/**
 * Where the switch leads: the same section of the area for the newly chosen centre. A record of the
 * previous centre (a session, a table of tokens) is not the new centre's: its section's list instead.
 */
export function pageAfterSwitch(from: unknown): string {
  const section = typeof from === 'string' ? /^\/centre\/([a-z-]+)/.exec(from)?.[1] : undefined;
  return section && SECTIONS.has(section) ? `/centre/${section}` : '/centre';
}

/** The header's switch between the centres of a manager who has several. */
export default async function currentCentreRoutes(app: FastifyInstance) {
  app.post('/centre/changer', async (request: FastifyRequest<{ Body: { centre?: string; retour?: string } }>, reply) => {
    const wanted = Number(request.body?.centre);
    const own = request.managerCentres.find((c) => c.id === wanted);
    if (own) {
      request.session.currentCentreId = own.id;
      reply.flash('info', `Vous travaillez maintenant pour le centre ${own.code} — ${own.name}.`);
    }
    return reply.redirect(pageAfterSwitch(request.body?.retour), 303);
  });
}
