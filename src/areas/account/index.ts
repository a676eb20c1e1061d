import type { FastifyInstance } from 'fastify';
import secondFactorRoutes from './second-factor/routes.js';

/**
 * `/compte`, where any signed-in account manages its own sign-in. Its one guard: being signed in,
 * whatever the role — and without the second-factor requirement of the other areas, since this is
 * where an administrator enrols before reaching them.
 */
export default async function accountArea(app: FastifyInstance) {
  app.addHook('onRequest', app.requireSignIn());
  await app.register(secondFactorRoutes);
}
