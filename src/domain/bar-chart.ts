import { formatInteger, formatPercent } from './french.js';

/**
 * The geometry of a bar chart drawn by the server as SVG (views/partials/bar-chart.eta): no chart
 * library in the browser, and a page that shows its figures without JavaScript. Vertical bars, one
 * group per category, series side by side or stacked; values are counts, or shares drawn as
 * percentages on an axis from 0 to 100 %.
 */

export interface ChartInput {
  /** What the axis writes under each group (short: « mars 26 »). */
  categories: readonly string[];
  /** The group's full name in each bar's title (« mars 2026 »); the short one when absent. */
  categoryTitles?: readonly string[];
  series: readonly { name: string; values: readonly (number | null)[] }[];
  stacked?: boolean;
  /** Values are shares from 0 to 1. */
  percent?: boolean;
}

export interface ChartBar {
  x: number;
  y: number;
  width: number;
  height: number;
  series: number;
  category: number;
  value: number;
  /** What a pointer over the bar shows, and what the table beside says of the same cell. */
  title: string;
}

export interface ChartLayout {
  width: number;
  height: number;
  plot: { left: number; top: number; width: number; height: number };
  ticks: { y: number; label: string }[];
  labels: { x: number; text: string }[];
  bars: ChartBar[];
  legend: { name: string; series: number }[];
}

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 260;
const MARGIN = { left: 56, right: 8, top: 12, bottom: 28 };
/** At most this many category labels under the axis; the others are in the bars' titles and the table. */
const MAX_LABELS = 12;

/** The smallest « round » number (1, 2 or 5 times a power of ten) at or above `value`. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function formatValue(value: number, percent: boolean): string {
  return percent ? formatPercent(value) : formatInteger(value);
}

/** Where every bar, tick and label goes in a CHART_WIDTH × CHART_HEIGHT box. */
export function layoutBarChart(input: ChartInput): ChartLayout {
  const percent = input.percent === true;
  const stacked = input.stacked === true;
  const count = input.categories.length;
  const seriesCount = input.series.length;
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: CHART_WIDTH - MARGIN.left - MARGIN.right,
    height: CHART_HEIGHT - MARGIN.top - MARGIN.bottom,
  };
  const valueAt = (s: number, c: number) => Math.max(0, input.series[s]!.values[c] ?? 0);
  let highest = 0;
  for (let c = 0; c < count; c++) {
    let sum = 0;
    for (let s = 0; s < seriesCount; s++) {
      sum = stacked ? sum + valueAt(s, c) : Math.max(sum, valueAt(s, c));
    }
    highest = Math.max(highest, sum);
  }
  // Four steps or so, each a round number (a whole one for counts): 0, 2, 4, 6, 8 rather than 0, 1.75, 3.5…
  const step = percent ? 0.25 : Math.max(1, niceCeiling(highest / 4));
  const top = percent ? 1 : Math.max(step, Math.ceil(highest / step) * step);
  const scale = (value: number) => (value / top) * plot.height;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => {
    const value = step * i;
    return { y: plot.top + plot.height - scale(value), label: formatValue(value, percent) };
  });

  const slot = count > 0 ? plot.width / count : plot.width;
  const groupWidth = slot * 0.8;
  const barWidth = stacked || seriesCount === 0 ? groupWidth : groupWidth / seriesCount;
  const bars: ChartBar[] = [];
  for (let c = 0; c < count; c++) {
    const groupLeft = plot.left + slot * c + (slot - groupWidth) / 2;
    let base = 0;
    for (let s = 0; s < seriesCount; s++) {
      const raw = input.series[s]!.values[c];
      if (raw === null || raw === undefined) continue;
      const value = Math.max(0, raw);
      const height = scale(value);
      const bottom = stacked ? base : 0;
      bars.push({
        x: stacked ? groupLeft : groupLeft + barWidth * s,
        y: plot.top + plot.height - scale(bottom) - height,
        width: barWidth,
        height,
        series: s,
        category: c,
        value: raw,
        title: `${input.categoryTitles?.[c] ?? input.categories[c]}${seriesCount > 1 ? ` — ${input.series[s]!.name}` : ''} : ${formatValue(raw, percent)}`,
      });
      if (stacked) base += value;
    }
  }
  const every = Math.max(1, Math.ceil(count / MAX_LABELS));
  const labels = input.categories.flatMap((text, c) => (c % every === 0 ? [{ x: plot.left + slot * c + slot / 2, text }] : []));
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    plot,
    ticks,
    labels,
    bars,
    legend: seriesCount > 1 ? input.series.map((s, i) => ({ name: s.name, series: i })) : [],
  };
}
