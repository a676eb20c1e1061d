import type { Queryable } from '../../../db/schema.js';

/** One exam of the centre (scoped: another centre's exam is not found). */
export async function getCentreExam(db: Queryable, centreId: number, examId: number) {
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
    .leftJoin('terminal_admissions as a', 'a.id', 'e.admission_id')
    .select([
      'a.label as terminal_label',
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
      'e.result_detail',
      'e.cancelled_at',
      'e.cancel_reason',
      'e.paused_at',
      'e.admission_id',
      'e.resume_allowed_until',
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

/** What extra time depends on: the exam's extra minutes so far, its deadline, whether it is over. */
export function findExamTime(db: Queryable, centreId: number, examId: number) {
  return db
    .selectFrom('exams')
    .select(['id', 'extra_minutes', 'deadline_at', 'finished_at', 'paused_at'])
    .where('id', '=', examId)
    .where('centre_id', '=', centreId)
    .executeTakeFirst();
}
