/**
 * What the national view of anomalies flags (issue 11, medium item 8): the traces of a manager
 * using exams as an oracle on the answer key — exams finished within minutes, exams answered
 * mostly « Je ne sais pas » — and centres whose volume leaps far above their usual one. A flag is a
 * reason to look, never a verdict: the page says so.
 */

/** An exam the candidate ended this soon after its start was hardly read. */
export const RUSHED_EXAM_MINUTES = 5;
/** From this share of « Je ne sais pas » on, an exam looks like a probe rather than an attempt. */
export const DONT_KNOW_SHARE = 0.5;
/** How far back the two exam lists look. */
export const ANOMALY_WINDOW_DAYS = 30;
/** A centre's last seven days against its weekly average over the eight weeks before. */
export const SURGE_FACTOR = 3;
/** Below this many exams in a week, no volume is a surge (a small centre's first session is not). */
export const SURGE_FLOOR = 20;
export const SURGE_HISTORY_WEEKS = 8;

export function examMinutes(startedAt: string, finishedAt: string): number {
  return (Date.parse(finishedAt) - Date.parse(startedAt)) / 60_000;
}

/** Ended by the candidate (not by the clock) less than RUSHED_EXAM_MINUTES after the start. */
export function isRushed(exam: { startedAt: string; finishedAt: string; finishReason: 'candidat' | 'delai' }): boolean {
  return exam.finishReason === 'candidat' && examMinutes(exam.startedAt, exam.finishedAt) < RUSHED_EXAM_MINUTES;
}

export function isMostlyDontKnow(dontKnow: number, questions: number): boolean {
  return questions > 0 && dontKnow / questions >= DONT_KNOW_SHARE;
}

/** The usual weekly volume of a centre, from its exams over the SURGE_HISTORY_WEEKS weeks before the last seven days. */
export function usualWeeklyVolume(historyExams: number): number {
  return historyExams / SURGE_HISTORY_WEEKS;
}

export function isVolumeSurge(lastWeek: number, historyExams: number): boolean {
  return lastWeek >= SURGE_FLOOR && lastWeek >= SURGE_FACTOR * usualWeeklyVolume(historyExams);
}
