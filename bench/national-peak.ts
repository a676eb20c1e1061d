/**
 * The national peak (issue 14) on one instance of each database: 20,000 candidates at once, each
 * answering every 20 s on average (1,000 answer saves/s) and loading a question page every 40 s
 * (500 pages/s), as an open loop (bench/lib/peak-process.ts: arrivals at random instants,
 * whatever the server's pace). The candidates are spread over fewer exams started beforehand
 * through the real kiosk flow (2,000 by default: each exam then receives ten candidates' traffic);
 * what a save or a page costs does not depend on how many exams share it, only the rows' count does.
 * Measured: p50/p99 of saves and pages apart, errors; then the load is stepped up (×1.5, ×2, ×3…)
 * until a p99 passes 100 ms or an error appears — the headroom is that load ÷ the national load.
 * Every acknowledged save is checked in the database afterwards.
 *
 * The server is the real app in this process, as in answer-saves.ts (startBenchApp: production
 * templates, no logger), on SQLite or on a throw-away PostgreSQL as durable as SQLite here
 * (bench/lib/postgres-cluster.ts); the load runs in a child process. On two cores both share the
 * machine (and PostgreSQL's processes a third part): the CPU each used is printed for every step.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { cpuBetween, cpuSnapshot, describeCpu, type CpuGroup, type CpuSnapshot, type CpuUsage } from './lib/cpu-usage.js';
import type { PeakMessage, PeakPlan, PeakResult, StepFigures } from './lib/peak-protocol.js';
import { MISSING_POSTGRES_BENCH, startBenchPostgres, type BenchPostgres } from './lib/postgres-cluster.js';
import { checkSaves, describeSavesCheck, savesCheckProblems, settle, type SavesCheck } from './lib/saves-check.js';
import { startBenchApp, type BenchApp } from './lib/servers.js';
import { fmt } from './lib/stats.js';

const PROJECT_ROOT = fileURLToPath(new URL('../', import.meta.url));
const PEAK_PROCESS = fileURLToPath(new URL('./lib/peak-process.ts', import.meta.url));

/** The issue's candidate: an answer every 20 s, a question page every 40 s, on average. */
const SECONDS_PER_SAVE = 20;
const SECONDS_PER_PAGE = 40;
export const P99_LIMIT_MS = 100;
const STEPS_UP = [1.5, 2, 3, 4, 6, 8, 12, 16];
const STEPS_DOWN = [0.75, 0.5, 0.25, 0.1];

export type PeakDatabase = 'sqlite' | 'postgres';

export interface NationalPeakOptions {
  candidates: number;
  exams: number;
  databases: PeakDatabase[];
  warmupSeconds: number;
  durationSeconds: number;
  stepSeconds: number;
  sockets: number;
}

export interface StepWithCpu extends StepFigures {
  cpu: CpuUsage;
  /** The server's event loop (this process) busy share during the step. */
  serverLoop: number;
}

export interface PeakRun {
  database: PeakDatabase;
  /** « SQLite » or « PostgreSQL 15 ». */
  databaseLabel: string;
  result: Omit<PeakResult, 'saveStates' | 'national' | 'steps'> & { national: StepWithCpu; steps: StepWithCpu[] };
  /** The national load's multiple at which a p99 passed the limit (or an error appeared), and the last one within it; null when not reached. */
  headroom: { past: number | null; within: number | null };
  check: SavesCheck;
  problems: string[];
}

export interface NationalPeakResult {
  options: NationalPeakOptions;
  savesPerSecond: number;
  pagesPerSecond: number;
  runs: PeakRun[];
  problems: string[];
}

/** Runs the plan in the load process; snapshots this machine's CPU at each step's start and end. */
async function runPeak(plan: PeakPlan, groups: CpuGroup[]): Promise<{ result: PeakResult; cpu: Map<string, { usage: CpuUsage; loop: number }> }> {
  const child: ChildProcess = fork(PEAK_PROCESS, [], { cwd: PROJECT_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const cpu = new Map<string, { usage: CpuUsage; loop: number }>();
  const open = new Map<string, { snapshot: CpuSnapshot; loop: EventLoopUtilization }>();
  try {
    const result = await new Promise<PeakResult>((resolve, reject) => {
      child.on('message', (message: PeakMessage) => {
        if (message.kind === 'step-start') {
          open.set(message.label, { snapshot: cpuSnapshot(groups), loop: performance.eventLoopUtilization() });
        } else if (message.kind === 'step-end') {
          const start = open.get(message.label)!;
          cpu.set(message.label, {
            usage: cpuBetween(start.snapshot, cpuSnapshot(groups)),
            loop: performance.eventLoopUtilization(start.loop).utilization,
          });
        } else if (message.kind === 'done') {
          resolve(message.result);
        } else {
          reject(new Error(`load process: ${message.error}`));
        }
      });
      child.once('exit', (code, signal) => reject(new Error(`load process exited (${code ?? signal})`)));
      child.send(plan);
    });
    return { result, cpu };
  } finally {
    if (child.connected) child.disconnect();
  }
}

async function peakOn(database: PeakDatabase, options: NationalPeakOptions, rates: { saves: number; pages: number }): Promise<PeakRun> {
  let cluster: BenchPostgres | null = null;
  let app: BenchApp | null = null;
  try {
    let databaseUrl: string | undefined;
    if (database === 'postgres') {
      cluster = await startBenchPostgres();
      if (!cluster) throw new Error(MISSING_POSTGRES_BENCH);
      databaseUrl = await cluster.createDatabase('qcm_aipr_peak');
    }
    const databaseLabel = cluster ? `PostgreSQL ${cluster.version}` : 'SQLite';
    const seeded = performance.now();
    app = await startBenchApp(options.exams, { databaseUrl });
    console.log(`  ${databaseLabel}: app started, ${options.exams} tokens seeded in ${fmt((performance.now() - seeded) / 1000, 1)} s`);
    const postgres = cluster;
    const groups: CpuGroup[] = [
      { label: 'server', roots: () => [process.pid], alone: true },
      ...(postgres ? [{ label: 'postgres', roots: () => [postgres.postmasterPid()] }] : []),
      // The load process is this process's only child.
      { label: 'load', roots: () => [process.pid] },
    ];
    // « load » counts this process's descendants: the server's own share is taken out below.
    const { result, cpu } = await runPeak(
      {
        url: app.url,
        centre: app.centre,
        admissionCode: app.admissionCode,
        codes: app.codes,
        questionCount: app.questionCount,
        savesPerSecond: rates.saves,
        pagesPerSecond: rates.pages,
        warmupSeconds: options.warmupSeconds,
        durationSeconds: options.durationSeconds,
        stepSeconds: options.stepSeconds,
        stepsUp: STEPS_UP,
        stepsDown: STEPS_DOWN,
        p99LimitMs: P99_LIMIT_MS,
        sockets: options.sockets,
        maxOutstanding: 10_000,
        timeoutSeconds: 10,
      },
      groups,
    );
    const withCpu = (s: StepFigures): StepWithCpu => {
      const measured = cpu.get(s.label)!;
      const server = measured.usage.groups.find((g) => g.label === 'server')!.cores;
      const groupsOnly = measured.usage.groups.map((g) => (g.label === 'load' ? { label: 'load', cores: g.cores - server } : g));
      return { ...s, cpu: { ...measured.usage, groups: groupsOnly }, serverLoop: measured.loop };
    };
    await settle(app.db.kysely);
    const check = await checkSaves(app.db.kysely, result.saveStates, app.questionCount);
    const problems = savesCheckProblems(check, options.exams, app.questionCount).map((p) => `${databaseLabel}: ${p}`);
    const steps = result.steps.map(withCpu);
    const national = withCpu(result.national);
    const past = national.passed ? steps.find((s) => !s.passed) : national;
    const within = national.passed ? [national, ...steps].filter((s) => s.passed).at(-1) : steps.find((s) => s.passed);
    return {
      database,
      databaseLabel,
      result: { prepared: result.prepared, national, steps },
      headroom: { past: past?.factor ?? null, within: within?.factor ?? null },
      check,
      problems,
    };
  } finally {
    await app?.close();
    await cluster?.stop();
  }
}

export async function benchNationalPeak(options: NationalPeakOptions): Promise<NationalPeakResult> {
  const rates = { saves: options.candidates / SECONDS_PER_SAVE, pages: options.candidates / SECONDS_PER_PAGE };
  const runs: PeakRun[] = [];
  const problems: string[] = [];
  for (const database of options.databases) {
    console.log(`\n  --- ${database} ---`);
    try {
      const run = await peakOn(database, options, rates);
      runs.push(run);
      problems.push(...run.problems);
    } catch (err) {
      problems.push(`${database}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { options, savesPerSecond: rates.saves, pagesPerSecond: rates.pages, runs, problems };
}

function describeStepLine(s: StepWithCpu): string[] {
  const kind = (k: StepFigures['saves'], target: number) =>
    `${fmt(k.ok / s.seconds)}/s of ${fmt(target)} · p50 ${fmt(k.p50, 1)} ms · p99 ${fmt(k.p99, 1)} ms · max ${fmt(k.max)} ms · ${k.errors} errors`;
  return [
    `    ${`×${s.factor}`.padEnd(6)} ${fmt(s.seconds)} s  saves ${kind(s.saves, s.targetSavesPerSecond)}`,
    `                 pages ${kind(s.pages, s.targetPagesPerSecond)}${s.passed ? '' : `  → past ${P99_LIMIT_MS} ms or errors`}`,
    `                 wait for a socket p99 ${fmt(s.startLagP99, 1)} ms; ${s.dropped} dropped; drained ${fmt(s.drainMs)} ms after the window; server loop ${fmt(100 * s.serverLoop)} % busy; CPU ${describeCpu(s.cpu)}`,
    ...[...s.saves.errorSamples, ...s.pages.errorSamples].slice(0, 2).map((e) => `                 e.g. ${e}`),
  ];
}

export function describeNationalPeak(r: NationalPeakResult): string[] {
  const lines = [
    `National peak — ${fmt(r.options.candidates)} candidates: ${fmt(r.savesPerSecond)} answer saves/s and ${fmt(r.pagesPerSecond)} question pages/s (Poisson arrivals, open loop), ` +
      `spread over ${fmt(r.options.exams)} exams started through the kiosk; ${r.options.sockets} kept-alive connections; national load ${r.options.durationSeconds} s after ${r.options.warmupSeconds} s warm-up, steps of ${r.options.stepSeconds} s; ` +
      `latency from each arrival's scheduled instant`,
  ];
  for (const run of r.runs) {
    const { past, within } = run.headroom;
    const headroom =
      past === null
        ? `> ×${within} (no step past ${P99_LIMIT_MS} ms up to ×${within})`
        : past === 1
          ? `< 1: the national load itself is past ${P99_LIMIT_MS} ms or has errors${within === null ? '' : `; within at ×${within}`}`
          : `×${past} (p99 past ${P99_LIMIT_MS} ms or errors at ×${past}; within at ×${within})`;
    lines.push(
      `  ${run.databaseLabel}, one instance: ${run.result.prepared.prepared} exams started in ${fmt(run.result.prepared.seconds, 1)} s (terminals admitted in ${fmt(run.result.prepared.admissionSeconds, 1)} s)`,
      ...describeStepLine(run.result.national),
      ...run.result.steps.flatMap(describeStepLine),
      `    headroom ${headroom}`,
      `    database ${describeSavesCheck(run.check)}`,
    );
  }
  return lines;
}
