/**
 * The geometry of the server-drawn bar charts (src/domain/bar-chart.ts): niceCeiling's round
 * numbers (hand cases; at or above the value, at most 2.5 times it, 1, 2 or 5 times a power of
 * ten), layoutBarChart on hand-computed charts (positions, ticks, titles, thousands, percentages,
 * stacks) and on random ones (counts and shares, one to three series, side by side or stacked, up
 * to 60 categories, missing values): bars inside the plot, heights proportional to the values and
 * to the ticks, stacks piled from the axis without overlap, bars side by side apart, whole or
 * percent tick labels up to the highest value, at most 12 category labels, the legend, the titles.
 */
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { CHART_HEIGHT, CHART_WIDTH, layoutBarChart, niceCeiling, type ChartBar, type ChartInput, type ChartLayout } from '../../src/domain/bar-chart.js';
import { formatInteger, formatPercent } from '../../src/domain/french.js';

const EPSILON = 1e-9;
const near = (a: number, b: number, tolerance = EPSILON) => Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
const NBSP = '\u00a0';

// ——— niceCeiling ————————————————————————————————————————————————————————————————

t.test('niceCeiling: the smallest of 1, 2, 5 × 10ⁿ at or above the value', async (t) => {
  const cases: [number, number][] = [
    [-3, 1],
    [0, 1],
    [0.25, 0.5],
    [0.03, 0.05],
    [1, 1],
    [1.5, 2],
    [2, 2],
    [2.1, 5],
    [5, 5],
    [5.5, 10],
    [7, 10],
    [10, 10],
    [11, 20],
    [250, 500],
    [1001, 2000],
    [3000, 5000],
    [5001, 10_000],
    [1e6, 1e6],
  ];
  for (const [value, expected] of cases) t.ok(near(niceCeiling(value), expected, 1e-12), `${value} → ${expected} (got ${niceCeiling(value)})`);
});

/** Whether `x` is 1, 2 or 5 times a power of ten (to the rounding of a double). */
function isRound(x: number): boolean {
  for (let k = -12; k <= 20; k++) {
    for (const m of [1, 2, 5]) if (Math.abs(x - m * 10 ** k) <= 1e-12 * x) return true;
  }
  return false;
}

t.test('niceCeiling for any value: at or above it, at most 2.5 times it, round; whole from 1 up', async (t) => {
  fc.assert(
    fc.property(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), (value) => {
      const c = niceCeiling(value);
      return c >= value && c <= 2.5 * value && isRound(c) && (value < 1 || Number.isInteger(c));
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1e12 }), (value) => {
      const c = niceCeiling(value);
      return Number.isInteger(c) && c >= value && c <= 2.5 * value && isRound(c);
    }),
    { numRuns: 5000 },
  );
  fc.assert(fc.property(fc.integer({ min: -12, max: 15 }), fc.constantFrom(1, 2, 5), (k, m) => near(niceCeiling(m * 10 ** k), m * 10 ** k, 1e-12)));
  t.pass('a round number is its own ceiling');
  t.equal(isRound(3), false, 'the checker itself refuses 3');
  t.equal(isRound(0.3), false);
});

// ——— layoutBarChart: hand-computed charts ————————————————————————————————————————
//
// The plot: left 56, top 12, width 640 − 56 − 8 = 576, height 260 − 12 − 28 = 220; the axis at
// y = 232. Three categories: slots of 192, groups of 153.6 centred (19.2 either side).

function approxBar(t: Test, bar: ChartBar | undefined, expected: Omit<ChartBar, 'title'> & { title: string }, message: string) {
  if (!bar) return t.fail(`${message}: missing`);
  const { title, ...geometry } = expected;
  t.equal(bar.title, title, `${message}: title`);
  t.equal(bar.series, geometry.series, `${message}: series`);
  t.equal(bar.category, geometry.category, `${message}: category`);
  t.equal(bar.value, geometry.value, `${message}: value`);
  for (const key of ['x', 'y', 'width', 'height'] as const) t.ok(near(bar[key], geometry[key]), `${message}: ${key} ${bar[key]} ≈ ${geometry[key]}`);
}

t.test('layoutBarChart: one series of counts, a month without a value', async (t) => {
  const chart = layoutBarChart({
    categories: ['janv. 26', 'févr. 26', 'mars 26'],
    categoryTitles: ['janvier 2026', 'février 2026', 'mars 2026'],
    series: [{ name: 'Examens', values: [3, null, 8] }],
  });
  t.equal(chart.width, CHART_WIDTH);
  t.equal(chart.height, CHART_HEIGHT);
  t.same(chart.plot, { left: 56, top: 12, width: 576, height: 220 });
  // Highest 8: a step of niceCeiling(8 / 4) = 2, up to 8.
  t.same(
    chart.ticks.map((k) => k.label),
    ['0', '2', '4', '6', '8'],
  );
  chart.ticks.forEach((k, i) => t.ok(near(k.y, 232 - 55 * i), `tick ${k.label} at ${232 - 55 * i}`));
  t.equal(chart.bars.length, 2, 'no bar for the missing value');
  approxBar(t, chart.bars[0], { x: 75.2, y: 149.5, width: 153.6, height: 82.5, series: 0, category: 0, value: 3, title: 'janvier 2026 : 3' }, 'January');
  approxBar(t, chart.bars[1], { x: 459.2, y: 12, width: 153.6, height: 220, series: 0, category: 2, value: 8, title: 'mars 2026 : 8' }, 'March, up to the top');
  t.same(
    chart.labels.map((l) => l.text),
    ['janv. 26', 'févr. 26', 'mars 26'],
  );
  chart.labels.forEach((l, i) => t.ok(near(l.x, 152 + 192 * i), `label ${l.text} centred under its slot`));
  t.same(chart.legend, [], 'no legend for a single series');
});

t.test('layoutBarChart: thousands grouped by a non-breaking space; the short category when no title', async (t) => {
  const chart = layoutBarChart({ categories: ['T1'], series: [{ name: 'Jetons', values: [12_000] }] });
  // Highest 12 000: a step of niceCeiling(3 000) = 5 000, up to 15 000.
  t.same(
    chart.ticks.map((k) => k.label),
    ['0', `5${NBSP}000`, `10${NBSP}000`, `15${NBSP}000`],
  );
  t.equal(chart.bars[0]!.title, `T1 : 12${NBSP}000`);
  t.ok(near(chart.bars[0]!.height, (12_000 / 15_000) * 220));
  // One slot of 576: a group of 460.8 from 56 + 57.6.
  t.ok(near(chart.bars[0]!.x, 113.6) && near(chart.bars[0]!.width, 460.8), 'one category: one wide group, centred');
});

t.test('layoutBarChart: the steps of the value axis', async (t) => {
  const ticksFor = (highest: number) => layoutBarChart({ categories: ['a'], series: [{ name: 's', values: [highest] }] }).ticks.map((k) => k.label);
  t.same(ticksFor(0), ['0', '1'], 'nothing: an axis up to 1');
  t.same(ticksFor(1), ['0', '1']);
  t.same(ticksFor(3), ['0', '1', '2', '3'], 'never a step below 1 for counts');
  t.same(ticksFor(4), ['0', '1', '2', '3', '4']);
  t.same(ticksFor(5), ['0', '2', '4', '6']);
  t.same(ticksFor(9), ['0', '5', '10']);
  t.same(ticksFor(21), ['0', '10', '20', '30']);
  t.same(ticksFor(100), ['0', '50', '100']);
  t.same(ticksFor(1001), ['0', '500', `1${NBSP}000`, `1${NBSP}500`]);
});

t.test('layoutBarChart: shares drawn from 0 to 100 %, titles in percent', async (t) => {
  const chart = layoutBarChart({
    categories: ['Concepteur', 'Encadrant', 'Opérateur'],
    series: [{ name: 'Taux de réussite', values: [0.7125, null, 1] }],
    percent: true,
  });
  t.same(
    chart.ticks.map((k) => k.label),
    ['0', '25', '50', '75', '100'].map((p) => `${p}${NBSP}%`),
  );
  t.equal(chart.bars[0]!.title, `Concepteur : 71,3${NBSP}%`);
  t.ok(near(chart.bars[0]!.height, 0.7125 * 220));
  t.equal(chart.bars[1]!.title, `Opérateur : 100${NBSP}%`);
  t.ok(near(chart.bars[1]!.y, 12), '100 % reaches the top');
  const low = layoutBarChart({ categories: ['a'], series: [{ name: 's', values: [0.01] }], percent: true });
  t.equal(low.ticks.at(-1)!.label, `100${NBSP}%`, 'the axis goes to 100 % however low the shares');
});

t.test('layoutBarChart: two series stacked, and side by side', async (t) => {
  const input: ChartInput = {
    categories: ['a', 'b'],
    series: [
      { name: 'Concepteur', values: [2, 0] },
      { name: 'Opérateur', values: [3, null] },
    ],
    stacked: true,
  };
  const stacked = layoutBarChart(input);
  // Highest sum 5: a step of niceCeiling(1.25) = 2, up to 6. Slots of 288, groups of 230.4.
  t.same(
    stacked.ticks.map((k) => k.label),
    ['0', '2', '4', '6'],
  );
  approxBar(
    t,
    stacked.bars[0],
    { x: 84.8, y: 232 - 220 / 3, width: 230.4, height: 220 / 3, series: 0, category: 0, value: 2, title: 'a — Concepteur : 2' },
    'a, first',
  );
  approxBar(
    t,
    stacked.bars[1],
    { x: 84.8, y: 232 - 220 * (5 / 6), width: 230.4, height: 110, series: 1, category: 0, value: 3, title: 'a — Opérateur : 3' },
    'a, on top',
  );
  approxBar(
    t,
    stacked.bars[2],
    { x: 372.8, y: 232, width: 230.4, height: 0, series: 0, category: 1, value: 0, title: 'b — Concepteur : 0' },
    'b: a zero is a bar of no height',
  );
  t.equal(stacked.bars.length, 3);
  t.same(stacked.legend, [
    { name: 'Concepteur', series: 0 },
    { name: 'Opérateur', series: 1 },
  ]);

  const side = layoutBarChart({ ...input, stacked: false });
  // Highest 3: step 1, up to 3. Bars of 115.2.
  t.same(
    side.ticks.map((k) => k.label),
    ['0', '1', '2', '3'],
  );
  approxBar(
    t,
    side.bars[0],
    { x: 84.8, y: 232 - (220 * 2) / 3, width: 115.2, height: (220 * 2) / 3, series: 0, category: 0, value: 2, title: 'a — Concepteur : 2' },
    'a, left',
  );
  approxBar(t, side.bars[1], { x: 200, y: 12, width: 115.2, height: 220, series: 1, category: 0, value: 3, title: 'a — Opérateur : 3' }, 'a, right');
});

t.test('layoutBarChart: no category', async (t) => {
  const chart = layoutBarChart({ categories: [], series: [{ name: 's', values: [] }] });
  t.same(chart.bars, []);
  t.same(chart.labels, []);
  t.same(
    chart.ticks.map((k) => k.label),
    ['0', '1'],
  );
});

t.test('layoutBarChart: 13 categories or more, one label in two, three…', async (t) => {
  const labelsFor = (count: number) =>
    layoutBarChart({ categories: Array.from({ length: count }, (_, i) => `m${i}`), series: [{ name: 's', values: [] }] }).labels.map((l) => l.text);
  t.equal(labelsFor(12).length, 12);
  t.same(labelsFor(13), ['m0', 'm2', 'm4', 'm6', 'm8', 'm10', 'm12']);
  t.same(labelsFor(24).length, 12);
  t.same(labelsFor(25), ['m0', 'm3', 'm6', 'm9', 'm12', 'm15', 'm18', 'm21', 'm24']);
});

// ——— layoutBarChart: properties ———————————————————————————————————————————————————

const SERIES_NAMES = ['Concepteur', 'Encadrant', 'Opérateur'];

const chartArb: fc.Arbitrary<ChartInput> = fc
  .record({
    count: fc.integer({ min: 0, max: 60 }),
    seriesCount: fc.integer({ min: 1, max: 3 }),
    stacked: fc.boolean(),
    percent: fc.boolean(),
    titled: fc.boolean(),
    magnitude: fc.constantFrom(3, 10, 1000, 5_000_000),
  })
  .chain(({ count, seriesCount, stacked, percent, titled, magnitude }) => {
    // Shares stacked are parts of one whole (the charts only stack counts): each at most 1 / seriesCount.
    const share = fc.double({ min: 0, max: 1, noNaN: true }).map((x) => (stacked ? x / seriesCount : x));
    const value = fc.option(percent ? share : fc.nat({ max: magnitude }), { nil: null, freq: 4 });
    return fc.array(fc.array(value, { minLength: count, maxLength: count }), { minLength: seriesCount, maxLength: seriesCount }).map((values): ChartInput => {
      const categories = Array.from({ length: count }, (_, c) => `c${c}`);
      return {
        categories,
        ...(titled ? { categoryTitles: categories.map((c) => `catégorie ${c}`) } : {}),
        series: values.map((v, s) => ({ name: SERIES_NAMES[s]!, values: v })),
        ...(stacked ? { stacked } : {}),
        ...(percent ? { percent } : {}),
      };
    });
  });

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** The value of a tick from its label: « 15 000 » → 15000, « 75 % » → 0.75. */
function tickValue(label: string, percent: boolean): number {
  if (percent) {
    check(/^(0|25|50|75|100)\u00a0%$/.test(label), `a percent tick: ${JSON.stringify(label)}`);
    return Number(label.slice(0, -2)) / 100;
  }
  check(/^(0|[1-9]\d{0,2}(\u00a0\d{3})*)$/.test(label), `a whole count, grouped by thousands: ${JSON.stringify(label)}`);
  return Number(label.replaceAll(NBSP, ''));
}

function checkLayout(input: ChartInput, chart: ChartLayout): void {
  const percent = input.percent === true;
  const stacked = input.stacked === true;
  const count = input.categories.length;
  const seriesCount = input.series.length;
  const { plot } = chart;
  const axis = plot.top + plot.height;

  check(chart.width === CHART_WIDTH && chart.height === CHART_HEIGHT, 'the box');
  check(plot.left >= 0 && plot.top >= 0 && plot.left + plot.width <= CHART_WIDTH && plot.top + plot.height <= CHART_HEIGHT, 'the plot inside the box');

  // Ticks: 0 on the axis, evenly spaced up to the plot's top, whole counts or quarters of 100 %.
  const values = chart.ticks.map((k) => tickValue(k.label, percent));
  check(chart.ticks.length >= 2 && chart.ticks.length <= 5, `2 to 5 ticks, not ${chart.ticks.length}`);
  check(values[0] === 0 && near(chart.ticks[0]!.y, axis), 'the first tick is 0, on the axis');
  const topValue = values.at(-1)!;
  check(near(chart.ticks.at(-1)!.y, plot.top), 'the last tick at the top of the plot');
  const step = values[1]! - values[0]!;
  values.forEach((v, i) => {
    check(near(v, step * i), `ticks evenly spaced: ${values.join(', ')}`);
    check(near(chart.ticks[i]!.y, axis - (v / topValue) * plot.height), `tick ${chart.ticks[i]!.label} at its height`);
  });
  if (percent) check(values.join() === '0,0.25,0.5,0.75,1', `0 % to 100 %: ${values.join()}`);
  else
    check(
      chart.ticks.every((k, i) => k.label === formatInteger(values[i]!)),
      'counts written by formatInteger',
    );

  let highest = 0;
  for (let c = 0; c < count; c++) {
    const column = input.series.map((s) => s.values[c] ?? 0);
    highest = Math.max(highest, stacked ? column.reduce((a, b) => a + b, 0) : Math.max(...column));
  }
  check(topValue >= highest - EPSILON, `the top tick ${topValue} at or above the highest ${stacked ? 'stack' : 'value'} ${highest}`);

  // One bar per value given, where it belongs.
  const expected = input.series.flatMap((s, series) => s.values.flatMap((value, category) => (value === null ? [] : [{ series, category, value }])));
  check(chart.bars.length === expected.length, `one bar per value: ${chart.bars.length} for ${expected.length}`);
  const slot = count > 0 ? plot.width / count : plot.width;
  const perUnit = plot.height / topValue;
  for (const bar of chart.bars) {
    const value = input.series[bar.series]?.values[bar.category];
    check(value === bar.value, `bar ${bar.series}/${bar.category} carries its value`);
    check(bar.width > 0 && bar.height >= 0, 'a bar has a width, and no negative height');
    check(bar.x >= plot.left - EPSILON && bar.x + bar.width <= plot.left + plot.width + EPSILON, `bar inside the plot across: ${bar.x} + ${bar.width}`);
    check(bar.y >= plot.top - EPSILON && bar.y + bar.height <= axis + EPSILON, `bar inside the plot up: ${bar.y} + ${bar.height}`);
    check(
      bar.x >= plot.left + slot * bar.category - EPSILON && bar.x + bar.width <= plot.left + slot * (bar.category + 1) + EPSILON,
      'a bar within its category’s slot',
    );
    check(near(bar.height, bar.value * perUnit), `height proportional to the value, on the ticks’ scale: ${bar.height} for ${bar.value}`);
    const category = input.categoryTitles?.[bar.category] ?? input.categories[bar.category]!;
    const written = percent ? formatPercent(bar.value) : formatInteger(bar.value);
    const title = seriesCount > 1 ? `${category} — ${input.series[bar.series]!.name} : ${written}` : `${category} : ${written}`;
    check(bar.title === title, `title ${JSON.stringify(bar.title)}, expected ${JSON.stringify(title)}`);
    if (seriesCount === 1) check(!bar.title.includes('—'), 'no « — » with a single series');
  }
  const pairs = new Set(chart.bars.map((b) => `${b.series}/${b.category}`));
  check(pairs.size === chart.bars.length && expected.every((e) => pairs.has(`${e.series}/${e.category}`)), 'each value has its own bar');

  // Within a category: stacked bars piled from the axis, side-by-side bars apart, all on the axis.
  for (let c = 0; c < count; c++) {
    const group = chart.bars.filter((b) => b.category === c);
    if (stacked) {
      let base = axis;
      for (const bar of [...group].sort((a, b) => a.series - b.series)) {
        check(near(bar.y + bar.height, base), `stack of ${c}: series ${bar.series} starts where the one below ends`);
        check(near(bar.x, group[0]!.x) && near(bar.width, group[0]!.width), 'a stack is one column');
        base = bar.y;
      }
    } else {
      const byX = [...group].sort((a, b) => a.x - b.x);
      for (let i = 0; i < byX.length; i++) {
        check(near(byX[i]!.y + byX[i]!.height, axis), 'side by side: every bar stands on the axis');
        if (i > 0) check(byX[i]!.x >= byX[i - 1]!.x + byX[i - 1]!.width - EPSILON, `side by side in ${c}: bars apart`);
      }
    }
  }

  // Category labels: at most 12, in order, centred under their slot, the first one always.
  check(chart.labels.length <= 12, `at most 12 category labels, not ${chart.labels.length}`);
  if (count > 0 && count <= 12) check(chart.labels.length === count, 'every category labelled when there are 12 or fewer');
  if (count > 0) check(chart.labels[0]!.text === input.categories[0], 'the first category labelled');
  let previous = -1;
  for (const label of chart.labels) {
    const c = input.categories.indexOf(label.text);
    check(c > previous, 'labels in order');
    check(near(label.x, plot.left + slot * (c + 0.5)), 'a label centred under its slot');
    previous = c;
  }
  if (count > 12) {
    const gaps = chart.labels.slice(1).map((l, i) => input.categories.indexOf(l.text) - input.categories.indexOf(chart.labels[i]!.text));
    check(new Set(gaps).size <= 1, 'labels evenly spread');
  }

  check(
    seriesCount > 1 ? JSON.stringify(chart.legend) === JSON.stringify(input.series.map((s, i) => ({ name: s.name, series: i }))) : chart.legend.length === 0,
    'a legend only with several series, in their order',
  );
}

t.test('layoutBarChart on random charts: geometry, ticks, labels, legend and titles', async (t) => {
  let bars = 0;
  fc.assert(
    fc.property(chartArb, (input) => {
      const chart = layoutBarChart(input);
      checkLayout(input, chart);
      bars += chart.bars.length;
      return true;
    }),
    { numRuns: 1500 },
  );
  t.ok(bars > 10_000, `${bars} bars checked`);
});

t.test('the property checker catches a misplaced bar', async (t) => {
  const input: ChartInput = { categories: ['a', 'b'], series: [{ name: 's', values: [1, 2] }] };
  const chart = layoutBarChart(input);
  t.doesNotThrow(() => checkLayout(input, chart));
  const tall = { ...chart, bars: chart.bars.map((b, i) => (i === 0 ? { ...b, height: b.height + 1, y: b.y - 1 } : b)) };
  t.throws(() => checkLayout(input, tall), /height proportional/);
  const shifted = { ...chart, bars: chart.bars.map((b, i) => (i === 1 ? { ...b, x: b.x + 300 } : b)) };
  t.throws(() => checkLayout(input, shifted), /inside the plot/);
});
