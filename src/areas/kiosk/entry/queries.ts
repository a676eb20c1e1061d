import type { Queryable } from '../../../db/schema.js';

/** A token by its canonical code, with what the kiosk's entry check needs (any centre: the check compares). */
export async function findTokenByCode(db: Queryable, code: string) {
  return db
    .selectFrom('exam_tokens as t')
    .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
    .select(['t.id', 't.centre_id', 't.questionnaire_id', 't.status', 'q.status as questionnaire_status'])
    .where('t.code', '=', code)
    .executeTakeFirst();
}
