import type { Queryable } from '../../db/schema.js';
import { parisMonth } from '../../domain/paris-time.js';

/**
 * The counters the national figures are read from (table exam_figures, migration 0020), written in
 * the same transaction as what they count: an exam scored, an exam cancelled, a token batch. Each
 * exam enters them once, when it ends or is cancelled, in the month (Paris) it started; an exam
 * running now is counted live by the dashboard instead. Adding rather than setting keeps two
 * instances writing the same month at once both counted.
 */

/** Which counters row an exam or batch belongs to. */
export interface FiguresKey {
  /** The exam's start, or the batch's creation (ISO). */
  at: string;
  centreId: number;
  questionnaireId: number;
}

/** What a scored exam adds. */
export interface ScoredExam {
  passed: boolean;
  score: number;
  maximum: number;
}

interface Delta {
  finished?: number;
  passed?: number;
  cancelled?: number;
  score_sum?: number;
  maximum_sum?: number;
  tokens_issued?: number;
}

async function add(trx: Queryable, key: FiguresKey, delta: Delta): Promise<void> {
  const values = {
    month: parisMonth(new Date(key.at)),
    centre_id: key.centreId,
    questionnaire_id: key.questionnaireId,
    finished: delta.finished ?? 0,
    passed: delta.passed ?? 0,
    cancelled: delta.cancelled ?? 0,
    score_sum: delta.score_sum ?? 0,
    maximum_sum: delta.maximum_sum ?? 0,
    tokens_issued: delta.tokens_issued ?? 0,
  };
  await trx
    .insertInto('exam_figures')
    .values(values)
    .onConflict((oc) =>
      oc.columns(['month', 'centre_id', 'questionnaire_id']).doUpdateSet((eb) => ({
        finished: eb('exam_figures.finished', '+', eb.ref('excluded.finished')),
        passed: eb('exam_figures.passed', '+', eb.ref('excluded.passed')),
        cancelled: eb('exam_figures.cancelled', '+', eb.ref('excluded.cancelled')),
        score_sum: eb('exam_figures.score_sum', '+', eb.ref('excluded.score_sum')),
        maximum_sum: eb('exam_figures.maximum_sum', '+', eb.ref('excluded.maximum_sum')),
        tokens_issued: eb('exam_figures.tokens_issued', '+', eb.ref('excluded.tokens_issued')),
      })),
    )
    .execute();
}

/** An exam scored at its end (by the candidate or at the deadline). */
export async function countScoredExam(trx: Queryable, exam: FiguresKey, result: ScoredExam): Promise<void> {
  await add(trx, exam, { finished: 1, passed: result.passed ? 1 : 0, score_sum: result.score, maximum_sum: result.maximum });
}

/** An exam cancelled: one already scored leaves the scored ones (its score counts no more). */
export async function countCancelledExam(trx: Queryable, exam: FiguresKey, scored: ScoredExam | null): Promise<void> {
  await add(
    trx,
    exam,
    scored ? { cancelled: 1, finished: -1, passed: scored.passed ? -1 : 0, score_sum: -scored.score, maximum_sum: -scored.maximum } : { cancelled: 1 },
  );
}

/** A table of tokens generated. */
export async function countIssuedTokens(trx: Queryable, batch: FiguresKey, size: number): Promise<void> {
  await add(trx, batch, { tokens_issued: size });
}
