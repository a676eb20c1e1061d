import { candidateSearchKey } from '../../domain/search-key.js';
import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../clock.js';
import type { Database } from '../../db/schema.js';
import type { Identity } from '../../domain/candidate-identity.js';
import { drawExam } from '../../domain/draw.js';
import { deadlineFor, isPastDeadline, type FinishReason } from '../../domain/exam-clock.js';
import { parseStoredRules } from '../../domain/rules.js';
import { scoreExam, storedResponse } from '../../domain/scoring.js';
import { issueAttestation } from '../attestations/issue.js';
import { recordAudit, SYSTEM_ACTOR } from '../audit.js';
import { admissionHolds, kioskActor } from './admission.js';
import { getDrawableQuestions } from './questions.js';
import { countScoredExam } from './figures.js';
import { closeStaleSessions, findOpenSessions } from './sessions.js';
import { isPostgres, transaction } from '../../db/transaction.js';

export type StartOutcome = { ok: true; examId: number } | { ok: false; message: string };

/** A token used, revoked or of a centre no longer active: what the candidate reads, and what to do. */
export const SPENT_TOKEN_MESSAGE = 'Ce jeton n’est plus valable. Demandez un autre jeton au surveillant de la salle.';

/**
 * Creates the exam and consumes the token in one transaction. The conditional UPDATE of the token
 * decides between two terminals starting with the same token: exactly one gets the exam.
 */
export async function startExam(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; tokenId: number; examSessionId: number; identity: Identity; admissionId?: number; ip?: string },
): Promise<StartOutcome> {
  const now = clock.now();
  return transaction(db, async (trx) => {
    // Inside the transaction: a session closed by the supervisor on another instance at this moment starts nothing.
    const open = await findOpenSessions(trx, input.centreId, now);
    if (!open.some((s) => s.id === input.examSessionId)) {
      return { ok: false, message: 'La session d’examen a été fermée. Adressez-vous au surveillant.' };
    }
    // Withdrawn by the supervisor since the rules page: this terminal starts nothing.
    if (input.admissionId !== undefined && !(await admissionHolds(trx, input.admissionId, now))) {
      return { ok: false, message: 'Ce poste n’est plus admis à la session. Adressez-vous au surveillant.' };
    }
    const token = await trx
      .selectFrom('exam_tokens as t')
      .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
      .innerJoin('centres as c', 'c.id', 't.centre_id')
      .select(['t.questionnaire_id', 'q.rules', 'q.status as questionnaire_status', 'c.status as centre_status'])
      .where('t.id', '=', input.tokenId)
      .where('t.centre_id', '=', input.centreId)
      .executeTakeFirst();
    if (!token || token.questionnaire_status !== 'published' || token.centre_status !== 'active') {
      return { ok: false, message: SPENT_TOKEN_MESSAGE };
    }
    const consumed = await trx
      .updateTable('exam_tokens')
      .set({ status: 'used', used_at: now.toISOString() })
      .where('id', '=', input.tokenId)
      .where('status', '=', 'available')
      .executeTakeFirst();
    if (consumed.numUpdatedRows === 0n) {
      const now = await trx.selectFrom('exam_tokens').select('status').where('id', '=', input.tokenId).executeTakeFirst();
      return {
        ok: false,
        message:
          now?.status === 'used'
            ? 'Ce jeton vient d’être utilisé pour commencer un examen. Pour reprendre cet examen, saisissez de nouveau le centre et le jeton.'
            : SPENT_TOKEN_MESSAGE,
      };
    }
    const rules = parseStoredRules(token.rules);
    const seed = randomBytes(16).toString('hex');
    const drawn = drawExam(await getDrawableQuestions(trx, token.questionnaire_id), rules, seed);
    const exam = await trx
      .insertInto('exams')
      .values({
        centre_id: input.centreId,
        exam_session_id: input.examSessionId,
        token_id: input.tokenId,
        questionnaire_id: token.questionnaire_id,
        last_name: input.identity.lastName,
        first_name: input.identity.firstName,
        birth_date: input.identity.birthDate,
        company: input.identity.company,
        company_address: input.identity.companyAddress ?? null,
        search_key: candidateSearchKey(input.identity),
        seed,
        admission_id: input.admissionId ?? null,
        started_at: now.toISOString(),
        deadline_at: deadlineFor(now, rules.durationMinutes).toISOString(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('exam_questions')
      .values(drawn.map((d, i) => ({ exam_id: exam.id, position: i + 1, question_id: d.questionId, answer_order: JSON.stringify(d.answerOrder) })))
      .execute();
    await recordAudit(trx, clock, {
      action: 'examen.commence',
      actor: kioskActor('candidat', input.ip ?? null),
      target: { type: 'examen', id: exam.id },
      details: { session: input.examSessionId, poste: input.admissionId ?? null, jeton: input.tokenId },
    });
    return { ok: true, examId: exam.id };
  });
}

/**
 * Scores and closes the exam, once: the UPDATE … WHERE finished_at IS NULL lets exactly one of a
 * candidate's click and the server's deadline sweep write the result. At the deadline, the end
 * time is the deadline itself, not the moment the sweep noticed.
 */
export async function finishExam(db: Kysely<Database>, clock: Clock, examId: number, reason: FinishReason): Promise<void> {
  // On PostgreSQL, the exam row is locked before the answers are read, and each statement sees what
  // was committed before it: a batch of the answer writer holding the row is waited for, and its
  // answers are scored (services/exam/answer-writer-postgres.ts). SQLite has one writer at a time anyway.
  const lockRow = isPostgres(db);
  const work = async (trx: Transaction<Database>) => {
    const exam = await trx
      .selectFrom('exams as e')
      .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
      .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
      .select(['e.finished_at', 'e.paused_at', 'e.deadline_at', 'e.started_at', 'e.centre_id', 'e.questionnaire_id', 'q.rules', 's.date as session_date'])
      .where('e.id', '=', examId)
      .$if(lockRow, (q) => q.forUpdate('e'))
      .executeTakeFirst();
    // A paused exam's time stands still: neither its deadline nor a click finishes it until it resumes.
    if (!exam || exam.finished_at || exam.paused_at) return;
    const now = clock.now();
    const deadline = new Date(exam.deadline_at);
    const pastDeadline = isPastDeadline(deadline, now);
    const finishedAt = pastDeadline ? deadline : now;
    const rules = parseStoredRules(exam.rules);
    const items = await trx
      .selectFrom('exam_questions as eq')
      .innerJoin('questions as q', 'q.id', 'eq.question_id')
      .leftJoin('answers as a', 'a.id', 'eq.chosen_answer_id')
      .select(['q.theme', 'q.priority', 'eq.dont_know', 'eq.chosen_answer_id', 'a.correct'])
      .where('eq.exam_id', '=', examId)
      .orderBy('eq.position')
      .execute();
    const result = scoreExam(
      items.map((i) => ({
        theme: i.theme,
        priority: i.priority === 1,
        response: storedResponse(i.dont_know === 1, i.chosen_answer_id, i.correct === 1),
      })),
      rules,
    );
    const finished = await trx
      .updateTable('exams')
      .set({
        finished_at: finishedAt.toISOString(),
        finish_reason: pastDeadline ? 'delai' : reason,
        score: result.total,
        maximum: result.maximum,
        pass_mark: result.passMark,
        passed: result.passed ? 1 : 0,
        result_detail: JSON.stringify(result),
      })
      .where('id', '=', examId)
      .where('finished_at', 'is', null)
      .executeTakeFirst();
    if (finished.numUpdatedRows === 0n) return;
    await countScoredExam(
      trx,
      { at: exam.started_at, centreId: exam.centre_id, questionnaireId: exam.questionnaire_id },
      { passed: result.passed, score: result.total, maximum: result.maximum },
    );
    // Issued with the result, so that /verifier knows the number even if it is never printed.
    await issueAttestation(trx, { examId, passed: result.passed, examDate: exam.session_date, at: finishedAt });
    // Dated like the exam's end: at the deadline, that is the deadline, not when the sweep noticed.
    await recordAudit(
      trx,
      { now: () => finishedAt },
      {
        action: 'examen.termine',
        actor: pastDeadline || reason === 'delai' ? SYSTEM_ACTOR : { accountId: null, label: 'candidat' },
        target: { type: 'examen', id: examId },
        details: { raison: pastDeadline ? 'delai' : reason, note: result.total, admis: result.passed },
      },
    );
  };
  await transaction(db, work, { isolation: 'read committed' });
}

/** Which exams a sweep covers: the whole platform (the sweeper), or a manager page's own. */
export interface ExamScope {
  centreId?: number;
  sessionId?: number;
  examId?: number;
}

/** Finishes every exam of the scope whose deadline has passed, whether or not its terminal is still there. */
export async function finishExpiredExams(db: Kysely<Database>, clock: Clock, scope: ExamScope = {}): Promise<number> {
  let query = db
    .selectFrom('exams')
    .select('id')
    .where('finished_at', 'is', null)
    .where('paused_at', 'is', null)
    .where('deadline_at', '<=', clock.now().toISOString());
  if (scope.centreId !== undefined) query = query.where('centre_id', '=', scope.centreId);
  if (scope.sessionId !== undefined) query = query.where('exam_session_id', '=', scope.sessionId);
  if (scope.examId !== undefined) query = query.where('id', '=', scope.examId);
  const due = await query.execute();
  for (const { id } of due) await finishExam(db, clock, id, 'delai');
  return due.length;
}

/**
 * Stores what the clock has already decided, before a page shows it: the scope's exams whose time
 * is over are finished (with their result), and the centre's open sessions of past days closed.
 * The sweeper does the same for the whole platform every few seconds; a manager's page does not
 * wait for it.
 */
export async function settleScope(db: Kysely<Database>, clock: Clock, scope: ExamScope & { centreId: number }): Promise<void> {
  await closeStaleSessions(db, clock.now(), scope.centreId);
  await finishExpiredExams(db, clock, scope);
}
