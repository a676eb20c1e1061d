import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../../src/app.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import type { Db } from '../../src/db/connection.js';
import type { Database } from '../../src/db/schema.js';
import { formatAdmissionCode } from '../../src/domain/admission-code.js';
import { parseCentreId } from '../../src/domain/centre-id.js';
import type { ExamRules } from '../../src/domain/rules.js';
import { BATCH_MAX } from '../../src/domain/token-batch.js';
import { openMigratedDatabase } from '../../src/operator/open.js';
import { generateTokens } from '../../src/operator/generate-tokens.js';
import { generateDemoPassword, seedDemo } from '../../src/operator/seed-demo.js';
import { renewAdmissionCode } from '../../src/services/exam/admission.js';
import { findOpenSessions } from '../../src/services/exam/sessions.js';

/** The profile whose tokens the benchmarks use (the demo bank draws 30 questions). */
export const BENCH_PROFILE = 'operateur';

export interface BenchApp extends BenchSeed {
  /** http://127.0.0.1:PORT */
  url: string;
  db: Db;
  dataDir: string;
  close(): Promise<void>;
}

/** What the benchmarks find in a freshly seeded database: the demo's centre and open session, and tokens for the candidates. */
export interface BenchSeed {
  /** `centre0001`, as typed on the kiosk. */
  centre: string;
  /** The admission code of the centre's open session, as the room view prints it (`K7QF-93MW`): typed once on each terminal. */
  admissionCode: string;
  /** Fresh available tokens (canonical codes), one per simulated candidate. */
  codes: string[];
  /** Questions drawn per exam for those tokens. */
  questionCount: number;
}

/**
 * Seeds a migrated, empty database with the demo data (the centre's session of today, open) plus
 * `tokenCount` operator tokens, in tables of BATCH_MAX (the most one table holds, as for the
 * operator's CLI). The session's admission code is read from the database, renewed if it has
 * expired or is about to.
 */
export async function seedBenchDatabase(db: Kysely<Database>, tokenCount: number): Promise<BenchSeed> {
  const demo = await seedDemo(db, systemClock, generateDemoPassword());
  if (demo.warnings.length > 0) throw new Error(`demo seed: ${demo.warnings.join(' ; ')}`);
  const codes: string[] = [];
  let questionnaireId: number | null = null;
  while (codes.length < tokenCount) {
    const count = Math.min(BATCH_MAX, tokenCount - codes.length);
    const tokens = await generateTokens(db, systemClock, { centreId: demo.centre, profile: BENCH_PROFILE, count, actorLabel: 'bench' });
    if (!tokens.ok) throw new Error(`generate-tokens: ${tokens.message}`);
    codes.push(...tokens.codes);
    questionnaireId = tokens.questionnaire.id;
  }
  if (questionnaireId === null) throw new Error('no tokens asked for');
  const questionnaire = await db.selectFrom('questionnaires').select('rules').where('id', '=', questionnaireId).executeTakeFirstOrThrow();
  const questionCount = (JSON.parse(questionnaire.rules) as ExamRules).questionCount;
  const admissionCode = await openSessionAdmissionCode(db, demo.centre);
  return { centre: demo.centre, admissionCode, codes, questionCount };
}

/**
 * The real application as production runs it (NODE_ENV=production: templates cached), on a fresh
 * temporary data folder and a database seeded by seedBenchDatabase, with the system clock, no
 * browser, no logger, listening on 127.0.0.1 on a free port. The database is the folder's SQLite
 * file, or the empty PostgreSQL database `databaseUrl` names (the caller makes and drops it).
 */
export async function startBenchApp(tokenCount: number, options: { databaseUrl?: string } = {}): Promise<BenchApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-bench-'));
  let db: Db | null = null;
  let app: FastifyInstance | null = null;
  const close = async () => {
    if (app) await app.close();
    if (db) await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const databaseUrl = options.databaseUrl ?? null;
    const config = loadConfig({
      DATA_DIR: dataDir,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '3000',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    });
    db = (await openMigratedDatabase({ dataDir, databaseUrl })).db;
    const seed = await seedBenchDatabase(db.kysely, tokenCount);

    app = await buildApp(config, { db, sessionSecret: randomBytes(32).toString('hex'), clock: systemClock, browserPath: null, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, db, dataDir, ...seed, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Margin before the code's expiry: a code about to expire is renewed, so that it still admits when the terminals use it. */
const ADMISSION_CODE_MARGIN_MS = 10 * 60_000;

/**
 * The code that admits terminals to the centre's open session of today, as the supervisor reads it
 * on the room view: the one drawn at the session's opening, or a new one (renewAdmissionCode, as
 * the supervisor asks for one) when it is missing or expires within ADMISSION_CODE_MARGIN_MS.
 */
async function openSessionAdmissionCode(db: Kysely<Database>, centre: string): Promise<string> {
  const centreId = parseCentreId(centre);
  if (centreId === null) throw new Error(`not a centre ID: ${centre}`);
  const [session] = await findOpenSessions(db, centreId, systemClock.now());
  if (!session) throw new Error(`no open session today in ${centre}`);
  const valid = async () => {
    const row = await db
      .selectFrom('exam_sessions')
      .select('admission_code')
      .where('id', '=', session.id)
      .where('admission_code_expires_at', '>', new Date(systemClock.now().getTime() + ADMISSION_CODE_MARGIN_MS).toISOString())
      .executeTakeFirst();
    return row?.admission_code ?? null;
  };
  let code = await valid();
  if (code === null) {
    await renewAdmissionCode(db, systemClock, session.id);
    code = await valid();
  }
  if (code === null) throw new Error(`session ${session.id}: no valid admission code after renewal`);
  return formatAdmissionCode(code);
}

export const BARE_FRAGMENT = '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>';

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
