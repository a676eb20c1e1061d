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

/** "42 min 05 s", "59 s": what the candidate reads. */
export function formatRemaining(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  if (minutes === 0) return `${rest} s`;
  return `${minutes} min ${String(rest).padStart(2, '0')} s`;
}
