import type { Queryable } from '../../../db/schema.js';

/** The centre's most recently finished exams, for the dashboard. */
export async function latestResults(db: Queryable, centreId: number, limit = 10) {
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select(['e.id', 'e.last_name', 'e.first_name', 'e.finished_at', 'e.score', 'e.maximum', 'e.passed', 'e.cancelled_at', 'q.profile'])
    .where('e.centre_id', '=', centreId)
    .where('e.finished_at', 'is not', null)
    .orderBy('e.finished_at', 'desc')
    .limit(limit)
    .execute();
}

/** Exams in progress now in the centre, for the dashboard. */
export async function examsInProgress(db: Queryable, centreId: number): Promise<number> {
  const row = await db
    .selectFrom('exams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('centre_id', '=', centreId)
    .where('finished_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
