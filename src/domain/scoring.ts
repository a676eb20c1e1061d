/**
 * Scoring of one exam from the rules of its questionnaire version.
 *
 * Every `points` value is signed and added (see rules.ts): a wrong answer adds `points.wrong`
 * (−1 by default), or `points.wrongPriority` (−5) on a priority question. `counts.wrong` counts
 * wrong answers to NON-priority questions only and `counts.wrongPriority` those to priority
 * questions, so the two never overlap and all five counts add up to the number of items.
 *
 * `maximum` and `passMark` come from the rules, not from the items, so a truncated list of
 * items cannot lower the bar. Per theme, `maximum` is the theme's item count × points.right.
 */
import { maximumScore, passMark, type ExamRules } from './rules.js';

export type Response = { kind: 'unanswered' } | { kind: 'dontKnow' } | { kind: 'answer'; correct: boolean };

export interface ScoredItem {
  theme: string;
  priority: boolean;
  response: Response;
}

export interface Counts {
  right: number;
  wrong: number;
  wrongPriority: number;
  dontKnow: number;
  unanswered: number;
}

export interface ThemeScore {
  theme: string;
  points: number;
  maximum: number;
  counts: Counts;
}

export interface ScoreResult {
  perQuestion: number[];
  total: number;
  maximum: number;
  passMark: number;
  passed: boolean;
  counts: Counts;
  /** Sorted by theme name, French collation. */
  byTheme: ThemeScore[];
}

type Outcome = keyof Counts;

export function emptyCounts(): Counts {
  return { right: 0, wrong: 0, wrongPriority: 0, dontKnow: 0, unanswered: 0 };
}

function outcomeOf(item: ScoredItem): Outcome {
  const { response } = item;
  switch (response.kind) {
    case 'unanswered':
      return 'unanswered';
    case 'dontKnow':
      return 'dontKnow';
    case 'answer':
      if (response.correct) return 'right';
      return item.priority ? 'wrongPriority' : 'wrong';
  }
}

function pointsFor(outcome: Outcome, points: ExamRules['points']): number {
  switch (outcome) {
    case 'right':
      return points.right;
    case 'dontKnow':
      return points.dontKnow;
    case 'wrong':
      return points.wrong;
    case 'wrongPriority':
      return points.wrongPriority;
    case 'unanswered':
      return 0;
  }
}

/**
 * A stored response (exam_questions: « Je ne sais pas », the chosen answer and whether it is right)
 * in scoring's terms: the one reading shared by the exam's end and the item analysis, so that both
 * score an item alike.
 */
export function storedResponse(dontKnow: boolean, chosenAnswerId: number | null, correct: boolean): Response {
  if (dontKnow) return { kind: 'dontKnow' };
  return chosenAnswerId !== null ? { kind: 'answer', correct } : { kind: 'unanswered' };
}

/** The fewest and most points one item can add under these points: its range, for the item analysis. */
export function itemScoreRange(priority: boolean, points: ExamRules['points']): { min: number; max: number } {
  const outcomes: Outcome[] = ['right', 'dontKnow', 'unanswered', priority ? 'wrongPriority' : 'wrong'];
  const values = outcomes.map((outcome) => pointsFor(outcome, points));
  return { min: Math.min(...values), max: Math.max(...values) };
}

export function scoreExam(items: readonly ScoredItem[], rules: ExamRules): ScoreResult {
  const counts = emptyCounts();
  const themes = new Map<string, ThemeScore>();
  const perQuestion = items.map((item) => {
    const outcome = outcomeOf(item);
    const points = pointsFor(outcome, rules.points);
    counts[outcome]++;
    let theme = themes.get(item.theme);
    if (!theme) {
      theme = { theme: item.theme, points: 0, maximum: 0, counts: emptyCounts() };
      themes.set(item.theme, theme);
    }
    theme.points += points;
    theme.maximum += rules.points.right;
    theme.counts[outcome]++;
    return points;
  });
  const total = perQuestion.reduce((s, p) => s + p, 0);
  const mark = passMark(rules);
  return {
    perQuestion,
    total,
    maximum: maximumScore(rules),
    passMark: mark,
    passed: total >= mark,
    counts,
    byTheme: [...themes.values()].sort((a, b) => a.theme.localeCompare(b.theme, 'fr')),
  };
}

const COUNT_KEYS = ['right', 'wrong', 'wrongPriority', 'dontKnow', 'unanswered'] as const;

function isCounts(x: unknown): x is Counts {
  return typeof x === 'object' && x !== null && COUNT_KEYS.every((k) => Number.isInteger((x as Record<string, unknown>)[k]));
}

/**
 * The counts and per-theme scores of a finished exam, read back from the stored ScoreResult
 * (exams.result_detail) for the candidate's record; null when absent or not of that shape.
 */
export function readStoredResult(json: string | null): Pick<ScoreResult, 'counts' | 'byTheme'> | null {
  if (!json) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { counts, byTheme } = parsed as { counts?: unknown; byTheme?: unknown };
  if (!isCounts(counts) || !Array.isArray(byTheme)) return null;
  const themes = (byTheme as unknown[]).filter((item): item is ThemeScore => {
    if (typeof item !== 'object' || item === null) return false;
    const t = item as Record<string, unknown>;
    return typeof t.theme === 'string' && Number.isFinite(t.points) && Number.isFinite(t.maximum) && isCounts(t.counts);
  });
  return themes.length === byTheme.length ? { counts, byTheme: themes } : null;
}
