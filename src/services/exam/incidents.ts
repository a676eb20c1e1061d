import type { Queryable } from '../../db/schema.js';

export type IncidentKind = 'note' | 'annulation' | 'pause' | 'reprise';

/** One line of what happened in a session's room, written inside the transaction of the act it records. */
export async function insertIncident(
  db: Queryable,
  incident: { sessionId: number; examId: number | null; kind: IncidentKind; text: string; at: Date; actorLabel: string },
): Promise<void> {
  await db
    .insertInto('session_incidents')
    .values({
      exam_session_id: incident.sessionId,
      exam_id: incident.examId,
      kind: incident.kind,
      text: incident.text,
      at: incident.at.toISOString(),
      actor_label: incident.actorLabel,
    })
    .execute();
}

/** A session's incidents in order, each with the candidate it concerns (if one). */
export async function sessionIncidents(db: Queryable, sessionId: number) {
  return db
    .selectFrom('session_incidents as i')
    .leftJoin('exams as e', 'e.id', 'i.exam_id')
    .select(['i.id', 'i.kind', 'i.text', 'i.at', 'i.actor_label', 'i.exam_id', 'e.last_name', 'e.first_name'])
    .where('i.exam_session_id', '=', sessionId)
    .orderBy('i.at')
    .orderBy('i.id')
    .execute();
}

/** A pause begins for each of these exams (one row each, even when the whole room stops). */
export async function startPauses(db: Queryable, examIds: readonly number[], at: Date, reason: string): Promise<void> {
  if (examIds.length === 0) return;
  await db
    .insertInto('exam_pauses')
    .values(examIds.map((id) => ({ exam_id: id, started_at: at.toISOString(), ended_at: null, reason })))
    .execute();
}

/** The open pauses of these exams end: resumed, cancelled, or the session's day over. */
export async function endPauses(db: Queryable, examIds: readonly number[], at: Date): Promise<void> {
  if (examIds.length === 0) return;
  await db.updateTable('exam_pauses').set({ ended_at: at.toISOString() }).where('exam_id', 'in', examIds).where('ended_at', 'is', null).execute();
}

/** An exam's pauses in order, each with its length so far (an open one counts up to `now`). */
export async function examPauses(db: Queryable, examId: number, now: Date) {
  const rows = await db
    .selectFrom('exam_pauses')
    .select(['started_at', 'ended_at', 'reason'])
    .where('exam_id', '=', examId)
    .orderBy('started_at')
    .orderBy('id')
    .execute();
  return rows.map((p) => ({
    ...p,
    seconds: Math.max(0, Math.floor(((p.ended_at ? Date.parse(p.ended_at) : now.getTime()) - Date.parse(p.started_at)) / 1000)),
  }));
}
