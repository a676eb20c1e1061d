import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';

export interface OverviewItem {
  position: number;
  answered: boolean;
  flagged: boolean;
}

export async function getOverview(db: Kysely<Database>, examId: number): Promise<OverviewItem[]> {
  const rows = await db
    .selectFrom('exam_questions')
    .select(['position', 'chosen_answer_id', 'dont_know', 'flagged'])
    .where('exam_id', '=', examId)
    .orderBy('position')
    .execute();
  return rows.map((r) => ({ position: r.position, answered: r.chosen_answer_id !== null || r.dont_know === 1, flagged: r.flagged === 1 }));
}

export interface KioskQuestion {
  position: number;
  statement: string;
  hasImage: boolean;
  imageDescription: string | null;
  /** Texts in the order this candidate sees them; the candidate answers by index (1-based). */
  answers: string[];
  chosenIndex: number | null;
  dontKnow: boolean;
  flagged: boolean;
  seq: number;
}

/** One question as the candidate sees it: no identifier of the bank, nothing about correctness. */
export async function getKioskQuestion(db: Kysely<Database>, examId: number, position: number): Promise<KioskQuestion | null> {
  const row = await db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .select([
      'eq.position',
      'eq.answer_order',
      'eq.chosen_answer_id',
      'eq.dont_know',
      'eq.flagged',
      'eq.response_seq',
      'q.statement',
      'q.image_mime',
      'q.image_description',
    ])
    .where('eq.exam_id', '=', examId)
    .where('eq.position', '=', position)
    .executeTakeFirst();
  if (!row) return null;
  const order = JSON.parse(row.answer_order) as number[];
  const texts = await db.selectFrom('answers').select(['id', 'text']).where('id', 'in', order).execute();
  const textById = new Map(texts.map((t) => [t.id, t.text]));
  const chosen = row.chosen_answer_id === null ? -1 : order.indexOf(row.chosen_answer_id);
  return {
    position: row.position,
    statement: row.statement,
    hasImage: row.image_mime !== null,
    imageDescription: row.image_description,
    answers: order.map((id) => textById.get(id) ?? ''),
    chosenIndex: chosen >= 0 ? chosen + 1 : null,
    dontKnow: row.dont_know === 1,
    flagged: row.flagged === 1,
    seq: row.response_seq,
  };
}

export async function getExamImage(db: Kysely<Database>, examId: number, position: number) {
  return db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .select(['q.image_mime', 'q.image_data'])
    .where('eq.exam_id', '=', examId)
    .where('eq.position', '=', position)
    .where('q.image_data', 'is not', null)
    .executeTakeFirst();
}
