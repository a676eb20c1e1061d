/**
 * Answer saves on PostgreSQL (issue 14), by answer-saves.ts's method: N candidates, each with an
 * exam started through the real kiosk flow on an admitted terminal, save answers through
 * POST /examen/question/<n> (the htmx request) as fast as the servers answer (autocannon, one
 * connection per candidate); the same autocannon settings then hit bare Fastify servers returning
 * a constant. Here on one PostgreSQL (durable: bench/lib/postgres-cluster.ts), with the real
 * server as child processes behind nginx (bench/lib/topology.ts): one instance, then two, each
 * against as many bare servers behind the same nginx, so that both ratios pay the same proxy and
 * processes, and the scaling factor (two instances' saves/s ÷ one's) is read on the same database
 * in the same run. Every save is committed before it is acknowledged; the database is checked
 * afterwards against what the terminals sent and what was acknowledged.
 *
 * On a machine of two cores, the instances, PostgreSQL, nginx and the load generator share them:
 * the CPU each part used is printed beside the figures, and the factor is what the machine allows.
 */
import { randomBytes } from 'node:crypto';
import { openDatabaseUrl, type PostgresDb } from '../src/db/connection.js';
import { migrateToLatest } from '../src/db/migrate.js';
import { childrenOf, cpuBetween, cpuSnapshot, cpuTotal, describeCpu, type CpuGroup, type CpuUsage } from './lib/cpu-usage.js';
import { startLoadClient } from './lib/load-client.js';
import { MISSING_POSTGRES_BENCH, startBenchPostgres, type BenchPostgres } from './lib/postgres-cluster.js';
import type { LoadFigures, SeriesFigures } from './lib/protocol.js';
import { checkSaves, describeSavesCheck, savesCheckProblems, settle, type SavesCheck } from './lib/saves-check.js';
import { BARE_FRAGMENT, seedBenchDatabase } from './lib/servers.js';
import { fmt } from './lib/stats.js';
import { startTopology, type Topology } from './lib/topology.js';

/** The fragment the kiosk answers to an htmx save (routes.ts). */
const SAVED_FRAGMENT = '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>';

export interface PostgresAnswersOptions {
  candidates: number;
  /** Measured seconds for each of the four sides (bare and saves, one and two instances), split into interleaved slices. */
  durationSeconds: number;
  slices: number;
  warmupSeconds: number;
}

interface SideResult {
  saves: SeriesFigures;
  bare: SeriesFigures;
  /** Σ saves/s ÷ Σ bare req/s over the whole measurement. */
  ratio: number;
  sliceRatios: number[];
  cpu: { saves: CpuUsage | null; bare: CpuUsage | null };
}

export interface PostgresAnswersResult {
  options: PostgresAnswersOptions;
  postgresVersion: string;
  one: SideResult;
  two: SideResult;
  /** Two instances' saves/s ÷ one instance's, over the whole measurement. */
  scaling: number;
  /** The same for each round of slices (its spread shows the noise). */
  sliceScaling: number[];
  /** The bare servers' own factor from one process to two: what the machine gives a trivial server. */
  bareScaling: number;
  responses: { ok2xx: number; non2xx: number; errors: number; timeouts: number; unexpected: number; sharedPicks: number };
  check: SavesCheck;
  problems: string[];
}

function loadProblems(label: string, f: LoadFigures): string[] {
  const problems: string[] = [];
  if (f.non2xx > 0) problems.push(`${label}: ${f.non2xx} non-2xx responses`);
  if (f.errors > 0 || f.timeouts > 0) problems.push(`${label}: ${f.errors} errors, ${f.timeouts} timeouts`);
  if (f.unexpectedCount > 0) problems.push(`${label}: ${f.unexpectedCount} unexpected responses, e.g. ${JSON.stringify(f.unexpected[0])}`);
  return problems;
}

export async function benchPostgresAnswers(options: PostgresAnswersOptions): Promise<PostgresAnswersResult> {
  const cluster: BenchPostgres | null = await startBenchPostgres();
  if (!cluster) throw new Error(MISSING_POSTGRES_BENCH);
  let db: PostgresDb | null = null;
  let topology: Topology | null = null;
  try {
    const databaseUrl = await cluster.createDatabase('qcm_aipr_bench');
    db = await openDatabaseUrl(databaseUrl, { poolSize: 2 });
    await migrateToLatest(db.kysely);
    const seed = await seedBenchDatabase(db.kysely, options.candidates);
    topology = await startTopology({ databaseUrl, count: 2, sessionSecret: randomBytes(32).toString('hex') });
    const servers = topology;
    console.log(`  PostgreSQL ${cluster.version} (fsync and synchronous_commit on), 2 instances, 2 bare servers, nginx: started`);

    const load = await startLoadClient();
    try {
      const prepared = await load.call({
        kind: 'prepare-exams',
        url: servers.appUrl(2),
        centre: seed.centre,
        admissionCode: seed.admissionCode,
        codes: seed.codes,
        questionCount: seed.questionCount,
      });
      console.log(`  ${prepared.admitted} terminals admitted to the session with its code in ${fmt(prepared.admissionSeconds, 1)} s`);
      console.log(`  ${prepared.prepared} candidates through entry, identity and "Commencer" in ${fmt(prepared.seconds, 1)} s (through nginx, both instances)`);

      // The load generator is the one child of this process that is none of the servers.
      const serverPids = () => new Set(servers.cpuGroups.flatMap((g) => g.roots()));
      const groups: CpuGroup[] = [
        ...servers.cpuGroups,
        { label: 'postgres', roots: () => [cluster.postmasterPid()] },
        { label: 'load', roots: () => childrenOf(process.pid).filter((pid) => !serverPids().has(pid)) },
      ];
      const run = async (url: string, seconds: number, expectedBody: string, dryRun: boolean, series: string | null) => {
        const before = cpuSnapshot(groups);
        const figures = await load.call({ kind: 'saves', url, connections: options.candidates, durationSeconds: seconds, expectedBody, dryRun, series });
        return { figures, cpu: cpuBetween(before, cpuSnapshot(groups)) };
      };

      for (const n of [1, 2]) {
        await run(servers.bareUrl(n), options.warmupSeconds, BARE_FRAGMENT, true, null);
        await run(servers.appUrl(n), options.warmupSeconds, SAVED_FRAGMENT, false, null);
      }
      await settle(db.kysely);

      const sliceSeconds = options.durationSeconds / options.slices;
      const perSide = {
        1: { ratios: [] as number[], saves: [] as CpuUsage[], bare: [] as CpuUsage[] },
        2: { ratios: [] as number[], saves: [] as CpuUsage[], bare: [] as CpuUsage[] },
      };
      const sliceScaling: number[] = [];
      const totals = { ok2xx: 0, non2xx: 0, errors: 0, timeouts: 0, unexpected: 0, sharedPicks: 0 };
      const problems: string[] = [];
      for (let i = 0; i < options.slices; i++) {
        const savesPerSecond: number[] = [];
        for (const n of [1, 2] as const) {
          const b = await run(servers.bareUrl(n), sliceSeconds, BARE_FRAGMENT, true, `bare${n}`);
          const s = await run(servers.appUrl(n), sliceSeconds, SAVED_FRAGMENT, false, `saves${n}`);
          const ratio = s.figures.requestsPerSecond / b.figures.requestsPerSecond;
          perSide[n].ratios.push(ratio);
          perSide[n].saves.push(s.cpu);
          perSide[n].bare.push(b.cpu);
          savesPerSecond.push(s.figures.requestsPerSecond);
          console.log(
            `  slice ${i + 1}/${options.slices}, ${n} instance${n > 1 ? 's' : ''}: bare ${fmt(b.figures.requestsPerSecond)} req/s, saves ${fmt(s.figures.requestsPerSecond)}/s → ${fmt(ratio, 3)}`,
          );
          totals.ok2xx += s.figures.ok2xx;
          totals.non2xx += s.figures.non2xx;
          totals.errors += s.figures.errors;
          totals.timeouts += s.figures.timeouts;
          totals.unexpected += s.figures.unexpectedCount;
          totals.sharedPicks += s.figures.sharedPicks + b.figures.sharedPicks;
          problems.push(
            ...loadProblems(`bare, ${n} process(es), slice ${i + 1}`, b.figures),
            ...loadProblems(`saves, ${n} instance(s), slice ${i + 1}`, s.figures),
          );
        }
        sliceScaling.push(savesPerSecond[1]! / savesPerSecond[0]!);
      }
      await settle(db.kysely);
      const side = async (n: 1 | 2): Promise<SideResult> => {
        const saves = await load.call({ kind: 'series', series: `saves${n}` });
        const bare = await load.call({ kind: 'series', series: `bare${n}` });
        return {
          saves,
          bare,
          ratio: saves.requestsPerSecond / bare.requestsPerSecond,
          sliceRatios: perSide[n].ratios,
          cpu: { saves: cpuTotal(perSide[n].saves), bare: cpuTotal(perSide[n].bare) },
        };
      };
      const one = await side(1);
      const two = await side(2);

      const states = await load.call({ kind: 'save-state' });
      const check = await checkSaves(db.kysely, states, seed.questionCount);
      problems.push(...savesCheckProblems(check, options.candidates, seed.questionCount));
      if (totals.sharedPicks > 0) problems.push(`rotation: a candidate was shared between connections ${totals.sharedPicks} times (lost responses)`);
      problems.push(...servers.logProblems().slice(0, 5));

      return {
        options,
        postgresVersion: cluster.version,
        one,
        two,
        scaling: two.saves.requestsPerSecond / one.saves.requestsPerSecond,
        sliceScaling,
        bareScaling: two.bare.requestsPerSecond / one.bare.requestsPerSecond,
        responses: totals,
        check,
        problems,
      };
    } finally {
      await load.close();
    }
  } finally {
    await topology?.close();
    await db?.close();
    await cluster.stop();
  }
}

export function describePostgresAnswers(r: PostgresAnswersResult): string[] {
  const side = (n: 1 | 2, s: SideResult) => [
    `  ${n} instance${n > 1 ? 's' : ' '}       saves ${fmt(s.saves.requestsPerSecond)}/s (p50 ${fmt(s.saves.latencyP50, 1)} ms · p99 ${fmt(s.saves.latencyP99, 1)} ms) ` +
      `vs bare ${fmt(s.bare.requestsPerSecond)} req/s (p50 ${fmt(s.bare.latencyP50, 1)} ms · p99 ${fmt(s.bare.latencyP99, 1)} ms): ratio ${fmt(s.ratio, 3)} ` +
      `(slices ${s.sliceRatios.map((x) => fmt(x, 3)).join(' ')})`,
    ...(s.cpu.saves ? [`      CPU, saves     ${describeCpu(s.cpu.saves)}`] : []),
    ...(s.cpu.bare ? [`      CPU, bare      ${describeCpu(s.cpu.bare)}`] : []),
  ];
  return [
    `Answer saves on PostgreSQL ${r.postgresVersion} — ${r.options.candidates} candidates on ${r.options.candidates} connections through nginx; ` +
      `${r.options.slices} × ${fmt(r.options.durationSeconds / r.options.slices, 1)} s slices per side (bare 1, saves 1, bare 2, saves 2), after ${r.options.warmupSeconds} s warm-up each`,
    ...side(1, r.one),
    ...side(2, r.two),
    `  scaling 1 → 2     ${fmt(r.scaling, 2)}× saves/s (rounds ${r.sliceScaling.map((x) => fmt(x, 2)).join(' ')}); the bare servers' own: ${fmt(r.bareScaling, 2)}×`,
    `  machine           the instances, PostgreSQL, nginx and the load generator share the same ${r.one.cpu.saves?.cores ?? '?'} cores: the factor is what they leave each other`,
    `  responses         ${fmt(r.responses.ok2xx)} 2xx · ${r.responses.non2xx} non-2xx · ${r.responses.errors} errors · ${r.responses.timeouts} timeouts · ${r.responses.unexpected} unexpected bodies`,
    `  database          ${describeSavesCheck(r.check)}`,
  ];
}
