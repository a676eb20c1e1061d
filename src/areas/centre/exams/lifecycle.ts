import { standingPaused, stillRunning } from '../../../services/exam/running.js';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { EXTRA_MINUTES_MAX, formatRemaining, parseExtraMinutes } from '../../../domain/exam-clock.js';
import { plural } from '../../../domain/french.js';
import { readReason, reasonProblem } from '../../../domain/reason.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { writeCancellation } from '../../../services/exam/cancellation.js';
import { endPauses, insertIncident, startPauses } from '../../../services/exam/incidents.js';
import { closeStaleSessions } from '../../../services/exam/sessions.js';
import { findExamTime } from './queries.js';
import { transaction } from '../../../db/transaction.js';

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
  return transaction(db, async (trx) => {
    const exam = await findExamTime(trx, input.centreId, input.examId);
    if (!exam) return null;
    // Paused, its deadline may have passed while its time stood still: it is running all the same.
    if (exam.finished_at || (exam.paused_at === null && exam.deadline_at <= now)) return { ok: false, field: false, message: FINISHED };
    const parsed = parseExtraMinutes(input.raw, exam.extra_minutes);
    // At the maximum the form is no longer shown: the message goes to the page, not to a field.
    if (!parsed.ok) return { ok: false, field: exam.extra_minutes < EXTRA_MINUTES_MAX, message: parsed.message };
    const deadline = new Date(Date.parse(exam.deadline_at) + parsed.value * 60_000).toISOString();
    const extended = await extendRunningExam(trx, exam.id, { extraMinutes: exam.extra_minutes + parsed.value, deadline }, clock.now());
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
  return transaction(db, async (trx) => {
    const exam = await trx
      .selectFrom('exams')
      .select(['id', 'exam_session_id', 'cancelled_at'])
      .where('id', '=', input.examId)
      .where('centre_id', '=', input.centreId)
      .executeTakeFirst();
    if (!exam) return null;
    if (exam.cancelled_at) return { ok: false, error: 'Cet examen est déjà annulé.', value: reason };
    const problem = reasonProblem(reason, 'de l’annulation');
    if (problem) return { ok: false, error: problem, value: reason };
    const attestation = await writeCancellation(trx, clock, { id: exam.id, sessionId: exam.exam_session_id }, reason, actor);
    return { ok: true, attestation };
  });
}

/** `field`: the reason is what is wrong (said at its field); else the state of the exams (said on the page). */
export type PauseOutcome = { ok: true; exams: number } | { ok: false; error: string; value: string; field: boolean };

/** The exams of a session (or the one exam) that a pause or a resumption concerns. */
function examsOfSession(db: Queryable, centreId: number, target: { sessionId: number } | { examId: number }) {
  let query = db.selectFrom('exams').where('centre_id', '=', centreId);
  query = 'examId' in target ? query.where('id', '=', target.examId) : query.where('exam_session_id', '=', target.sessionId);
  return query;
}

async function sessionOf(db: Queryable, centreId: number, target: { sessionId: number } | { examId: number }): Promise<number | null> {
  if ('sessionId' in target) {
    const row = await db.selectFrom('exam_sessions').select('id').where('id', '=', target.sessionId).where('centre_id', '=', centreId).executeTakeFirst();
    return row?.id ?? null;
  }
  const row = await db.selectFrom('exams').select('exam_session_id').where('id', '=', target.examId).where('centre_id', '=', centreId).executeTakeFirst();
  return row?.exam_session_id ?? null;
}

/**
 * Pauses one candidate's exam, or every exam running in the session (a power cut, a network
 * failure), with the reason the report will show: from now on the terminal shows the pause and takes
 * no answer, and the deadline no longer runs out. Null: no such session or exam in this centre.
 */
export async function pauseExams(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; target: { sessionId: number } | { examId: number }; reason: unknown },
  { actor }: Acting,
): Promise<PauseOutcome | null> {
  const reason = readReason(input.reason);
  const now = clock.now();
  const at = now.toISOString();
  return transaction(db, async (trx) => {
    const sessionId = await sessionOf(trx, input.centreId, input.target);
    if (sessionId === null) return null;
    const problem = reasonProblem(reason, 'de la pause');
    if (problem) return { ok: false, error: problem, value: reason, field: true };
    const running = await examsOfSession(trx, input.centreId, input.target)
      .select('id')
      .where('finished_at', 'is', null)
      .where('paused_at', 'is', null)
      .where('deadline_at', '>', at)
      .execute();
    const single = 'examId' in input.target;
    if (running.length === 0) {
      return {
        ok: false,
        error: single ? 'Cet examen n’est pas en cours (terminé, ou déjà en pause).' : 'Aucun examen en cours à mettre en pause.',
        value: reason,
        field: false,
      };
    }
    const ids = running.map((r) => r.id);
    await trx.updateTable('exams').set({ paused_at: at }).where('id', 'in', ids).where('paused_at', 'is', null).where('finished_at', 'is', null).execute();
    await startPauses(trx, ids, now, reason);
    const text = single ? reason : `Toute la salle (${plural(ids.length, 'examen')}) : ${reason}`;
    await insertIncident(trx, { sessionId, examId: single ? ids[0]! : null, kind: 'pause', text, at: now, actorLabel: actor.label });
    await recordAudit(trx, clock, {
      action: 'examen.pause',
      actor,
      target: single ? { type: 'examen', id: ids[0]! } : { type: 'session', id: sessionId },
      // Each exam by its id: an exam's own trail then explains its deadline's move.
      details: { examens: ids, motif: reason },
    });
    return { ok: true, exams: ids.length };
  });
}

/**
 * Resumes paused exams: each deadline moves by the time its exam stood paused (the server's clock,
 * not the terminal's), so the candidate gets back exactly the time that was left. An exam whose
 * deadline passed during the pause is not over: it resumes with that time too.
 */
export async function resumeExams(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; target: { sessionId: number } | { examId: number } },
  { actor }: Acting,
): Promise<PauseOutcome | null> {
  const now = clock.now();
  // A pause left past its session's day is cancelled there (cancelForgottenPauses): it cannot resume.
  await closeStaleSessions(db, now, input.centreId);
  return transaction(db, async (trx) => {
    const sessionId = await sessionOf(trx, input.centreId, input.target);
    if (sessionId === null) return null;
    const paused = await examsOfSession(trx, input.centreId, input.target).select(['id', 'paused_at', 'deadline_at']).where(standingPaused('exams')).execute();
    const single = 'examId' in input.target;
    if (paused.length === 0) {
      return { ok: false, error: single ? 'Cet examen n’est pas en pause.' : 'Aucun examen en pause dans cette session.', value: '', field: false };
    }
    let longest = 0;
    for (const exam of paused) {
      const stood = Math.max(0, now.getTime() - Date.parse(exam.paused_at!));
      longest = Math.max(longest, stood);
      await trx
        .updateTable('exams')
        .set({ paused_at: null, deadline_at: new Date(Date.parse(exam.deadline_at) + stood).toISOString() })
        .where('id', '=', exam.id)
        .where('paused_at', '=', exam.paused_at)
        .execute();
    }
    await endPauses(
      trx,
      paused.map((e) => e.id),
      now,
    );
    const given = `temps rendu : ${formatRemaining(longest / 1000)}`;
    const text = single ? given : `Toute la salle (${plural(paused.length, 'examen')}), ${given}`;
    await insertIncident(trx, { sessionId, examId: single ? paused[0]!.id : null, kind: 'reprise', text, at: now, actorLabel: actor.label });
    await recordAudit(trx, clock, {
      action: 'examen.reprise',
      actor,
      target: single ? { type: 'examen', id: paused[0]!.id } : { type: 'session', id: sessionId },
      details: { examens: paused.map((e) => e.id), minutes: Math.round(longest / 60_000) },
    });
    return { ok: true, exams: paused.length };
  });
}

// The writes themselves, only ever run inside the transactions above.

/** Moves a running exam's deadline; false when it finished or its time ran out meanwhile. */
async function extendRunningExam(db: Queryable, examId: number, change: { extraMinutes: number; deadline: string }, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('exams')
    .set({ extra_minutes: change.extraMinutes, deadline_at: change.deadline })
    .where('id', '=', examId)
    .where(stillRunning('exams', now))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
