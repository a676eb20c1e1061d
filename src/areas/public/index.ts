import type { FastifyInstance } from 'fastify';
import accountLinkRoutes from './account-links/routes.js';
import healthRoutes from './health/routes.js';
import helpRoutes from './help/routes.js';
import providerSignInRoutes from './sign-in/providers.js';
import signInRoutes from './sign-in/routes.js';
import verificationRoutes from './verification/routes.js';

/**
 * The pages anyone may open, signed in or not: sign-in and sign-out, the one-time password links,
 * the help, the health check, the verification of attestations. No guard: each page shows only
 * what an anonymous visitor may see.
 */
export default async function publicArea(app: FastifyInstance) {
  await app.register(healthRoutes);
  await app.register(signInRoutes);
  await app.register(providerSignInRoutes);
  await app.register(helpRoutes);
  await app.register(accountLinkRoutes);
  await app.register(verificationRoutes);
}
