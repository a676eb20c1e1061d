import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { EXTRA_MINUTES_MAX, parseExtraMinutes } from '../../../domain/exam-clock.js';
import { readReason, reasonProblem } from '../../../domain/reason.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { insertIncident } from '../../../services/exam/incidents.js';
import { findExamTime } from './queries.js';

export type ExtraTimeOutcome = { ok: true; minutes: number; deadline: string } | { ok: false; field: boolean; message: string };

const FINISHED = 'Cet examen est terminé : son temps ne peut plus être prolongé.';

/**
 * Adds minutes to a running exam of the centre (an accommodation, or time lost to an incident).
 * The deadline moves in the same write that checks the exam is still running, so the server's
 * closing at the old deadline and this grant cannot both win. Null: no such exam in this centre.
 */
export async function grantExtraTime(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; examId: number; raw: string },
  { actor }: Acting,
): Promise<ExtraTimeOutcome | null> {
  const now = clock.now().toISOString();
  return db.transaction().execute(async (trx) => {
    const exam = await findExamTime(trx, input.centreId, input.examId);
    if (!exam) return null;
    if (exam.finished_at || exam.deadline_at <= now) return { ok: false, field: false, message: FINISHED };
    const parsed = parseExtraMinutes(input.raw, exam.extra_minutes);
    // At the maximum the form is no longer shown: the message goes to the page, not to a field.
    if (!parsed.ok) return { ok: false, field: exam.extra_minutes < EXTRA_MINUTES_MAX, message: parsed.message };
    const deadline = new Date(Date.parse(exam.deadline_at) + parsed.value * 60_000).toISOString();
    const extended = await extendRunningExam(trx, exam.id, { extraMinutes: exam.extra_minutes + parsed.value, deadline }, now);
    if (!extended) return { ok: false, field: false, message: FINISHED };
    await recordAudit(trx, clock, {
      action: 'examen.temps_supplementaire',
      actor,
      target: { type: 'examen', id: exam.id },
      details: { minutes: parsed.value, total: exam.extra_minutes + parsed.value, avant: exam.deadline_at, apres: deadline },
    });
    return { ok: true, minutes: parsed.value, deadline };
  });
}

export type CancelExamOutcome = { ok: true; attestation: string | null } | { ok: false; error: string; value: string };

/**
 * Cancels a candidate's exam (fraud, usurped identity, serious incident), with the reason the
 * centre must give: « Annulé » everywhere, no attestation — one already issued is cancelled with it,
 * so /verifier says « annulée » — and the token stays used. A running exam ends there: its terminal's
 * next save is refused and its page shows the cancellation. One transaction: the exam, its
 * attestation, the room's incident log and the audit change together. Null: no such exam here.
 */
export async function cancelExam(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; examId: number; reason: unknown },
  { actor }: Acting,
): Promise<CancelExamOutcome | null> {
  const reason = readReason(input.reason);
  const now = clock.now();
  return db.transaction().execute(async (trx) => {
    const exam = await trx
      .selectFrom('exams as e')
      .leftJoin('attestations as a', 'a.exam_id', 'e.id')
      .select(['e.id', 'e.exam_session_id', 'e.cancelled_at', 'a.number', 'a.cancelled_at as attestation_cancelled_at'])
      .where('e.id', '=', input.examId)
      .where('e.centre_id', '=', input.centreId)
      .executeTakeFirst();
    if (!exam) return null;
    if (exam.cancelled_at) return { ok: false, error: 'Cet examen est déjà annulé.', value: reason };
    const problem = reasonProblem(reason, 'de l’annulation');
    if (problem) return { ok: false, error: problem, value: reason };
    const at = now.toISOString();
    // A running exam ends now, unscored; a finished one keeps its end and score, for the record.
    await trx
      .updateTable('exams')
      .set((eb) => ({ cancelled_at: at, cancel_reason: reason, finished_at: eb.fn.coalesce('finished_at', eb.val(at)) }))
      .where('id', '=', exam.id)
      .where('cancelled_at', 'is', null)
      .execute();
    const attestation = exam.number && !exam.attestation_cancelled_at ? exam.number : null;
    if (attestation) {
      await trx.updateTable('attestations').set({ cancelled_at: at, cancel_reason: reason }).where('exam_id', '=', exam.id).execute();
    }
    await insertIncident(trx, { sessionId: exam.exam_session_id, examId: exam.id, kind: 'annulation', text: reason, at: now, actorLabel: actor.label });
    await recordAudit(trx, clock, {
      action: 'examen.annule',
      actor,
      target: { type: 'examen', id: exam.id },
      details: { motif: reason, ...(attestation ? { attestation } : {}) },
    });
    return { ok: true, attestation };
  });
}

// The writes themselves, only ever run inside the transactions above.

/** Moves a running exam's deadline; false when it finished or its time ran out meanwhile. */
async function extendRunningExam(db: Queryable, examId: number, change: { extraMinutes: number; deadline: string }, now: string): Promise<boolean> {
  const result = await db
    .updateTable('exams')
    .set({ extra_minutes: change.extraMinutes, deadline_at: change.deadline })
    .where('id', '=', examId)
    .where('finished_at', 'is', null)
    .where('deadline_at', '>', now)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
