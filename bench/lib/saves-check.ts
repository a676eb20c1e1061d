import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import type { CandidateSaves } from './protocol.js';
import { fmt, sleep } from './stats.js';

/**
 * What the database holds against what the terminals sent and what was acknowledged, on either
 * database (bench/answer-saves.ts does the same on its SQLite handle): every question's
 * response_seq must be at least the last acknowledged seq (no acknowledged save lost) and at most
 * the last one sent. Each candidate's seq for a question goes up by one per save, so Σ response_seq
 * is the number of saves applied.
 */
export interface SavesCheck {
  exams: number;
  questionRows: number;
  /** Question rows of a finished exam (none should be: nothing here finishes an exam). */
  finishedRows: number;
  applied: number;
  built: number;
  acked: number;
  /** Questions whose response_seq is below the last acknowledged seq, or above the last one sent. */
  inconsistentRows: number;
}

export async function checkSaves(db: Kysely<Database>, states: CandidateSaves[], questionCount: number): Promise<SavesCheck> {
  const byCode = new Map<string, Map<number, number>>();
  const exams = new Set<number>();
  let questionRows = 0;
  let finishedRows = 0;
  // In chunks: PostgreSQL takes at most 65,535 parameters in a statement, SQLite 32,766.
  for (let i = 0; i < states.length; i += 5000) {
    const rows = await db
      .selectFrom('exam_questions as eq')
      .innerJoin('exams as e', 'e.id', 'eq.exam_id')
      .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
      .select(['t.code', 'eq.exam_id', 'eq.position', 'eq.response_seq', 'e.finished_at'])
      .where(
        't.code',
        'in',
        states.slice(i, i + 5000).map((s) => s.code),
      )
      .execute();
    for (const r of rows) {
      questionRows++;
      exams.add(r.exam_id);
      if (r.finished_at) finishedRows++;
      let positions = byCode.get(r.code);
      if (!positions) byCode.set(r.code, (positions = new Map()));
      positions.set(r.position, r.response_seq);
    }
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
  return { exams: exams.size, questionRows, finishedRows, applied, built, acked, inconsistentRows };
}

/** The check's verdicts, as problems that make the run invalid. */
export function savesCheckProblems(check: SavesCheck, candidates: number, questionCount: number): string[] {
  const problems: string[] = [];
  if (check.exams !== candidates || check.questionRows !== candidates * questionCount) {
    problems.push(`database: ${check.exams} exams / ${check.questionRows} question rows for ${candidates} candidates × ${questionCount}`);
  }
  if (check.finishedRows > 0) problems.push(`database: ${check.finishedRows} question rows belong to a finished exam`);
  if (check.inconsistentRows > 0) problems.push(`database: ${check.inconsistentRows} questions whose response_seq is outside [last acknowledged, last sent]`);
  if (check.applied < check.acked) problems.push(`database: ${check.applied} saves applied but ${check.acked} acknowledged`);
  return problems;
}

export function describeSavesCheck(check: SavesCheck): string {
  return (
    `${check.exams} exams, ${check.questionRows} question rows; saves applied ${fmt(check.applied)} ` +
    `(acknowledged ${fmt(check.acked)}, sent ${fmt(check.built)}, warm-up included); ${check.inconsistentRows} inconsistent → ` +
    (check.inconsistentRows === 0 && check.applied >= check.acked ? 'consistent' : 'INCONSISTENT')
  );
}

/** Waits until the server has applied whatever was still in flight when the load stopped (Σ response_seq stable). */
export async function settle(db: Kysely<Database>): Promise<void> {
  let last = -1;
  for (let i = 0; i < 30; i++) {
    await sleep(150);
    const { total } = await db
      .selectFrom('exam_questions')
      .select((eb) => eb.fn.sum<number>('response_seq').as('total'))
      .executeTakeFirstOrThrow();
    const now = Number(total ?? 0);
    if (now === last) return;
    last = now;
  }
}
