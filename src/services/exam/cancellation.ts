import type { Kysely } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database, Queryable } from '../../db/schema.js';
import { parisDate, parisEndOfDay } from '../../domain/paris-time.js';
import { recordAudit, SYSTEM_ACTOR, type Actor } from '../audit.js';
import { endPauses, insertIncident } from './incidents.js';
import { standingPaused } from './running.js';
import { equalsWithoutIndex } from '../../db/portable.js';
import { isPostgres, transaction } from '../../db/transaction.js';
import { countCancelledExam } from './figures.js';

/** Why the platform cancels an exam left paused when its session's day ended. */
export const FORGOTTEN_PAUSE_REASON = 'Examen resté en pause à la fin de la journée de la session : annulé par la plateforme.';

/**
 * The writes of a cancellation, inside the caller's transaction: the exam (a running one ends now,
 * unscored; a finished one keeps its end and score, for the record), its attestation if one was
 * issued (so /verifier says « annulée »), its open pause, the room's incident log and the audit.
 * The token stays used. Returns the attestation's number when one was cancelled.
 */
export async function writeCancellation(
  trx: Queryable,
  clock: Clock,
  exam: { id: number; sessionId: number },
  reason: string,
  actor: Actor,
): Promise<string | null> {
  const now = clock.now();
  const at = now.toISOString();
  // What the figures counted of it so far, read before the change and in the same transaction (the
  // row locked on PostgreSQL: a finish on another instance waits, or has already been seen).
  const before = await trx
    .selectFrom('exams')
    .select(['started_at', 'centre_id', 'questionnaire_id', 'finished_at', 'cancelled_at', 'passed', 'score', 'maximum'])
    .where('id', '=', exam.id)
    .$if(isPostgres(trx), (q) => q.forUpdate())
    .executeTakeFirst();
  if (!before || before.cancelled_at !== null) return null;
  const cancelled = await trx
    .updateTable('exams')
    .set((eb) => ({ cancelled_at: at, cancel_reason: reason, paused_at: null, finished_at: eb.fn.coalesce('finished_at', eb.val(at)) }))
    .where('id', '=', exam.id)
    .where('cancelled_at', 'is', null)
    .executeTakeFirst();
  if (cancelled.numUpdatedRows === 0n) return null;
  await countCancelledExam(
    trx,
    { at: before.started_at, centreId: before.centre_id, questionnaireId: before.questionnaire_id },
    before.finished_at !== null && before.score !== null && before.maximum !== null
      ? { passed: before.passed === 1, score: before.score, maximum: before.maximum }
      : null,
  );
  const attestation = await trx
    .updateTable('attestations')
    .set({ cancelled_at: at, cancel_reason: reason })
    .where('exam_id', '=', exam.id)
    .where('cancelled_at', 'is', null)
    .returning('number')
    .executeTakeFirst();
  await endPauses(trx, [exam.id], now);
  await insertIncident(trx, { sessionId: exam.sessionId, examId: exam.id, kind: 'annulation', text: reason, at: now, actorLabel: actor.label });
  await recordAudit(trx, clock, {
    action: 'examen.annule',
    actor,
    target: { type: 'examen', id: exam.id },
    details: { motif: reason, ...(attestation ? { attestation: attestation.number } : {}) },
  });
  return attestation?.number ?? null;
}

/**
 * Exams still paused when their session's day ended: nobody resumed them and nobody will (the room
 * is empty), yet they would stay « en cours » for ever. The platform cancels them, dated at the end
 * of that day, with a reason that says so; the centre may then give the candidate a new token.
 * Called with the stale sessions' closing, for the centre's pages (`centreId`) or the whole platform.
 */
export async function cancelForgottenPauses(db: Kysely<Database>, now: Date, centreId?: number): Promise<number> {
  const forgotten = (q: Queryable) => {
    let query = q
      .selectFrom('exams as e')
      .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
      .select(['e.id', 'e.exam_session_id', 's.date'])
      .where(standingPaused('e'))
      .where('s.date', '<', parisDate(now));
    // SQLite must pick the index of unfinished exams (a handful) rather than every exam of the
    // centre, on each of the centre's pages (settleScope).
    if (centreId !== undefined) query = query.where(equalsWithoutIndex(q, 'e.centre_id', centreId));
    return query.execute();
  };
  // Read once outside a transaction: the sweeper's every pass, nearly always empty, writes nothing.
  if ((await forgotten(db)).length === 0) return 0;
  return transaction(db, async (trx) => {
    // Again inside the write: an exam resumed meanwhile is left alone.
    const exams = await forgotten(trx);
    for (const exam of exams) {
      const endOfDay = parisEndOfDay(exam.date);
      await writeCancellation(trx, { now: () => endOfDay }, { id: exam.id, sessionId: exam.exam_session_id }, FORGOTTEN_PAUSE_REASON, SYSTEM_ACTOR);
    }
    return exams.length;
  });
}
