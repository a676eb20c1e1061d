import { Readable } from 'node:stream';
import { CSV_START, csvDateTime, csvRow } from '../../../domain/csv.js';
import { FINISH_REASON_LABELS } from '../../../domain/exam-clock.js';
import { formatShortDate } from '../../../domain/paris-time.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { VERDICT_LABELS, verdictOf } from '../../../domain/verdict.js';
import type { ResultRow } from './queries.js';

const HEADER = [
  'Nom',
  'Prénom',
  'Date de naissance',
  'Entreprise',
  'Profil',
  'Questionnaire',
  'Session',
  'Début',
  'Fin',
  'Fin par',
  'Note',
  'Maximum',
  'Résultat',
];

function cells(r: ResultRow): (string | number | null)[] {
  return [
    r.last_name,
    r.first_name,
    formatShortDate(r.birth_date),
    r.company,
    PROFILE_LABELS[r.profile],
    r.version,
    r.exam_session_id,
    csvDateTime(r.started_at),
    csvDateTime(r.finished_at),
    r.finish_reason ? FINISH_REASON_LABELS[r.finish_reason] : null,
    r.score,
    r.maximum,
    VERDICT_LABELS[verdictOf({ finishedAt: r.finished_at, passed: r.passed, cancelledAt: r.cancelled_at })],
  ];
}

/**
 * The filtered results as a CSV for a French spreadsheet (conventions in domain/csv.ts), written
 * row by row as the chunks arrive: memory stays flat in the number of rows.
 */
export function resultsCsvStream(rows: AsyncIterable<ResultRow>): Readable {
  return Readable.from(
    (async function* () {
      yield CSV_START + csvRow(HEADER);
      for await (const row of rows) yield csvRow(cells(row));
    })(),
  );
}
