import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import type { ExamRules } from '../../src/domain/rules.js';
import { openMigratedDatabase } from '../../src/operator/open.js';
import { generateTokens } from '../../src/operator/generate-tokens.js';
import { generateDemoPassword, seedDemo } from '../../src/operator/seed-demo.js';

/** The profile whose tokens the benchmarks use (the demo bank draws 30 questions). */
export const BENCH_PROFILE = 'operateur';

export interface BenchApp {
  /** http://127.0.0.1:PORT */
  url: string;
  db: Db;
  dataDir: string;
  /** `centre0001`, as typed on the kiosk. */
  centre: string;
  /** Fresh available tokens (canonical codes), one per simulated candidate. */
  codes: string[];
  /** Questions drawn per exam for those tokens. */
  questionCount: number;
  close(): Promise<void>;
}

/**
 * The real application as production runs it (NODE_ENV=production: templates cached), on a fresh
 * temporary data folder seeded with the demo data plus `tokenCount` tokens, with the system clock,
 * no browser, no logger, listening on 127.0.0.1 on a free port.
 */
export async function startBenchApp(tokenCount: number): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-bench-'));
  let db: Db | null = null;
  let app: FastifyInstance | null = null;
  const close = async () => {
    if (app) await app.close();
    if (db) await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '3000' });
    db = (await openMigratedDatabase(dataDir)).db;
    const demo = await seedDemo(db.kysely, systemClock, generateDemoPassword());
    if (demo.warnings.length > 0) throw new Error(`demo seed: ${demo.warnings.join(' ; ')}`);
    const tokens = await generateTokens(db.kysely, systemClock, { centreId: demo.centre, profile: BENCH_PROFILE, count: tokenCount, actorLabel: 'bench' });
    if (!tokens.ok) throw new Error(`generate-tokens: ${tokens.message}`);
    const questionnaire = await db.kysely.selectFrom('questionnaires').select('rules').where('id', '=', tokens.questionnaire.id).executeTakeFirstOrThrow();
    const questionCount = (JSON.parse(questionnaire.rules) as ExamRules).questionCount;

    app = await buildApp(config, { db, sessionSecret: randomBytes(32).toString('hex'), clock: systemClock, browserPath: null, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, db, dataDir, centre: demo.centre, codes: tokens.codes, questionCount, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export const BARE_FRAGMENT = '<span class="k-saved">Réponse enregistrée.</span>';

/**
 * The reference: a bare Fastify instance whose POST route (same path shape as the kiosk's) parses
 * the same urlencoded body and returns a constant fragment. No session, no CSRF, no database.
 */
export async function startBareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const bare = Fastify({ logger: false });
  await bare.register(fastifyFormbody);
  bare.post('/examen/question/:n', async (_request, reply) => reply.type('text/html; charset=utf-8').send(BARE_FRAGMENT));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const { port } = bare.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => bare.close() };
}
