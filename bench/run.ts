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
 */
import { cpus } from 'node:os';
import { benchAnswerSaves, describeAnswerSaves, TARGET_RATIO } from './answer-saves.js';
import { attestationsOptionsFromEnv, benchAttestations, describeAttestations, PDF_TARGET_RATIO, type AttestationsResult } from './attestations.js';
import { benchResults, describeResults, LIST_P99_TARGET_MS, listVerdict, resultsOptionsFromEnv, type ResultsResult } from './results.js';
import { benchRoomStart, describeRoomStart } from './room-start.js';
import { fmt } from './lib/stats.js';
import { intFromEnv } from './lib/env.js';

async function main(): Promise<void> {
  const candidates = intFromEnv('BENCH_CANDIDATES', 50, 1, 400);
  const durationSeconds = intFromEnv('BENCH_DURATION', 10, 5, 60);
  const room = intFromEnv('BENCH_ROOM', 30, 1, 400);
  const attestationOptions = attestationsOptionsFromEnv();
  const resultsOptions = resultsOptionsFromEnv();
  const started = Date.now();
  console.log(`QCM-AIPR benchmarks — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'})`);

  console.log('\n[1/4] answer saves');
  const saves = await benchAnswerSaves({ candidates, durationSeconds, slices: 5, warmupSeconds: 2 });
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
