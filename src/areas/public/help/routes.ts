import { hasIdentityProvider } from '../../../config.js';
import type { FastifyInstance } from 'fastify';

export default async function helpRoutes(app: FastifyInstance) {
  app.get('/aide', async (request, reply) => {
    const { config } = app;
    return reply.render(
      'public/help/index',
      { role: request.account?.role ?? null, sso: hasIdentityProvider(config), localSignIn: config.localSignIn },
      { title: 'Aide' },
    );
  });
}
