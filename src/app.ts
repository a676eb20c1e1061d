import fastifyCompress from '@fastify/compress';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import { isHttps, type Config } from './config.js';
import type { Db } from './db/connection.js';
import { createMailer, type Mailer } from './services/mailer.js';
import accountLinkRoutes from './areas/public/account-links/routes.js';
import adminRoutes from './areas/admin/dashboard/routes.js';
import auditRoutes from './areas/admin/audit/routes.js';
import authRoutes from './areas/public/sign-in/routes.js';
import centreRoutes from './areas/centre/exams/routes.js';
import { resolveCurrentCentre } from './areas/centre/current-centre.js';
import centreAdminRoutes from './areas/admin/centres/routes.js';
import examSessionRoutes from './areas/centre/sessions/routes.js';
import managerAdminRoutes from './areas/admin/managers/routes.js';
import tokenRoutes from './areas/centre/tokens/routes.js';
import healthRoutes from './areas/public/health/routes.js';
import helpRoutes from './areas/public/help/routes.js';
import deadlineSweeper from './plugins/deadline-sweeper.js';
import { AnswerWriter } from './services/exam/answer-writer.js';
import kioskRoutes from './areas/kiosk/exam/routes.js';
import questionnaireRoutes from './areas/admin/questionnaires/routes.js';
import { BrowserPool } from './services/pdf/browser-pool.js';
import auth from './plugins/auth.js';
import csrf from './plugins/csrf.js';
import database from './plugins/services.js';
import errors from './plugins/errors.js';
import securityHeaders from './plugins/security-headers.js';
import session from './plugins/session.js';
import staticFiles from './plugins/static-files.js';
import uploads from './plugins/uploads.js';
import views from './plugins/views.js';

export interface AppDeps {
  db: Db;
  sessionSecret: string;
  clock?: Clock;
  /** The browser for PDFs; null when none was found (PDF features then say so in French). */
  browserPath: string | null;
  logger?: boolean;
  /** Tests pass a recording mailer; otherwise SMTP_URL decides. */
  mailer?: Mailer;
}

/**
 * What the log keeps of a request. The secret of a password link is in its path: whoever reads the
 * logs must not be able to set someone's password with it.
 */
export function logRequest(request: FastifyRequest): { method: string; url: string; remoteAddress: string } {
  return { method: request.method, url: request.url.replace(/^\/compte\/mot-de-passe\/[^/?#]+/, '/compte/mot-de-passe/…'), remoteAddress: request.ip };
}

/** Composes the application; never listens, so that tests drive it with inject() or their own listen(). */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ? { serializers: { req: logRequest } } : false,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
  });
  const browserPool = new BrowserPool(deps.browserPath);
  app.addHook('onClose', async () => browserPool.close());

  const mailer = deps.mailer ?? createMailer(config);
  const clock = deps.clock ?? systemClock;
  await app.register(database, {
    db: deps.db.kysely,
    clock,
    browserPool,
    config,
    mailer,
    answerWriter: new AnswerWriter(deps.db.sqlite, clock),
  });
  await app.register(securityHeaders, { https: isHttps(config) });
  // Old terminals on slow networks: every text answer is compressed (the kiosk's page budget).
  // No form is ever sent compressed: request decompression stays off (one hook less per request).
  await app.register(fastifyCompress, { global: true, globalDecompression: false, threshold: 1024 });
  await app.register(fastifyFormbody);
  await app.register(staticFiles);
  await app.register(session, { secret: deps.sessionSecret, secure: isHttps(config), sqlite: deps.db.sqlite });
  await app.register(csrf);
  await app.register(views, { production: config.nodeEnv === 'production' });
  await app.register(auth);
  await app.register(errors);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(helpRoutes);
  await app.register(accountLinkRoutes);
  await app.register(kioskRoutes);
  await app.register(deadlineSweeper);

  // One authorisation check per area, before any body is read: the role, then (for managers) the
  // centre every query is scoped to.
  await app.register(async (admin) => {
    admin.addHook('onRequest', admin.requireRole('admin'));
    // Only administrators upload files: elsewhere a multipart body is refused before it is read.
    await admin.register(uploads);
    await admin.register(adminRoutes);
    await admin.register(questionnaireRoutes);
    await admin.register(centreAdminRoutes);
    await admin.register(managerAdminRoutes);
    await admin.register(auditRoutes);
  });
  await app.register(async (manager) => {
    manager.decorateRequest('centre', null);
    // Set by resolveCurrentCentre before any handler; Fastify wants a non-reference initial value.
    manager.decorateRequest('managerCentres', null as never);
    manager.addHook('onRequest', manager.requireRole('manager'));
    manager.addHook('onRequest', resolveCurrentCentre);
    await manager.register(centreRoutes);
    await manager.register(tokenRoutes);
    await manager.register(examSessionRoutes);
  });
  return app;
}
