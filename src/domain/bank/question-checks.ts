/** What a question must be in either format, once its fields are read. */
import type { BankAnswer, BankQuestion } from './model.js';
import type { Reporter } from './report.js';

export const MIN_ANSWERS = 2;
export const MAX_ANSWERS = 4;

/** One question as read so far: `question` is null as soon as anything in it is wrong. */
export interface Draft {
  question: BankQuestion | null;
  /** Kept even for a faulty question so that the bank-level counts stay meaningful. */
  priority: boolean | undefined;
}

/** Rules on the answers as a whole, shared by JSON and CSV. */
export function checkAnswerSet(answers: readonly Partial<BankAnswer>[], q: Reporter): void {
  const n = answers.length;
  if (n === 0) q.error(`La question n’a aucune réponse : il en faut au moins ${MIN_ANSWERS}.`);
  else if (n < MIN_ANSWERS) q.error(`La question n’a qu’une réponse : il en faut au moins ${MIN_ANSWERS}.`);
  else if (n > MAX_ANSWERS) q.error(`La question a ${n} réponses : il en faut au plus ${MAX_ANSWERS}.`);

  const correct = answers.filter((a) => a.correct === true).length;
  const allFlagged = answers.every((a) => a.correct !== undefined);
  if (correct === 0 && allFlagged && n > 0) {
    q.error('Aucune réponse n’est marquée correcte : il en faut exactement une.');
  } else if (correct > 1) {
    q.error(`${correct} réponses sont marquées correctes : il en faut exactement une.`);
  }

  const seen = new Map<string, number>();
  answers.forEach((a, index) => {
    if (a.text === undefined) return;
    const key = a.text.toLocaleLowerCase('fr');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index + 1);
    else q.error(`Les réponses ${first} et ${index + 1} sont identiques.`);
  });
}
