import type { FastifyInstance } from 'fastify';
import entryRoutes from './entry/routes.js';
import examRoutes from './exam/routes.js';

/**
 * `/examen`, the candidate's exam on the centre's terminals. No account: each page reaches only
 * the exam this terminal's session holds (entered with the centre's ID and a token).
 */
export default async function kioskArea(app: FastifyInstance) {
  await app.register(entryRoutes);
  await app.register(examRoutes);
}
