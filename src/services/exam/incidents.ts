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
