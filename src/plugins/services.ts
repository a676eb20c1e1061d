import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { DatabaseKind } from '../db/connection.js';
import type { Database } from '../db/schema.js';
import type { Config } from '../config.js';
import type { Mailer } from '../services/mailer.js';
import type { AnswerWriter } from '../services/exam/answer-writer.js';
import type { AttestationSigner } from '../services/attestations/signing.js';
import type { BrowserPool } from '../services/pdf/browser-pool.js';
import type { IdentityProviders } from '../services/single-sign-on/providers.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    databaseKind: DatabaseKind;
    clock: Clock;
    browserPool: BrowserPool;
    config: Config;
    mailer: Mailer;
    answerWriter: AnswerWriter;
    attestationSigner: AttestationSigner;
    identityProviders: IdentityProviders;
  }
}

/**
 * The shared services every feature reaches through `app`: database (and which one), clock, browser, config, mailer,
 * answer writer, attestation signer, identity providers.
 */
export default fp(
  async (
    app,
    opts: {
      db: Kysely<Database>;
      databaseKind: DatabaseKind;
      clock: Clock;
      browserPool: BrowserPool;
      config: Config;
      mailer: Mailer;
      answerWriter: AnswerWriter;
      attestationSigner: AttestationSigner;
      identityProviders: IdentityProviders;
    },
  ) => {
    app.decorate('db', opts.db);
    app.decorate('databaseKind', opts.databaseKind);
    app.decorate('clock', opts.clock);
    app.decorate('browserPool', opts.browserPool);
    app.decorate('config', opts.config);
    app.decorate('mailer', opts.mailer);
    app.decorate('answerWriter', opts.answerWriter);
    app.decorate('attestationSigner', opts.attestationSigner);
    app.decorate('identityProviders', opts.identityProviders);
  },
  { name: 'services' },
);
