/**
 * A whole room starting at the same second: 30 candidates on the rules page (each terminal
 * admitted to the session beforehand with its code, entry and identity done) all click
 * "Commencer" together. Each start checks the terminal's admission, then consumes the token,
 * draws the exam and stores it (with its audit row) in one transaction; the latency of each start
 * is measured from the common instant.
 */
import { startLoadClient } from './lib/load-client.js';
import type { StartFigures } from './lib/protocol.js';
import { startBenchApp } from './lib/servers.js';
import { fmt, percentile } from './lib/stats.js';

export interface RoomStartOptions {
  candidates: number;
}

export interface RoomStartResult {
  options: RoomStartOptions;
  questionCount: number;
  figures: StartFigures;
  p50: number;
  p99: number;
  check: { exams: number; questionRows: number; usedTokens: number };
  problems: string[];
}

export async function benchRoomStart(options: RoomStartOptions): Promise<RoomStartResult> {
  // One more token: a lone start first warms the start path (as an earlier room would), not counted.
  const app = await startBenchApp(options.candidates + 1);
  const load = await startLoadClient();
  try {
    const codes = app.codes.slice(0, options.candidates + 1);
    const prepared = await load.call({ kind: 'prepare-room', url: app.url, centre: app.centre, admissionCode: app.admissionCode, codes });
    console.log(`  ${prepared.admitted} terminals admitted to the session with its code in ${fmt(prepared.admissionSeconds, 1)} s`);
    console.log(`  ${prepared.prepared} candidates on the rules page in ${fmt(prepared.seconds, 1)} s`);

    const problems: string[] = [];
    const warm = await load.call({ kind: 'room-start', indices: [0] });
    if (warm.statuses[0]?.status !== 303) problems.push(`warm-up start: ${JSON.stringify(warm.statuses[0])}`);

    const room = Array.from({ length: options.candidates }, (_, i) => i + 1);
    const figures = await load.call({ kind: 'room-start', indices: room });
    const refused = figures.statuses.filter((s) => s.status !== 303 || s.location !== '/examen/question/1');
    if (refused.length > 0) problems.push(`${refused.length} starts did not lead to question 1, e.g. ${JSON.stringify(refused[0])}`);

    const roomCodes = codes.slice(1);
    const exams = await app.db.kysely
      .selectFrom('exams as e')
      .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
      .select(['e.id'])
      .where('t.code', 'in', roomCodes)
      .execute();
    const questionRows = exams.length
      ? Number(
          (
            await app.db.kysely
              .selectFrom('exam_questions')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where(
                'exam_id',
                'in',
                exams.map((e) => e.id),
              )
              .executeTakeFirstOrThrow()
          ).n,
        )
      : 0;
    const usedTokens = (await app.db.kysely.selectFrom('exam_tokens').select('status').where('code', 'in', roomCodes).execute()).filter(
      (t) => t.status === 'used',
    ).length;
    if (exams.length !== options.candidates) problems.push(`database: ${exams.length} exams for ${options.candidates} starts`);
    if (questionRows !== options.candidates * app.questionCount)
      problems.push(`database: ${questionRows} exam_questions rows, expected ${options.candidates} × ${app.questionCount}`);
    if (usedTokens !== options.candidates) problems.push(`database: ${usedTokens} tokens used, expected ${options.candidates}`);

    return {
      options,
      questionCount: app.questionCount,
      figures,
      p50: percentile(figures.latencies, 50),
      p99: percentile(figures.latencies, 99),
      check: { exams: exams.length, questionRows, usedTokens },
      problems,
    };
  } finally {
    await load.close();
    await app.close();
  }
}

export function describeRoomStart(r: RoomStartResult): string[] {
  const l = r.figures.latencies;
  return [
    `Room start — ${r.options.candidates} candidates click "Commencer" together (POST /examen/commencer, ${r.questionCount} questions drawn each)`,
    `  start latency     p50 ${fmt(r.p50)} ms · p99 ${fmt(r.p99)} ms · min ${fmt(Math.min(...l))} ms · max ${fmt(Math.max(...l))} ms`,
    `  whole room        ${fmt(r.figures.totalMs)} ms until the last candidate had question 1's address`,
    `  database          ${r.check.exams} exams, ${r.check.questionRows} exam_questions rows (= ${r.options.candidates} × ${r.questionCount}: ` +
      `${r.check.questionRows === r.options.candidates * r.questionCount ? 'yes' : 'NO'}), ${r.check.usedTokens} tokens used`,
  ];
}
