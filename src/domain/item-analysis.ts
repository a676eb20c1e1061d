/**
 * Item analysis of one questionnaire version (issue 15): how each question behaved over the
 * finished exams, so that the administrator can find the badly written ones. The statistics follow
 * Moodle's quiz statistics (https://docs.moodle.org/dev/Quiz_statistics_calculations), which, like
 * this exam, allow negative scores: no formula here assumes that an item's minimum is zero.
 *
 * Each question is drawn in only some exams (the draw picks from a larger bank), so every figure of
 * a question is taken over the exams in which it was drawn, as Moodle does for random questions.
 *
 * A flag is a reason to look at a question, never a verdict on it.
 */

/** Above this share of right answers, nearly everyone knows the question: it hardly measures anything. */
export const TOO_EASY_RIGHT_RATE = 0.9;
/** Below this share of right answers, few know the question: it may be obscure, ambiguous or keyed wrong. */
export const TOO_HARD_RIGHT_RATE = 0.2;
/**
 * Kelley's 27 %: the upper and lower groups of classical item analysis, the share that best
 * trades the groups' contrast against their size.
 */
export const EXTREME_GROUP_SHARE = 0.27;
/**
 * No flag on a question drawn in fewer exams than this. Below it one candidate moves a rate by
 * 5 points or more, each 27 % group holds fewer than 5 candidates, and a correlation's standard
 * error (about 1/√(n − 1)) exceeds 0.23: the figures are shown but say too little to accuse a question.
 */
export const MIN_EXAMS_FOR_FLAGS = 20;
/**
 * A discrimination is flagged below this, not below 0: at 20 to 50 exams a correlation's standard
 * error is 0.14 to 0.23, so a sound question measures slightly negative now and then by chance.
 */
export const NEGATIVE_DISCRIMINATION = -0.1;
/**
 * A wrong answer is a strong distractor when at least this many of the upper group chose it, and
 * their share beats the lower group's by at least STRONG_DISTRACTOR_GAP_POINTS: one strong candidate's
 * slip, or a share ahead by a hair, is noise.
 */
export const STRONG_DISTRACTOR_MIN_CHOOSERS = 2;
/** In points of share (hundredths): compared in integers, 3/10 − 2/10 is 10 points, not 9.99… */
export const STRONG_DISTRACTOR_GAP_POINTS = 10;

/** What the candidate chose on an item: an answer's id, « Je ne sais pas », or nothing. */
export type Choice = number | 'nsp' | null;

export interface ItemResponse {
  questionId: number;
  /** The points this item added to the total, penalties included. */
  score: number;
  /** The lowest and highest score the item could give in this exam (e.g. −5 and 2 on a priority question). */
  minScore: number;
  maxScore: number;
  choice: Choice;
  /** Whether the chosen answer is a right one; false for « Je ne sais pas » and no answer. */
  right: boolean;
}

export interface ExamResponses {
  /** The exam's total score. */
  total: number;
  /** The questions drawn in this exam, each at most once. */
  items: readonly ItemResponse[];
}

export type ItemFlag = 'tooEasy' | 'tooHard' | 'negativeDiscrimination' | 'strongDistractor';

export interface AnswerStatistics {
  answerId: number;
  right: boolean;
  /** Exams in which this answer was chosen. */
  chosen: number;
  /** Of these, exams in the item's upper and lower groups. */
  chosenByTop: number;
  chosenByBottom: number;
  /** A wrong answer that attracts the upper group more than the lower one (only from MIN_EXAMS_FOR_FLAGS exams). */
  strongDistractor: boolean;
}

export interface ItemStatistics {
  questionId: number;
  /** Exams in which the question was drawn; every figure below is over these exams. */
  drawn: number;
  /** Moodle's facility index: the mean score as a share of the item's range, in [0, 1]. */
  facility: number;
  /** The share of right answers (classical test theory's p-value). */
  rightRate: number;
  /**
   * Moodle's discrimination index: Pearson's correlation between the item's score and the rest of
   * the test (total minus the item), in [−1, 1]; null when either side does not vary.
   */
  discrimination: number | null;
  right: number;
  dontKnow: number;
  unanswered: number;
  dontKnowRate: number;
  unansweredRate: number;
  /** The answers chosen at least once, by id; an answer nobody chose is absent. */
  answers: AnswerStatistics[];
  /** Exams in the upper and lower groups by total; ties at a group's edge all join it. */
  topGroupSize: number;
  bottomGroupSize: number;
  /** Empty below MIN_EXAMS_FOR_FLAGS exams; in the order of ItemFlag. */
  flags: ItemFlag[];
}

interface Observation {
  score: number;
  rest: number;
  total: number;
  minScore: number;
  maxScore: number;
  choice: Choice;
  right: boolean;
}

/**
 * The statistics of every question drawn at least once in `exams`, by question id; a question of
 * the bank that was never drawn is absent. Figures are unrounded: rounding is for display.
 * Throws a RangeError on inconsistent responses, which would mean a bug upstream.
 */
export function analyseItems(exams: readonly ExamResponses[]): ItemStatistics[] {
  const byQuestion = new Map<number, Observation[]>();
  for (const exam of exams) {
    if (!Number.isFinite(exam.total)) throw new RangeError(`An exam total must be a finite number, not ${exam.total}.`);
    const seen = new Set<number>();
    for (const item of exam.items) {
      checkResponse(item);
      if (seen.has(item.questionId)) throw new RangeError(`Question ${item.questionId} appears twice in one exam.`);
      seen.add(item.questionId);
      const observation: Observation = {
        score: item.score,
        rest: exam.total - item.score,
        total: exam.total,
        minScore: item.minScore,
        maxScore: item.maxScore,
        choice: item.choice,
        right: item.right,
      };
      const list = byQuestion.get(item.questionId);
      if (list) list.push(observation);
      else byQuestion.set(item.questionId, [observation]);
    }
  }
  return [...byQuestion.entries()].sort(([a], [b]) => a - b).map(([questionId, observations]) => analyseItem(questionId, observations));
}

function checkResponse(item: ItemResponse): void {
  const { questionId, score, minScore, maxScore, choice, right } = item;
  if (![score, minScore, maxScore].every(Number.isFinite) || !(minScore < maxScore) || score < minScore || score > maxScore) {
    throw new RangeError(`Question ${questionId}: score ${score} is not within a range [${minScore}, ${maxScore}].`);
  }
  if (right && typeof choice !== 'number') throw new RangeError(`Question ${questionId}: a right response without an answer chosen.`);
}

function analyseItem(questionId: number, unordered: Observation[]): ItemStatistics {
  // Floating-point sums depend on their order: summing in one canonical order makes a
  // recomputation over the same exams, fetched in another order, give the very same figures.
  const observations = unordered.slice().sort(canonically);
  const n = observations.length;

  let scoreAboveMin = 0;
  let range = 0;
  let right = 0;
  let dontKnow = 0;
  let unanswered = 0;
  for (const o of observations) {
    // The ratio of sums is Moodle's (mean − min) / (max − min) whenever the item's range is the
    // same in every exam, as the rules of one version make it.
    scoreAboveMin += o.score - o.minScore;
    range += o.maxScore - o.minScore;
    if (o.right) right++;
    if (o.choice === 'nsp') dontKnow++;
    if (o.choice === null) unanswered++;
  }

  const groups = extremeGroups(observations);
  const answers = answerStatistics(questionId, observations, groups);
  const discrimination = pearson(
    observations.map((o) => o.score),
    observations.map((o) => o.rest),
  );
  const statistics: ItemStatistics = {
    questionId,
    drawn: n,
    facility: scoreAboveMin / range,
    rightRate: right / n,
    discrimination,
    right,
    dontKnow,
    unanswered,
    dontKnowRate: dontKnow / n,
    unansweredRate: unanswered / n,
    answers,
    topGroupSize: groups.topSize,
    bottomGroupSize: groups.bottomSize,
    flags: [],
  };
  if (n >= MIN_EXAMS_FOR_FLAGS) {
    // On the share of right answers rather than the facility index: with a −5 penalty, an item
    // that everyone answers « Je ne sais pas » has a facility of 5/7 ≈ 0.71, so the facility of a
    // priority question says more about wrong answers avoided than about the question's difficulty.
    if (statistics.rightRate > TOO_EASY_RIGHT_RATE) statistics.flags.push('tooEasy');
    if (statistics.rightRate < TOO_HARD_RIGHT_RATE) statistics.flags.push('tooHard');
    if (discrimination !== null && discrimination < NEGATIVE_DISCRIMINATION) statistics.flags.push('negativeDiscrimination');
    for (const answer of answers) {
      answer.strongDistractor =
        !answer.right &&
        answer.chosenByTop >= STRONG_DISTRACTOR_MIN_CHOOSERS &&
        (answer.chosenByTop * groups.bottomSize - answer.chosenByBottom * groups.topSize) * 100 >=
          STRONG_DISTRACTOR_GAP_POINTS * groups.topSize * groups.bottomSize;
    }
    if (answers.some((a) => a.strongDistractor)) statistics.flags.push('strongDistractor');
  }
  return statistics;
}

function canonically(a: Observation, b: Observation): number {
  return a.total - b.total || a.score - b.score || a.minScore - b.minScore || a.maxScore - b.maxScore;
}

interface Groups {
  /** Totals at or above this are in the upper group, at or below `bottomCut` in the lower one. */
  topCut: number;
  bottomCut: number;
  topSize: number;
  bottomSize: number;
}

/**
 * The upper and lower EXTREME_GROUP_SHARE of the exams that drew the item, by total. A candidate
 * tied with the last one in a group joins it, so that membership never depends on the order the
 * exams came in; the groups may then differ in size, and are compared by shares. When nearly all
 * totals are tied the groups overlap, and their shares come closer: no flag from a flat field.
 */
function extremeGroups(byTotal: readonly Observation[]): Groups {
  const n = byTotal.length;
  const size = Math.max(1, Math.round(EXTREME_GROUP_SHARE * n));
  const bottomCut = (byTotal[size - 1] as Observation).total;
  const topCut = (byTotal[n - size] as Observation).total;
  return {
    topCut,
    bottomCut,
    topSize: byTotal.filter((o) => o.total >= topCut).length,
    bottomSize: byTotal.filter((o) => o.total <= bottomCut).length,
  };
}

function answerStatistics(questionId: number, observations: readonly Observation[], groups: Groups): AnswerStatistics[] {
  const answers = new Map<number, AnswerStatistics>();
  for (const o of observations) {
    if (typeof o.choice !== 'number') continue;
    let answer = answers.get(o.choice);
    if (!answer) {
      answer = { answerId: o.choice, right: o.right, chosen: 0, chosenByTop: 0, chosenByBottom: 0, strongDistractor: false };
      answers.set(o.choice, answer);
    } else if (answer.right !== o.right) {
      throw new RangeError(`Question ${questionId}: answer ${o.choice} is right in one exam and wrong in another.`);
    }
    answer.chosen++;
    if (o.total >= groups.topCut) answer.chosenByTop++;
    if (o.total <= groups.bottomCut) answer.chosenByBottom++;
  }
  return [...answers.values()].sort((a, b) => a.answerId - b.answerId);
}

/** Pearson's r; null when there are fewer than two pairs or either side does not vary. */
function pearson(xs: readonly number[], ys: readonly number[]): number | null {
  const n = xs.length;
  // Tested on the values themselves: a variance computed as ~1e-17 would not be zero.
  if (n < 2 || xs.every((x) => x === xs[0]) || ys.every((y) => y === ys[0])) return null;
  const meanX = xs.reduce((s, x) => s + x, 0) / n;
  const meanY = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - meanX;
    const dy = (ys[i] as number) - meanY;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const r = sxy / (Math.sqrt(sxx) * Math.sqrt(syy));
  // Rounding can carry a perfect correlation a hair past ±1.
  return Math.min(1, Math.max(-1, r));
}
