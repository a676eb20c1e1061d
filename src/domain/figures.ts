import { addMonths, formatMonth, isValidMonth, monthsBetween } from './paris-time.js';
import { PROFILES, type Profile } from './profiles.js';

/**
 * The platform's figures (issue 15) from the counters kept per month, centre and questionnaire
 * version: totals, exams per month and profile, pass rates per profile, version and centre, tokens
 * per month, and the centres whose pass rate stands apart from the national one.
 */

/** Counters of one month and version (all centres, or one), as exam_figures sums them. */
export interface MonthCounters {
  month: string;
  questionnaireId: number;
  finished: number;
  passed: number;
  cancelled: number;
  scoreSum: number;
  maximumSum: number;
  tokensIssued: number;
  /** Started and not yet ended: counted live, the counters take an exam in at its end. */
  running: number;
}

export interface VersionRef {
  id: number;
  profile: Profile;
  version: string;
}

export interface CentreCounters {
  centreId: number;
  code: string;
  name: string;
  finished: number;
  passed: number;
}

/** Below this many scored exams, a centre's pass rate says too little to be set apart. */
export const MIN_EXAMS_FOR_DEVIATION = 20;
/**
 * How far, in standard errors, a centre's pass rate must be from the national one to be shown as
 * apart: with a binomial model, 3 is crossed by chance about once in 370 centres.
 */
export const DEVIATION_Z = 3;
/** The distribution of the centres' pass rates: bands of 10 points. */
export const RATE_BANDS = 10;

export interface Rate {
  finished: number;
  passed: number;
  /** Share of the scored exams passed; null without any. */
  rate: number | null;
}

export interface ProfileFigures extends Rate {
  profile: Profile;
  /** Mean score as a share of the maximum; null without any exam. */
  averageShare: number | null;
}

export interface VersionFigures extends Rate {
  questionnaireId: number;
  profile: Profile;
  version: string;
  averageScore: number | null;
  averageMaximum: number | null;
}

export interface MonthFigures {
  month: string;
  /** Scored exams per profile, in PROFILES' order. */
  byProfile: number[];
  tokensIssued: number;
  /** Tokens spent: exams started that month, whether scored, cancelled or still running. */
  tokensUsed: number;
}

export type Deviation = 'above' | 'below' | null;

export interface CentreFigures extends Rate {
  centreId: number;
  code: string;
  name: string;
  deviation: Deviation;
}

export interface Totals extends Rate {
  cancelled: number;
  running: number;
  tokensIssued: number;
  tokensUsed: number;
  averageShare: number | null;
}

export interface Figures {
  totals: Totals;
  months: MonthFigures[];
  profiles: ProfileFigures[];
  versions: VersionFigures[];
}

interface ScoreSums {
  finished: number;
  passed: number;
  scoreSum: number;
  maximumSum: number;
}

const emptySums = (): ScoreSums => ({ finished: 0, passed: 0, scoreSum: 0, maximumSum: 0 });

function addScores<K>(sums: Map<K, ScoreSums>, key: K, c: MonthCounters): void {
  const s = sums.get(key) ?? emptySums();
  s.finished += c.finished;
  s.passed += c.passed;
  s.scoreSum += c.scoreSum;
  s.maximumSum += c.maximumSum;
  sums.set(key, s);
}

function rateOf(finished: number, passed: number): Rate {
  return { finished, passed, rate: finished > 0 ? passed / finished : null };
}

/**
 * Everything but the centres, for the months of `months` (in order; counters of other months are
 * ignored). Versions appear when they have any counter in the period, by profile then version.
 */
export function computeFigures(months: readonly string[], counters: readonly MonthCounters[], versions: readonly VersionRef[]): Figures {
  const monthIndex = new Map(months.map((m, i) => [m, i]));
  const versionById = new Map(versions.map((v) => [v.id, v]));
  const monthRows: MonthFigures[] = months.map((month) => ({ month, byProfile: PROFILES.map(() => 0), tokensIssued: 0, tokensUsed: 0 }));
  const perProfile = new Map<Profile, ScoreSums>();
  const perVersion = new Map<number, ScoreSums>();
  const totals = { finished: 0, passed: 0, cancelled: 0, running: 0, tokensIssued: 0, scoreSum: 0, maximumSum: 0 };
  for (const c of counters) {
    const index = monthIndex.get(c.month);
    const version = versionById.get(c.questionnaireId);
    if (index === undefined || !version) continue;
    const row = monthRows[index]!;
    row.byProfile[PROFILES.indexOf(version.profile)]! += c.finished;
    row.tokensIssued += c.tokensIssued;
    row.tokensUsed += c.finished + c.cancelled + c.running;
    addScores(perProfile, version.profile, c);
    addScores(perVersion, version.id, c);
    totals.finished += c.finished;
    totals.passed += c.passed;
    totals.cancelled += c.cancelled;
    totals.running += c.running;
    totals.tokensIssued += c.tokensIssued;
    totals.scoreSum += c.scoreSum;
    totals.maximumSum += c.maximumSum;
  }
  const share = (sum: number, maximum: number) => (maximum > 0 ? sum / maximum : null);
  return {
    totals: {
      ...rateOf(totals.finished, totals.passed),
      cancelled: totals.cancelled,
      running: totals.running,
      tokensIssued: totals.tokensIssued,
      tokensUsed: totals.finished + totals.cancelled + totals.running,
      averageShare: share(totals.scoreSum, totals.maximumSum),
    },
    months: monthRows,
    profiles: PROFILES.map((profile) => {
      const sums = perProfile.get(profile) ?? emptySums();
      return { profile, ...rateOf(sums.finished, sums.passed), averageShare: share(sums.scoreSum, sums.maximumSum) };
    }),
    versions: versions
      .filter((v) => perVersion.has(v.id))
      .sort((a, b) => PROFILES.indexOf(a.profile) - PROFILES.indexOf(b.profile) || a.version.localeCompare(b.version, 'fr', { numeric: true }))
      .map((v) => {
        const sums = perVersion.get(v.id)!;
        return {
          questionnaireId: v.id,
          profile: v.profile,
          version: v.version,
          ...rateOf(sums.finished, sums.passed),
          averageScore: sums.finished > 0 ? sums.scoreSum / sums.finished : null,
          averageMaximum: sums.finished > 0 ? sums.maximumSum / sums.finished : null,
        };
      }),
  };
}

/**
 * Whether a centre's pass rate stands apart from the national one: at least
 * MIN_EXAMS_FOR_DEVIATION scored exams, and DEVIATION_Z standard errors away (the binomial error
 * of a centre of that size drawn from the national rate). A national rate of 0 or 1 has no spread:
 * any other rate is then apart.
 */
export function deviationOf(centre: Rate, national: Rate): Deviation {
  if (centre.rate === null || national.rate === null || centre.finished < MIN_EXAMS_FOR_DEVIATION) return null;
  const gap = centre.rate - national.rate;
  if (gap === 0) return null;
  const spread = Math.sqrt((national.rate * (1 - national.rate)) / centre.finished);
  if (spread > 0 && Math.abs(gap) < DEVIATION_Z * spread) return null;
  return gap > 0 ? 'above' : 'below';
}

/** Each centre with its rate and whether it stands apart, the most exams first (then by code). */
export function centreFigures(centres: readonly CentreCounters[], national: Rate): CentreFigures[] {
  return centres
    .map((c) => {
      const rate = rateOf(c.finished, c.passed);
      return { centreId: c.centreId, code: c.code, name: c.name, ...rate, deviation: deviationOf(rate, national) };
    })
    .sort((a, b) => b.finished - a.finished || a.code.localeCompare(b.code));
}

/** How many centres (with at least one scored exam) fall in each band of 10 points: 0–10 %, …, 90–100 % (100 % in the last). */
export function rateBands(centres: readonly Rate[]): number[] {
  const bands = Array.from({ length: RATE_BANDS }, () => 0);
  for (const c of centres) {
    if (c.finished === 0) continue;
    // In integers: a rate of exactly 70 % is in the 70–80 % band, whatever 0.7 × 10 gives in floating point.
    bands[Math.min(RATE_BANDS - 1, Math.floor((c.passed * RATE_BANDS) / c.finished))]! += 1;
  }
  return bands;
}

/** Without a period asked for, the figures cover the current month and the 11 before it. */
export const DEFAULT_PERIOD_MONTHS = 12;

export interface PeriodChoice {
  /** What the form shows as chosen (what was sent, even when refused). */
  from: string;
  to: string;
  /** The months the form offers, oldest first: from the first counted (or the default start) to now. */
  months: string[];
  errors: { du?: string; au?: string };
}

/** The period of `?du=AAAA-MM&au=AAAA-MM`, checked against the months offered. */
export function readPeriod(query: { du?: unknown; au?: unknown }, currentMonth: string, firstMonth: string | null): PeriodChoice {
  const defaultFrom = addMonths(currentMonth, 1 - DEFAULT_PERIOD_MONTHS);
  const start = firstMonth !== null && isValidMonth(firstMonth) && firstMonth < defaultFrom ? firstMonth : defaultFrom;
  const months = monthsBetween(start, currentMonth);
  const offered = new Set(months);
  const errors: PeriodChoice['errors'] = {};
  const pick = (value: unknown, fallback: string, field: 'du' | 'au'): string => {
    if (value === undefined || value === '') return fallback;
    const text = typeof value === 'string' ? value : '';
    if (!offered.has(text)) errors[field] = `Choisissez un mois de la liste, de ${formatMonth(months[0]!)} à ${formatMonth(currentMonth)}.`;
    return text;
  };
  const from = pick(query.du, defaultFrom, 'du');
  const to = pick(query.au, currentMonth, 'au');
  if (!errors.du && !errors.au && from > to) errors.au = 'Le mois de fin ne peut pas précéder le mois de début.';
  return { from, to, months, errors };
}
