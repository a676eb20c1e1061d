import type { Kysely } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { EXTRA_MINUTES_MAX, parseExtraMinutes } from '../../../domain/exam-clock.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
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
