import fastifyCompress from '@fastify/compress';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { systemClock, type Clock } from './clock.js';
import { isHttps, type Config } from './config.js';
import type { Db } from './db/connection.js';
import adminArea from './areas/admin/index.js';
import centreArea from './areas/centre/index.js';
import kioskArea from './areas/kiosk/index.js';
import accountArea from './areas/account/index.js';
import publicArea from './areas/public/index.js';
import { loadOrCreateSigner } from './services/attestations/signing.js';
import { createAnswerWriter } from './services/exam/answer-writer.js';
import { createMailer, type Mailer } from './services/mailer.js';
import { BrowserPool, DEFAULT_POOL_LIMITS } from './services/pdf/browser-pool.js';
import auth from './plugins/auth.js';
import csrf from './plugins/csrf.js';
import deadlineSweeper from './plugins/deadline-sweeper.js';
import { identityProvidersOf, logoutOrigins } from './services/single-sign-on/providers.js';
import services from './plugins/services.js';
import errors from './plugins/errors.js';
import securityHeaders from './plugins/security-headers.js';
import session from './plugins/session.js';
import staticFiles from './plugins/static-files.js';
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
  /**
   * The deadline sweep and the purges on their timers; tests that build past days through the
   * lifecycles turn them off, or a sweep could close a session they are filling.
   */
  periodicJobs?: boolean;
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
  const browserPool = new BrowserPool(deps.browserPath, DEFAULT_POOL_LIMITS, {
    uid: process.getuid?.(),
    warn: (message, err) => app.log.warn({ err }, message),
  });
  app.addHook('onClose', async () => browserPool.close());

  const mailer = deps.mailer ?? createMailer(config);
  const identityProviders = identityProvidersOf(config);
  const clock = deps.clock ?? systemClock;
  await app.register(services, {
    db: deps.db.kysely,
    databaseKind: deps.db.kind,
    clock,
    browserPool,
    config,
    mailer,
    answerWriter: createAnswerWriter(deps.db, clock),
    attestationSigner: loadOrCreateSigner(config.dataDir),
    identityProviders,
  });
  await app.register(securityHeaders, { https: isHttps(config), formTargets: logoutOrigins(identityProviders) });
  // Old terminals on slow networks: every text answer is compressed (the kiosk's page budget).
  // No form is ever sent compressed: request decompression stays off (one hook less per request).
  await app.register(fastifyCompress, { global: true, globalDecompression: false, threshold: 1024 });
  await app.register(fastifyFormbody);
  await app.register(staticFiles);
  await app.register(session, { secret: deps.sessionSecret, secure: isHttps(config) });
  await app.register(csrf, { secret: deps.sessionSecret, secure: isHttps(config) });
  await app.register(views, { production: config.nodeEnv === 'production' });
  await app.register(auth);
  await app.register(errors);

  if (deps.periodicJobs !== false) await app.register(deadlineSweeper);

  // Each area registers its own guard (see src/areas/<area>/index.ts).
  await app.register(publicArea);
  await app.register(accountArea);
  await app.register(kioskArea);
  await app.register(adminArea);
  await app.register(centreArea);
  return app;
}
