import { layoutBarChart, type ChartInput, type ChartLayout } from '../../../domain/bar-chart.js';
import { RATE_BANDS, type CentreFigures, type Figures, type Rate } from '../../../domain/figures.js';
import { toCsv } from '../../../domain/csv.js';
import { formatDecimal, formatInteger, formatPercent, plural } from '../../../domain/french.js';
import { formatCentreId } from '../../../domain/centre-id.js';
import type { Profile } from '../../../domain/profiles.js';
import { formatMonth, formatShortMonth } from '../../../domain/paris-time.js';
import { PROFILE_LABELS, PROFILES } from '../../../domain/profiles.js';

/**
 * What the figures pages show (views/admin/dashboard/figures.eta): each chart with, beside it, the
 * table of the same numbers — drawn from the same values, so that they cannot disagree.
 */

export interface Table {
  caption: string;
  columns: string[];
  rows: { header: string; cells: string[] }[];
}

export interface ChartBlock {
  id: string;
  title: string;
  layout: ChartLayout;
  table: Table;
}

export interface Tile {
  label: string;
  value: string;
  detail?: string;
}

/**
 * Each at least 3:1 against white (RGAA 3.3), told apart by hue for the colour-blind (dark blue,
 * orange, light blue: no red and green together); stacked bars are parted by a white line, so that
 * every segment meets its neighbour through that contrast rather than through each other's.
 */
export const SERIES_COLOURS = ['#000091', '#b34000', '#6a6af4'] as const;

function chart(id: string, title: string, input: ChartInput, table: Table): ChartBlock {
  return { id, title, layout: layoutBarChart(input), table };
}

const count = (n: number) => formatInteger(n);

function tiles(figures: Figures): Tile[] {
  const t = figures.totals;
  return [
    { label: 'Examens notés', value: count(t.finished), detail: t.cancelled > 0 ? `et ${plural(t.cancelled, 'annulé')}` : undefined },
    { label: 'Taux de réussite', value: formatPercent(t.rate), detail: `${count(t.passed)} admis` },
    { label: 'Note moyenne', value: formatPercent(t.averageShare), detail: 'de la note maximale' },
    { label: 'Jetons générés', value: count(t.tokensIssued) },
    {
      label: 'Jetons utilisés',
      value: count(t.tokensUsed),
      detail: t.running > 0 ? `dont ${plural(t.running, 'examen')} en cours` : undefined,
    },
  ];
}

function monthsChart(figures: Figures): ChartBlock {
  const months = figures.months;
  return chart(
    'examens-par-mois',
    'Examens notés par mois et par profil',
    {
      categories: months.map((m) => formatShortMonth(m.month)),
      categoryTitles: months.map((m) => formatMonth(m.month)),
      series: PROFILES.map((p, i) => ({ name: PROFILE_LABELS[p], values: months.map((m) => m.byProfile[i]!) })),
      stacked: true,
    },
    {
      caption: 'Examens notés par mois et par profil',
      columns: ['Mois', ...PROFILES.map((p) => PROFILE_LABELS[p]), 'Total'],
      rows: months.map((m) => ({
        header: formatMonth(m.month),
        cells: [...m.byProfile.map(count), count(m.byProfile.reduce((a, b) => a + b, 0))],
      })),
    },
  );
}

function tokensChart(figures: Figures): ChartBlock {
  const months = figures.months;
  return chart(
    'jetons-par-mois',
    'Jetons générés et utilisés par mois',
    {
      categories: months.map((m) => formatShortMonth(m.month)),
      categoryTitles: months.map((m) => formatMonth(m.month)),
      series: [
        { name: 'Générés', values: months.map((m) => m.tokensIssued) },
        { name: 'Utilisés', values: months.map((m) => m.tokensUsed) },
      ],
    },
    {
      caption: 'Jetons générés et utilisés par mois',
      columns: ['Mois', 'Générés', 'Utilisés'],
      rows: months.map((m) => ({ header: formatMonth(m.month), cells: [count(m.tokensIssued), count(m.tokensUsed)] })),
    },
  );
}

const rateCell = (r: Rate) => (r.rate === null ? '—' : `${formatPercent(r.rate)} (${count(r.passed)} sur ${count(r.finished)})`);

/** Pass rate per profile; with `national`, the platform's beside each of the centre's. */
function profilesChart(figures: Figures, national: Figures | null): ChartBlock {
  const label = (p: (typeof PROFILES)[number]) => PROFILE_LABELS[p];
  const series = [{ name: national ? 'Centre' : 'Taux de réussite', values: figures.profiles.map((p) => p.rate) }];
  if (national) series.push({ name: 'National', values: national.profiles.map((p) => p.rate) });
  return chart(
    'reussite-par-profil',
    'Taux de réussite par profil',
    { categories: figures.profiles.map((p) => label(p.profile)), series, percent: true },
    {
      caption: 'Taux de réussite et note moyenne par profil',
      columns: national ? ['Profil', 'Taux de réussite du centre', 'Taux national', 'Note moyenne du centre'] : ['Profil', 'Taux de réussite', 'Note moyenne'],
      rows: figures.profiles.map((p, i) => ({
        header: label(p.profile),
        cells: national
          ? [rateCell(p), formatPercent(national.profiles[i]!.rate), formatPercent(p.averageShare)]
          : [rateCell(p), formatPercent(p.averageShare)],
      })),
    },
  );
}

function versionsChart(figures: Figures, national: Figures | null): ChartBlock {
  const nationalRate = (id: number) => national?.versions.find((v) => v.questionnaireId === id)?.rate ?? null;
  const name = (v: Figures['versions'][number]) => `${PROFILE_LABELS[v.profile]} ${v.version}`;
  const series = [{ name: national ? 'Centre' : 'Taux de réussite', values: figures.versions.map((v) => v.rate) }];
  if (national) series.push({ name: 'National', values: figures.versions.map((v) => nationalRate(v.questionnaireId)) });
  const average = (v: Figures['versions'][number]) =>
    v.averageScore === null || v.averageMaximum === null ? '—' : `${formatDecimal(v.averageScore)} sur ${formatDecimal(v.averageMaximum)}`;
  return chart(
    'reussite-par-version',
    'Taux de réussite par version de questionnaire',
    { categories: figures.versions.map(name), series, percent: true },
    {
      caption: 'Taux de réussite et note moyenne par version de questionnaire',
      columns: national
        ? ['Version', 'Taux de réussite du centre', 'Taux national', 'Note moyenne du centre']
        : ['Version', 'Taux de réussite', 'Note moyenne'],
      rows: figures.versions.map((v) => ({
        header: name(v),
        cells: national ? [rateCell(v), formatPercent(nationalRate(v.questionnaireId)), average(v)] : [rateCell(v), average(v)],
      })),
    },
  );
}

function bandsChart(bands: number[]): ChartBlock {
  // A band holds its lower bound, not its upper one (the last holds 100 %): 59,9 % is « 50 à moins de 60 % ».
  const names = bands.map((_, i) =>
    i === 0 ? 'moins de 10\u00a0%' : i === RATE_BANDS - 1 ? `${i * 10} à 100\u00a0%` : `${i * 10} à moins de ${i * 10 + 10}\u00a0%`,
  );
  return chart(
    'centres-par-taux',
    'Centres selon leur taux de réussite',
    { categories: bands.map((_, i) => `${i * 10}`), categoryTitles: names, series: [{ name: 'Centres', values: bands }] },
    {
      caption: 'Nombre de centres par tranche de taux de réussite',
      columns: ['Taux de réussite', 'Centres'],
      rows: bands.map((n, i) => ({ header: names[i]!, cells: [count(n)] })),
    },
  );
}

export interface CentreRow {
  centreId: number;
  code: string;
  name: string;
  finished: string;
  rate: string;
  deviation: string | null;
}

function centreRow(c: CentreFigures): CentreRow {
  return {
    centreId: c.centreId,
    code: c.code,
    name: c.name,
    finished: count(c.finished),
    rate: formatPercent(c.rate),
    deviation: c.deviation === 'above' ? 'nettement au-dessus' : c.deviation === 'below' ? 'nettement en dessous' : null,
  };
}

export function deviationText(centre: Rate, deviation: CentreFigures['deviation'], national: Rate): string | null {
  if (!deviation || centre.rate === null) return null;
  return `Le taux de réussite du centre (${formatPercent(centre.rate)}) est nettement ${deviation === 'above' ? 'au-dessus' : 'en dessous'} du taux national (${formatPercent(national.rate)}) : un écart que le hasard explique mal, qui mérite un regard.`;
}

/** The national dashboard's blocks. */
export function nationalFiguresView(figures: Figures, centres: CentreFigures[], bands: number[]) {
  return {
    tiles: [...tiles(figures), { label: 'Centres actifs', value: count(centres.length), detail: 'ayant noté un examen' }],
    charts: [monthsChart(figures), profilesChart(figures, null), versionsChart(figures, null), tokensChart(figures), bandsChart(bands)],
    apart: centres.filter((c) => c.deviation !== null).map(centreRow),
    busiest: centres.slice(0, 20).map(centreRow),
    centreCount: centres.length,
  };
}

/** One centre's blocks, the national figures of the same period beside its rates. */
export function centreFiguresView(figures: Figures, national: Figures) {
  return {
    tiles: tiles(figures),
    charts: [monthsChart(figures), profilesChart(figures, national), versionsChart(figures, national), tokensChart(figures)],
  };
}

/** One row of the counters as the CSV lists them (queries.ts `figuresRows`). */
export interface FiguresCsvRow {
  month: string;
  centre_id: number;
  name: string;
  profile: Profile;
  version: string;
  finished: number;
  passed: number;
  cancelled: number;
  score_sum: number;
  maximum_sum: number;
  tokens_issued: number;
}

/** Every counter of the period, a row per month, centre and version: what the charts add up, for a spreadsheet. */
export function figuresCsv(rows: readonly FiguresCsvRow[]): string {
  const round1 = (n: number) => Math.round(n * 10) / 10;
  return toCsv(
    [
      'Mois',
      'Centre',
      'Nom du centre',
      'Profil',
      'Version',
      'Examens notés',
      'Admis',
      'Taux de réussite (%)',
      'Note moyenne',
      'Note maximale',
      'Examens annulés',
      'Jetons générés',
    ],
    rows.map((r) => {
      const finished = Number(r.finished);
      return [
        r.month,
        formatCentreId(r.centre_id),
        r.name,
        PROFILE_LABELS[r.profile],
        r.version,
        finished,
        Number(r.passed),
        finished > 0 ? round1((Number(r.passed) / finished) * 100) : null,
        finished > 0 ? round1(Number(r.score_sum) / finished) : null,
        finished > 0 ? round1(Number(r.maximum_sum) / finished) : null,
        Number(r.cancelled),
        Number(r.tokens_issued),
      ];
    }),
  );
}
