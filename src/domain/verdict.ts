/** Where a candidate's exam stands, as every page, export and count says it. */
export type Verdict = 'running' | 'passed' | 'failed';

export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = Object.freeze({
  running: 'En cours',
  passed: 'Admis',
  failed: 'Non admis',
});

/** The verdict of a stored exam: running until it has an end time, then passed or failed by its score. */
export function verdictOf(exam: { finishedAt: string | null; passed: boolean | 0 | 1 | null }): Verdict {
  if (exam.finishedAt === null) return 'running';
  return exam.passed ? 'passed' : 'failed';
}
