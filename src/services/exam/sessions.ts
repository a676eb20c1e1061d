import type { Kysely, Selectable } from 'kysely';
import type { Database, ExamSessionsTable, Queryable } from '../../db/schema.js';
import type { SessionStatus } from '../../domain/exam-session-rules.js';
import { parisDate, parisEndOfDay } from '../../domain/paris-time.js';
import { recordAudit, SYSTEM_ACTOR } from '../audit.js';
import { cancelForgottenPauses } from './cancellation.js';
import { transaction } from '../../db/transaction.js';

/** Exam sessions as the kiosk and the manager pages both read them. */
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
  /** The code that admits the room's terminals (admission.ts), and when it stops doing so. */
  admissionCode: string | null;
  admissionCodeExpiresAt: string | null;
}

export function toSession(row: Selectable<ExamSessionsTable>): ExamSession {
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
    admissionCode: row.admission_code,
    admissionCodeExpiresAt: row.admission_code_expires_at,
  };
}

/** The centre's sessions on the Paris day of `now`, by start time; only the open ones with `openOnly`. */
export async function sessionsOfDay(db: Queryable, centreId: number, now: Date, openOnly = false): Promise<ExamSession[]> {
  let query = db.selectFrom('exam_sessions').selectAll().where('centre_id', '=', centreId).where('date', '=', parisDate(now));
  if (openOnly) query = query.where('status', '=', 'open');
  const rows = await query.orderBy('start_time').orderBy('id').execute();
  return rows.map(toSession);
}

/** The sessions in which a candidate of this centre may start an exam now (today's and open). */
export function findOpenSessions(db: Queryable, centreId: number, now: Date): Promise<ExamSession[]> {
  return sessionsOfDay(db, centreId, now, true);
}

/**
 * Open sessions whose day is over are stored as closed, with closed_at at the end of their day and
 * an audit row from the system. The rules already treat them as closed (effectiveStatus): this
 * makes what is stored match, for the centre's pages (`centreId`) or for the whole platform (the
 * sweeper). Exams left paused past their day are cancelled first (cancelForgottenPauses). Returns
 * how many sessions were closed.
 */
export async function closeStaleSessions(db: Kysely<Database>, now: Date, centreId?: number): Promise<number> {
  await cancelForgottenPauses(db, now, centreId);
  let query = db.selectFrom('exam_sessions').select(['id', 'date', 'centre_id']).where('status', '=', 'open').where('date', '<', parisDate(now));
  if (centreId !== undefined) query = query.where('centre_id', '=', centreId);
  const stale = await query.execute();
  if (stale.length === 0) return 0;
  return transaction(db, async (trx) => {
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
      await recordAudit(
        trx,
        { now: () => new Date(closedAt) },
        {
          action: 'session.fermee_automatiquement',
          actor: SYSTEM_ACTOR,
          target: { type: 'session', id: s.id },
          details: { date: s.date, fermee_a: closedAt },
        },
      );
    }
    return closed;
  });
}
