/**
 * Attestation PDFs through the platform's one warm browser (src/services/pdf/browser-pool.ts), each
 * measured against a reference in the same run:
 *
 * 1. one attestation's PDF from the warm pool, against launching a browser for each PDF (a fresh
 *    BrowserPool → htmlToPdf → close); the two sides alternate, so that noise weighs on both alike;
 * 2. a whole session's attestations as one PDF, made as the print job makes it (runJob in
 *    src/services/attestations/printing.ts: chunks of JOB_CHUNK attestations through renderPages, then
 *    withMetadata; its progress writes to the database left out), against the same attestations as one HTML
 *    document in one renderPages call: time, pages, size and the browser's peak memory;
 * 3. concurrent requests on one warm pool with the default limits: all served, the queue stays within
 *    its bound; and an overload beyond pages + queue is refused at once with PdfBusyError.
 *
 * The HTML is the real one (attestationsHtml: official model, inlined Marianne fonts, signed QR code)
 * of hand-built AttestationFields with French names; the centre has no stamp, so the database (real,
 * migrated, in a temporary folder) is never queried. Every PDF is checked (pdf-lib: pages, title);
 * a failed or wrong PDF makes the run invalid. Runs alone with `npx tsx bench/attestations.ts`.
 *
 * Each step and each session print has a pool of its own, closed at its end; the benchmark checks
 * that no process of the browsers it launched is left running.
 *
 * Optional: BENCH_PDFS (default 10), BENCH_SESSION (30), PUPPETEER_EXECUTABLE_PATH.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PDFDocument } from 'pdf-lib';
import { openDatabase, type Db } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { generateAttestationNumber } from '../src/domain/attestation-number.js';
import { ATTESTATION_MODEL, validUntil, type AttestationFields } from '../src/domain/attestation.js';
import { formatCentreId } from '../src/domain/centre-id.js';
import { PROFILES } from '../src/domain/profiles.js';
import { formatTokenCode, generateTokenCode } from '../src/domain/token-code.js';
import { attestationPdf, attestationPdfMetadata, attestationsHtml, type DocumentContext } from '../src/services/attestations/document.js';
import { JOB_CHUNK } from '../src/services/attestations/printing.js';
import { loadOrCreateSigner } from '../src/services/attestations/signing.js';
import { findBrowser } from '../src/services/pdf/browser-path.js';
import { BrowserPool, DEFAULT_POOL_LIMITS, PdfBusyError, withMetadata, type PoolLimits } from '../src/services/pdf/browser-pool.js';
import { fmt, percentile, sleep } from './lib/stats.js';
import { intFromEnv } from './lib/env.js';

/** The warm pool must make one attestation's PDF at least this many times faster than a browser per PDF. */
export const PDF_TARGET_RATIO = 5;

export interface AttestationsOptions {
  /** Single-attestation PDFs on each side (warm pool, browser per PDF). */
  pdfs: number;
  /** Attestations in the session printed as one PDF. */
  session: number;
  /** Rounds of the session print (chunked job, then one document), each on a fresh warm browser. */
  sessionRounds: number;
  /** Requests at once on the warm pool with the default limits. */
  concurrent: number;
  /** Requests at once beyond what the default limits admit. */
  overload: number;
}

export function attestationsOptionsFromEnv(): AttestationsOptions {
  return {
    pdfs: intFromEnv('BENCH_PDFS', 10, 2, 200),
    session: intFromEnv('BENCH_SESSION', 30, 1, 400),
    sessionRounds: 2,
    concurrent: 20,
    overload: 60,
  };
}

export interface Timings {
  samples: number[];
  p50: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
}

function timings(samples: number[]): Timings {
  return {
    samples,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    mean: samples.reduce((a, b) => a + b, 0) / samples.length,
    min: Math.min(...samples),
    max: Math.max(...samples),
  };
}

/** The browser's process tree, summed: RSS counts pages shared between its processes once per process, PSS shares them out. */
export interface TreeMemory {
  baselineRssMiB: number;
  peakRssMiB: number;
  peakPssMiB: number | null;
  maxProcesses: number;
  samples: number;
}

export interface JobFigures {
  kind: 'chunked' | 'one document';
  round: number;
  totalMs: number;
  /** Building the HTML (templates, QR codes and their signatures). */
  htmlMs: number;
  /** Waiting for the browser's renderPages. */
  renderMs: number;
  /** withMetadata: pdf-lib loads the parts, copies their pages and saves. */
  assembleMs: number;
  renderCalls: number;
  pages: number;
  bytes: number;
  memory: TreeMemory;
}

export interface AttestationsResult {
  options: AttestationsOptions;
  browserPath: string;
  browserVersion: string;
  limits: PoolLimits;
  single: {
    warm: Timings;
    /** New pool, PDF, close: what a browser per PDF costs. */
    cold: Timings;
    /** The same cold PDFs, until the PDF is there (the browser's close not counted). */
    coldToPdf: Timings;
    warmUpMs: number;
    /** Medians of each step of attestationPdf, and of the browser's close on the cold side. */
    steps: { warm: StepMedians; cold: StepMedians; coldClose: number };
    ratioP50: number;
    ratioMean: number;
    bytes: number;
  };
  session: JobFigures[];
  concurrent: {
    requests: number;
    succeeded: number;
    failures: number;
    latency: Timings;
    wallMs: number;
    maxWaiting: number;
    maxActive: number;
    memory: TreeMemory;
  };
  overload: {
    requests: number;
    expectedRefused: number;
    refused: number;
    succeeded: number;
    otherFailures: number;
    /** From the common instant to each refusal. */
    refusalMaxMs: number;
    servedP50: number;
    servedMax: number;
    wallMs: number;
    maxWaiting: number;
  };
  /** Browser processes of this run still alive after every pool was closed. */
  leftoverProcesses: number[];
  problems: string[];
}

/** One PDF of attestationPdf's steps: the HTML, the browser's rendering, pdf-lib's assembly (ms). */
interface Steps {
  pdf: Buffer;
  html: number;
  render: number;
  assembly: number;
}

export type StepMedians = Omit<Steps, 'pdf'>;

function medianSteps(steps: Steps[]): StepMedians {
  const median = (pick: (s: Steps) => number) => percentile(steps.map(pick), 50);
  return { html: median((s) => s.html), render: median((s) => s.render), assembly: median((s) => s.assembly) };
}

// --- Attestations of a session, with realistic French data --------------------------------------

const LAST_NAMES = [
  'Lefèvre',
  'Gómez-Durand',
  'Bénard',
  'Nguyễn',
  'Côté',
  'Muller',
  'Dubœuf',
  'Girard',
  'Roussel',
  'Fauré',
  'Lemaître',
  'Mercier',
  'Châtelain',
  'Benoît',
  'Da Silva',
];
const FIRST_NAMES = [
  'Élodie',
  'François',
  'Jérôme',
  'Chloé',
  'Noël',
  'Anaïs',
  'Loïc',
  'Hélène',
  'Stéphane',
  'Maëlle',
  'Agnès',
  'Grégoire',
  'Zoé',
  'Raphaël',
  'Inès',
];
const COMPANIES: readonly [string, string | null][] = [
  ['Terrassements Rhône-Alpes SAS', '12 rue de l’Église, 42000 Saint-Étienne'],
  ['Réseaux & Canalisations du Forez', 'ZA des Étangs, 42600 Montbrison'],
  ['Électricité Générale Pérès', null],
  ['Travaux Publics Sérignan et Fils', '3 chemin des Prés, 69700 Givors'],
];

/** The session's attestations: `count` candidates of one centre, admitted at the same exam. */
function sessionFields(count: number): AttestationFields[] {
  const examDate = '2026-12-04';
  const fields: AttestationFields[] = [];
  for (let i = 0; i < count; i++) {
    const company = COMPANIES[i % (COMPANIES.length + 1)] ?? null;
    fields.push({
      model: ATTESTATION_MODEL,
      number: generateAttestationNumber(2026),
      kind: 'admis',
      centre: {
        code: formatCentreId(42),
        name: 'Centre de formation des métiers des travaux publics de la Loire',
        address: '7 boulevard Jules-Janin, 42000 Saint-Étienne',
        email: 'examens-aipr@cfmtp-loire.fr',
        phone: '04 77 12 34 56',
        town: 'Saint-Étienne',
        representativeName: 'Hélène Dupré-Lagarde',
        representativeTitle: 'Directrice du centre de formation',
        stampId: null,
      },
      supervisor: 'Jean-Loïc Marchand',
      profile: PROFILES[i % PROFILES.length]!,
      candidate: {
        lastName: LAST_NAMES[i % LAST_NAMES.length]!,
        firstName: FIRST_NAMES[(i * 7) % FIRST_NAMES.length]!,
        birthDate: `19${70 + (i % 30)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + ((i * 3) % 28)).padStart(2, '0')}`,
        company: company?.[0] ?? null,
        companyAddress: company?.[1] ?? null,
      },
      examDate,
      tokenCode: formatTokenCode(generateTokenCode()),
      validUntil: validUntil(examDate),
      issuedOn: '2026-12-06',
      correctedOn: i % 10 === 9 ? '2026-12-05' : null,
    });
  }
  return fields;
}

// --- The browser's memory -----------------------------------------------------------------------

/** The process and its descendants, level by level (each thread's `children` file lists the processes it forked). */
async function processTree(root: number): Promise<number[]> {
  const found: number[] = [];
  let level = [root];
  while (level.length > 0) {
    const nodes = await Promise.all(
      level.map(async (pid) => {
        const tasks = await readdir(`/proc/${pid}/task`).catch(() => null);
        if (!tasks) return null; // gone
        const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
        return {
          pid,
          children: lists.flatMap((list) =>
            list
              .split(' ')
              .filter((c) => c.trim() !== '')
              .map(Number),
          ),
        };
      }),
    );
    level = [];
    for (const node of nodes) {
      if (!node) continue;
      found.push(node.pid);
      level.push(...node.children);
    }
  }
  return found;
}

/** kB of a `Name:   1234 kB` line of /proc/<pid>/status or smaps_rollup, or null. */
async function procKiB(file: string, field: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  const match = text === null ? null : new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

async function sumKiB(pids: number[], file: string, field: string): Promise<number | null> {
  const values = await Promise.all(pids.map((pid) => procKiB(`/proc/${pid}/${file}`, field)));
  // A process that ended between the walk and the read counts for nothing; no figure at all is null.
  return values.every((v) => v === null) ? null : values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/**
 * Samples the memory of a browser's process tree every ~100 ms (self-paced: a slow sample delays
 * the next rather than overlapping it) until stopped: the RSS of each process (/proc/<pid>/status)
 * at every sample, their PSS (smaps_rollup, costlier to read) at every fifth. Every process seen
 * is remembered, to check at the end that none is left running.
 */
class TreeSampler {
  #stopped = false;
  #loop: Promise<void>;
  #baseline: number | null = null;
  #peakRss = 0;
  #peakPss: number | null = null;
  #maxProcesses = 0;
  #samples = 0;

  constructor(
    root: number,
    private readonly seen: Set<number>,
    intervalMs = 100,
  ) {
    this.#loop = (async () => {
      while (!this.#stopped) {
        await this.#sample(root);
        if (!this.#stopped) await sleep(intervalMs);
      }
    })();
  }

  async #sample(root: number): Promise<void> {
    const pids = await processTree(root);
    for (const pid of pids) this.seen.add(pid);
    const [rss, pss] = await Promise.all([
      sumKiB(pids, 'status', 'VmRSS'),
      this.#samples % 5 === 0 ? sumKiB(pids, 'smaps_rollup', 'Pss') : Promise.resolve(null),
    ]);
    this.#samples += 1;
    if (rss !== null) {
      this.#baseline ??= rss;
      this.#peakRss = Math.max(this.#peakRss, rss);
    }
    if (pss !== null) this.#peakPss = Math.max(this.#peakPss ?? 0, pss);
    this.#maxProcesses = Math.max(this.#maxProcesses, pids.length);
  }

  /** Takes one last sample, so that a short job has at least its start and end. */
  async stop(root: number): Promise<TreeMemory> {
    this.#stopped = true;
    await this.#loop;
    await this.#sample(root);
    const mib = (kib: number) => kib / 1024;
    return {
      baselineRssMiB: mib(this.#baseline ?? 0),
      peakRssMiB: mib(this.#peakRss),
      peakPssMiB: this.#peakPss === null ? null : mib(this.#peakPss),
      maxProcesses: this.#maxProcesses,
      samples: this.#samples,
    };
  }
}

async function browserPid(pool: BrowserPool): Promise<number> {
  const pid = (await pool.browser()).process()?.pid;
  if (pid === undefined) throw new Error('the browser has no process of its own (connected rather than launched?)');
  return pid;
}

function stillRunning(pids: Iterable<number>): number[] {
  const left: number[] = [];
  for (const pid of pids) {
    if (!existsSync(`/proc/${pid}`)) continue;
    try {
      // A pid reused by another program does not count: only a Chromium process.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (/chrom/i.test(cmdline)) left.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return left;
}

/** The highest `pool.load` seen while `work` runs, sampled every millisecond or so. */
async function watchLoad<T>(pool: BrowserPool, work: () => Promise<T>): Promise<{ value: T; maxWaiting: number; maxActive: number }> {
  let maxWaiting = 0;
  let maxActive = 0;
  const look = () => {
    const { active, waiting } = pool.load;
    maxWaiting = Math.max(maxWaiting, waiting);
    maxActive = Math.max(maxActive, active);
  };
  const timer = setInterval(look, 1);
  try {
    const value = await work();
    return { value, maxWaiting, maxActive };
  } finally {
    clearInterval(timer);
    look();
  }
}

// --- Checks -------------------------------------------------------------------------------------

/** What is wrong with a PDF that should hold `pages` pages titled `title`, or null. */
async function pdfProblem(pdf: Uint8Array, pages: number, title: string): Promise<string | null> {
  if (Buffer.from(pdf.subarray(0, 5)).toString('latin1') !== '%PDF-') return 'not a PDF';
  try {
    const document = await PDFDocument.load(pdf, { updateMetadata: false });
    if (document.getPageCount() !== pages) return `${document.getPageCount()} pages instead of ${pages}`;
    if (document.getTitle() !== title) return `title ${JSON.stringify(document.getTitle())} instead of ${JSON.stringify(title)}`;
    return null;
  } catch (err) {
    return `unreadable: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const errorText = (err: unknown) =>
  err instanceof Error ? `${err.name}: ${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}` : String(err);

// --- The benchmark ------------------------------------------------------------------------------

export async function benchAttestations(options: AttestationsOptions): Promise<AttestationsResult> {
  const browserPath = await findBrowser(process.env.PUPPETEER_EXECUTABLE_PATH ?? null);
  if (!browserPath) throw new Error('no Chromium found (install Debian’s chromium or set PUPPETEER_EXECUTABLE_PATH): the attestation benchmark cannot run');

  const dataDir = await mkdtemp(join(tmpdir(), 'qcm-aipr-bench-attestations-'));
  const pools = new Set<BrowserPool>();
  const seen = new Set<number>();
  const problems: string[] = [];
  let db: Db | null = null;
  const newPool = () => {
    const pool = new BrowserPool(browserPath); // the default limits, as the app's
    pools.add(pool);
    return pool;
  };
  const closePool = async (pool: BrowserPool) => {
    await pool.close();
    pools.delete(pool);
  };

  try {
    db = openDatabase(dataDir);
    await migrateToLatest(db.kysely);
    const context: DocumentContext = { db: db.kysely, signer: loadOrCreateSigner(dataDir), publicUrl: 'https://aipr.examens.gouv.fr' };
    const people = sessionFields(Math.max(options.session, options.pdfs + 1, options.concurrent, options.overload));
    // Every PDF is checked after its step, outside the timings.
    const toCheck: { pdf: Uint8Array; pages: number; title: string; label: string }[] = [];
    const checkPdfs = async () => {
      for (const c of toCheck.splice(0)) {
        const wrong = await pdfProblem(c.pdf, c.pages, c.title);
        if (wrong) problems.push(`${c.label}: ${wrong}`);
      }
    };
    const one = async (pool: BrowserPool, fields: AttestationFields, label: string): Promise<Buffer | null> => {
      try {
        const pdf = await attestationPdf(pool, fields, context);
        toCheck.push({ pdf, pages: 1, title: attestationPdfMetadata([fields]).title, label });
        return pdf;
      } catch (err) {
        problems.push(`${label}: ${errorText(err)}`);
        return null;
      }
    };

    /**
     * attestationPdf's own steps, timed: attestationsHtml, then htmlToPdf, i.e. renderPages (a page of
     * the browser, launched first if need be) and withMetadata (pdf-lib).
     */
    const stepwise = async (pool: BrowserPool, fields: AttestationFields, label: string): Promise<Steps | null> => {
      try {
        const t0 = performance.now();
        const html = await attestationsHtml([fields], context);
        const t1 = performance.now();
        const raw = await pool.renderPages(html);
        const t2 = performance.now();
        const metadata = attestationPdfMetadata([fields]);
        const pdf = await withMetadata([raw], metadata);
        const t3 = performance.now();
        toCheck.push({ pdf, pages: 1, title: metadata.title, label });
        return { pdf, html: t1 - t0, render: t2 - t1, assembly: t3 - t2 };
      } catch (err) {
        problems.push(`${label}: ${errorText(err)}`);
        return null;
      }
    };

    // 1. Warm pool against a browser per PDF, alternating.
    const warmPool = newPool();
    const t0 = performance.now();
    const first = await one(warmPool, people[0]!, 'warm-up PDF');
    const warmUpMs = performance.now() - t0;
    seen.add(await browserPid(warmPool));
    const browserVersion = await (await warmPool.browser()).version();
    const warm: number[] = [];
    const cold: number[] = [];
    const coldToPdf: number[] = [];
    const warmSteps: Steps[] = [];
    const coldSteps: Steps[] = [];
    const closes: number[] = [];
    for (let i = 0; i < options.pdfs; i++) {
      const fields = people[1 + i]!;
      const w0 = performance.now();
      const w = await stepwise(warmPool, fields, `warm PDF ${i + 1}`);
      warm.push(performance.now() - w0);
      if (w) warmSteps.push(w);

      // Timed: the new pool's PDF (launch included), then its close; not the look at its processes between.
      const c0 = performance.now();
      const coldPool = newPool();
      let toPdf: number;
      let closeMs: number;
      try {
        const c = await stepwise(coldPool, fields, `browser-per-PDF ${i + 1}`);
        toPdf = performance.now() - c0;
        if (c) {
          coldSteps.push(c);
          // Its browser is still connected (no new launch): remember its processes, to check they end.
          for (const pid of await processTree(await browserPid(coldPool))) seen.add(pid);
        }
      } finally {
        const k0 = performance.now();
        await closePool(coldPool);
        closeMs = performance.now() - k0;
      }
      coldToPdf.push(toPdf);
      closes.push(closeMs);
      cold.push(toPdf + closeMs);
      console.log(`  PDF ${i + 1}/${options.pdfs}: warm ${fmt(warm[i]!)} ms, browser per PDF ${fmt(cold[i]!)} ms (PDF after ${fmt(coldToPdf[i]!)} ms)`);
    }
    await closePool(warmPool);
    await checkPdfs();
    const warmT = timings(warm);
    const coldT = timings(cold);

    // 2. A session as one PDF: the print job's chunks, against one document; each on a fresh warm browser.
    const list = people.slice(0, options.session);
    const metadata = attestationPdfMetadata(list);
    const session: JobFigures[] = [];
    for (let round = 1; round <= options.sessionRounds; round++) {
      for (const kind of ['chunked', 'one document'] as const) {
        const pool = newPool();
        try {
          await one(pool, people[0]!, `session warm-up (${kind})`);
          const root = await browserPid(pool);
          seen.add(root);
          await sleep(300); // let the warm-up page's memory go
          const sampler = new TreeSampler(root, seen);
          const size = kind === 'chunked' ? JOB_CHUNK : list.length;
          let htmlMs = 0;
          let renderMs = 0;
          const parts: Uint8Array[] = [];
          const j0 = performance.now();
          let pdf: Buffer | null = null;
          let a0 = j0;
          try {
            for (let start = 0; start < list.length; start += size) {
              const h0 = performance.now();
              const html = await attestationsHtml(list.slice(start, start + size), context);
              const r0 = performance.now();
              parts.push(await pool.renderPages(html));
              htmlMs += r0 - h0;
              renderMs += performance.now() - r0;
            }
            a0 = performance.now();
            pdf = await withMetadata(parts, metadata);
          } catch (err) {
            problems.push(`session print (${kind}, round ${round}): ${errorText(err)}`);
          }
          const j1 = performance.now();
          const memory = await sampler.stop(root);
          let pages = 0;
          if (pdf) {
            toCheck.push({ pdf, pages: list.length, title: metadata.title, label: `session print (${kind}, round ${round})` });
            pages = (await PDFDocument.load(pdf, { updateMetadata: false }).catch(() => null))?.getPageCount() ?? 0;
          }
          await checkPdfs();
          const figures: JobFigures = {
            kind,
            round,
            totalMs: j1 - j0,
            htmlMs,
            renderMs,
            assembleMs: j1 - a0,
            renderCalls: parts.length,
            pages,
            bytes: pdf?.length ?? 0,
            memory,
          };
          session.push(figures);
          console.log(
            `  session round ${round}, ${kind}: ${fmt(figures.totalMs)} ms, ${pages} pages, ${fmt(figures.bytes / 1024)} KiB, ` +
              `browser RSS ${fmt(memory.baselineRssMiB)} → peak ${fmt(memory.peakRssMiB)} MiB`,
          );
        } finally {
          await closePool(pool);
        }
      }
    }

    // 3. Requests at once on one warm pool with the default limits.
    const pool = newPool();
    let concurrent: AttestationsResult['concurrent'];
    let overload: AttestationsResult['overload'];
    try {
      await one(pool, people[0]!, 'concurrency warm-up');
      const root = await browserPid(pool);
      seen.add(root);
      const sampler = new TreeSampler(root, seen);
      const c0 = performance.now();
      const watched = await watchLoad(pool, () =>
        Promise.all(
          people.slice(0, options.concurrent).map(async (fields, i) => {
            const pdf = await one(pool, fields, `concurrent request ${i + 1}`);
            return { ok: pdf !== null, ms: performance.now() - c0 };
          }),
        ),
      );
      const wallMs = performance.now() - c0;
      const memory = await sampler.stop(root);
      await checkPdfs();
      const served = watched.value.filter((r) => r.ok);
      concurrent = {
        requests: options.concurrent,
        succeeded: served.length,
        failures: options.concurrent - served.length,
        latency: timings(served.map((r) => r.ms)),
        wallMs,
        maxWaiting: watched.maxWaiting,
        maxActive: watched.maxActive,
        memory,
      };
      if (watched.maxWaiting > pool.limits.queue) problems.push(`concurrent requests: ${watched.maxWaiting} waiting, beyond the queue's ${pool.limits.queue}`);
      console.log(
        `  ${options.concurrent} at once: ${served.length} PDFs in ${fmt(wallMs)} ms, at most ${watched.maxWaiting} waiting and ${watched.maxActive} rendering`,
      );

      // The overload: the HTML is made first, so that every request reaches the pool in the same tick.
      const htmls = await Promise.all(
        people
          .slice(0, options.overload)
          .map(async (fields) => ({ html: await attestationsHtml([fields], context), metadata: attestationPdfMetadata([fields]) })),
      );
      const o0 = performance.now();
      const outcomes = await watchLoad(pool, () =>
        Promise.all(
          htmls.map(({ html, metadata: m }) =>
            pool.htmlToPdf(html, m).then(
              (pdf) => {
                toCheck.push({ pdf, pages: 1, title: m.title, label: 'overload, served PDF' });
                return { outcome: 'served' as const, ms: performance.now() - o0, error: null };
              },
              (err: unknown) => ({
                outcome: err instanceof PdfBusyError ? ('busy' as const) : ('failed' as const),
                ms: performance.now() - o0,
                error: errorText(err),
              }),
            ),
          ),
        ),
      );
      const oWall = performance.now() - o0;
      const byOutcome = (o: 'served' | 'busy' | 'failed') => outcomes.value.filter((r) => r.outcome === o);
      const servedO = byOutcome('served');
      const refused = byOutcome('busy');
      const failed = byOutcome('failed');
      const expectedRefused = Math.max(0, options.overload - pool.limits.pages - pool.limits.queue);
      for (const r of failed) problems.push(`overload: ${r.error}`);
      if (refused.length !== expectedRefused) problems.push(`overload: ${refused.length} refused with PdfBusyError, expected ${expectedRefused}`);
      if (outcomes.maxWaiting > pool.limits.queue) problems.push(`overload: ${outcomes.maxWaiting} waiting, beyond the queue's ${pool.limits.queue}`);
      overload = {
        requests: options.overload,
        expectedRefused,
        refused: refused.length,
        succeeded: servedO.length,
        otherFailures: failed.length,
        refusalMaxMs: refused.length ? Math.max(...refused.map((r) => r.ms)) : 0,
        servedP50: percentile(
          servedO.map((r) => r.ms),
          50,
        ),
        servedMax: servedO.length ? Math.max(...servedO.map((r) => r.ms)) : 0,
        wallMs: oWall,
        maxWaiting: outcomes.maxWaiting,
      };
      console.log(
        `  ${options.overload} at once: ${servedO.length} served, ${refused.length} refused (busy), ${failed.length} failed, at most ${outcomes.maxWaiting} waiting`,
      );
    } finally {
      await closePool(pool);
    }
    await checkPdfs();

    const leftoverProcesses = stillRunning(seen);
    if (leftoverProcesses.length > 0)
      problems.push(`${leftoverProcesses.length} browser processes still running after every pool was closed: ${leftoverProcesses.join(', ')}`);

    return {
      options,
      browserPath,
      browserVersion,
      limits: DEFAULT_POOL_LIMITS,
      single: {
        warm: warmT,
        cold: coldT,
        coldToPdf: timings(coldToPdf),
        warmUpMs,
        steps: { warm: medianSteps(warmSteps), cold: medianSteps(coldSteps), coldClose: percentile(closes, 50) },
        ratioP50: coldT.p50 / warmT.p50,
        ratioMean: coldT.mean / warmT.mean,
        bytes: first?.length ?? 0,
      },
      session,
      concurrent,
      overload,
      leftoverProcesses,
      problems,
    };
  } finally {
    for (const pool of pools) await pool.close();
    await db?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export function describeAttestations(r: AttestationsResult): string[] {
  const t = (x: Timings) => `p50 ${fmt(x.p50)} ms · p99 ${fmt(x.p99)} ms · mean ${fmt(x.mean)} ms · min ${fmt(x.min)} · max ${fmt(x.max)}`;
  const s = r.single;
  const mem = (m: TreeMemory) =>
    `browser RSS ${fmt(m.baselineRssMiB)} → peak ${fmt(m.peakRssMiB)} MiB (+${fmt(m.peakRssMiB - m.baselineRssMiB)})` +
    (m.peakPssMiB === null ? '' : `, peak PSS ${fmt(m.peakPssMiB)} MiB`) +
    `, ${m.maxProcesses} processes, ${m.samples} samples`;
  const job = (j: JobFigures) =>
    `  ${`${j.kind}, round ${j.round}`.padEnd(24)}${fmt(j.totalMs).padStart(6)} ms (HTML ${fmt(j.htmlMs)}, render ${fmt(j.renderMs)}, assembly ${fmt(j.assembleMs)}) · ` +
    `${j.renderCalls} renderPages · ${j.pages} pages · ${fmt(j.bytes / 1024)} KiB · ${mem(j.memory)}`;
  const c = r.concurrent;
  const o = r.overload;
  return [
    `Attestation PDFs — ${r.browserVersion} (${r.browserPath}); pool limits: ${r.limits.pages} pages at once, queue ${r.limits.queue}`,
    `  warm pool         ${t(s.warm)}   (${s.warm.samples.length} PDFs after a warm-up of ${fmt(s.warmUpMs)} ms, launch included; ${fmt(s.bytes / 1024)} KiB each)`,
    `  browser per PDF   ${t(s.cold)}   (new BrowserPool → htmlToPdf → close)`,
    `    until the PDF   ${t(s.coldToPdf)}   (close not counted)`,
    `  medians by step   warm: HTML ${fmt(s.steps.warm.html)} ms, renderPages ${fmt(s.steps.warm.render)} ms, withMetadata ${fmt(s.steps.warm.assembly)} ms; ` +
      `browser per PDF: HTML ${fmt(s.steps.cold.html)} ms, launch + renderPages ${fmt(s.steps.cold.render)} ms, withMetadata ${fmt(s.steps.cold.assembly)} ms, close ${fmt(s.steps.coldClose)} ms`,
    `  ratio             ${fmt(s.ratioP50, 1)}× at p50, ${fmt(s.ratioMean, 1)}× on the mean (target ≥ ${PDF_TARGET_RATIO}×) → ${s.ratioP50 >= PDF_TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}`,
    `  session of ${r.options.session}     as the print job makes it (chunks of ${JOB_CHUNK}) against one HTML document in one renderPages:`,
    ...r.session.map(job),
    `  ${c.requests} at once       ${c.succeeded} served, ${c.failures} failed · ${t(c.latency)} · all done in ${fmt(c.wallMs)} ms`,
    `                    at most ${c.maxWaiting} waiting (queue ${r.limits.queue}) and ${c.maxActive} rendering · ${mem(c.memory)}`,
    `  ${o.requests} at once       ${o.refused} refused with PdfBusyError (expected ${o.expectedRefused} = ${o.requests} − ${r.limits.pages} − ${r.limits.queue}), ` +
      `the last after ${fmt(o.refusalMaxMs, 1)} ms; ${o.succeeded} served (p50 ${fmt(o.servedP50)} ms, last ${fmt(o.servedMax)} ms), ${o.otherFailures} failed; at most ${o.maxWaiting} waiting`,
    `  processes         ${r.leftoverProcesses.length} browser processes left running after the pools were closed`,
  ];
}

async function main(): Promise<void> {
  const options = attestationsOptionsFromEnv();
  const started = Date.now();
  console.log(`QCM-AIPR attestation benchmark — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'})`);
  const result = await benchAttestations(options);
  console.log('\n=== Summary ===');
  for (const line of describeAttestations(result)) console.log(line);
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
