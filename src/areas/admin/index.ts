import type { FastifyInstance } from 'fastify';
import uploads from '../../plugins/uploads.js';
import anomalyRoutes from './anomalies/routes.js';
import attestationRoutes from './attestations/routes.js';
import auditRoutes from './audit/routes.js';
import centreRoutes from './centres/routes.js';
import dashboardRoutes from './dashboard/routes.js';
import managerRoutes from './managers/routes.js';
import personalDataRoutes from './personal-data/routes.js';
import questionnaireRoutes from './questionnaires/routes.js';

/**
 * `/admin`, the national administration. Its one guard: the administrator's role, checked before
 * any body is read.
 */
export default async function adminArea(app: FastifyInstance) {
  app.addHook('onRequest', app.requireRole('admin'));
  // Only administrators upload files: elsewhere a multipart body is refused before it is read.
  await app.register(uploads);
  await app.register(dashboardRoutes);
  await app.register(questionnaireRoutes);
  await app.register(centreRoutes);
  await app.register(managerRoutes);
  await app.register(auditRoutes);
  await app.register(attestationRoutes);
  await app.register(anomalyRoutes);
  await app.register(personalDataRoutes);
}
