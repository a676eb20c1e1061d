import type { CentreStatus } from '../../../domain/statuses.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { canClose, canOpen, isOpenForExams, validateNewSession, type NewSessionInput, type NewSessionOutcome } from '../../../domain/exam-session-rules.js';
import { plural } from '../../../domain/french.js';
import { readReason, reasonProblem } from '../../../domain/reason.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { renewAdmissionCode } from '../../../services/exam/admission.js';
import { insertIncident } from '../../../services/exam/incidents.js';
import { standingPaused } from '../../../services/exam/running.js';
import { closeStaleSessions } from '../../../services/exam/sessions.js';
import { suspendedCentreMessage } from '../../../domain/centre-suspension.js';
import { centreStanding, getSession } from './queries.js';
import type { SessionStatus } from '../../../domain/exam-session-rules.js';
import { transaction } from '../../../db/transaction.js';

export type CreateOutcome = { ok: true; sessionId: number } | Extract<NewSessionOutcome, { ok: false }> | { ok: false; suspended: string };

/** null: no such session in this centre (the caller answers 404). */
export type TransitionOutcome = { ok: true } | { ok: false; message: string } | null;

/** Checks and stores a new planned session of the centre. */
export async function createSession(db: Kysely<Database>, clock: Clock, centreId: number, input: NewSessionInput, { actor }: Acting): Promise<CreateOutcome> {
  const now = clock.now();
  const checked = validateNewSession(input, now);
  if (!checked.ok) return checked;
  const session = checked.session;
  return transaction(db, async (trx): Promise<CreateOutcome> => {
    const centre = await centreStanding(trx, centreId);
    if (centre.status === 'suspended') return { ok: false, suspended: suspendedCentreMessage('aucune session ne peut être créée', centre.suspension_reason) };
    const sessionId = await insertSession(trx, centreId, session, now.toISOString());
    await recordAudit(trx, clock, {
      action: 'session.creee',
      actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centreId, date: session.date, heure: session.startTime, salle: session.room, surveillant: session.supervisor },
    });
    return { ok: true as const, sessionId };
  });
}

/** Planned → open, on the session's day only, and never for a suspended centre. */
export async function openSession(
  db: Kysely<Database>,
  clock: Clock,
  centre: { id: number; status: CentreStatus; suspensionReason: string | null },
  sessionId: number,
  { actor }: Acting,
): Promise<TransitionOutcome> {
  const now = clock.now();
  await closeStaleSessions(db, now, centre.id);
  return transaction(db, async (trx) => {
    const session = await getSession(trx, centre.id, sessionId);
    if (!session) return null;
    if (centre.status === 'suspended') {
      return { ok: false, message: suspendedCentreMessage('aucune session ne peut être ouverte', centre.suspensionReason) };
    }
    const rule = canOpen(session, now);
    if (!rule.ok) return rule;
    if (!(await setSessionStatus(trx, centre.id, sessionId, 'planned', 'open', now.toISOString()))) {
      return { ok: false, message: 'Cette session vient de changer d’état : rechargez la page.' };
    }
    await recordAudit(trx, clock, {
      action: 'session.ouverte',
      actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centre.id, date: session.date, salle: session.room },
    });
    await renewAdmissionCode(trx, clock, sessionId);
    return { ok: true };
  });
}

/**
 * A new code to admit the room's terminals (the last one expired, or was seen by someone it should
 * not have been): only while the session is open for exams.
 */
export async function renewSessionCode(db: Kysely<Database>, clock: Clock, centreId: number, sessionId: number, { actor }: Acting): Promise<TransitionOutcome> {
  const now = clock.now();
  return transaction(db, async (trx) => {
    const session = await getSession(trx, centreId, sessionId);
    if (!session) return null;
    if (!isOpenForExams(session, now)) return { ok: false, message: 'Cette session n’est pas ouverte : aucun poste ne peut y être admis.' };
    await renewAdmissionCode(trx, clock, sessionId);
    await recordAudit(trx, clock, { action: 'session.code_renouvele', actor, target: { type: 'session', id: sessionId } });
    return { ok: true };
  });
}

/** Open → closed, at any time. */
export async function closeSession(db: Kysely<Database>, clock: Clock, centreId: number, sessionId: number, { actor }: Acting): Promise<TransitionOutcome> {
  const now = clock.now();
  await closeStaleSessions(db, now, centreId);
  return transaction(db, async (trx) => {
    const session = await getSession(trx, centreId, sessionId);
    if (!session) return null;
    const rule = canClose(session, now);
    if (!rule.ok) return rule;
    // Closed, the session would leave its paused candidates waiting for a resumption nobody plans.
    const paused = await trx
      .selectFrom('exams')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('exam_session_id', '=', sessionId)
      .where(standingPaused('exams'))
      .executeTakeFirstOrThrow();
    const count = Number(paused.n);
    if (count === 1) return { ok: false, message: 'Un examen est en pause dans cette session : reprenez-le ou annulez-le avant de la fermer.' };
    if (count > 1)
      return { ok: false, message: `${plural(count, 'examen')} sont en pause dans cette session : reprenez-les ou annulez-les avant de la fermer.` };
    if (!(await setSessionStatus(trx, centreId, sessionId, 'open', 'closed', now.toISOString()))) {
      return { ok: false, message: 'Cette session vient de changer d’état : rechargez la page.' };
    }
    await recordAudit(trx, clock, {
      action: 'session.fermee',
      actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centreId, date: session.date, salle: session.room },
    });
    return { ok: true };
  });
}

/** A printed report names every candidate of the session: who printed it, and when. */
export async function recordReportPrint(db: Kysely<Database>, clock: Clock, sessionId: number, candidates: number, { actor }: Acting): Promise<void> {
  await recordAudit(db, clock, {
    action: 'session.proces_verbal_imprime',
    actor,
    target: { type: 'session', id: sessionId },
    details: { candidats: candidates },
  });
}

/** The session's results left the platform as a file: personal data, so the journal says who took it. */
export async function recordResultsExport(db: Kysely<Database>, clock: Clock, sessionId: number, candidates: number, { actor }: Acting): Promise<void> {
  await recordAudit(db, clock, { action: 'session.export_resultats', actor, target: { type: 'session', id: sessionId }, details: { candidats: candidates } });
}

export type NoteOutcome = { ok: true } | { ok: false; error: string };

/**
 * Notes what happened in the room that no other action records (a candidate taken ill, a terminal
 * replaced, a power cut), at the server's time, in the session's incident log and the audit.
 */
export async function noteIncident(
  db: Kysely<Database>,
  clock: Clock,
  centreId: number,
  sessionId: number,
  raw: string,
  { actor }: Acting,
): Promise<NoteOutcome> {
  const text = readReason(raw);
  const problem = reasonProblem(text, 'de l’incident', { asked: 'Décrivez l’incident', noun: 'La description' });
  if (problem) return { ok: false, error: problem };
  const now = clock.now();
  await transaction(db, async (trx) => {
    await insertIncident(trx, { sessionId, examId: null, kind: 'note', text, at: now, actorLabel: actor.label });
    await recordAudit(trx, clock, {
      action: 'session.incident_note',
      actor,
      target: { type: 'session', id: sessionId },
      details: { centre: centreId, note: text },
    });
  });
  return { ok: true };
}

// The writes themselves, only ever run inside the transactions above.

async function insertSession(db: Queryable, centreId: number, input: NewSessionInput, createdAt: string): Promise<number> {
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
async function setSessionStatus(db: Queryable, centreId: number, id: number, from: SessionStatus, to: 'open' | 'closed', at: string): Promise<boolean> {
  const result = await db
    .updateTable('exam_sessions')
    .set(to === 'open' ? { status: 'open', opened_at: at } : { status: 'closed', closed_at: at })
    .where('id', '=', id)
    .where('centre_id', '=', centreId)
    .where('status', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
