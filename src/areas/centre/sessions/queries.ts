import type { Kysely, Selectable } from 'kysely';
import type { Database, ExamSessionsTable, Queryable } from '../../../db/schema.js';
import type { NewSessionInput, SessionStatus } from '../../../domain/exam-session-rules.js';
import { parisDate, parisEndOfDay } from '../../../domain/paris-time.js';
import { recordAudit } from '../../../services/audit.js';

export interface ExamSession {
  id: number;
  centreId: number;
  /** `AAAA-MM-JJ`, Paris. */
  date: string;
  /** `HH:MM`, Paris. */
  startTime: string;
  room: string;
  supervisor: string;
  status: SessionStatus;
  openedAt: string | null;
  closedAt: string | null;
  createdAt: string;
}

function toSession(row: Selectable<ExamSessionsTable>): ExamSession {
  return {
    id: row.id,
    centreId: row.centre_id,
    date: row.date,
    startTime: row.start_time,
    room: row.room,
    supervisor: row.supervisor,
    status: row.status,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    createdAt: row.created_at,
  };
}

/**
 * Open sessions whose day is over are stored as closed, with closed_at at the end of their day.
 * Called wherever sessions are read, so that what is stored matches what the rules say.
 * Returns how many were closed (each gets an audit row from the system).
 */
export async function closeStaleSessions(db: Kysely<Database>, today: string): Promise<number> {
  const stale = await db.selectFrom('exam_sessions').select(['id', 'date']).where('status', '=', 'open').where('date', '<', today).execute();
  if (stale.length === 0) return 0;
  return db.transaction().execute(async (trx) => {
    let closed = 0;
    for (const s of stale) {
      const closedAt = parisEndOfDay(s.date).toISOString();
      const result = await trx
        .updateTable('exam_sessions')
        .set({ status: 'closed', closed_at: closedAt })
        .where('id', '=', s.id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) continue;
      closed += 1;
      // Recorded at the moment the session closed by itself, not when this was noticed.
      await recordAudit(trx, { now: () => new Date(closedAt) }, {
        action: 'session.fermee_automatiquement',
        actor: { accountId: null, label: 'système' },
        target: { type: 'session', id: s.id },
        details: { date: s.date, fermee_a: closedAt },
      });
    }
    return closed;
  });
}

export interface SessionsByDay {
  today: ExamSession[];
  upcoming: ExamSession[];
  past: ExamSession[];
}

/** The centre's sessions: today's first, then the days to come (soonest first), then the past (latest first). */
export async function listSessions(db: Kysely<Database>, centreId: number, now: Date): Promise<SessionsByDay> {
  const today = parisDate(now);
  await closeStaleSessions(db, today);
  const rows = await db
    .selectFrom('exam_sessions')
    .selectAll()
    .where('centre_id', '=', centreId)
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

/** Today's sessions of the centre, by start time (for the manager's dashboard). */
export function todaySessions(db: Kysely<Database>, centreId: number, now: Date): Promise<ExamSession[]> {
  return sessionsOfToday(db, centreId, now, false);
}

/** The sessions in which a candidate of this centre may start an exam now (for the kiosk). */
export function findOpenSessions(db: Kysely<Database>, centreId: number, now: Date): Promise<ExamSession[]> {
  return sessionsOfToday(db, centreId, now, true);
}

async function sessionsOfToday(db: Kysely<Database>, centreId: number, now: Date, openOnly: boolean): Promise<ExamSession[]> {
  const today = parisDate(now);
  await closeStaleSessions(db, today);
  let query = db.selectFrom('exam_sessions').selectAll().where('centre_id', '=', centreId).where('date', '=', today);
  if (openOnly) query = query.where('status', '=', 'open');
  const rows = await query.orderBy('start_time').orderBy('id').execute();
  return rows.map(toSession);
}

/** One session of the centre as it stands now (a past day's open session shown closed). */
export async function findSession(db: Kysely<Database>, centreId: number, id: number, now: Date): Promise<ExamSession | null> {
  await closeStaleSessions(db, parisDate(now));
  return getSession(db, centreId, id);
}

export async function getSession(db: Queryable, centreId: number, id: number): Promise<ExamSession | null> {
  const row = await db.selectFrom('exam_sessions').selectAll().where('id', '=', id).where('centre_id', '=', centreId).executeTakeFirst();
  return row ? toSession(row) : null;
}

export async function insertSession(db: Queryable, centreId: number, input: NewSessionInput, createdAt: string): Promise<number> {
  const row = await db
    .insertInto('exam_sessions')
    .values({
      centre_id: centreId,
      date: input.date,
      start_time: input.startTime,
      room: input.room,
      supervisor: input.supervisor,
      status: 'planned',
      created_at: createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Moves a session from `from` to `to`; false when it was no longer in `from` (a concurrent change). */
export async function setSessionStatus(db: Queryable, centreId: number, id: number, from: SessionStatus, to: 'open' | 'closed', at: string): Promise<boolean> {
  const result = await db
    .updateTable('exam_sessions')
    .set(to === 'open' ? { status: 'open', opened_at: at } : { status: 'closed', closed_at: at })
    .where('id', '=', id)
    .where('centre_id', '=', centreId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** The candidates of a session (scoped to the centre), with how far each has gone: the room's view and its export. */
export async function sessionCandidates(db: Kysely<Database>, centreId: number, sessionId: number) {
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
      'q.profile',
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
