import { FINISH_REASON_LABELS } from '../../../domain/exam-clock.js';
import { csvDateTime, toCsv } from '../../../domain/csv.js';
import { formatShortDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { formatTokenCode } from '../../../domain/token-code.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import type { sessionCandidates } from './queries.js';

type CandidateRow = Awaited<ReturnType<typeof sessionCandidates>>[number];

const HEADER = [
  'Nom',
  'Prénom',
  'Date de naissance',
  'Entreprise',
  'Profil',
  'Questionnaire',
  'Jeton',
  'Début',
  'Fin',
  'Fin par',
  'Questions répondues',
  'Questions',
  'Note',
  'Maximum',
  'Seuil',
  'Résultat',
];

/** The session's results as a CSV file for a French spreadsheet (conventions in domain/csv.ts). */
export function sessionResultsCsv(rows: CandidateRow[]): string {
  return toCsv(
    HEADER,
    rows.map((r) => [
      r.last_name,
      r.first_name,
      formatShortDate(r.birth_date),
      r.company,
      PROFILE_LABELS[r.profile],
      r.version,
      formatTokenCode(r.code),
      csvDateTime(r.started_at),
      csvDateTime(r.finished_at),
      r.finish_reason ? FINISH_REASON_LABELS[r.finish_reason] : null,
      Number(r.answered),
      Number(r.questions),
      r.score,
      r.maximum,
      r.pass_mark,
      VERDICT_LABELS[verdictOf({ finishedAt: r.finished_at, passed: r.passed, cancelledAt: r.cancelled_at })],
    ]),
  );
}

/** The file name the browser saves it under. */
export function sessionResultsFileName(centreCode: string, session: { id: number; date: string }): string {
  return `resultats-${centreCode}-${session.date}-session-${session.id}.csv`;
}
