/**
 * The item analysis of a questionnaire version from its stored exams (issue 15): the mapping of
 * finished exams to domain/item-analysis.ts, checked against a scoring written out here, and the
 * background job that recomputes only the versions whose exams changed.
 */
import t from 'tap';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { analyseItems, type ExamResponses } from '../../src/domain/item-analysis.js';
import { finishExam } from '../../src/services/exam/lifecycle.js';
import { computeItemStatistics, readItemStatistics, refreshItemStatistics } from '../../src/services/item-statistics.js';
import { publishDemoQuestionnaire, twoCentres, type TwoCentres } from '../helpers/exam-fixtures.js';
import { pastSession } from '../helpers/past-sessions.js';

// The demo banks' points, written out on purpose: the service reads them from the stored rules.
const RIGHT = 2;
const WRONG = -1;
const WRONG_PRIORITY = -5;

type Outcome = 'right' | 'wrong' | 'nsp' | 'none';

/** A varied but fixed pattern of answers: every outcome on ordinary and priority questions. */
const outcomeOf = (exam: number, position: number): Outcome => (['right', 'right', 'wrong', 'nsp', 'none'] as const)[(exam * 7 + position * 3) % 5]!;

/** Sits `count` exams of `profile` in centre A, answers them by the pattern and finishes them. */
async function sitExams(ctx: TwoCentres, count: number, options: { profile?: 'operateur' | 'encadrant'; daysAgo?: number; from?: number } = {}) {
  const { examIds } = await pastSession(
    ctx,
    ctx.centreA,
    options.daysAgo ?? 3,
    Array.from({ length: count }, (_, i) => ({
      identity: { lastName: `Candidat${i}`, firstName: 'Test' },
      profile: options.profile,
      outcome: 'running' as const,
    })),
  );
  for (const [i, examId] of examIds.entries()) {
    await answer(ctx.db, examId, (options.from ?? 0) + i);
    const exam = await ctx.db.selectFrom('exams').select('started_at').where('id', '=', examId).executeTakeFirstOrThrow();
    const end = new Date(new Date(exam.started_at).getTime() + 20 * 60_000);
    await finishExam(ctx.db, { now: () => end }, examId, 'candidat');
  }
  return examIds;
}

async function answer(db: Kysely<Database>, examId: number, exam: number) {
  const items = await db.selectFrom('exam_questions').select(['position', 'question_id']).where('exam_id', '=', examId).execute();
  for (const item of items) {
    const answers = await db.selectFrom('answers').select(['id', 'correct']).where('question_id', '=', item.question_id).orderBy('position').execute();
    const outcome = outcomeOf(exam, item.position);
    const chosen = outcome === 'right' ? answers.find((a) => a.correct === 1)! : outcome === 'wrong' ? answers.find((a) => a.correct === 0)! : null;
    await db
      .updateTable('exam_questions')
      .set({ chosen_answer_id: chosen?.id ?? null, dont_know: outcome === 'nsp' ? 1 : 0, response_seq: 1 })
      .where('exam_id', '=', examId)
      .where('position', '=', item.position)
      .execute();
  }
}

/** The analysis input built here from the raw rows, scored by the points above, not by src/domain/scoring.ts. */
async function expectedResponses(db: Kysely<Database>, questionnaireId: number): Promise<ExamResponses[]> {
  const exams = await db
    .selectFrom('exams')
    .select(['id', 'score'])
    .where('questionnaire_id', '=', questionnaireId)
    .where('finished_at', 'is not', null)
    .where('cancelled_at', 'is', null)
    .execute();
  const responses: ExamResponses[] = [];
  for (const exam of exams) {
    const rows = await db
      .selectFrom('exam_questions as eq')
      .innerJoin('questions as q', 'q.id', 'eq.question_id')
      .leftJoin('answers as a', 'a.id', 'eq.chosen_answer_id')
      .select(['eq.question_id', 'q.priority', 'eq.dont_know', 'eq.chosen_answer_id', 'a.correct'])
      .where('eq.exam_id', '=', exam.id)
      .execute();
    const items = rows.map((r) => {
      const minScore = r.priority === 1 ? WRONG_PRIORITY : WRONG;
      if (r.dont_know === 1) return { questionId: r.question_id, score: 0, minScore, maxScore: RIGHT, choice: 'nsp' as const, right: false };
      if (r.chosen_answer_id === null) return { questionId: r.question_id, score: 0, minScore, maxScore: RIGHT, choice: null, right: false };
      const right = r.correct === 1;
      return { questionId: r.question_id, score: right ? RIGHT : minScore, minScore, maxScore: RIGHT, choice: r.chosen_answer_id, right };
    });
    const total = items.reduce((s, i) => s + i.score, 0);
    if (total !== exam.score) throw new Error(`exam ${exam.id}: total ${total} here, ${exam.score} stored`);
    responses.push({ total, items });
  }
  return responses;
}

t.test('the analysis of a version’s finished exams, priority penalties and « Je ne sais pas » included', async (t) => {
  const ctx = await twoCentres(t);
  const clock = ctx.testApp.clock;
  t.equal(await readItemStatistics(ctx.db, ctx.questionnaireId), null, 'nothing before the first computation');
  const examIds = await sitExams(ctx, 6);
  // A cancelled exam and one still running are left out.
  await ctx.db.updateTable('exams').set({ cancelled_at: clock.now().toISOString(), cancel_reason: 'test' }).where('id', '=', examIds[5]!).execute();
  await pastSession(ctx, ctx.centreA, 2, [{ identity: { lastName: 'EnCours', firstName: 'Test' }, outcome: 'running' }]);

  await computeItemStatistics(ctx.db, clock, ctx.questionnaireId);
  const stored = await readItemStatistics(ctx.db, ctx.questionnaireId);
  if (!stored) throw new Error('no statistics stored');
  t.equal(stored.examsCount, 5, 'five finished, not cancelled exams');
  t.equal(stored.computedAt, clock.now().toISOString());
  const expected = analyseItems(await expectedResponses(ctx.db, ctx.questionnaireId));
  t.equal(
    expected.reduce((s, i) => s + i.drawn, 0),
    5 * 30,
    'thirty questions drawn per exam',
  );
  t.same(stored.items, expected, 'the same figures as the analysis of the rows scored here');

  // By hand, the priority question answered wrong whose draws vary most: its range is −5 … 2.
  const counted = (db: Kysely<Database>) =>
    db
      .selectFrom('exam_questions as eq')
      .innerJoin('exams as e', 'e.id', 'eq.exam_id')
      .leftJoin('answers as a', 'a.id', 'eq.chosen_answer_id')
      .innerJoin('questions as q', 'q.id', 'eq.question_id')
      .where('e.cancelled_at', 'is', null)
      .where('e.finished_at', 'is not', null)
      .where('q.priority', '=', 1);
  const draws = await counted(ctx.db).select(['q.id', 'eq.dont_know', 'eq.chosen_answer_id', 'a.correct']).execute();
  const pointsOf = (id: number): number[] =>
    draws.filter((d) => d.id === id).map((d) => (d.dont_know === 1 || d.chosen_answer_id === null ? 0 : d.correct === 1 ? 2 : -5));
  const [questionId] = [...new Set(draws.filter((d) => d.correct === 0).map((d) => d.id))]
    .map((id) => [id, new Set(pointsOf(id)).size] as const)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]!;
  const points = pointsOf(questionId);
  const item = stored.items.find((i) => i.questionId === questionId)!;
  t.equal(item.drawn, points.length);
  t.ok(
    Math.abs(item.facility - points.reduce((s, p) => s + p + 5, 0) / (7 * points.length)) < 1e-12,
    `facility ${item.facility} of [${points.join(', ')}] over −5 … 2`,
  );
  t.equal(item.dontKnow, draws.filter((d) => d.id === questionId && d.dont_know === 1).length, '« Je ne sais pas » counted');
});

t.test('the job recomputes only the versions whose exams changed', async (t) => {
  const ctx = await twoCentres(t);
  const clock = ctx.testApp.clock;
  const supervisors = await publishDemoQuestionnaire(ctx.db, clock, 'encadrant');
  t.same(await refreshItemStatistics(ctx.db, clock), [], 'no exam, nothing to compute');

  await sitExams(ctx, 2, { daysAgo: 5 });
  await sitExams(ctx, 1, { profile: 'encadrant', daysAgo: 5 });
  t.same(
    await refreshItemStatistics(ctx.db, clock),
    [ctx.questionnaireId, supervisors].sort((a, b) => a - b),
    'both versions, first time',
  );
  const first = (await readItemStatistics(ctx.db, supervisors))!;

  clock.advance(3_600_000);
  t.same(await refreshItemStatistics(ctx.db, clock), [], 'nothing changed: nothing recomputed');

  clock.advance(3_600_000);
  const added = await sitExams(ctx, 1, { daysAgo: 4, from: 2 });
  t.same(await refreshItemStatistics(ctx.db, clock), [ctx.questionnaireId], 'only the version with a new finished exam');
  t.equal((await readItemStatistics(ctx.db, ctx.questionnaireId))!.examsCount, 3);
  t.same(await readItemStatistics(ctx.db, supervisors), first, 'the other version untouched, its date too');
  t.equal((await readItemStatistics(ctx.db, ctx.questionnaireId))!.computedAt, clock.now().toISOString(), 'dated by this computation');

  // Finished late by the sweep, its end dated at its deadline, before the last computation.
  clock.advance(3_600_000);
  await sitExams(ctx, 1, { daysAgo: 6, from: 3 });
  t.same(await refreshItemStatistics(ctx.db, clock), [ctx.questionnaireId], 'an exam whose end is dated before the last computation still counts');

  clock.advance(3_600_000);
  await ctx.db.updateTable('exams').set({ cancelled_at: clock.now().toISOString(), cancel_reason: 'test' }).where('id', '=', added[0]!).execute();
  t.same(await refreshItemStatistics(ctx.db, clock), [ctx.questionnaireId], 'a cancelled exam leaves the figures');
  t.equal((await readItemStatistics(ctx.db, ctx.questionnaireId))!.examsCount, 3);

  await ctx.db
    .updateTable('exams')
    .set({ cancelled_at: clock.now().toISOString(), cancel_reason: 'test' })
    .where('questionnaire_id', '=', supervisors)
    .execute();
  t.same(await refreshItemStatistics(ctx.db, clock), [supervisors], 'every exam of a version cancelled: recomputed, empty');
  t.match(await readItemStatistics(ctx.db, supervisors), { examsCount: 0, items: [] });
  t.same(await refreshItemStatistics(ctx.db, clock), [], 'and then left alone');
});
