/**
 * The national figures on /admin (issue 15) on a national-size history, measured against a
 * reference in the same run:
 *
 * 1. the history of the results bench (bench/lib/history-seed.ts): 2,000 centres, 100,000 finished
 *    exams over 5 years, 10,000 in the demo's centre0001, and the monthly counters (exam_figures) as
 *    the exam and token lifecycles keep them. Before anything is timed, the counters are checked
 *    against a recount of the exams and token batches themselves (one GROUP BY each);
 * 2. server time (Fastify's reply.elapsedTime in an onResponse hook) of GET /admin (the default 12
 *    months), of GET /admin over the whole history, of GET /admin/centres/1/chiffres (the big centre
 *    beside the national figures) over the whole history and of GET /admin/chiffres.csv for 12
 *    months, over HTTP on loopback with the demo administrator's cookie (signed in with the password,
 *    then the second factor enrolled as its owner would), against the reference: the bare indexed
 *    lookup of one exam (`select * from exams where id = ?`) through the app's own Kysely instance,
 *    timed around its await. The subjects take turns within each round, so that noise weighs on all
 *    alike. Target: the pages' p99 ≤ 100 ms. The dashboard's SQL, captured from the app's own query
 *    functions, is printed with its plan and its time alone: the counters, and `exams` only through
 *    the index of unfinished exams (the exams running now).
 *
 * Every response is checked (status; the figures printed on the pages and the CSV's rows and sums
 * against the recount); a wrong one makes the run invalid (exit code 1). The figures are printed,
 * never asserted. Runs alone with `npx tsx bench/figures.ts`, or as `npm run bench -- figures`.
 *
 * Optional: BENCH_HISTORY_EXAMS (default 100000; centres = exams ÷ 50, centre0001 = exams ÷ 10),
 * BENCH_FIGURES_ROUNDS (300).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { getCentre } from '../src/areas/admin/centres/queries.js';
import { centreCounters, figuresRows, firstFiguresMonth, monthCounters, nationalCounts, versionRefs } from '../src/areas/admin/dashboard/queries.js';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { DATABASE_FILE, type SqliteDb } from '../src/db/connection.js';
import type { Database, ExamFiguresTable } from '../src/db/schema.js';
import { DEFAULT_PERIOD_MONTHS } from '../src/domain/figures.js';
import { addMonths, monthsBetween, parisMonth } from '../src/domain/paris-time.js';
import { openMigratedDatabase } from '../src/operator/open.js';
import { DEMO_ADMIN_EMAIL, generateDemoPassword, seedDemo } from '../src/operator/seed-demo.js';
import { ENROLMENT_PATH } from '../src/plugins/auth.js';
import { currentTotp } from '../src/services/accounts/second-factor.js';
import { seedHistory, type SeededHistory } from './lib/history-seed.js';
import { KioskTerminal } from './lib/kiosk-client.js';
import { fmt, percentile, sleep, timings, type Timings } from './lib/stats.js';
import { intFromEnv } from './lib/env.js';

/** The dashboard pages' p99 server time must stay within this (issue 15). */
export const FIGURES_P99_TARGET_MS = 100;
const BIG_CENTRE_ID = 1;
/** What a browser sends: the pages go out compressed as they would. */
const ACCEPT_ENCODING = 'gzip, deflate, br';
/** The index the dashboard may read `exams` through: the exams running now, a handful. */
const UNFINISHED_INDEX = 'exams_unfinished_deadline';

export interface FiguresOptions {
  exams: number;
  centres: number;
  bigCentreExams: number;
  rounds: number;
  warmupRounds: number;
}

export function figuresOptionsFromEnv(): FiguresOptions {
  const exams = intFromEnv('BENCH_HISTORY_EXAMS', 100_000, 5_000, 1_000_000);
  return {
    exams,
    centres: Math.round(exams / 50),
    bigCentreExams: Math.round(exams / 10),
    rounds: intFromEnv('BENCH_FIGURES_ROUNDS', 300, 20, 5_000),
    warmupRounds: 10,
  };
}

/** One SQL statement a page runs, its plan, its time alone (better-sqlite3, prepared once), and the rows it returns. */
export interface QueryPlan {
  label: string;
  sql: string;
  plan: string[];
  p50Ms: number;
  rows: number;
  /** Whether it reads `exams` other than through the index of unfinished exams. */
  readsExams: boolean;
}

export interface Subject {
  name: string;
  /** What the page is, for the report; null for the reference. */
  url: string | null;
  /** A page the target applies to (the CSV is a download, reported beside). */
  page: boolean;
  server: Timings;
  roundTrip: Timings | null;
  bytes: number | null;
  /** The captured queries this request runs, by label (besides the session's and the account's). */
  queries: string[];
}

export interface FiguresResult {
  options: FiguresOptions;
  seeding: SeededHistory & { demoMs: number; databaseMiB: number; checkMs: number };
  /** The period of the whole history, and the default one. */
  whole: { from: string; to: string };
  recent: { from: string; to: string };
  expected: { recent: PeriodTotals; whole: PeriodTotals; centreWhole: PeriodTotals; csvRows: number };
  reference: Subject;
  subjects: Subject[];
  queries: QueryPlan[];
  problems: string[];
}

// --- The recount: what the counters must hold, from the exams and batches themselves ----------

interface Counters {
  finished: number;
  passed: number;
  cancelled: number;
  scoreSum: number;
  maximumSum: number;
  tokensIssued: number;
}

const zero = (): Counters => ({ finished: 0, passed: 0, cancelled: 0, scoreSum: 0, maximumSum: 0, tokensIssued: 0 });
const COLUMNS = ['finished', 'passed', 'cancelled', 'scoreSum', 'maximumSum', 'tokensIssued'] as const;

/**
 * The counters per `month|centre|questionnaire`, recounted: grouped by UTC hour in SQL (Paris is a
 * whole number of hours from UTC, so an hour lies in one Paris month), the month taken in JS by the
 * app's own parisMonth. Exams counted as the lifecycles count them: scored and not cancelled, or
 * cancelled (their finished_at set by the cancellation).
 */
function recount(db: SqliteDb): Map<string, Counters> {
  const counts = new Map<string, Counters>();
  const at = (hour: string, centreId: number, questionnaireId: number) => {
    const key = `${parisMonth(new Date(`${hour}:00:00.000Z`))}|${centreId}|${questionnaireId}`;
    let c = counts.get(key);
    if (!c) counts.set(key, (c = zero()));
    return c;
  };
  const exams = db.sqlite
    .prepare(
      `select centre_id, questionnaire_id, substr(started_at, 1, 13) as hour,
         sum(cancelled_at is null and score is not null) as finished,
         sum(case when cancelled_at is null and score is not null then passed else 0 end) as passed,
         sum(cancelled_at is not null) as cancelled,
         sum(case when cancelled_at is null then coalesce(score, 0) else 0 end) as score_sum,
         sum(case when cancelled_at is null then coalesce(maximum, 0) else 0 end) as maximum_sum
       from exams where finished_at is not null group by centre_id, questionnaire_id, hour`,
    )
    .all() as {
    centre_id: number;
    questionnaire_id: number;
    hour: string;
    finished: number;
    passed: number;
    cancelled: number;
    score_sum: number;
    maximum_sum: number;
  }[];
  for (const e of exams) {
    const c = at(e.hour, e.centre_id, e.questionnaire_id);
    c.finished += e.finished;
    c.passed += e.passed;
    c.cancelled += e.cancelled;
    c.scoreSum += e.score_sum;
    c.maximumSum += e.maximum_sum;
  }
  const batches = db.sqlite
    .prepare(
      `select centre_id, questionnaire_id, substr(created_at, 1, 13) as hour, sum(size) as size from token_batches group by centre_id, questionnaire_id, hour`,
    )
    .all() as { centre_id: number; questionnaire_id: number; hour: string; size: number }[];
  for (const b of batches) at(b.hour, b.centre_id, b.questionnaire_id).tokensIssued += b.size;
  return counts;
}

function counterProblems(db: SqliteDb, expected: Map<string, Counters>): string[] {
  const stored = db.sqlite
    .prepare(`select month, centre_id, questionnaire_id, finished, passed, cancelled, score_sum, maximum_sum, tokens_issued from exam_figures`)
    .all() as ExamFiguresTable[];
  const wrong: string[] = [];
  const seen = new Set<string>();
  for (const s of stored) {
    const key = `${s.month}|${s.centre_id}|${s.questionnaire_id}`;
    seen.add(key);
    const e = expected.get(key) ?? zero();
    const got: Counters = {
      finished: s.finished,
      passed: s.passed,
      cancelled: s.cancelled,
      scoreSum: s.score_sum,
      maximumSum: s.maximum_sum,
      tokensIssued: s.tokens_issued,
    };
    const off = COLUMNS.filter((k) => got[k] !== e[k]);
    if (off.length > 0) wrong.push(`${key}: ${off.map((k) => `${k} ${got[k]}, recount ${e[k]}`).join(', ')}`);
  }
  for (const key of expected.keys()) if (!seen.has(key)) wrong.push(`${key}: no counters row`);
  return wrong.length === 0 ? [] : [`exam_figures differs from the recount in ${wrong.length} rows, e.g. ${wrong.slice(0, 3).join(' ; ')}`];
}

export interface PeriodTotals extends Counters {
  activeCentres: number;
  rows: number;
}

function totalsOf(counts: Map<string, Counters>, from: string, to: string, centreId?: number): PeriodTotals {
  const totals: PeriodTotals = { ...zero(), activeCentres: 0, rows: 0 };
  const perCentre = new Map<number, number>();
  for (const [key, c] of counts) {
    const [month, centre] = key.split('|') as [string, string];
    if (month < from || month > to || (centreId !== undefined && Number(centre) !== centreId)) continue;
    for (const k of COLUMNS) totals[k] += c[k];
    totals.rows++;
    perCentre.set(Number(centre), (perCentre.get(Number(centre)) ?? 0) + c.finished);
  }
  totals.activeCentres = [...perCentre.values()].filter((n) => n > 0).length;
  return totals;
}

// --- What the pages print -----------------------------------------------------------------------

const digits = (text: string | undefined) => (text === undefined ? null : Number(text.replace(/\D/g, '')));

/** The tiles of views/admin/dashboard/figures.eta: label → value and detail. */
function tilesOf(body: string): Map<string, { value: string; detail: string }> {
  const tiles = new Map<string, { value: string; detail: string }>();
  const tile =
    /<p class="fr-tile__title">([^<]+)<\/p>\s*<p class="fr-tile__desc app-figure"><strong>([^<]*)<\/strong>(?: <span class="fr-text--sm">([^<]*)<\/span>)?/g;
  for (const m of body.matchAll(tile)) tiles.set(m[1]!, { value: m[2]!, detail: m[3] ?? '' });
  return tiles;
}

function pageProblem(body: string, expected: PeriodTotals, national: boolean): string | null {
  const tiles = tilesOf(body);
  const shown = {
    finished: digits(tiles.get('Examens notés')?.value),
    cancelled: digits(/([\d\s\u00a0]+) annulé/.exec(tiles.get('Examens notés')?.detail ?? '')?.[1]) ?? 0,
    passed: digits(/([\d\s\u00a0]+) admis/.exec(tiles.get('Taux de réussite')?.detail ?? '')?.[1]),
    tokensIssued: digits(tiles.get('Jetons générés')?.value),
    tokensUsed: digits(tiles.get('Jetons utilisés')?.value),
    ...(national ? { activeCentres: digits(tiles.get('Centres actifs')?.value) } : {}),
  };
  const want = {
    finished: expected.finished,
    cancelled: expected.cancelled,
    passed: expected.passed,
    tokensIssued: expected.tokensIssued,
    // No exam runs in the history: the tokens used are the exams scored and cancelled.
    tokensUsed: expected.finished + expected.cancelled,
    ...(national ? { activeCentres: expected.activeCentres } : {}),
  };
  const off = Object.entries(want).filter(([k, v]) => shown[k as keyof typeof shown] !== v);
  return off.length === 0 ? null : off.map(([k, v]) => `${k} shown ${shown[k as keyof typeof shown] ?? 'nowhere'}, expected ${v}`).join(', ');
}

/** Splits a `;` CSV line, quotes undone (src/domain/csv.ts quotes a field holding `;`, `"` or a line end). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  for (const m of line.matchAll(/(?:^|;)(?:"((?:[^"]|"")*)"|([^;]*))/g)) fields.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]!);
  return fields;
}

function csvProblem(body: string, expected: PeriodTotals): string | null {
  const lines = body.replace(/^\uFEFF/, '').split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  const header = csvFields(lines[0] ?? '');
  const column = (name: string) => header.indexOf(name);
  const [finished, cancelled, tokens] = [column('Examens notés'), column('Examens annulés'), column('Jetons générés')];
  if (finished < 0 || cancelled < 0 || tokens < 0) return `unexpected header « ${lines[0]} »`;
  const sum = (index: number) => lines.slice(1).reduce((total, line) => total + Number(csvFields(line)[index]), 0);
  const off = [
    ['rows', lines.length - 1, expected.rows],
    ['scored exams', sum(finished), expected.finished],
    ['cancelled', sum(cancelled), expected.cancelled],
    ['tokens issued', sum(tokens), expected.tokensIssued],
  ].filter(([, got, want]) => got !== want);
  return off.length === 0 ? null : off.map(([what, got, want]) => `${what} ${got}, expected ${want}`).join(', ');
}

// --- The dashboard's SQL, captured from the app's own query functions --------------------------

async function capturePlans(db: SqliteDb, recent: { from: string; to: string }, whole: { from: string; to: string }): Promise<QueryPlan[]> {
  const captured: { label: string; query: CompiledQuery }[] = [];
  let label = '';
  const logging = new Kysely<Database>({
    dialect: new SqliteDialect({ database: db.sqlite }),
    log: (event) => void captured.push({ label, query: event.query }),
  });
  const run = async (name: string, call: () => Promise<unknown>) => {
    const before = captured.length;
    label = name;
    await call();
    // A function of two statements names them in order.
    const added = captured.slice(before);
    if (added.length > 1) added.forEach((c, i) => (c.label = `${name} (${i + 1}/${added.length})`));
  };
  await run('firstFiguresMonth', () => firstFiguresMonth(logging));
  await run('nationalCounts', () => nationalCounts(logging));
  await run('versionRefs', () => versionRefs(logging));
  await run('monthCounters, national, 12 months', () => monthCounters(logging, recent));
  await run('monthCounters, national, whole', () => monthCounters(logging, whole));
  await run('monthCounters, centre0001, whole', () => monthCounters(logging, { ...whole, centreId: BIG_CENTRE_ID }));
  await run('centreCounters, 12 months', () => centreCounters(logging, recent));
  await run('centreCounters, whole', () => centreCounters(logging, whole));
  await run('getCentre', () => getCentre(logging, BIG_CENTRE_ID));
  await run('figuresRows, 12 months', () => figuresRows(logging, recent));
  // The logging instance is not destroyed: it would close the app's connection.
  return captured.map(({ label: name, query }) => {
    const parameters = query.parameters as unknown[];
    const plan = (db.sqlite.prepare(`explain query plan ${query.sql}`).all(...parameters) as { detail: string }[]).map((row) => row.detail);
    const statement = db.sqlite.prepare(query.sql);
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      rows = statement.all(...parameters).length;
      times.push(performance.now() - t0);
    }
    // `exams` by name or alias; exam_figures is another table.
    const readsExams = plan.some((line) => /\b(SCAN|SEARCH) exams\b/.test(line) && !line.includes(UNFINISHED_INDEX));
    return { label: name, sql: query.sql, plan, p50Ms: percentile(times, 50), rows, readsExams };
  });
}

// --- The administrator, signed in as a browser would --------------------------------------------

/**
 * Password, then the second factor the administration must have: the demo administrator has none
 * yet, so the app sends it to the enrolment page, whose key is read as a phone would scan it.
 */
async function signInAdmin(url: string, password: string): Promise<KioskTerminal> {
  const admin = new KioskTerminal(url);
  await admin.get('/connexion');
  const signIn = await admin.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: password });
  if (signIn.status !== 303 || !signIn.location) throw new Error(`admin sign-in: ${signIn.status} → ${signIn.location ?? '-'}`);
  const home = await admin.get(signIn.location);
  if (home.status !== 303 || home.location !== ENROLMENT_PATH) throw new Error(`admin home before enrolment: ${home.status} → ${home.location ?? '-'}`);
  const page = await admin.get(ENROLMENT_PATH);
  const shown = /class="app-enrolment-secret">([^<]+)</.exec(page.body);
  if (page.status !== 200 || !shown) throw new Error(`enrolment page: ${page.status}`);
  const secret = shown[1]!.replace(/[^A-Z2-7]/gi, '');
  const enrolled = await admin.post(ENROLMENT_PATH, { code: currentTotp(secret, systemClock) });
  if (enrolled.status !== 200) throw new Error(`enrolment refused: ${enrolled.status}`);
  const dashboard = await admin.get('/admin');
  if (dashboard.status !== 200 || !dashboard.body.includes('Chiffres de la plateforme')) throw new Error(`GET /admin after enrolment: ${dashboard.status}`);
  return admin;
}

const mib = (bytes: number) => bytes / 1024 / 1024;

export async function benchFigures(options: FiguresOptions): Promise<FiguresResult> {
  const problems: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-bench-figures-'));
  let db: SqliteDb | null = null;
  let app: FastifyInstance | null = null;
  try {
    // 1. The history, and its counters checked against a recount.
    const d0 = performance.now();
    const opened = (await openMigratedDatabase({ dataDir, databaseUrl: null })).db;
    // The query plans and statement timings below are SQLite's.
    if (opened.kind !== 'sqlite') throw new Error('the figures bench runs on SQLite');
    db = opened;
    const password = generateDemoPassword();
    const demo = await seedDemo(db.kysely, systemClock, password);
    if (demo.warnings.length > 0) throw new Error(`demo seed: ${demo.warnings.join(' ; ')}`);
    const demoMs = performance.now() - d0;
    console.log(`  seeding ${fmt(options.exams)} finished exams over ${fmt(options.centres)} centres (${fmt(options.bigCentreExams)} in ${demo.centre})…`);
    const history = await seedHistory(db, systemClock.now(), {
      centres: options.centres,
      exams: options.exams,
      bigCentreExams: options.bigCentreExams,
      bigCentreId: BIG_CENTRE_ID,
      years: 5,
      seed: 'bench/figures',
    });
    const databaseMiB = mib(statSync(join(dataDir, DATABASE_FILE)).size);
    console.log(
      `  seeded in ${fmt(history.ms.total / 1000, 1)} s, ${fmt(history.sessions)} sessions, ${fmt(history.batches)} token batches, ` +
        `${fmt(history.figuresRows)} counters rows; database ${fmt(databaseMiB)} MiB`,
    );
    const k0 = performance.now();
    const counts = recount(db);
    problems.push(...counterProblems(db, counts));
    const checkMs = performance.now() - k0;
    const all = totalsOf(counts, '0000-00', '9999-99');
    if (all.finished + all.cancelled !== history.exams || all.cancelled !== history.cancelled) {
      problems.push(`recount: ${all.finished} scored and ${all.cancelled} cancelled, the seed wrote ${history.exams} exams, ${history.cancelled} cancelled`);
    }
    const currentMonth = parisMonth(systemClock.now());
    const months = [...counts.keys()].map((k) => k.slice(0, 7)).sort();
    const whole = { from: months[0] ?? currentMonth, to: currentMonth };
    const recent = { from: addMonths(currentMonth, 1 - DEFAULT_PERIOD_MONTHS), to: currentMonth };
    const expected = {
      recent: totalsOf(counts, recent.from, recent.to),
      whole: totalsOf(counts, whole.from, whole.to),
      centreWhole: totalsOf(counts, whole.from, whole.to, BIG_CENTRE_ID),
      csvRows: 0,
    };
    expected.csvRows = expected.recent.rows;
    console.log(
      `  counters checked against the recount in ${fmt(checkMs)} ms: ${fmt(counts.size)} rows, ${monthsBetween(whole.from, whole.to).length} months ` +
        `(${whole.from} to ${whole.to})${problems.length > 0 ? ' — WRONG' : ''}`,
    );

    // 2. The app as production runs it, its server time taken by a hook.
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '3000' });
    app = await buildApp(config, { db, sessionSecret: randomBytes(32).toString('hex'), clock: systemClock, browserPath: null, logger: false });
    const served = new Map<string, number>();
    app.addHook('onResponse', (request, reply, done) => {
      const id = request.headers['x-bench-request'];
      if (typeof id === 'string') served.set(id, reply.elapsedTime);
      done();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const cookie = (await signInAdmin(url, password)).cookieHeader;

    let nextId = 0;
    const get = async (path: string) => {
      const id = `f${++nextId}`;
      const t0 = performance.now();
      const res = await fetch(url + path, { headers: { cookie, 'accept-encoding': ACCEPT_ENCODING, 'x-bench-request': id }, redirect: 'manual' });
      const body = await res.text();
      const roundTrip = performance.now() - t0;
      for (let i = 0; i < 200 && !served.has(id); i++) await sleep(1);
      const server = served.get(id);
      served.delete(id);
      if (server === undefined) throw new Error(`no onResponse for ${path}`);
      return { status: res.status, body, roundTrip, server };
    };

    const period = (p: { from: string; to: string }) => `du=${p.from}&au=${p.to}`;
    const pages = [
      {
        name: `/admin, default ${DEFAULT_PERIOD_MONTHS} months`,
        path: '/admin',
        page: true,
        check: (body: string) => pageProblem(body, expected.recent, true),
        queries: ['firstFiguresMonth', 'nationalCounts', 'monthCounters, national, 12 months', 'versionRefs', 'centreCounters, 12 months'],
      },
      {
        name: '/admin, whole history',
        path: `/admin?${period(whole)}`,
        page: true,
        check: (body: string) => pageProblem(body, expected.whole, true),
        queries: ['firstFiguresMonth', 'nationalCounts', 'monthCounters, national, whole', 'versionRefs', 'centreCounters, whole'],
      },
      {
        name: 'centre0001 beside national, whole',
        path: `/admin/centres/${BIG_CENTRE_ID}/chiffres?${period(whole)}`,
        page: true,
        check: (body: string) => pageProblem(body, expected.centreWhole, false),
        queries: ['getCentre', 'firstFiguresMonth', 'monthCounters, centre0001, whole', 'monthCounters, national, whole', 'versionRefs'],
      },
      {
        name: `CSV, ${DEFAULT_PERIOD_MONTHS} months`,
        path: `/admin/chiffres.csv?${period(recent)}`,
        page: false,
        check: (body: string) => csvProblem(body, expected.recent),
        queries: ['firstFiguresMonth', 'figuresRows, 12 months'],
      },
    ];
    // The exams of the reference: a spread of the table.
    const sample = Array.from({ length: 200 }, (_, i) => 1 + Math.floor((i * history.exams) / 200));
    const samples = new Map<string, { server: number[]; roundTrip: number[] }>();
    const bytes = new Map<string, number>();
    const checked = new Set<string>();
    const REFERENCE = 'bare lookup of one exam by id (Kysely)';

    const steps = (round: number) => [
      async () => {
        const id = sample[round % sample.length]!;
        const t0 = performance.now();
        const row = await db!.kysely.selectFrom('exams').selectAll().where('id', '=', id).executeTakeFirst();
        const ms = performance.now() - t0;
        if (row?.id !== id) problems.push(`lookup of exam ${id}: not found`);
        return { name: REFERENCE, server: ms, roundTrip: null };
      },
      ...pages.map((p) => async () => {
        const res = await get(p.path);
        // The figures do not change between rounds: the first response is read, every status checked.
        if (res.status !== 200) problems.push(`${p.name}: status ${res.status}`);
        else if (!checked.has(p.name)) {
          checked.add(p.name);
          bytes.set(p.name, Buffer.byteLength(res.body));
          const wrong = p.check(res.body);
          if (wrong) problems.push(`${p.name}: ${wrong}`);
        }
        return { name: p.name, server: res.server, roundTrip: res.roundTrip };
      }),
    ];

    const perRound = pages.length + 1;
    console.log(`  ${options.warmupRounds} warm-up rounds, then ${options.rounds} rounds of ${perRound} requests (the subjects take turns)…`);
    const r0 = performance.now();
    for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
      const list = steps(round);
      for (let k = 0; k < list.length; k++) {
        const s = await list[(round + k) % list.length]!();
        if (round < options.warmupRounds) continue;
        let entry = samples.get(s.name);
        if (!entry) samples.set(s.name, (entry = { server: [], roundTrip: [] }));
        entry.server.push(s.server);
        if (s.roundTrip !== null) entry.roundTrip.push(s.roundTrip);
      }
      if (problems.length > 20) throw new Error(`too many problems: ${problems.slice(0, 3).join(' ; ')}`);
    }
    console.log(`  measured in ${fmt((performance.now() - r0) / 1000, 1)} s`);

    const subjectOf = (name: string, url: string | null, page: boolean, queries: string[]): Subject => {
      const s = samples.get(name)!;
      return {
        name,
        url,
        page,
        server: timings(s.server),
        roundTrip: s.roundTrip.length > 0 ? timings(s.roundTrip) : null,
        bytes: bytes.get(name) ?? null,
        queries,
      };
    };
    return {
      options,
      seeding: { ...history, demoMs, databaseMiB, checkMs },
      whole,
      recent,
      expected,
      reference: subjectOf(REFERENCE, null, false, []),
      subjects: pages.map((p) => subjectOf(p.name, `GET ${p.path}`, p.page, p.queries)),
      queries: await capturePlans(db, recent, whole),
      problems,
    };
  } finally {
    if (app) await app.close();
    if (db) await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- The report ---------------------------------------------------------------------------------

export function figuresVerdict(r: FiguresResult): { worstP99: number; pass: boolean } {
  const worstP99 = Math.max(...r.subjects.filter((s) => s.page).map((s) => s.server.p99));
  return { worstP99, pass: worstP99 <= FIGURES_P99_TARGET_MS };
}

/** The p50 of the statements a request runs, each alone, summed: what is left of its server time is not SQL. */
function sqlAlone(r: FiguresResult, subject: Subject): number {
  const runs = (q: QueryPlan) => subject.queries.some((name) => q.label === name || q.label.startsWith(`${name} (`));
  return r.queries.filter(runs).reduce((total, q) => total + q.p50Ms, 0);
}

export function describeFigures(r: FiguresResult): string[] {
  const s = r.seeding;
  const t = (x: Timings) => `p50 ${fmt(x.p50, 2)} · p95 ${fmt(x.p95, 2)} · p99 ${fmt(x.p99, 2)} · max ${fmt(x.max, 1)} ms`;
  const ref = r.reference.server;
  const verdict = figuresVerdict(r);
  const lines = [
    `National figures — ${fmt(s.exams)} finished exams (${fmt(s.passed)} passed, ${fmt(s.cancelled)} cancelled) over ${fmt(s.centres)} centres, ` +
      `${fmt(s.sessions)} sessions and ${fmt(s.batches)} token batches, ${s.firstDay} to ${s.lastDay}; ${fmt(s.figuresRows)} counters rows; database ${fmt(s.databaseMiB)} MiB`,
    `  seeding           ${fmt((s.demoMs + s.ms.total) / 1000, 1)} s (migrations and demo ${fmt(s.demoMs / 1000, 1)} s); counters = recount (checked in ${fmt(s.checkMs)} ms)`,
    `  periods           12 months ${r.recent.from} to ${r.recent.to}: ${fmt(r.expected.recent.finished)} scored exams, ${fmt(r.expected.recent.activeCentres)} active centres, ` +
      `${fmt(r.expected.recent.rows)} counters rows; whole ${r.whole.from} to ${r.whole.to}: ${fmt(r.expected.whole.finished)} scored, ` +
      `${fmt(r.expected.whole.activeCentres)} centres, ${fmt(r.expected.whole.rows)} rows (centre0001: ${fmt(r.expected.centreWhole.finished)} scored)`,
    `  server time       ${r.options.rounds} requests each after ${r.options.warmupRounds} rounds of warm-up:`,
    `  ${'reference'.padEnd(36)}${t(ref)}   (${r.reference.name})`,
  ];
  for (const subject of r.subjects) {
    const sql = sqlAlone(r, subject);
    lines.push(
      `  ${subject.name.padEnd(36)}${t(subject.server)}   ratio ${fmt(ref.p50 / subject.server.p50, 4)} (${fmt(subject.server.p50 / ref.p50)}× the lookup)` +
        ` · p99 ≤ ${FIGURES_P99_TARGET_MS} ms: ${subject.server.p99 <= FIGURES_P99_TARGET_MS ? 'PASS' : 'BELOW TARGET'}${subject.page ? '' : ' (a download: beside the target)'}`,
      `  ${''.padEnd(36)}round trip p50 ${fmt(subject.roundTrip?.p50 ?? Number.NaN, 2)} ms · ${fmt((subject.bytes ?? 0) / 1024, 1)} KiB decoded · ` +
        `its SQL alone ${fmt(sql, 2)} ms (p50s summed), the rest ${fmt(subject.server.p50 - sql, 2)} ms · ${subject.url}`,
    );
  }
  lines.push('  the dashboard’s SQL (captured from src/areas/admin/dashboard/queries.ts), p50 alone over 21 runs, rows returned, plan:');
  for (const q of r.queries) {
    lines.push(
      `      ${q.label}: ${fmt(q.p50Ms, 2)} ms, ${fmt(q.rows)} rows — ${q.plan.join(' ; ')}${q.readsExams ? `   ← exams, not through ${UNFINISHED_INDEX}` : ''}`,
    );
  }
  const scanning = r.queries.filter((q) => q.readsExams);
  lines.push(
    `  exams             ${scanning.length === 0 ? `read only through ${UNFINISHED_INDEX} (the exams running now)` : `read other than through ${UNFINISHED_INDEX} by ${scanning.map((q) => q.label).join(', ')}`}`,
    `  pages p99         worst ${fmt(verdict.worstP99, 1)} ms (target ≤ ${FIGURES_P99_TARGET_MS} ms) → ${verdict.pass ? 'PASS' : 'BELOW TARGET'}`,
  );
  return lines;
}

async function main(): Promise<void> {
  const options = figuresOptionsFromEnv();
  const started = Date.now();
  console.log(`QCM-AIPR national figures benchmark — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'})`);
  const result = await benchFigures(options);
  console.log('\n=== Summary ===');
  for (const line of describeFigures(result)) console.log(line);
  if (result.problems.length > 0) {
    console.log('\nProblems (the run is not valid):');
    for (const p of result.problems) console.log(`  - ${p}`);
    process.exitCode = 1;
  }
  console.log(`\nDone in ${fmt((Date.now() - started) / 1000, 1)} s.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
