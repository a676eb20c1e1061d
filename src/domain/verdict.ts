/** Where a candidate's exam stands, as every page, export and count says it. */
export type Verdict = 'running' | 'passed' | 'failed' | 'cancelled';

export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = Object.freeze({
  running: 'En cours',
  passed: 'Admis',
  failed: 'Non admis',
  cancelled: 'Annulé',
});

/**
 * The verdict of a stored exam: cancelled by its centre whatever its score, else running until it
 * has an end time, then passed or failed by its score. `cancelledAt` is asked of every caller so
 * that no page can forget a cancellation.
 */
export function verdictOf(exam: { finishedAt: string | null; passed: boolean | 0 | 1 | null; cancelledAt: string | null }): Verdict {
  if (exam.cancelledAt !== null) return 'cancelled';
  if (exam.finishedAt === null) return 'running';
  return exam.passed ? 'passed' : 'failed';
}
