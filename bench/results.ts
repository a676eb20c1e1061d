/**
 * A centre's results across all its sessions (issue 12) on a national-size history, each measured
 * against a reference in the same run:
 *
 * 1. the history: 2,000 centres, 100,000 finished exams over 5 years, 10,000 of them in the demo's
 *    centre0001 (bench/lib/history-seed.ts: bulk SQL, every column as the app writes it);
 * 2. server time (Fastify's reply.elapsedTime in an onResponse hook) of GET /centre/resultats for
 *    centre0001 — with a filter (« mar », admis, two calendar years) on its first and last pages, with
 *    « mar » alone, and without a filter on its first and last pages — and of GET /centre/examens/:id
 *    (the candidate record), over HTTP on loopback with the manager's cookie, against the reference:
 *    the bare indexed lookup of one exam (`select * from exams where id = ?`) through the app's own
 *    Kysely instance, timed around its await. The subjects take turns within each round, so that
 *    noise weighs on all alike. Target: the list's p99 ≤ 50 ms. The query plans of the list's SQL
 *    (captured from the app's own query functions), and its time alone, are printed;
 * 3. GET /centre/resultats.csv of the 10,000 exams, and of about 1,000 (a period), alternating (then
 *    the 10,000 with gzip alone and uncompressed), downloaded by a child process
 *    (bench/lib/csv-download.ts) as a stream: time to the first byte and to the last, rows counted
 *    against the seeded data, and the memory of this process (the server's) sampled every 5 ms during
 *    each download after a full GC. Target: memory flat in the rows (CSV_MEMORY_TARGET_RATIO).
 *
 * Every response is checked (status, rows listed, totals against the seeded data, the CSV's rows and
 * header, the export's audit row); a wrong one makes the run invalid (exit code 1). The figures are
 * printed, never asserted. Runs alone with `npx tsx bench/results.ts`.
 *
 * Optional: BENCH_HISTORY_EXAMS (default 100000; centres = exams ÷ 50, centre0001 = exams ÷ 10),
 * BENCH_RESULTS_ROUNDS (300), BENCH_CSV_ROUNDS (3).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { countResults, listResults, resultsInChunks } from '../src/areas/centre/results/queries.js';
import { buildApp } from '../src/app.js';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { DATABASE_FILE, type SqliteDb } from '../src/db/connection.js';
import type { Database } from '../src/db/schema.js';
import { addDays, parisDate, parisStartOfDay } from '../src/domain/paris-time.js';
import { RESULTS_PAGE_SIZE, readResultsFilter, type ResultsQuery } from '../src/domain/results-filter.js';
import { openMigratedDatabase } from '../src/operator/open.js';
import { DEMO_MANAGER_EMAIL, generateDemoPassword, seedDemo } from '../src/operator/seed-demo.js';
import { DEMO_SIGNATORY } from '../src/operator/seed-demo-history.js';
import { startDownloader, type DownloadFigures } from './lib/csv-download.js';
import { seedHistory, type SeededExam, type SeededHistory } from './lib/history-seed.js';
import { KioskTerminal } from './lib/kiosk-client.js';
import { fmt, percentile, sleep, timings, type Timings } from './lib/stats.js';
import { intFromEnv } from './lib/env.js';

/** The list page's p99 server time must stay within this (issue 12). */
export const LIST_P99_TARGET_MS = 50;
/**
 * Memory is flat when the 10,000-row export grows the old space by at most this many times what the
 * ~1,000-row one does (a growth under 1 MiB counting as 1 MiB: noise). The old space, not heapUsed:
 * heapUsed peaks at the young generation's size (~16 MiB) whatever the rows, while what a download
 * kept to its end (rows, or the file) would survive the scavenges and land in the old space.
 */
export const CSV_MEMORY_TARGET_RATIO = 2;
/** What the manager types in the search field: three letters, found in Martin, Marchand, Marie, Lemarchand… */
export const SEARCH_FRAGMENT = 'mar';
const BIG_CENTRE_ID = 1;
/** What a browser sends: the pages and the CSV are compressed as they would be (@fastify/compress then picks br). */
const ACCEPT_ENCODING = 'gzip, deflate, br';
/**
 * Each round of CSV downloads: ~1,000 and 10,000 rows as a browser asks for them (memory compared
 * between these two), then the 10,000 with gzip alone and uncompressed, to see what the encoding
 * does to the first byte.
 */
const CSV_DOWNLOADS: readonly { kind: 'small' | 'large'; acceptEncoding: string }[] = [
  { kind: 'small', acceptEncoding: ACCEPT_ENCODING },
  { kind: 'large', acceptEncoding: ACCEPT_ENCODING },
  { kind: 'large', acceptEncoding: 'gzip' },
  { kind: 'large', acceptEncoding: 'identity' },
];

export interface ResultsOptions {
  exams: number;
  centres: number;
  bigCentreExams: number;
  rounds: number;
  warmupRounds: number;
  csvRounds: number;
}

export function resultsOptionsFromEnv(): ResultsOptions {
  const exams = intFromEnv('BENCH_HISTORY_EXAMS', 100_000, 5_000, 1_000_000);
  return {
    exams,
    centres: Math.round(exams / 50),
    bigCentreExams: Math.round(exams / 10),
    rounds: intFromEnv('BENCH_RESULTS_ROUNDS', 300, 20, 5_000),
    warmupRounds: 10,
    csvRounds: intFromEnv('BENCH_CSV_ROUNDS', 3, 1, 20),
  };
}

/** One SQL statement a page runs, its plan, and its time alone (better-sqlite3, prepared once). */
export interface QueryPlan {
  label: string;
  sql: string;
  parameters: readonly unknown[];
  plan: string[];
  p50Ms: number;
}

export interface Subject {
  name: string;
  url: string | null;
  server: Timings;
  /** From the client's fetch to the end of the body (same process, loopback). */
  roundTrip: Timings | null;
  expectedTotal: number | null;
  page: number | null;
  pages: number | null;
  htmlBytes: number | null;
  queries: QueryPlan[];
}

export interface CsvRun {
  kind: 'large' | 'small';
  /** What the client accepted (the server's choice is figures.contentEncoding). */
  acceptEncoding: string;
  round: number;
  expectedRows: number;
  figures: DownloadFigures;
  serverMs: number;
  /** The server's onResponse (the last byte handed to the socket), epoch ms. */
  serverEndAt: number;
  /**
   * This process's memory, after a full GC and at its peak during the download. heapUsed counts the
   * young generation's garbage until it is scavenged; the old space only what survived two
   * scavenges: rows kept for the whole download would show there.
   */
  memory: {
    samples: number;
    baselineHeapMiB: number;
    peakHeapMiB: number;
    baselineOldMiB: number;
    peakOldMiB: number;
    baselineRssMiB: number;
    peakRssMiB: number;
    peakExternalMiB: number;
  };
}

export interface ResultsResult {
  options: ResultsOptions;
  seeding: SeededHistory & { demoMs: number; databaseMiB: number };
  filterQuery: ResultsQuery;
  smallCsvQuery: ResultsQuery;
  reference: Subject;
  subjects: Subject[];
  csv: CsvRun[];
  /** The export's chunk queries (its count is the list's). */
  csvQueries: QueryPlan[];
  gcExposed: boolean;
  problems: string[];
}

// --- What the pages must show, from the seeded data alone -------------------------------------

/** The exams of the seeded centre that `query` keeps, as the filter reads it (domain/results-filter.ts). */
function expectedOf(exams: SeededExam[], query: ResultsQuery): SeededExam[] {
  const { filter } = readResultsFilter(query);
  const from = filter.from ? parisStartOfDay(filter.from).toISOString() : null;
  const to = filter.to ? parisStartOfDay(addDays(filter.to, 1)).toISOString() : null;
  const words = filter.words?.split(' ') ?? [];
  return exams.filter(
    (e) =>
      (!from || e.startedAt >= from) &&
      (!to || e.startedAt < to) &&
      (!filter.profile || e.profile === filter.profile) &&
      (!filter.verdict ||
        (filter.verdict === 'cancelled'
          ? e.cancelled
          : filter.verdict === 'passed'
            ? !e.cancelled && e.passed
            : filter.verdict === 'failed' && !e.cancelled && !e.passed)) &&
      words.every((w) => e.searchKey.includes(w)),
  );
}

const frenchDay = (date: string) => date.split('-').reverse().join('/');
const mib = (bytes: number) => bytes / 1024 / 1024;

function listProblem(body: string, expectedTotal: number, page: number, pages: number): string | null {
  const total = /([\d\s\u00a0\u202f]+) examens? trouvés?/.exec(body);
  const shownTotal = total ? Number(total[1]!.replace(/\D/g, '')) : null;
  if (shownTotal !== expectedTotal) return `shows ${shownTotal ?? 'no'} exams found, expected ${expectedTotal}`;
  const rows = body.split('<tr role="row"><td').length - 1;
  const expectedRows = Math.min(RESULTS_PAGE_SIZE, expectedTotal - (page - 1) * RESULTS_PAGE_SIZE);
  if (rows !== expectedRows) return `lists ${rows} rows, expected ${expectedRows}`;
  if (pages > 1 && !body.includes(`page ${page} sur ${pages}`)) return `does not say « page ${page} sur ${pages} »`;
  return null;
}

// --- The SQL of the list, captured from the app's own query functions -------------------------

async function capturePlans(db: SqliteDb, query: ResultsQuery, page: number, label: string, chunks = false): Promise<QueryPlan[]> {
  const captured: CompiledQuery[] = [];
  const logging = new Kysely<Database>({ dialect: new SqliteDialect({ database: db.sqlite }), log: (event) => void captured.push(event.query) });
  const { filter } = readResultsFilter(query);
  const labels: string[] = [];
  await countResults(logging, BIG_CENTRE_ID, filter);
  labels.push(`${label}: count`);
  await listResults(logging, BIG_CENTRE_ID, filter, page);
  labels.push(`${label}: page ${page}`);
  if (chunks) {
    let n = 0;
    for await (const _row of resultsInChunks(logging, BIG_CENTRE_ID, filter)) if (++n > 1000) break;
    labels.push(`${label}: CSV, first chunk`, `${label}: CSV, next chunks (keyset)`);
  }
  // The logging instance is not destroyed: it would close the app's connection.
  return captured.map((q, i) => {
    const parameters = q.parameters as unknown[];
    const plan = (db.sqlite.prepare(`explain query plan ${q.sql}`).all(...parameters) as { id: number; parent: number; detail: string }[]).map(
      (row) => row.detail,
    );
    const statement = db.sqlite.prepare(q.sql);
    const times: number[] = [];
    for (let run = 0; run < 21; run++) {
      const t0 = performance.now();
      statement.all(...parameters);
      times.push(performance.now() - t0);
    }
    return { label: labels[i] ?? label, sql: q.sql, parameters, plan, p50Ms: percentile(times, 50) };
  });
}

const oldSpaceUsed = () => getHeapSpaceStatistics().find((space) => space.space_name === 'old_space')?.space_used_size ?? 0;

/** `gc()` when this process can be given it, else null (the memory figures are then noisier). */
function exposeGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  }
}

export async function benchResults(options: ResultsOptions): Promise<ResultsResult> {
  const problems: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-bench-results-'));
  let db: SqliteDb | null = null;
  let app: FastifyInstance | null = null;
  const downloader = await startDownloader();
  try {
    // 1. The history.
    const d0 = performance.now();
    const opened = (await openMigratedDatabase({ dataDir, databaseUrl: null })).db;
    // The query plans and statement timings below are SQLite's.
    if (opened.kind !== 'sqlite') throw new Error('the results bench runs on SQLite');
    db = opened;
    const password = generateDemoPassword();
    const demo = await seedDemo(db.kysely, systemClock, password);
    if (demo.warnings.length > 0) throw new Error(`demo seed: ${demo.warnings.join(' ; ')}`);
    await db.kysely.updateTable('centres').set(DEMO_SIGNATORY).where('id', '=', BIG_CENTRE_ID).execute();
    const demoMs = performance.now() - d0;
    console.log(`  seeding ${fmt(options.exams)} finished exams over ${fmt(options.centres)} centres (${fmt(options.bigCentreExams)} in ${demo.centre})…`);
    const history = await seedHistory(db, systemClock.now(), {
      centres: options.centres,
      exams: options.exams,
      bigCentreExams: options.bigCentreExams,
      bigCentreId: BIG_CENTRE_ID,
      years: 5,
      seed: 'bench/results',
    });
    const databaseMiB = mib(statSync(join(dataDir, DATABASE_FILE)).size);
    console.log(
      `  seeded in ${fmt(history.ms.total / 1000, 1)} s (generation ${fmt(history.ms.generate / 1000, 1)} s, inserts ${fmt(history.ms.insert / 1000, 1)} s), ` +
        `${fmt(history.sessions)} sessions; database ${fmt(databaseMiB)} MiB`,
    );
    const exams = history.bigCentre;
    if (exams.length !== options.bigCentreExams) problems.push(`seed: ${exams.length} exams in ${demo.centre}, expected ${options.bigCentreExams}`);

    // 2. The app as production runs it, its server time taken by a hook.
    const config = loadConfig({ DATA_DIR: dataDir, NODE_ENV: 'production', HOST: '127.0.0.1', PORT: '3000' });
    app = await buildApp(config, { db, sessionSecret: randomBytes(32).toString('hex'), clock: systemClock, browserPath: null, logger: false });
    const served = new Map<string, { ms: number; at: number }>();
    app.addHook('onResponse', (request, reply, done) => {
      const id = request.headers['x-bench-request'];
      if (typeof id === 'string') served.set(id, { ms: reply.elapsedTime, at: performance.timeOrigin + performance.now() });
      done();
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

    // The centre's manager signs in with the password (a manager has no second factor here).
    const manager = new KioskTerminal(url);
    await manager.get('/connexion');
    const signIn = await manager.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: password });
    if (signIn.status !== 303 || signIn.location !== '/centre') throw new Error(`manager sign-in: ${signIn.status} → ${signIn.location ?? '-'}`);
    const cookie = manager.cookieHeader;

    let nextId = 0;
    const serverTime = async (id: string): Promise<{ ms: number; at: number }> => {
      for (let i = 0; i < 200 && !served.has(id); i++) await sleep(1);
      const s = served.get(id);
      served.delete(id);
      if (!s) throw new Error(`no onResponse for request ${id}`);
      return s;
    };
    const get = async (path: string) => {
      const id = `r${++nextId}`;
      const t0 = performance.now();
      const res = await fetch(url + path, { headers: { cookie, 'accept-encoding': ACCEPT_ENCODING, 'x-bench-request': id }, redirect: 'manual' });
      const body = await res.text();
      const roundTrip = performance.now() - t0;
      return { status: res.status, body, roundTrip, server: (await serverTime(id)).ms };
    };

    // The subjects.
    const year = Number(parisDate(systemClock.now()).slice(0, 4));
    const filterQuery: ResultsQuery = { recherche: SEARCH_FRAGMENT, resultat: 'admis', du: `01/01/${year - 2}`, au: `31/12/${year - 1}` };
    const filtered = expectedOf(exams, filterQuery).length;
    // The same three letters over the whole history: what a manager types first.
    const searchQuery: ResultsQuery = { recherche: SEARCH_FRAGMENT };
    const searched = expectedOf(exams, searchQuery).length;
    const pagesOf = (n: number) => Math.max(1, Math.ceil(n / RESULTS_PAGE_SIZE));
    const listUrl = (query: ResultsQuery, page: number) => {
      const params = new URLSearchParams(Object.entries(query) as [string, string][]);
      if (page > 1) params.set('page', String(page));
      const text = params.toString();
      return `/centre/resultats${text ? `?${text}` : ''}`;
    };
    const lists = [
      { name: `list, filter, page 1`, query: filterQuery, page: 1, total: filtered },
      { name: `list, filter, page ${pagesOf(filtered)} (last)`, query: filterQuery, page: pagesOf(filtered), total: filtered },
      { name: `list, « ${SEARCH_FRAGMENT} » alone, page 1`, query: searchQuery, page: 1, total: searched },
      { name: 'list, no filter, page 1', query: {}, page: 1, total: exams.length },
      { name: `list, no filter, page ${pagesOf(exams.length)} (last)`, query: {}, page: pagesOf(exams.length), total: exams.length },
    ];
    // The candidate records: a spread of the centre's exams, the same one for the record and the lookup in each round.
    const sample = Array.from({ length: 200 }, (_, i) => exams[Math.floor((i * exams.length) / 200)]!);
    const samples = new Map<string, { server: number[]; roundTrip: number[] }>();
    const add = (name: string, server: number, roundTrip: number | null) => {
      let s = samples.get(name);
      if (!s) samples.set(name, (s = { server: [], roundTrip: [] }));
      s.server.push(server);
      if (roundTrip !== null) s.roundTrip.push(roundTrip);
    };
    const checked = new Set<string>();
    const htmlBytes = new Map<string, number>();
    const REFERENCE = 'bare lookup of one exam by id (Kysely)';
    const RECORD = 'candidate record';

    const steps = (round: number) => {
      const exam = sample[round % sample.length]!;
      return [
        async () => {
          const t0 = performance.now();
          const row = await db!.kysely.selectFrom('exams').selectAll().where('id', '=', exam.id).executeTakeFirst();
          const ms = performance.now() - t0;
          if (row?.id !== exam.id) problems.push(`lookup of exam ${exam.id}: not found`);
          return { name: REFERENCE, server: ms, roundTrip: null };
        },
        ...lists.map((l) => async () => {
          const res = await get(listUrl(l.query, l.page));
          if (!checked.has(l.name) || res.status !== 200) {
            checked.add(l.name);
            htmlBytes.set(l.name, Buffer.byteLength(res.body));
            const wrong = res.status !== 200 ? `status ${res.status}` : listProblem(res.body, l.total, l.page, pagesOf(l.total));
            if (wrong) problems.push(`${l.name}: ${wrong}`);
          }
          return { name: l.name, server: res.server, roundTrip: res.roundTrip };
        }),
        async () => {
          const res = await get(`/centre/examens/${exam.id}`);
          // The record with its attestation (issued at the exam's end): its number is shown.
          if (res.status !== 200 || !res.body.includes('<h1>Examen de ') || !/Numéro : <strong>AIPR-\d{4}-/.test(res.body)) {
            problems.push(`record of exam ${exam.id}: status ${res.status}, or no name or attestation number`);
          } else if (!checked.has(RECORD)) {
            checked.add(RECORD);
            htmlBytes.set(RECORD, Buffer.byteLength(res.body));
          }
          return { name: RECORD, server: res.server, roundTrip: res.roundTrip };
        },
      ];
    };

    console.log(`  ${options.warmupRounds} warm-up rounds, then ${options.rounds} rounds of ${lists.length + 2} requests (the subjects take turns)…`);
    const r0 = performance.now();
    for (let round = 0; round < options.warmupRounds + options.rounds; round++) {
      const list = steps(round);
      for (let k = 0; k < list.length; k++) {
        const s = await list[(round + k) % list.length]!();
        if (round >= options.warmupRounds) add(s.name, s.server, s.roundTrip);
      }
      if (problems.length > 20) throw new Error(`too many problems: ${problems.slice(0, 3).join(' ; ')}`);
    }
    console.log(`  measured in ${fmt((performance.now() - r0) / 1000, 1)} s`);

    const subjectOf = (name: string, url: string | null, extra: Partial<Subject> = {}): Subject => {
      const s = samples.get(name)!;
      return {
        name,
        url,
        server: timings(s.server),
        roundTrip: s.roundTrip.length ? timings(s.roundTrip) : null,
        expectedTotal: null,
        page: null,
        pages: null,
        htmlBytes: htmlBytes.get(name) ?? null,
        queries: [],
        ...extra,
      };
    };
    const reference = subjectOf(REFERENCE, null);
    const subjects: Subject[] = [];
    for (const l of lists) {
      subjects.push(
        subjectOf(l.name, `GET ${decodeURIComponent(listUrl(l.query, l.page))}`, {
          expectedTotal: l.total,
          page: l.page,
          pages: pagesOf(l.total),
          queries: await capturePlans(db, l.query, l.page, l.name),
        }),
      );
    }
    subjects.push(subjectOf(RECORD, `GET /centre/examens/:id, ${sample.length} exams of ${demo.centre} in turn`));

    // 3. The CSV: ~1,000 rows (the latest exams, from a day on) and the 10,000, alternating.
    const sorted = [...exams].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
    const smallFrom = parisDate(new Date(sorted[Math.min(sorted.length, 1000) - 1]!.startedAt));
    const smallCsvQuery: ResultsQuery = { du: frenchDay(smallFrom) };
    const csvKinds = {
      small: { query: smallCsvQuery, expected: expectedOf(exams, smallCsvQuery).length },
      large: { query: {} as ResultsQuery, expected: exams.length },
    };
    const csvQueries = (await capturePlans(db, csvKinds.large.query, 1, 'CSV, no filter', true)).slice(2);
    const gc = exposeGc();
    const csv: CsvRun[] = [];
    for (let round = 1; round <= options.csvRounds; round++) {
      for (const { kind, acceptEncoding } of CSV_DOWNLOADS) {
        const { query, expected } = csvKinds[kind];
        gc?.();
        gc?.();
        await sleep(100);
        const base = process.memoryUsage();
        const baseOld = oldSpaceUsed();
        const memory = {
          samples: 0,
          baselineHeapMiB: mib(base.heapUsed),
          peakHeapMiB: mib(base.heapUsed),
          baselineOldMiB: mib(baseOld),
          peakOldMiB: mib(baseOld),
          baselineRssMiB: mib(base.rss),
          peakRssMiB: mib(base.rss),
          peakExternalMiB: mib(base.external),
        };
        const takeSample = () => {
          const m = process.memoryUsage();
          memory.samples++;
          memory.peakHeapMiB = Math.max(memory.peakHeapMiB, mib(m.heapUsed));
          memory.peakOldMiB = Math.max(memory.peakOldMiB, mib(oldSpaceUsed()));
          memory.peakRssMiB = Math.max(memory.peakRssMiB, mib(m.rss));
          memory.peakExternalMiB = Math.max(memory.peakExternalMiB, mib(m.external));
        };
        const timer = setInterval(takeSample, 5);
        const id = `csv${++nextId}`;
        const path = listUrl(query, 1).replace('/centre/resultats', '/centre/resultats.csv');
        let figures: DownloadFigures;
        try {
          figures = await downloader.download({ url: url + path, cookie, acceptEncoding, requestId: id });
        } finally {
          clearInterval(timer);
        }
        takeSample();
        const server = await serverTime(id);
        const run: CsvRun = { kind, acceptEncoding, round, expectedRows: expected, figures, serverMs: server.ms, serverEndAt: server.at, memory };
        csv.push(run);
        const rows = figures.lines - 1;
        const label = `CSV ${kind}, accepting ${acceptEncoding} (round ${round})`;
        if (figures.status !== 200) problems.push(`${label}: status ${figures.status}`);
        if (rows !== expected) problems.push(`${label}: ${rows} rows, expected ${expected}`);
        if (!figures.bom || !figures.header.startsWith('Nom;Prénom;')) problems.push(`${label}: no BOM or unexpected header « ${figures.header} »`);
        const audit = await db.kysely
          .selectFrom('audit_log')
          .select('details')
          .where('action', '=', 'centre.export_resultats')
          .orderBy('id', 'desc')
          .executeTakeFirst();
        const audited = audit?.details ? (JSON.parse(audit.details) as { lignes?: number }).lignes : undefined;
        if (audited !== expected) problems.push(`${label}: audit row says ${audited ?? 'nothing'}, expected ${expected} rows`);
        console.log(
          `  ${label}: ${fmt(rows)} rows, ${figures.contentEncoding ?? 'identity'}, ${fmt(figures.bytes / 1024)} KiB in ${figures.chunks} chunks; first byte after ` +
            `${fmt((figures.firstByteAt ?? figures.endAt) - figures.startAt)} ms, last after ${fmt(figures.endAt - figures.startAt)} ms; ` +
            `heap ${fmt(memory.baselineHeapMiB, 1)} → peak ${fmt(memory.peakHeapMiB, 1)} MiB, old space ${fmt(memory.baselineOldMiB, 1)} → ${fmt(memory.peakOldMiB, 1)} MiB, RSS ${fmt(memory.baselineRssMiB)} → ${fmt(memory.peakRssMiB)} MiB`,
        );
      }
    }

    return {
      options,
      seeding: { ...history, demoMs, databaseMiB },
      filterQuery,
      smallCsvQuery,
      reference,
      subjects,
      csv,
      csvQueries,
      gcExposed: gc !== null,
      problems,
    };
  } finally {
    await downloader.close();
    if (app) await app.close();
    if (db) await db.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// --- The report ---------------------------------------------------------------------------------

const median = (values: number[]) => percentile(values, 50);

export function listVerdict(r: ResultsResult): { worstP99: number; pass: boolean } {
  const worstP99 = Math.max(...r.subjects.filter((s) => s.name.startsWith('list')).map((s) => s.server.p99));
  return { worstP99, pass: worstP99 <= LIST_P99_TARGET_MS };
}

/** The largest old-space growth over the rounds, ~1,000 rows against all the centre's (as a browser asks). */
export function csvVerdict(r: ResultsResult): { growthSmall: number; growthLarge: number; ratio: number; pass: boolean } {
  const growth = (kind: CsvRun['kind']) =>
    Math.max(...r.csv.filter((c) => c.kind === kind && c.acceptEncoding === ACCEPT_ENCODING).map((c) => c.memory.peakOldMiB - c.memory.baselineOldMiB));
  const growthSmall = growth('small');
  const growthLarge = growth('large');
  const ratio = Math.max(growthLarge, 1) / Math.max(growthSmall, 1);
  return { growthSmall, growthLarge, ratio, pass: ratio <= CSV_MEMORY_TARGET_RATIO };
}

export function describeResults(r: ResultsResult): string[] {
  const s = r.seeding;
  const t = (x: Timings) => `p50 ${fmt(x.p50, 2)} · p95 ${fmt(x.p95, 2)} · p99 ${fmt(x.p99, 2)} · max ${fmt(x.max, 1)} ms`;
  const ref = r.reference.server;
  const list = listVerdict(r);
  const mem = csvVerdict(r);
  const query = (q: ResultsQuery) =>
    Object.entries(q)
      .map(([k, v]) => `${k}=${v}`)
      .join('&') || 'none';
  const lines = [
    `Results across sessions — ${fmt(s.exams)} finished exams (${fmt(s.passed)} passed, ${fmt(s.cancelled)} cancelled, ${fmt(s.delai)} ended at the deadline, ${fmt(s.extraTime)} with extra time) ` +
      `over ${fmt(s.centres)} centres and ${fmt(s.sessions)} sessions, ${s.firstDay} to ${s.lastDay}; centre0001 ${fmt(s.bigCentre.length)}, ` +
      `the others ${fmt(s.otherCentres.median)} (median) to ${fmt(s.otherCentres.max)}; database ${fmt(s.databaseMiB)} MiB`,
    `  seeding           ${fmt((s.demoMs + s.ms.total) / 1000, 1)} s: migrations and demo ${fmt(s.demoMs / 1000, 1)} s, generation ${fmt(s.ms.generate / 1000, 1)} s, ` +
      `inserts ${fmt(s.ms.insert / 1000, 1)} s, checkpoint ${fmt(s.ms.checkpoint / 1000, 1)} s`,
    `  filter            ${query(r.filterQuery)} (${fmt(r.subjects[0]?.expectedTotal ?? 0)} exams)`,
    `  server time       ${r.options.rounds} requests each after ${r.options.warmupRounds} rounds of warm-up:`,
    `  ${'reference'.padEnd(42)}${t(ref)}   (${r.reference.name})`,
  ];
  for (const subject of r.subjects) {
    const isList = subject.name.startsWith('list');
    lines.push(
      `  ${subject.name.padEnd(42)}${t(subject.server)}` +
        `   ratio ${fmt(ref.p50 / subject.server.p50, 4)} (${fmt(subject.server.p50 / ref.p50)}× the lookup)` +
        (isList ? ` · p99 ≤ ${LIST_P99_TARGET_MS} ms: ${subject.server.p99 <= LIST_P99_TARGET_MS ? 'PASS' : 'BELOW TARGET'}` : ''),
    );
    lines.push(
      `  ${''.padEnd(42)}round trip p50 ${fmt(subject.roundTrip?.p50 ?? Number.NaN, 2)} ms · ${fmt((subject.htmlBytes ?? 0) / 1024, 1)} KiB of HTML` +
        (subject.expectedTotal !== null ? ` · ${fmt(subject.expectedTotal)} exams, page ${subject.page} of ${subject.pages}` : '') +
        (subject.url ? ` · ${subject.url}` : ''),
    );
    for (const q of subject.queries) lines.push(`      ${q.label}: ${fmt(q.p50Ms, 2)} ms alone (p50) — ${q.plan.join(' ; ')}`);
  }
  for (const q of r.csvQueries) lines.push(`      ${q.label}: ${fmt(q.p50Ms, 2)} ms alone (p50) — ${q.plan.join(' ; ')}`);
  lines.push(
    `  CSV               ${r.options.csvRounds} rounds of: ${fmt(r.csv.find((c) => c.kind === 'small')?.expectedRows ?? 0)} rows (${query(r.smallCsvQuery)}) ` +
      `and ${fmt(r.seeding.bigCentre.length)} (no filter) as a browser asks (${ACCEPT_ENCODING}), then the ${fmt(r.seeding.bigCentre.length)} with gzip, ` +
      `then uncompressed; medians over the rounds (ms from the request):`,
  );
  for (const download of CSV_DOWNLOADS) {
    const runs = r.csv.filter((c) => c.kind === download.kind && c.acceptEncoding === download.acceptEncoding);
    const first = runs[0];
    if (!first) continue;
    const m = (pick: (c: CsvRun) => number) => median(runs.map(pick));
    const growth = runs.map((c) => c.memory.peakHeapMiB - c.memory.baselineHeapMiB);
    const oldGrowth = runs.map((c) => c.memory.peakOldMiB - c.memory.baselineOldMiB);
    lines.push(
      `    ${`${fmt(first.expectedRows)} rows, ${first.figures.contentEncoding ?? 'identity'}`.padEnd(22)}` +
        `first byte ${fmt(m((c) => (c.figures.firstByteAt ?? c.figures.endAt) - c.figures.startAt)).padStart(5)} · ` +
        `server done ${fmt(m((c) => c.serverEndAt - c.figures.startAt)).padStart(5)} · last byte ${fmt(m((c) => c.figures.endAt - c.figures.startAt)).padStart(5)} · ` +
        `${fmt(first.figures.bytes / 1024)} KiB decoded in ${fmt(m((c) => c.figures.chunks))} chunks · ` +
        `peak growth: heap +${fmt(median(growth), 1)} MiB (max +${fmt(Math.max(...growth), 1)}), old space +${fmt(median(oldGrowth), 1)} MiB ` +
        `(max +${fmt(Math.max(...oldGrowth), 1)}), RSS +${fmt(m((c) => c.memory.peakRssMiB - c.memory.baselineRssMiB))} MiB`,
    );
  }
  lines.push(
    `  memory            largest old-space growth: ${fmt(mem.growthSmall, 1)} MiB for ${fmt(r.csv.find((c) => c.kind === 'small')?.expectedRows ?? 0)} rows, ` +
      `${fmt(mem.growthLarge, 1)} MiB for ${fmt(r.seeding.bigCentre.length)} (${fmt(mem.ratio, 2)}× counting under 1 MiB as 1, ` +
      `target ≤ ${CSV_MEMORY_TARGET_RATIO}×: ${mem.pass ? 'PASS' : 'BELOW TARGET'})` +
      (r.gcExposed ? '' : ' — no gc() available: baselines are noisier'),
    `  list p99          worst ${fmt(list.worstP99, 1)} ms (target ≤ ${LIST_P99_TARGET_MS} ms) → ${list.pass ? 'PASS' : 'BELOW TARGET'}`,
  );
  return lines;
}

async function main(): Promise<void> {
  const options = resultsOptionsFromEnv();
  const started = Date.now();
  console.log(`QCM-AIPR results benchmark — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'})`);
  const result = await benchResults(options);
  console.log('\n=== Summary ===');
  for (const line of describeResults(result)) console.log(line);
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
