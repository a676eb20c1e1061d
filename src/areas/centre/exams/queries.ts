import type { Kysely } from 'kysely';
import type { Database, Queryable } from '../../../db/schema.js';

/** The centre's most recently finished exams, for the dashboard. */
export async function latestResults(db: Kysely<Database>, centreId: number, limit = 10) {
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select(['e.id', 'e.last_name', 'e.first_name', 'e.finished_at', 'e.score', 'e.maximum', 'e.passed', 'q.profile'])
    .where('e.centre_id', '=', centreId)
    .where('e.finished_at', 'is not', null)
    .orderBy('e.finished_at', 'desc')
    .limit(limit)
    .execute();
}

/** Exams in progress now in the centre, for the dashboard. */
export async function examsInProgress(db: Kysely<Database>, centreId: number): Promise<number> {
  const row = await db
    .selectFrom('exams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('centre_id', '=', centreId)
    .where('finished_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One exam of the centre (scoped: another centre's exam is not found). */
export async function getCentreExam(db: Kysely<Database>, centreId: number, examId: number) {
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
    .select([
      'e.id',
      'e.last_name',
      'e.first_name',
      'e.birth_date',
      'e.company',
      'e.started_at',
      'e.deadline_at',
      'e.extra_minutes',
      'e.finished_at',
      'e.finish_reason',
      'e.score',
      'e.maximum',
      'e.pass_mark',
      'e.passed',
      'q.profile',
      'q.version',
      't.code',
      't.batch_id',
      's.id as session_id',
      's.room',
      's.date as session_date',
    ])
    .where('e.id', '=', examId)
    .where('e.centre_id', '=', centreId)
    .executeTakeFirst();
}

/** The centres of a manager, for the manager area's scope and the header's switcher. */
export function centresOfManager(db: Kysely<Database>, centreIds: number[]) {
  return db
    .selectFrom('centres')
    .select(['id', 'name', 'status', 'suspension_reason', 'low_stock_threshold'])
    .where('id', 'in', centreIds)
    .orderBy('id')
    .execute();
}

/** What extra time depends on: the exam's extra minutes so far, its deadline, whether it is over. */
export function findExamTime(db: Queryable, centreId: number, examId: number) {
  return db
    .selectFrom('exams')
    .select(['id', 'extra_minutes', 'deadline_at', 'finished_at'])
    .where('id', '=', examId)
    .where('centre_id', '=', centreId)
    .executeTakeFirst();
}

/** Moves a running exam's deadline; false when it finished or its time ran out meanwhile. */
export async function extendRunningExam(db: Queryable, examId: number, change: { extraMinutes: number; deadline: string }, now: string): Promise<boolean> {
  const result = await db
    .updateTable('exams')
    .set({ extra_minutes: change.extraMinutes, deadline_at: change.deadline })
    .where('id', '=', examId)
    .where('finished_at', 'is', null)
    .where('deadline_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
