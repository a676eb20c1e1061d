import { parseWholeNumber, type IntegerOutcome } from './whole-number.js';

/**
 * The exam's time, always from the server's deadline: a terminal's clock may be wrong, and a
 * reloaded or swapped terminal must show the same remaining time.
 */
export function deadlineFor(startedAt: Date, durationMinutes: number, extraMinutes = 0): Date {
  return new Date(startedAt.getTime() + (durationMinutes + extraMinutes) * 60_000);
}

export function remainingSeconds(deadline: Date, now: Date): number {
  return Math.max(0, Math.floor((deadline.getTime() - now.getTime()) / 1000));
}

/** Answers are refused from the deadline on (the deadline itself included). */
export function isPastDeadline(deadline: Date, now: Date): boolean {
  return now.getTime() >= deadline.getTime();
}

/**
 * "1 h 42 min 05 s", "42 min 05 s", "59 s": what the candidate reads (« 102 min » had to be
 * converted in one's head). public/js/kiosk.js counts down in the same words.
 */
export function formatRemaining(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min ${rest} s`;
  if (minutes === 0) return `${s % 60} s`;
  return `${minutes} min ${rest} s`;
}

/**
 * The most extra time one exam may receive, in all: a third more of the default hour for a candidate
 * with an accommodation fits, as does time lost to an incident in the room.
 */
export const EXTRA_MINUTES_MAX = 60;

/** Minutes a manager adds to a running exam that already received `granted` extra minutes. */
export function parseExtraMinutes(raw: string, granted: number): IntegerOutcome {
  const left = EXTRA_MINUTES_MAX - granted;
  if (left < 1) return { ok: false, message: `Cet examen a déjà reçu ${EXTRA_MINUTES_MAX} minutes supplémentaires : c’est le maximum.` };
  if (raw.trim() === '') return { ok: false, message: 'Indiquez le nombre de minutes à ajouter.' };
  const n = parseWholeNumber(raw);
  if (n === null || n < 1 || n > left) {
    return {
      ok: false,
      message: left === 1 ? 'Il ne reste qu’une minute supplémentaire possible : indiquez 1.' : `Indiquez un nombre entier de minutes entre 1 et ${left}.`,
    };
  }
  return { ok: true, value: n };
}

/** Who finished an exam: the candidate, or the server at the deadline. */
export type FinishReason = 'candidat' | 'delai';

/** Who finished it, as the results pages and files say it. */
export const FINISH_REASON_LABELS: Readonly<Record<FinishReason, string>> = Object.freeze({ delai: 'temps écoulé', candidat: 'candidat' });
