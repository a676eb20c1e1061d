import { buildApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, loadConfig, resolveSessionSecret } from './config.js';
import { DatabaseUnreachableError } from './db/connection.js';
import { findBrowser } from './services/pdf/browser-path.js';
import { InstanceMismatchError, joinInstances } from './operator/instances.js';
import { openMigratedDatabase } from './operator/open.js';
import { describeDemoLogins, generateDemoPassword, seedDemo } from './operator/seed-demo.js';

async function start(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration invalide : ${err.message}`);
      process.exit(1);
    }
    throw err;
  }

  let opened;
  try {
    opened = await openMigratedDatabase(config);
  } catch (err) {
    if (err instanceof DatabaseUnreachableError) {
      console.error(`Démarrage impossible : ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const { db, created } = opened;
  if (created && config.nodeEnv !== 'production') {
    const logins = await seedDemo(db.kysely, systemClock, generateDemoPassword(), { history: true });
    console.log(describeDemoLogins(logins, config.publicUrl));
  }

  const browserPath = await findBrowser(config.puppeteerExecutablePath);
  let sessionSecret;
  try {
    sessionSecret = resolveSessionSecret(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration invalide : ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const app = await buildApp(config, { db, sessionSecret, browserPath, logger: true });

  // Several instances share only a PostgreSQL database; SQLite is one process's, its secrets in its own folder.
  let instance = null;
  if (db.kind === 'postgres') {
    try {
      instance = await joinInstances(db.kysely, systemClock, { signingKeyId: app.attestationSigner.keyId, sessionSecret }, (message, err) =>
        app.log.error({ err }, message),
      );
    } catch (err) {
      if (err instanceof InstanceMismatchError) {
        console.error(`Démarrage impossible : ${err.message}`);
        await app.close();
        await db.close();
        process.exit(1);
      }
      throw err;
    }
  }
  if (!browserPath) {
    app.log.warn('No Chromium found (set PUPPETEER_EXECUTABLE_PATH or install chromium): PDF features are unavailable.');
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await instance?.leave().catch((err: unknown) => app.log.warn({ err }, 'the instance could not remove its row'));
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  // The provider's metadata read now rather than at the first sign-in: the first sign-out after a
  // restart needs its logout address in the Content-Security-Policy. A provider down now is tried
  // again at the next sign-in.
  app.identityProviders.oidc?.configuration().catch((err: unknown) => app.log.warn({ err }, 'the OpenID Connect provider could not be reached'));
  console.log(`QCM-AIPR à l'écoute sur ${config.publicUrl}`);
}

start().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
