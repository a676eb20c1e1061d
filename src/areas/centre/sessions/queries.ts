import type { Queryable } from '../../../db/schema.js';
import { addDays, parisDate } from '../../../domain/paris-time.js';
import { toSession, type ExamSession } from '../../../services/exam/sessions.js';

export interface SessionsByDay {
  today: ExamSession[];
  upcoming: ExamSession[];
  past: ExamSession[];
}

/** How far back the sessions page lists past sessions; the archives hold every one, year by year. */
export const RECENT_PAST_DAYS = 30;

/** The centre's sessions: today's first, then the days to come (soonest first), then the recent past (latest first). */
export async function listSessions(db: Queryable, centreId: number, now: Date): Promise<SessionsByDay> {
  const today = parisDate(now);
  const rows = await db
    .selectFrom('exam_sessions')
    .selectAll()
    .where('centre_id', '=', centreId)
    .where('date', '>=', addDays(today, -RECENT_PAST_DAYS))
    .orderBy('date')
    .orderBy('start_time')
    .orderBy('id')
    .execute();
  const sessions = rows.map(toSession);
  return {
    today: sessions.filter((s) => s.date === today),
    upcoming: sessions.filter((s) => s.date > today),
    past: sessions.filter((s) => s.date < today).reverse(),
  };
}

export async function getSession(db: Queryable, centreId: number, id: number): Promise<ExamSession | null> {
  const row = await db.selectFrom('exam_sessions').selectAll().where('id', '=', id).where('centre_id', '=', centreId).executeTakeFirst();
  return row ? toSession(row) : null;
}

/** The candidates of a session (scoped to the centre), with how far each has gone: the room's view and its export. */
export async function sessionCandidates(db: Queryable, centreId: number, sessionId: number) {
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .select((eb) => [
      'e.id',
      'e.last_name',
      'e.first_name',
      'e.birth_date',
      'e.company',
      't.code',
      'q.version',
      'e.pass_mark',
      'e.started_at',
      'e.deadline_at',
      'e.extra_minutes',
      'e.finished_at',
      'e.finish_reason',
      'e.score',
      'e.maximum',
      'e.passed',
      'e.cancelled_at',
      'e.paused_at',
      'q.profile',
      'e.admission_id',
      eb
        .selectFrom('exam_resumes as r')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('r.exam_id', '=', 'e.id')
        .where('r.allowed', '=', 1)
        .as('moves'),
      eb
        .selectFrom('exam_resumes as r')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('r.exam_id', '=', 'e.id')
        .as('resumes'),
      eb
        .selectFrom('exam_questions as eq')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('eq.exam_id', '=', 'e.id')
        .as('questions'),
      eb
        .selectFrom('exam_questions as eq')
        .select((sub) => sub.fn.countAll<number>().as('n'))
        .whereRef('eq.exam_id', '=', 'e.id')
        .where((w) => w.or([w('eq.chosen_answer_id', 'is not', null), w('eq.dont_know', '=', 1)]))
        .as('answered'),
    ])
    .where('e.centre_id', '=', centreId)
    .where('e.exam_session_id', '=', sessionId)
    .orderBy('e.started_at')
    .orderBy('e.id')
    .execute();
}

/** The terminals admitted to a session, in the order they were admitted, with the exam each one runs now. */
export async function sessionTerminals(db: Queryable, centreId: number, sessionId: number) {
  return (
    db
      .selectFrom('terminal_admissions as a')
      .innerJoin('exam_sessions as s', 's.id', 'a.exam_session_id')
      // The latest unfinished exam of each terminal (one row per terminal, even if a candidate left
      // an exam behind and the next one started on the same terminal).
      .leftJoin('exams as e', (join) =>
        join.on((eb) =>
          eb(
            'e.id',
            '=',
            eb
              .selectFrom('exams as x')
              .select('x.id')
              .whereRef('x.admission_id', '=', 'a.id')
              .where('x.finished_at', 'is', null)
              .orderBy('x.started_at', 'desc')
              .orderBy('x.id', 'desc')
              .limit(1),
          ),
        ),
      )
      .select(['a.id', 'a.label', 'a.ip', 'a.admitted_at', 'a.revoked_at', 'e.id as exam_id', 'e.last_name', 'e.first_name'])
      .where('s.id', '=', sessionId)
      .where('s.centre_id', '=', centreId)
      .orderBy('a.id')
      .execute()
  );
}

/** One terminal of the centre's session (with the exam it runs), for the confirmation of its withdrawal. */
export async function sessionTerminal(db: Queryable, centreId: number, sessionId: number, admissionId: number) {
  const rows = await sessionTerminals(db, centreId, sessionId);
  return rows.find((r) => r.id === admissionId);
}

/** Whether the centre may plan sessions (not suspended), read in the creation's transaction. */
export function centreStanding(db: Queryable, centreId: number) {
  return db.selectFrom('centres').select(['status', 'suspension_reason']).where('id', '=', centreId).executeTakeFirstOrThrow();
}

/** The session report's candidates: in the order they started, each with its attestation number (if one). */
export async function sessionReportCandidates(db: Queryable, centreId: number, sessionId: number) {
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .leftJoin('attestations as a', 'a.exam_id', 'e.id')
    .select([
      'e.id',
      'e.last_name',
      'e.first_name',
      'e.birth_date',
      'q.profile',
      'e.started_at',
      'e.finished_at',
      'e.score',
      'e.maximum',
      'e.passed',
      'e.cancelled_at',
      'a.number as attestation_number',
      'a.cancelled_at as attestation_cancelled_at',
    ])
    .where('e.exam_session_id', '=', sessionId)
    .where('e.centre_id', '=', centreId)
    .orderBy('e.started_at')
    .orderBy('e.id')
    .execute();
}

/** What the report's heading says of the centre. */
export async function centreHeading(db: Queryable, centreId: number) {
  return db.selectFrom('centres').select(['id', 'name', 'address']).where('id', '=', centreId).executeTakeFirstOrThrow();
}
