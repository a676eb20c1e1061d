import type { Identity } from './candidate-identity.js';
import { plural } from './french.js';
import { formatShortDate } from './paris-time.js';
import { parseWholeNumber, type IntegerOutcome } from './whole-number.js';

/**
 * How long candidates' identities are kept (RGPD): a number of years after the exam's day, set by
 * the national administration; by default 5, as long as a centre must keep its own copies. Past
 * it, the identity is replaced by neutral values; scores, statistics, the audit trail and the
 * attestation's number, profile, dates and centre stay.
 */

export const RETENTION_YEARS_MIN = 1;
export const RETENTION_YEARS_MAX = 30;

/** What an identity past its retention period reads as: a fixed text, a placeholder birth date (the column may not be empty). */
export const ANONYMISED_IDENTITY: Identity = Object.freeze({
  lastName: 'Anonymisé',
  firstName: 'Anonymisé',
  birthDate: '1900-01-01',
  company: null,
  companyAddress: null,
});

/**
 * The first exam day (`AAAA-MM-JJ`, Paris) whose identities are still kept on `today`: an exam is
 * kept through the same day `years` later and anonymised the day after. An exam on 29 February is
 * kept through 28 February of a common year, never beyond the period: on 29 February `today`,
 * a common year's 28 February is already past, so the first day kept is 1 March.
 */
export function retentionCutoff(today: string, years: number): string {
  const [y, m, d] = today.split('-').map(Number) as [number, number, number];
  const first = new Date(0);
  // 29 February of a common year rolls over to 1 March, which is the rule above.
  first.setUTCFullYear(y - years, m - 1, d);
  return first.toISOString().slice(0, 10);
}

/** The retention period as the administrator typed it: a whole number of years within the bounds. */
export function parseRetentionYears(raw: string): IntegerOutcome {
  const text = raw.trim();
  if (text === '') return { ok: false, message: 'Indiquez la durée de conservation, en années.' };
  const n = parseWholeNumber(text);
  if (n === null || n < RETENTION_YEARS_MIN || n > RETENTION_YEARS_MAX) {
    return { ok: false, message: `La durée doit être un nombre entier d’années entre ${RETENTION_YEARS_MIN} et ${RETENTION_YEARS_MAX}.` };
  }
  return { ok: true, value: n };
}

/** What a purge did, or would do in a dry run. */
export interface PurgeReport {
  dryRun: boolean;
  years: number;
  /** Exams held before this day (Paris) are past their period. */
  cutoff: string;
  /** Exams anonymised (or that would be, in a dry run). */
  exams: number;
  /** Their printed attestations, whose stored copy held the identity too. */
  attestations: number;
  /** The days of the oldest and newest of them; null when there are none. */
  oldest: string | null;
  newest: string | null;
}

/** The purge's report in French, as the CLI prints it, the daily job logs it and the administrator's page previews it. */
export function describePurge(report: PurgeReport): string {
  const period = `Durée de conservation : ${plural(report.years, 'an')} (examens antérieurs au ${formatShortDate(report.cutoff)}).`;
  if (report.exams === 0 || report.oldest === null || report.newest === null) return `${period} Aucune identité à anonymiser.`;
  const days =
    report.oldest === report.newest ? `le ${formatShortDate(report.oldest)}` : `du ${formatShortDate(report.oldest)} au ${formatShortDate(report.newest)}`;
  const printed = report.attestations > 0 ? `, dont ${plural(report.attestations, 'attestation imprimée', 'attestations imprimées')}` : '';
  const what = `${plural(report.exams, 'examen')} ${days}${printed}`;
  return report.dryRun ? `${period} À anonymiser : ${what} (rien n’a encore été modifié).` : `${period} Identités anonymisées : ${what}.`;
}
