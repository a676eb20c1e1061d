export type Choice = { kind: 'answer'; index: number } | { kind: 'dontKnow' };

/**
 * `stale`: a newer choice for this question was saved from another page (another terminal): this
 * one was NOT applied and must not be acknowledged. `detached`: the exam was resumed on another
 * terminal since this one joined it. `closed`: finished, or past its deadline.
 */
export type SaveOutcome = 'saved' | 'stale' | 'closed' | 'invalid' | 'detached' | 'paused';

export interface SaveInput {
  position: number;
  choice: Choice | null;
  flagged: boolean;
  /** The candidate's own counter for this question: an older request never overwrites a newer one. */
  seq: number;
  /** The exam's terminal generation this terminal joined (see moveExamToTerminal in admission.ts). */
  generation: number;
}

/**
 * The hot path of the exam: candidates' choices. Saves that arrive together are written in one
 * transaction (group commit), and each is acknowledged only once that transaction is committed.
 * One implementation per database (answer-writer-sqlite.ts, answer-writer-postgres.ts).
 */
export interface AnswerWriter {
  save(examId: number, input: SaveInput): Promise<SaveOutcome>;
}

/** A choice as the statements take it: `none` leaves the answer as it is (the flag alone changes). */
type SaveKind = 'answer' | 'nsp' | 'none';

export function kindOf(choice: Choice | null): { kind: SaveKind; idx: number } {
  if (choice === null) return { kind: 'none', idx: 0 };
  return choice.kind === 'answer' ? { kind: 'answer', idx: choice.index } : { kind: 'nsp', idx: 0 };
}

// PostgreSQL's integer, the type of every column these numbers meet: no row matches or holds a value
// beyond it, and on PostgreSQL its cast would fail the whole batch (every candidate's save in it)
// rather than this request alone.
const INT_MIN = -2_147_483_648;
const INT_MAX = 2_147_483_647;
const isInt = (n: number) => Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX;

/** A request no row can satisfy, told without the database (on both, so that both answer alike). */
export function refusedOutright(examId: number, input: SaveInput): SaveOutcome | null {
  const numbers = [examId, input.position, input.seq, input.generation];
  if (input.choice?.kind === 'answer') {
    if (input.choice.index < 1) return 'invalid';
    numbers.push(input.choice.index);
  }
  return numbers.every(isInt) ? null : 'invalid';
}

/** The exam and the question as they stand after a save that changed no row (null: no such exam). */
export interface ExamState {
  finished_at: string | null;
  paused_at: string | null;
  deadline_at: string;
  terminal_generation: number;
  /** Null: the exam has no question at this position. */
  answer_order: string | null;
}

/** What the decision below needs of a save; `now` is its arrival, the time its deadline check uses. */
export interface SaveFacts {
  kind: SaveKind;
  idx: number;
  now: string;
  generation: number;
}

/** Why a save changed no row, from the state read right after it. */
export function whyNotSaved(state: ExamState | null, save: SaveFacts): SaveOutcome {
  if (!state || state.answer_order === null) return 'invalid';
  if (state.finished_at) return 'closed';
  // A paused exam's deadline may pass while it stands still: it is paused, not over.
  if (state.paused_at) return 'paused';
  if (state.deadline_at <= save.now) return 'closed';
  if (state.terminal_generation !== save.generation) return 'detached';
  const order = JSON.parse(state.answer_order) as number[];
  if (save.kind === 'answer' && order[save.idx - 1] === undefined) return 'invalid';
  // Everything else held: a newer choice was saved from another page.
  return 'stale';
}
