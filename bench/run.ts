/**
 * `npm run bench`: the kiosk's benchmarks, each measured against a reference in the same run (the
 * machines are shared and noisy). The figures are printed, never asserted: a ratio below its target
 * is reported, not a failure. Only a broken run (a refused request, an inconsistent database)
 * sets a non-zero exit code.
 *
 * Optional: BENCH_CANDIDATES (default 50), BENCH_DURATION seconds (10), BENCH_ROOM (30), and for the
 * attestation PDFs (bench/attestations.ts, which also runs alone) BENCH_PDFS (10), BENCH_SESSION (30);
 * for the results across sessions (bench/results.ts, which also runs alone) BENCH_HISTORY_EXAMS
 * (100000), BENCH_RESULTS_ROUNDS (300), BENCH_CSV_ROUNDS (3).
 *
 * `npm run bench -- answer-saves` runs the first step alone (to repeat it on a noisy machine).
 * By name only, each alone (they need Debian's postgresql, and nginx, and take minutes):
 * `npm run bench -- postgres-answers` (bench/postgres-answers.ts: BENCH_CANDIDATES, BENCH_DURATION
 * as above, per side) and `npm run bench -- national-peak` (bench/national-peak.ts:
 * BENCH_PEAK_CANDIDATES (20000), BENCH_PEAK_EXAMS (2000), BENCH_PEAK_DURATION seconds (60),
 * BENCH_PEAK_STEP (20), BENCH_PEAK_WARMUP (10), BENCH_PEAK_SOCKETS (256), BENCH_PEAK_DATABASES
 * (sqlite,postgres)). `npm run bench -- figures` (bench/figures.ts, which also runs alone: the
 * national figures on /admin, BENCH_HISTORY_EXAMS as above, BENCH_FIGURES_ROUNDS (300)).
 */
import { cpus } from 'node:os';
import { benchAnswerSaves, describeAnswerSaves, TARGET_RATIO } from './answer-saves.js';
import { attestationsOptionsFromEnv, benchAttestations, describeAttestations, PDF_TARGET_RATIO, type AttestationsResult } from './attestations.js';
import { benchFigures, describeFigures, figuresOptionsFromEnv } from './figures.js';
import { benchNationalPeak, describeNationalPeak, type PeakDatabase } from './national-peak.js';
import { benchPostgresAnswers, describePostgresAnswers } from './postgres-answers.js';
import { benchResults, describeResults, LIST_P99_TARGET_MS, listVerdict, resultsOptionsFromEnv, type ResultsResult } from './results.js';
import { benchRoomStart, describeRoomStart } from './room-start.js';
import { fmt } from './lib/stats.js';
import { intFromEnv } from './lib/env.js';

/** The answer-save benchmarks' settings (BENCH_CANDIDATES, BENCH_DURATION per side), the same for SQLite and PostgreSQL. */
function savesOptions() {
  return { candidates: intFromEnv('BENCH_CANDIDATES', 50, 1, 400), durationSeconds: intFromEnv('BENCH_DURATION', 10, 5, 60), slices: 5, warmupSeconds: 2 };
}

/** The benchmarks run by name: each returns its summary and its problems. */
const NAMED: Record<string, () => Promise<{ summary: string[]; problems: string[] }>> = {
  'answer-saves': async () => {
    const r = await benchAnswerSaves(savesOptions());
    return { summary: describeAnswerSaves(r), problems: r.problems };
  },
  'postgres-answers': async () => {
    const r = await benchPostgresAnswers(savesOptions());
    return { summary: describePostgresAnswers(r), problems: r.problems };
  },
  'national-peak': async () => {
    const databases = (process.env.BENCH_PEAK_DATABASES ?? 'sqlite,postgres').split(',').map((d) => d.trim());
    for (const d of databases) if (d !== 'sqlite' && d !== 'postgres') throw new Error('BENCH_PEAK_DATABASES must list sqlite and/or postgres');
    const r = await benchNationalPeak({
      candidates: intFromEnv('BENCH_PEAK_CANDIDATES', 20_000, 100, 100_000),
      exams: intFromEnv('BENCH_PEAK_EXAMS', 2000, 10, 20_000),
      databases: databases as PeakDatabase[],
      warmupSeconds: intFromEnv('BENCH_PEAK_WARMUP', 10, 1, 120),
      durationSeconds: intFromEnv('BENCH_PEAK_DURATION', 60, 5, 600),
      stepSeconds: intFromEnv('BENCH_PEAK_STEP', 20, 3, 300),
      sockets: intFromEnv('BENCH_PEAK_SOCKETS', 256, 1, 4096),
    });
    return { summary: describeNationalPeak(r), problems: r.problems };
  },
  figures: async () => {
    const r = await benchFigures(figuresOptionsFromEnv());
    return { summary: describeFigures(r), problems: r.problems };
  },
};

async function runNamed(names: string[], started: number): Promise<void> {
  const unknown = names.filter((n) => !(n in NAMED));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}: the named ones are ${Object.keys(NAMED).join(', ')}`);
  const summaries: string[] = [];
  const problems: string[] = [];
  for (const [i, name] of names.entries()) {
    console.log(`\n[${i + 1}/${names.length}] ${name}`);
    const r = await NAMED[name]!();
    summaries.push(...(summaries.length > 0 ? [''] : []), ...r.summary);
    problems.push(...r.problems);
  }
  console.log('\n=== Summary ===');
  for (const line of summaries) console.log(line);
  if (problems.length > 0) {
    console.log('\nProblems (the run is not valid):');
    for (const p of problems) console.log(`  - ${p}`);
    process.exitCode = 1;
  }
  console.log(`\nDone in ${fmt((Date.now() - started) / 1000, 1)} s.`);
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(`QCM-AIPR benchmarks — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'})`);
  const names = process.argv.slice(2);
  if (names.length > 0) return runNamed(names, started);
  const savesSettings = savesOptions();
  const room = intFromEnv('BENCH_ROOM', 30, 1, 400);
  const attestationOptions = attestationsOptionsFromEnv();
  const resultsOptions = resultsOptionsFromEnv();

  console.log('\n[1/4] answer saves');
  const saves = await benchAnswerSaves(savesSettings);
  console.log('\n[2/4] room start');
  const start = await benchRoomStart({ candidates: room });
  console.log('\n[3/4] attestation PDFs');
  // Needs a Chromium: without one, the step is reported as a problem and the others' figures still print.
  let attestations: AttestationsResult | null = null;
  const stepFailures: string[] = [];
  try {
    attestations = await benchAttestations(attestationOptions);
  } catch (err) {
    stepFailures.push(`attestation PDFs: ${err instanceof Error ? err.message : String(err)}`);
  }
  console.log('\n[4/4] results across sessions');
  // Likewise: a failure here (its seed, its checks) is reported, and the other steps' figures still print.
  let results: ResultsResult | null = null;
  try {
    results = await benchResults(resultsOptions);
  } catch (err) {
    stepFailures.push(`results across sessions: ${err instanceof Error ? err.message : String(err)}`);
  }

  console.log('\n=== Summary ===');
  for (const line of [
    ...describeAnswerSaves(saves),
    '',
    ...describeRoomStart(start),
    ...(attestations ? ['', ...describeAttestations(attestations)] : []),
    ...(results ? ['', ...describeResults(results)] : []),
  ]) {
    console.log(line);
  }
  console.log(
    `\nAnswer saves ${fmt(saves.saves.requestsPerSecond)}/s (p50 ${fmt(saves.saves.latencyP50, 1)} ms, p99 ${fmt(saves.saves.latencyP99, 1)} ms) vs bare ${fmt(saves.bare.requestsPerSecond)} req/s: ratio ${fmt(saves.ratio, 3)} ` +
      `(target ≥ ${TARGET_RATIO}: ${saves.ratio >= TARGET_RATIO ? 'PASS' : 'BELOW TARGET'}); room start p50 ${fmt(start.p50)} ms, p99 ${fmt(start.p99)} ms` +
      (attestations
        ? `; attestation PDF p50 ${fmt(attestations.single.warm.p50)} ms warm vs ${fmt(attestations.single.cold.p50)} ms with a browser per PDF: ` +
          `${fmt(attestations.single.ratioP50, 1)}× (target ≥ ${PDF_TARGET_RATIO}×: ${attestations.single.ratioP50 >= PDF_TARGET_RATIO ? 'PASS' : 'BELOW TARGET'})`
        : '') +
      (results
        ? `; results list p99 ${fmt(listVerdict(results).worstP99, 1)} ms at worst (target ≤ ${LIST_P99_TARGET_MS} ms: ${listVerdict(results).pass ? 'PASS' : 'BELOW TARGET'}).`
        : '.'),
  );
  const problems = [...saves.problems, ...start.problems, ...stepFailures, ...(attestations?.problems ?? []), ...(results?.problems ?? [])];
  if (problems.length > 0) {
    console.log('\nProblems (the run is not valid):');
    for (const p of problems) console.log(`  - ${p}`);
    process.exitCode = 1;
  }
  console.log(`\nDone in ${fmt((Date.now() - started) / 1000, 1)} s.`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
