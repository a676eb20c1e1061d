import type { FastifyInstance } from 'fastify';
import uploads from '../../plugins/uploads.js';
import archiveRoutes from './archives/routes.js';
import attestationRoutes from './attestations/routes.js';
import currentCentreRoutes from './current-centre/routes.js';
import { resolveCurrentCentre } from './current-centre/scope.js';
import dashboardRoutes from './dashboard/routes.js';
import examRoutes from './exams/routes.js';
import resultsRoutes from './results/routes.js';
import settingsRoutes from './settings/routes.js';
import sessionRoutes from './sessions/routes.js';
import tokenRoutes from './tokens/routes.js';

/**
 * `/centre`, the manager's area. Its one guard, before any body is read: the manager's role, then
 * the centre every query of the area is scoped to (another centre's URLs answer 404).
 */
export default async function centreArea(app: FastifyInstance) {
  app.decorateRequest('centre', null);
  // Set by resolveCurrentCentre before any handler; Fastify wants a non-reference initial value.
  app.decorateRequest('managerCentres', null as never);
  app.addHook('onRequest', app.requireRole('manager'));
  app.addHook('onRequest', resolveCurrentCentre);
  // The centre's stamp image (settings) is its only file upload.
  await app.register(uploads);
  await app.register(dashboardRoutes);
  await app.register(currentCentreRoutes);
  await app.register(tokenRoutes);
  await app.register(sessionRoutes);
  await app.register(examRoutes);
  await app.register(resultsRoutes);
  await app.register(archiveRoutes);
  await app.register(attestationRoutes);
  await app.register(settingsRoutes);
}
