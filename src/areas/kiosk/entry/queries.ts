import { stillRunning } from '../../../services/exam/running.js';
import type { Queryable } from '../../../db/schema.js';
import { parseStoredRules } from '../../../domain/rules.js';
import { normalizeTokenEntry } from '../../../domain/token-code.js';

/** A token by its canonical code, with what the kiosk's entry check needs (any centre: the check compares). */
export async function findTokenByCode(db: Queryable, code: string) {
  return db
    .selectFrom('exam_tokens as t')
    .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
    .select(['t.id', 't.centre_id', 't.questionnaire_id', 't.status', 'q.status as questionnaire_status'])
    .where('t.code', '=', code)
    .executeTakeFirst();
}

/**
 * The unfinished exam started with this active centre's token, for a candidate coming back after a
 * crash (past its deadline it is not "in progress": the sweep or the next page finishes it).
 */
export async function findExamInProgressByToken(db: Queryable, centreId: number, tokenInput: string, now: Date) {
  const code = normalizeTokenEntry(tokenInput);
  if (!code) return undefined;
  return db
    .selectFrom('exams as e')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .innerJoin('centres as c', 'c.id', 'e.centre_id')
    .select(['e.id', 'e.birth_date'])
    .where('t.code', '=', code)
    .where('t.centre_id', '=', centreId)
    .where('c.status', '=', 'active')
    .where(stillRunning('e', now))
    .executeTakeFirst();
}

/** The profile, version and rules a candidate reads before « Commencer ». */
export async function getQuestionnaireForRules(db: Queryable, questionnaireId: number) {
  const row = await db.selectFrom('questionnaires').select(['profile', 'version', 'rules']).where('id', '=', questionnaireId).executeTakeFirstOrThrow();
  return { profile: row.profile, version: row.version, rules: parseStoredRules(row.rules) };
}
