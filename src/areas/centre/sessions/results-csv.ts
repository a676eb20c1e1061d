import { toCsv } from '../../../domain/csv.js';
import { formatShortDate, parisDate, parisTime } from '../../../domain/paris-time.js';
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

const FINISHED_BY = { delai: 'temps écoulé', candidat: 'candidat' } as const;

/** A date and time as a French spreadsheet reads it: `29/11/2026 09:30`, Paris time. */
function dateTime(iso: string | null): string | null {
  return iso ? `${formatShortDate(parisDate(new Date(iso)))} ${parisTime(new Date(iso))}` : null;
}

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
      dateTime(r.started_at),
      dateTime(r.finished_at),
      r.finish_reason ? FINISHED_BY[r.finish_reason] : null,
      Number(r.answered),
      Number(r.questions),
      r.score,
      r.maximum,
      r.pass_mark,
      VERDICT_LABELS[verdictOf({ finishedAt: r.finished_at, passed: r.passed })],
    ]),
  );
}

/** The file name the browser saves it under. */
export function sessionResultsFileName(centreCode: string, session: { id: number; date: string }): string {
  return `resultats-${centreCode}-${session.date}-session-${session.id}.csv`;
}
