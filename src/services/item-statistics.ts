import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import { analyseItems, type ExamResponses, type ItemStatistics } from '../domain/item-analysis.js';
import { parseStoredRules, type ExamRules } from '../domain/rules.js';
import { itemScoreRange, scoreExam, storedResponse, type ScoredItem } from '../domain/scoring.js';

/**
 * The item analysis of each questionnaire version (domain/item-analysis.ts), computed in the
 * background from its finished, not cancelled exams and kept in item_statistics: a page view only
 * reads the cached result, never the exams.
 */

/** Exams whose draws are read per query: a version's exams are never loaded in one result set. */
const EXAMS_PER_READ = 500;

/** What an analysis covered: the job recomputes a version when its exams no longer match. */
interface Coverage {
  examsCount: number;
  lastFinishedAt: string | null;
}

export interface StoredItemStatistics extends Coverage {
  computedAt: string;
  items: ItemStatistics[];
}

/** The version's finished, not cancelled exams, from the index on (questionnaire_id, finished_at, cancelled_at, id). */
function finishedExams(db: Queryable) {
  return db.selectFrom('exams').where('finished_at', 'is not', null).where('cancelled_at', 'is', null);
}

/**
 * Recomputes the analysis of the versions whose exams changed since their last computation: an
 * exam finished (even one whose end is dated earlier, at its deadline, by a late sweep) or
 * cancelled changes the count or the latest end. Returns the ids recomputed.
 */
export async function refreshItemStatistics(db: Kysely<Database>, clock: Clock): Promise<number[]> {
  const [current, stored] = await Promise.all([
    finishedExams(db)
      .select((eb) => ['questionnaire_id', eb.fn.countAll<number | string>().as('exams'), eb.fn.max('finished_at').as('last_finished_at')])
      .groupBy('questionnaire_id')
      .execute(),
    db.selectFrom('item_statistics').select(['questionnaire_id', 'exams_count', 'last_finished_at']).execute(),
  ]);
  const covered = new Map(stored.map((s) => [s.questionnaire_id, { examsCount: s.exams_count, lastFinishedAt: s.last_finished_at }]));
  const present = new Map(current.map((c) => [c.questionnaire_id, { examsCount: Number(c.exams), lastFinishedAt: c.last_finished_at }]));
  // A version whose every exam was cancelled since is recomputed too: its figures must go.
  const due = [...new Set([...present.keys(), ...covered.keys()])]
    .filter((id) => !sameCoverage(present.get(id) ?? { examsCount: 0, lastFinishedAt: null }, covered.get(id)))
    .sort((a, b) => a - b);
  for (const id of due) await computeItemStatistics(db, clock, id);
  return due;
}

function sameCoverage(a: Coverage, b: Coverage | undefined): boolean {
  return b !== undefined && a.examsCount === b.examsCount && a.lastFinishedAt === b.lastFinishedAt;
}

/** Analyses one version's finished exams now and stores the result in place of the previous one. */
export async function computeItemStatistics(db: Kysely<Database>, clock: Clock, questionnaireId: number): Promise<void> {
  const questionnaire = await db.selectFrom('questionnaires').select('rules').where('id', '=', questionnaireId).executeTakeFirstOrThrow();
  const rules = parseStoredRules(questionnaire.rules);
  const exams = await finishedExams(db).select(['id', 'finished_at']).where('questionnaire_id', '=', questionnaireId).orderBy('id').execute();
  const responses: ExamResponses[] = [];
  for (let start = 0; start < exams.length; start += EXAMS_PER_READ) {
    const ids = exams.slice(start, start + EXAMS_PER_READ).map((e) => e.id);
    responses.push(...(await examResponses(db, ids, rules)));
  }
  const items = analyseItems(responses);
  const lastFinishedAt = exams.reduce<string | null>((last, e) => (last === null || (e.finished_at ?? '') > last ? e.finished_at : last), null);
  const row = {
    computed_at: clock.now().toISOString(),
    exams_count: exams.length,
    last_finished_at: lastFinishedAt,
    payload: JSON.stringify(items),
  };
  await transaction(db, (trx) =>
    trx
      .insertInto('item_statistics')
      .values({ questionnaire_id: questionnaireId, ...row })
      .onConflict((oc) => oc.column('questionnaire_id').doUpdateSet(row))
      .execute(),
  );
}

/** Each exam's items scored by the rules of its version (domain/scoring.ts), as the analysis takes them. */
async function examResponses(db: Queryable, examIds: number[], rules: ExamRules): Promise<ExamResponses[]> {
  const rows = await db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .leftJoin('answers as a', 'a.id', 'eq.chosen_answer_id')
    .select(['eq.exam_id', 'eq.question_id', 'q.theme', 'q.priority', 'eq.dont_know', 'eq.chosen_answer_id', 'a.correct'])
    .where('eq.exam_id', 'in', examIds)
    .orderBy('eq.exam_id')
    .orderBy('eq.position')
    .execute();
  const byExam = new Map<number, typeof rows>();
  for (const row of rows) {
    const list = byExam.get(row.exam_id);
    if (list) list.push(row);
    else byExam.set(row.exam_id, [row]);
  }
  return [...byExam.values()].map((items) => {
    const scored: ScoredItem[] = items.map((i) => ({
      theme: i.theme,
      priority: i.priority === 1,
      response: storedResponse(i.dont_know === 1, i.chosen_answer_id, i.correct === 1),
    }));
    const result = scoreExam(scored, rules);
    return {
      total: result.total,
      items: items.map((i, index) => {
        const { response, priority } = scored[index] as ScoredItem;
        const range = itemScoreRange(priority, rules.points);
        return {
          questionId: i.question_id,
          score: result.perQuestion[index] as number,
          minScore: range.min,
          maxScore: range.max,
          choice: response.kind === 'dontKnow' ? 'nsp' : response.kind === 'answer' ? i.chosen_answer_id : null,
          right: response.kind === 'answer' && response.correct,
        };
      }),
    };
  });
}

/** The cached analysis of a version; null when none was computed yet. */
export async function readItemStatistics(db: Queryable, questionnaireId: number): Promise<StoredItemStatistics | null> {
  const row = await db.selectFrom('item_statistics').selectAll().where('questionnaire_id', '=', questionnaireId).executeTakeFirst();
  if (!row) return null;
  return {
    computedAt: row.computed_at,
    examsCount: row.exams_count,
    lastFinishedAt: row.last_finished_at,
    // Written by computeItemStatistics alone, from the same type.
    items: JSON.parse(row.payload) as ItemStatistics[],
  };
}
