import { plural } from './french.js';
/**
 * The exam draw, reproducible from a seed.
 *
 * 1. The questions are sorted by id and themes by name (code-unit order, independent of the
 *    locale), so the result depends only on the set of questions, the rules and the seed — not
 *    on the order the database returns rows in.
 * 2. Two pools are drawn separately: `priorityCount` priority questions and
 *    `questionCount − priorityCount` others.
 * 3. Within a pool, slots go to themes in proportion to how many questions of that pool each
 *    theme holds (largest-remainder method). Each theme gets the floor or the ceiling of its
 *    ideal share, hence never more than it holds; ties between equal remainders go to a random
 *    theme.
 * 4. Each theme's questions are shuffled and its first quota taken.
 * 5. The chosen questions are shuffled, then each question's answers (Fisher–Yates).
 *
 * Persist the result: recomputing it later from the seed ties stored exams to this exact
 * algorithm and to the bank never changing.
 */
import type { ExamRules } from './rules.js';
import { createSeededRandom, shuffle, type SeededRandom } from './seeded-random.js';

export interface DrawableQuestion {
  id: number;
  theme: string;
  priority: boolean;
  answerIds: number[];
}

export interface DrawnQuestion {
  questionId: number;
  answerOrder: number[];
}

export type DrawRules = Pick<ExamRules, 'questionCount' | 'priorityCount'>;

/** French reasons why these questions cannot give an exam under these rules; [] when they can. */
export function drawProblems(questions: readonly DrawableQuestion[], rules: DrawRules): string[] {
  const problems = [...ruleProblems(rules), ...duplicateIdProblems(questions)];
  // Counting against broken rules or a doubled question would only add misleading messages.
  if (problems.length > 0) return problems;

  const { questionCount, priorityCount } = rules;
  const otherCount = questionCount - priorityCount;
  const priorityHeld = questions.filter((q) => q.priority).length;
  const otherHeld = questions.length - priorityHeld;

  if (questions.length < questionCount) {
    problems.push(`La banque contient ${plural(questions.length, 'question', 'questions')} ` + `alors que chaque examen en tire ${questionCount}.`);
  }
  if (priorityHeld < priorityCount) {
    problems.push(
      `La banque contient ${plural(priorityHeld, 'question prioritaire', 'questions prioritaires')} ` + `alors que chaque examen en tire ${priorityCount}.`,
    );
  }
  if (otherHeld < otherCount) {
    problems.push(
      `La banque contient ${plural(otherHeld, 'question non prioritaire', 'questions non prioritaires')} ` +
        `alors que chaque examen en tire ${otherCount} ` +
        `(${questionCount} questions dont ${priorityCount} prioritaires).`,
    );
  }
  return problems;
}

export function drawExam(questions: readonly DrawableQuestion[], rules: DrawRules, seed: string): DrawnQuestion[] {
  const problems = drawProblems(questions, rules);
  if (problems.length > 0) throw new Error(problems.join(' '));

  const random = createSeededRandom(seed);
  const sorted = [...questions].sort((x, y) => x.id - y.id);
  const chosen = [
    ...drawPool(
      sorted.filter((q) => q.priority),
      rules.priorityCount,
      random,
    ),
    ...drawPool(
      sorted.filter((q) => !q.priority),
      rules.questionCount - rules.priorityCount,
      random,
    ),
  ];
  return shuffle(chosen, random).map((q) => ({
    questionId: q.id,
    answerOrder: shuffle(q.answerIds, random),
  }));
}

function drawPool(pool: readonly DrawableQuestion[], slots: number, random: SeededRandom): DrawableQuestion[] {
  const byTheme = new Map<string, DrawableQuestion[]>();
  for (const q of pool) {
    const list = byTheme.get(q.theme);
    if (list) list.push(q);
    else byTheme.set(q.theme, [q]);
  }
  const themes = [...byTheme.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  const groups = themes.map((theme) => byTheme.get(theme) ?? []);
  const quotas = allocateLargestRemainder(
    groups.map((g) => g.length),
    slots,
    random,
  );
  return groups.flatMap((group, i) => shuffle(group, random).slice(0, quotas[i]));
}

/**
 * Splits `slots` over groups in proportion to `sizes`. Integer arithmetic throughout, so equal
 * remainders compare equal and are then ordered by the random source rather than by float noise.
 * Requires slots ≤ sum(sizes).
 */
function allocateLargestRemainder(sizes: readonly number[], slots: number, random: SeededRandom): number[] {
  const total = sizes.reduce((s, n) => s + n, 0);
  if (slots === 0 || total === 0) return sizes.map(() => 0);
  const quotas = sizes.map((n) => Math.floor((n * slots) / total));
  const remainders = sizes.map((n) => (n * slots) % total);
  const left = slots - quotas.reduce((s, n) => s + n, 0);
  // Array.prototype.sort is stable, so the random pre-order decides between equal remainders.
  const order = shuffle(
    sizes.map((_, i) => i),
    random,
  ).sort((i, j) => (remainders[j] ?? 0) - (remainders[i] ?? 0));
  for (const i of order.slice(0, left)) quotas[i] = (quotas[i] ?? 0) + 1;
  return quotas;
}

function ruleProblems({ questionCount, priorityCount }: DrawRules): string[] {
  const problems: string[] = [];
  const countValid = Number.isInteger(questionCount) && questionCount >= 1;
  if (!countValid) {
    problems.push(`Le nombre de questions par examen doit être un entier au moins égal à 1 (reçu : ${questionCount}).`);
  }
  if (!Number.isInteger(priorityCount) || priorityCount < 0 || (countValid && priorityCount > questionCount)) {
    problems.push(
      'Le nombre de questions prioritaires par examen doit être un entier entre 0 et ' + `le nombre de questions par examen (reçu : ${priorityCount}).`,
    );
  }
  return problems;
}

function duplicateIdProblems(questions: readonly DrawableQuestion[]): string[] {
  const seen = new Set<number>();
  const reported = new Set<number>();
  for (const { id } of questions) {
    if (seen.has(id)) reported.add(id);
    seen.add(id);
  }
  return [...reported].map((id) => `La question d’identifiant ${id} figure plusieurs fois dans la banque.`);
}
