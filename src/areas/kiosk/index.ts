import type { FastifyInstance } from 'fastify';
import diagnosticRoutes from './diagnostic/routes.js';
import entryRoutes from './entry/routes.js';
import examRoutes from './exam/routes.js';

/**
 * `/examen`, the candidate's exam on the centre's terminals. No account: each page reaches only
 * the exam this terminal's session holds (entered with the centre's ID and a token); the terminal
 * check (/examen/diagnostic) reaches no exam at all.
 */
export default async function kioskArea(app: FastifyInstance) {
  await app.register(diagnosticRoutes);
  await app.register(entryRoutes);
  await app.register(examRoutes);
}
