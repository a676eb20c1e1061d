/**
 * Answer saves under load: N simulated candidates, each with a started exam reached through the real
 * kiosk flow on a terminal admitted to the session beforehand (its code typed once, as the
 * supervisor does before the candidates arrive; not timed), save answers through
 * POST /examen/question/<n> (the htmx request) as fast as the server answers; the same autocannon
 * settings then hit a bare Fastify route returning a constant.
 * Every save is committed (synchronous=FULL) before it is acknowledged; the database is checked
 * afterwards against what the terminals sent and what was acknowledged.
 */
import { performance } from 'node:perf_hooks';
import type { Db } from '../src/db/connection.js';
import { startLoadClient } from './lib/load-client.js';
import type { CandidateSaves, LoadFigures, SeriesFigures } from './lib/protocol.js';
import { BARE_FRAGMENT, startBareServer, startBenchApp } from './lib/servers.js';
import { measureCommitCeiling, timeStatements, type CommitCeiling, type SqlTimingEntry } from './lib/sql-timing.js';
import { fmt, sleep } from './lib/stats.js';

/** The fragment the kiosk answers to an htmx save (routes.ts). */
const SAVED_FRAGMENT = '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>';
export const TARGET_RATIO = 0.4;

export interface AnswerSavesOptions {
  candidates: number;
  /** Measured seconds for each side (saves, bare route), split into interleaved slices. */
  durationSeconds: number;
  slices: number;
  warmupSeconds: number;
}

export interface AnswerSavesResult {
  options: AnswerSavesOptions;
  saves: SeriesFigures;
  bare: SeriesFigures;
  /** Σ saves/s ÷ Σ bare req/s over the whole measurement. */
  ratio: number;
  /** The ratio of each slice (saves slice ÷ the bare slice just before it): its spread shows the noise. */
  sliceRatios: number[];
  /** Single-row committed UPDATEs per second on the same disk, same pragmas: before and after the slices. */
  commitCeiling: { before: CommitCeiling; after: CommitCeiling };
  /** Where the server's event loop went during the saves slices. */
  server: { eventLoopUtilization: number; windowMs: number; sql: SqlTimingEntry[] };
  responses: { ok2xx: number; non2xx: number; errors: number; timeouts: number; unexpected: number; sharedPicks: number };
  check: {
    exams: number;
    questionRows: number;
    /** Σ response_seq over the candidates' questions: the saves applied (each seq is applied in order). */
    applied: number;
    built: number;
    acked: number;
    /** Questions whose response_seq is below the last acknowledged seq, or above the last one sent. */
    inconsistentRows: number;
  };
  problems: string[];
}

async function checkDatabase(db: Db, states: CandidateSaves[], questionCount: number) {
  const rows = await db.kysely
    .selectFrom('exam_questions as eq')
    .innerJoin('exams as e', 'e.id', 'eq.exam_id')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .select(['t.code', 'eq.exam_id', 'eq.position', 'eq.response_seq', 'e.finished_at'])
    .where(
      't.code',
      'in',
      states.map((s) => s.code),
    )
    .execute();
  const byCode = new Map<string, Map<number, number>>();
  const exams = new Set<number>();
  let finished = 0;
  for (const r of rows) {
    exams.add(r.exam_id);
    if (r.finished_at) finished++;
    let positions = byCode.get(r.code);
    if (!positions) byCode.set(r.code, (positions = new Map()));
    positions.set(r.position, r.response_seq);
  }
  let applied = 0;
  let built = 0;
  let acked = 0;
  let inconsistentRows = 0;
  for (const s of states) {
    const positions = byCode.get(s.code) ?? new Map<number, number>();
    for (let p = 1; p <= questionCount; p++) {
      const seq = positions.get(p) ?? 0;
      applied += seq;
      built += s.built[p]!;
      acked += s.acked[p]!;
      if (seq < s.acked[p]! || seq > s.built[p]!) inconsistentRows++;
    }
  }
  return { exams: exams.size, questionRows: rows.length, finishedRows: finished, applied, built, acked, inconsistentRows };
}

/** Waits until the server has applied whatever was still in flight when autocannon stopped. */
async function settle(db: Db): Promise<void> {
  let last = -1;
  for (let i = 0; i < 30; i++) {
    await sleep(150);
    const { total } = await db.kysely
      .selectFrom('exam_questions')
      .select((eb) => eb.fn.sum<number>('response_seq').as('total'))
      .executeTakeFirstOrThrow();
    const now = Number(total ?? 0);
    if (now === last) return;
    last = now;
  }
}

function loadProblems(label: string, f: LoadFigures): string[] {
  const problems: string[] = [];
  if (f.non2xx > 0) problems.push(`${label}: ${f.non2xx} non-2xx responses`);
  if (f.errors > 0 || f.timeouts > 0) problems.push(`${label}: ${f.errors} errors, ${f.timeouts} timeouts`);
  if (f.unexpectedCount > 0) problems.push(`${label}: ${f.unexpectedCount} unexpected responses, e.g. ${JSON.stringify(f.unexpected[0])}`);
  return problems;
}

function mergeSql(into: Map<string, SqlTimingEntry>, entries: SqlTimingEntry[]): void {
  for (const e of entries) {
    const m = into.get(e.statement) ?? { statement: e.statement, count: 0, totalMs: 0 };
    m.count += e.count;
    m.totalMs += e.totalMs;
    into.set(e.statement, m);
  }
}

/**
 * The saves and the bare route are measured in alternating slices (bare, saves, bare, saves, …) so
 * that a burst of noise from the neighbours of this shared machine weighs on both alike.
 */
export async function benchAnswerSaves(options: AnswerSavesOptions): Promise<AnswerSavesResult> {
  const app = await startBenchApp(options.candidates);
  // The statements' timings below are read from SQLite's own handle.
  if (app.db.kind !== 'sqlite') throw new Error('the answer-saves bench runs on SQLite');
  const sqlite = app.db.sqlite;
  const bare = await startBareServer();
  const load = await startLoadClient();
  try {
    const codes = app.codes.slice(0, options.candidates);
    const prepared = await load.call({
      kind: 'prepare-exams',
      url: app.url,
      centre: app.centre,
      admissionCode: app.admissionCode,
      codes,
      questionCount: app.questionCount,
    });
    console.log(`  ${prepared.admitted} terminals admitted to the session with its code in ${fmt(prepared.admissionSeconds, 1)} s`);
    console.log(`  ${prepared.prepared} candidates through entry, identity and "Commencer" in ${fmt(prepared.seconds, 1)} s`);

    const run = (url: string, durationSeconds: number, expectedBody: string, dryRun: boolean, series: string | null) =>
      load.call({ kind: 'saves', url, connections: options.candidates, durationSeconds, expectedBody, dryRun, series });

    await run(bare.url, options.warmupSeconds, BARE_FRAGMENT, true, null);
    await run(app.url, options.warmupSeconds, SAVED_FRAGMENT, false, null);
    await settle(app.db);
    const ceilingBefore = measureCommitCeiling(app.dataDir);

    const sliceSeconds = options.durationSeconds / options.slices;
    const sliceRatios: number[] = [];
    const sql = new Map<string, SqlTimingEntry>();
    const totals = { ok2xx: 0, non2xx: 0, errors: 0, timeouts: 0, unexpected: 0, sharedPicks: 0 };
    const problems: string[] = [];
    let busyMs = 0;
    let windowMs = 0;
    for (let i = 0; i < options.slices; i++) {
      const b = await run(bare.url, sliceSeconds, BARE_FRAGMENT, true, 'bare');
      const timing = timeStatements(sqlite);
      const elu0 = performance.eventLoopUtilization();
      const t0 = performance.now();
      const s = await run(app.url, sliceSeconds, SAVED_FRAGMENT, false, 'saves');
      const elapsed = performance.now() - t0;
      const elu = performance.eventLoopUtilization(elu0);
      timing.detach();
      mergeSql(sql, timing.entries());
      windowMs += elapsed;
      busyMs += elu.utilization * elapsed;
      sliceRatios.push(s.requestsPerSecond / b.requestsPerSecond);
      console.log(
        `  slice ${i + 1}/${options.slices}: bare ${fmt(b.requestsPerSecond)} req/s, saves ${fmt(s.requestsPerSecond)}/s → ${fmt(sliceRatios[i]!, 3)}`,
      );
      totals.ok2xx += s.ok2xx;
      totals.non2xx += s.non2xx;
      totals.errors += s.errors;
      totals.timeouts += s.timeouts;
      totals.unexpected += s.unexpectedCount;
      totals.sharedPicks += s.sharedPicks + b.sharedPicks;
      problems.push(...loadProblems(`bare route, slice ${i + 1}`, b), ...loadProblems(`answer saves, slice ${i + 1}`, s));
    }
    await settle(app.db);
    const ceilingAfter = measureCommitCeiling(app.dataDir);
    const savesSeries = await load.call({ kind: 'series', series: 'saves' });
    const bareSeries = await load.call({ kind: 'series', series: 'bare' });

    const states = await load.call({ kind: 'save-state' });
    const db = await checkDatabase(app.db, states, app.questionCount);
    if (db.exams !== options.candidates || db.questionRows !== options.candidates * app.questionCount) {
      problems.push(`database: ${db.exams} exams / ${db.questionRows} question rows for ${options.candidates} candidates × ${app.questionCount}`);
    }
    if (db.finishedRows > 0) problems.push(`database: ${db.finishedRows} question rows belong to a finished exam`);
    if (db.inconsistentRows > 0) problems.push(`database: ${db.inconsistentRows} questions whose response_seq is outside [last acknowledged, last sent]`);
    if (db.applied < db.acked) problems.push(`database: ${db.applied} saves applied but ${db.acked} acknowledged`);
    if (totals.sharedPicks > 0) problems.push(`rotation: a candidate was shared between connections ${totals.sharedPicks} times (lost responses)`);

    return {
      options,
      saves: savesSeries,
      bare: bareSeries,
      ratio: savesSeries.requestsPerSecond / bareSeries.requestsPerSecond,
      sliceRatios,
      commitCeiling: { before: ceilingBefore, after: ceilingAfter },
      server: { eventLoopUtilization: busyMs / windowMs, windowMs, sql: [...sql.values()].sort((a, b) => b.totalMs - a.totalMs) },
      responses: totals,
      check: { exams: db.exams, questionRows: db.questionRows, applied: db.applied, built: db.built, acked: db.acked, inconsistentRows: db.inconsistentRows },
      problems,
    };
  } finally {
    await load.close();
    await bare.close();
    await app.close();
  }
}

export function describeAnswerSaves(r: AnswerSavesResult): string[] {
  const s = r.saves;
  const b = r.bare;
  const sqlMs = r.server.sql.reduce((sum, e) => sum + e.totalMs, 0);
  const ceiling = (c: CommitCeiling) => `${fmt(c.commitsPerSecond)}/s (${fmt(c.msPerCommit, 2)} ms)`;
  const meanCeiling = (r.commitCeiling.before.commitsPerSecond + r.commitCeiling.after.commitsPerSecond) / 2;
  return [
    `Answer saves — ${r.options.candidates} candidates on ${r.options.candidates} connections; POST /examen/question/<n> with HX-Request; ` +
      `${r.options.slices} × ${fmt(r.options.durationSeconds / r.options.slices, 1)} s slices per side, alternating, after ${r.options.warmupSeconds} s warm-up each`,
    `  saves/s           ${fmt(s.requestsPerSecond)}   (${fmt(s.responses)} saves in ${fmt(s.seconds, 1)} s)`,
    `  save latency      p50 ${fmt(s.latencyP50, 1)} ms · p99 ${fmt(s.latencyP99, 1)} ms · mean ${fmt(s.latencyMean, 1)} ms · max ${fmt(s.latencyMax)} ms`,
    `  bare Fastify      ${fmt(b.requestsPerSecond)} req/s · p50 ${fmt(b.latencyP50, 1)} ms · p99 ${fmt(b.latencyP99, 1)} ms`,
    `  ratio             ${fmt(r.ratio, 3)} (slices ${r.sliceRatios.map((x) => fmt(x, 3)).join(' ')}; target ≥ ${TARGET_RATIO}) → ${r.ratio >= TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}`,
    `  disk ceiling      committed single-row UPDATEs: ${ceiling(r.commitCeiling.before)} before, ${ceiling(r.commitCeiling.after)} after; ` +
      `saves reach ${fmt((100 * s.requestsPerSecond) / meanCeiling)} % of the mean`,
    `  server loop       ${fmt(100 * r.server.eventLoopUtilization)} % busy during the saves; inside SQLite (synchronous, commits included) ${fmt((100 * sqlMs) / r.server.windowMs)} %:`,
    ...r.server.sql
      .slice(0, 4)
      .map(
        (e) =>
          `                      ${e.statement.padEnd(26)} ${fmt(e.count).padStart(7)} × ${fmt(e.totalMs / e.count, 3)} ms = ${fmt((100 * e.totalMs) / r.server.windowMs, 1)} %`,
      ),
    `  responses         ${fmt(r.responses.ok2xx)} 2xx · ${r.responses.non2xx} non-2xx · ${r.responses.errors} errors · ${r.responses.timeouts} timeouts · ${r.responses.unexpected} unexpected bodies`,
    `  database          ${r.check.exams} exams, ${r.check.questionRows} question rows; saves applied ${fmt(r.check.applied)} ` +
      `(acknowledged ${fmt(r.check.acked)}, sent ${fmt(r.check.built)}, warm-up included); ${r.check.inconsistentRows} inconsistent → ` +
      (r.check.inconsistentRows === 0 && r.check.applied >= r.check.acked ? 'consistent' : 'INCONSISTENT'),
  ];
}
