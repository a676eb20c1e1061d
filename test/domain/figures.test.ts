/**
 * The platform's figures (src/domain/figures.ts, issue 15), without a database: computeFigures on a
 * hand-computed set of monthly counters (totals, months in order with the empty ones, profiles in
 * PROFILES' order, versions counted in the period, sorted; counters of other months and of unknown
 * versions left out) and on random counters (every total is the sum of its parts, rates in [0, 1]);
 * deviationOf (the minimum of exams, the binomial threshold of DEVIATION_Z standard errors on hand
 * cases either side, national rates of 0 and 1, the mirror and more-exams properties);
 * centreFigures' order; rateBands' bands of 10 points in integers; readPeriod's default period,
 * offered months and French errors.
 */
import t from 'tap';
import fc from 'fast-check';
import {
  centreFigures,
  computeFigures,
  DEFAULT_PERIOD_MONTHS,
  DEVIATION_Z,
  deviationOf,
  MIN_EXAMS_FOR_DEVIATION,
  RATE_BANDS,
  rateBands,
  readPeriod,
  type CentreCounters,
  type MonthCounters,
  type Rate,
  type VersionRef,
} from '../../src/domain/figures.js';
import { addMonths, monthsBetween } from '../../src/domain/paris-time.js';
import { PROFILES } from '../../src/domain/profiles.js';

const close = (a: number | null, b: number) => a !== null && Math.abs(a - b) < 1e-12;

function counter(month: string, questionnaireId: number, c: Partial<Omit<MonthCounters, 'month' | 'questionnaireId'>>): MonthCounters {
  return { month, questionnaireId, finished: 0, passed: 0, cancelled: 0, scoreSum: 0, maximumSum: 0, tokensIssued: 0, running: 0, ...c };
}

const rate = (finished: number, passed: number): Rate => ({ finished, passed, rate: finished > 0 ? passed / finished : null });

// ——— A hand-computed set of counters ——————————————————————————————————————————————
//
// Versions: 1 concepteur « 2025-A », 2 opérateur « 2025-B », 3 concepteur « 2024-Z »,
// 4 encadrant « 2026-A » (never counted), 5 encadrant « 2025-A » (counted only before the period).
// Period: 2026-01 to 2026-03.
//
//   month    version  finished passed cancelled running scoreSum maximumSum tokensIssued
//   2026-01  1        10       6      1         0       500      800        20
//   2026-01  2        4        1      0         0       100      240        0
//   2026-03  3        6        6      2         3       420      480        5
//   2026-03  1        0        0      0         1       0        0          10
//   2025-12  5        100      50     9         0       5000     8000       99   (before the period)
//   2026-02  99       7        7      1         1       300      400        8    (unknown version)
//
// Totals: finished 20, passed 13 (65 %), cancelled 3, running 4, tokens issued 35,
//   tokens used 20 + 3 + 4 = 27, average share 1020 / 1520.
// Months: 2026-01 [10, 0, 4], issued 20, used 11 + 4 = 15; 2026-02 nothing;
//   2026-03 [6, 0, 0], issued 15, used 11 + 1 = 12.
// Profiles: concepteur 16 / 12 (75 %), share 920 / 1280; encadrant nothing; opérateur 4 / 1
//   (25 %), share 100 / 240.
// Versions: concepteur 2024-Z (6 / 6, mean 70 of 80), concepteur 2025-A (10 / 6, mean 50 of 80;
//   its row of 2026-03 counts no exam), opérateur 2025-B (4 / 1, mean 25 of 60).

const VERSIONS: VersionRef[] = [
  { id: 2, profile: 'operateur', version: '2025-B' },
  { id: 5, profile: 'encadrant', version: '2025-A' },
  { id: 1, profile: 'concepteur', version: '2025-A' },
  { id: 4, profile: 'encadrant', version: '2026-A' },
  { id: 3, profile: 'concepteur', version: '2024-Z' },
];
const MONTHS = ['2026-01', '2026-02', '2026-03'];
const COUNTERS: MonthCounters[] = [
  counter('2026-01', 1, { finished: 10, passed: 6, cancelled: 1, scoreSum: 500, maximumSum: 800, tokensIssued: 20 }),
  counter('2026-01', 2, { finished: 4, passed: 1, scoreSum: 100, maximumSum: 240 }),
  counter('2026-03', 3, { finished: 6, passed: 6, cancelled: 2, running: 3, scoreSum: 420, maximumSum: 480, tokensIssued: 5 }),
  counter('2026-03', 1, { running: 1, tokensIssued: 10 }),
  counter('2025-12', 5, { finished: 100, passed: 50, cancelled: 9, scoreSum: 5000, maximumSum: 8000, tokensIssued: 99 }),
  counter('2026-02', 99, { finished: 7, passed: 7, cancelled: 1, running: 1, scoreSum: 300, maximumSum: 400, tokensIssued: 8 }),
];

t.test('computeFigures: the hand-computed counters', async (t) => {
  const versionsBefore = structuredClone(VERSIONS);
  const f = computeFigures(MONTHS, COUNTERS, VERSIONS);

  t.match(f.totals, { finished: 20, passed: 13, cancelled: 3, running: 4, tokensIssued: 35, tokensUsed: 27 });
  t.equal(f.totals.rate, 13 / 20);
  t.ok(close(f.totals.averageShare, 1020 / 1520), `average share ${f.totals.averageShare}: score sum over maximum sum`);

  t.same(
    f.months,
    [
      { month: '2026-01', byProfile: [10, 0, 4], tokensIssued: 20, tokensUsed: 15 },
      { month: '2026-02', byProfile: [0, 0, 0], tokensIssued: 0, tokensUsed: 0 },
      { month: '2026-03', byProfile: [6, 0, 0], tokensIssued: 15, tokensUsed: 12 },
    ],
    'every month of the period in order, the empty one included; the unknown version of 2026-02 is left out',
  );

  t.same(
    f.profiles.map((p) => p.profile),
    [...PROFILES],
    'profiles in PROFILES’ order',
  );
  const [concepteur, encadrant, operateur] = f.profiles;
  t.match(concepteur, { profile: 'concepteur', finished: 16, passed: 12, rate: 0.75 });
  t.ok(close(concepteur!.averageShare, 920 / 1280), `concepteur share ${concepteur!.averageShare}`);
  t.same(encadrant, { profile: 'encadrant', finished: 0, passed: 0, rate: null, averageShare: null }, 'no exam: no rate, no share');
  t.match(operateur, { profile: 'operateur', finished: 4, passed: 1, rate: 0.25 });
  t.ok(close(operateur!.averageShare, 100 / 240), `opérateur share ${operateur!.averageShare}`);

  t.same(
    f.versions,
    [
      { questionnaireId: 3, profile: 'concepteur', version: '2024-Z', finished: 6, passed: 6, rate: 1, averageScore: 70, averageMaximum: 80 },
      { questionnaireId: 1, profile: 'concepteur', version: '2025-A', finished: 10, passed: 6, rate: 0.6, averageScore: 50, averageMaximum: 80 },
      { questionnaireId: 2, profile: 'operateur', version: '2025-B', finished: 4, passed: 1, rate: 0.25, averageScore: 25, averageMaximum: 60 },
    ],
    'versions counted in the period only (not 4, never counted, nor 5, counted before), by profile then version',
  );
  t.same(VERSIONS, versionsBefore, 'the list of versions given is not reordered');

  t.same(computeFigures(MONTHS, [...COUNTERS].reverse(), [...VERSIONS].reverse()), f, 'the order of the counters and versions does not matter');
});

t.test('computeFigures: a version counted by a row without any scored exam is listed, with no rate', async (t) => {
  const f = computeFigures(['2026-03'], [counter('2026-03', 1, { cancelled: 2, running: 1, tokensIssued: 4 })], VERSIONS);
  t.same(f.versions, [
    { questionnaireId: 1, profile: 'concepteur', version: '2025-A', finished: 0, passed: 0, rate: null, averageScore: null, averageMaximum: null },
  ]);
  t.match(f.totals, { finished: 0, passed: 0, rate: null, averageShare: null, cancelled: 2, running: 1, tokensIssued: 4, tokensUsed: 3 });
  t.same(f.months, [{ month: '2026-03', byProfile: [0, 0, 0], tokensIssued: 4, tokensUsed: 3 }], 'tokens used: cancelled and running exams too');
});

t.test('computeFigures: nothing counted', async (t) => {
  const f = computeFigures(MONTHS, [], VERSIONS);
  t.same(f.totals, { finished: 0, passed: 0, rate: null, cancelled: 0, running: 0, tokensIssued: 0, tokensUsed: 0, averageShare: null });
  t.same(
    f.months.map((m) => m.month),
    MONTHS,
  );
  t.ok(f.months.every((m) => m.tokensIssued === 0 && m.tokensUsed === 0 && m.byProfile.every((n) => n === 0)));
  t.same(
    f.profiles.map((p) => [p.profile, p.rate, p.averageShare]),
    PROFILES.map((p) => [p, null, null]),
  );
  t.same(f.versions, []);
  t.same(computeFigures([], COUNTERS, VERSIONS).months, [], 'no month in the period: every counter is outside it');
  t.equal(computeFigures([], COUNTERS, VERSIONS).totals.finished, 0);
});

t.test('computeFigures: versions of one profile are sorted by their name in French order, numbers as numbers', async (t) => {
  const versions: VersionRef[] = [
    { id: 1, profile: 'encadrant', version: 'b' },
    { id: 2, profile: 'operateur', version: 'a' },
    { id: 3, profile: 'encadrant', version: 'A' },
    { id: 4, profile: 'concepteur', version: 'z' },
    { id: 5, profile: 'encadrant', version: 'é' },
  ];
  const f = computeFigures(
    ['2026-01'],
    versions.map((v) => counter('2026-01', v.id, { finished: 1 })),
    versions,
  );
  t.same(
    f.versions.map((v) => v.questionnaireId),
    [4, 3, 1, 5, 2],
    'concepteur, then encadrant A, b, é (é between e and f, not after z), then opérateur',
  );
  const numbered: VersionRef[] = [
    { id: 1, profile: 'operateur', version: 'v10' },
    { id: 2, profile: 'operateur', version: 'v2' },
  ];
  const byNumber = computeFigures(
    ['2026-01'],
    numbered.map((v) => counter('2026-01', v.id, { finished: 1 })),
    numbered,
  );
  t.same(
    byNumber.versions.map((v) => v.version),
    ['v2', 'v10'],
    'numbers inside a name compare as numbers',
  );
});

// ——— Random counters: every total is the sum of its parts ———————————————————————

const profileArb = fc.constantFrom(...PROFILES);
const versionsArb = fc
  .uniqueArray(
    fc.record({ id: fc.integer({ min: 1, max: 8 }), profile: profileArb, version: fc.constantFrom('2024-A', '2025-A', '2025-B', 'v1', 'v10', 'v2') }),
    {
      selector: (v) => v.id,
      maxLength: 8,
    },
  )
  .map((list): VersionRef[] => list);
const periodArb = fc
  .record({ year: fc.integer({ min: 2024, max: 2027 }), month: fc.integer({ min: 1, max: 12 }), length: fc.integer({ min: 0, max: 14 }) })
  .map(({ year, month, length }) => {
    const first = `${year}-${String(month).padStart(2, '0')}`;
    return length === 0 ? [] : monthsBetween(first, addMonths(first, length - 1));
  });
const counterArb = (months: readonly string[]) =>
  fc
    .record({
      // Some months outside the period, and some versions unknown (ids 9 and 10).
      month: months.length > 0 ? fc.oneof(fc.constantFrom(...months), fc.constantFrom('2023-12', '2029-01')) : fc.constant('2023-12'),
      questionnaireId: fc.integer({ min: 1, max: 10 }),
      passed: fc.nat({ max: 40 }),
      failed: fc.nat({ max: 40 }),
      cancelled: fc.nat({ max: 10 }),
      running: fc.nat({ max: 10 }),
      tokensIssued: fc.nat({ max: 200 }),
      maximumSum: fc.nat({ max: 5000 }),
      scoreShare: fc.double({ min: -0.5, max: 1, noNaN: true }),
    })
    .map((c): MonthCounters => ({
      month: c.month,
      questionnaireId: c.questionnaireId,
      finished: c.passed + c.failed,
      passed: c.passed,
      cancelled: c.cancelled,
      running: c.running,
      tokensIssued: c.tokensIssued,
      maximumSum: c.maximumSum,
      scoreSum: Math.round(c.scoreShare * c.maximumSum),
    }));
const figuresInputArb = fc
  .tuple(periodArb, versionsArb)
  .chain(([months, versions]) => fc.tuple(fc.constant(months), fc.array(counterArb(months), { maxLength: 40 }), fc.constant(versions)));

const sum = (list: readonly number[]) => list.reduce((a, b) => a + b, 0);
function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}
const rateIsSound = (r: Rate) => (r.finished === 0 ? r.rate === null : r.rate !== null && r.rate >= 0 && r.rate <= 1 && r.rate === r.passed / r.finished);

t.test('computeFigures on random counters: totals are the sums over months, profiles and versions', async (t) => {
  fc.assert(
    fc.property(figuresInputArb, ([months, counters, versions]) => {
      const f = computeFigures(months, counters, versions);
      const known = new Map(versions.map((v) => [v.id, v]));
      const kept = counters.filter((c) => months.includes(c.month) && known.has(c.questionnaireId));
      const { totals } = f;

      check(totals.finished === sum(kept.map((c) => c.finished)), 'totals.finished: the counters of the period and known versions');
      check(totals.passed === sum(kept.map((c) => c.passed)), 'totals.passed');
      check(totals.cancelled === sum(kept.map((c) => c.cancelled)), 'totals.cancelled');
      check(totals.running === sum(kept.map((c) => c.running)), 'totals.running');
      check(totals.tokensUsed === totals.finished + totals.cancelled + totals.running, 'tokensUsed = finished + cancelled + running');

      check(f.months.map((m) => m.month).join() === months.join(), 'every month of the period, in order');
      check(totals.finished === sum(f.months.flatMap((m) => m.byProfile)), 'finished = Σ months');
      check(totals.tokensIssued === sum(f.months.map((m) => m.tokensIssued)), 'tokensIssued = Σ months');
      check(totals.tokensUsed === sum(f.months.map((m) => m.tokensUsed)), 'tokensUsed = Σ months');

      check(f.profiles.map((p) => p.profile).join() === PROFILES.join(), 'profiles in PROFILES’ order');
      check(totals.finished === sum(f.profiles.map((p) => p.finished)), 'finished = Σ profiles');
      check(totals.passed === sum(f.profiles.map((p) => p.passed)), 'passed = Σ profiles');
      f.profiles.forEach((p, i) => {
        check(p.finished === sum(f.months.map((m) => m.byProfile[i]!)), `${p.profile}: Σ of its months`);
        check(p.finished === sum(f.versions.filter((v) => v.profile === p.profile).map((v) => v.finished)), `${p.profile}: Σ of its versions`);
        check(p.passed === sum(f.versions.filter((v) => v.profile === p.profile).map((v) => v.passed)), `${p.profile}: passed Σ of its versions`);
      });
      check(totals.finished === sum(f.versions.map((v) => v.finished)), 'finished = Σ versions');
      check(totals.passed === sum(f.versions.map((v) => v.passed)), 'passed = Σ versions');

      const counted = new Set(kept.map((c) => c.questionnaireId));
      check(f.versions.length === counted.size && f.versions.every((v) => counted.has(v.questionnaireId)), 'exactly the versions counted in the period');
      for (let i = 1; i < f.versions.length; i++) {
        const [a, b] = [f.versions[i - 1]!, f.versions[i]!];
        const byProfile = PROFILES.indexOf(a.profile) - PROFILES.indexOf(b.profile);
        check(
          byProfile < 0 || (byProfile === 0 && a.version.localeCompare(b.version, 'fr', { numeric: true }) <= 0),
          `versions sorted: ${a.version} before ${b.version}`,
        );
      }

      for (const r of [totals, ...f.profiles, ...f.versions]) check(rateIsSound(r), `a rate in [0, 1], null without exams: ${JSON.stringify(r)}`);
      const scoreSum = sum(kept.map((c) => c.scoreSum));
      const maximumSum = sum(kept.map((c) => c.maximumSum));
      check(maximumSum === 0 ? totals.averageShare === null : close(totals.averageShare, scoreSum / maximumSum), 'averageShare = scoreSum / maximumSum');
      for (const v of f.versions) {
        check(v.finished === 0 ? v.averageScore === null && v.averageMaximum === null : v.averageScore !== null && v.averageMaximum !== null, 'version means');
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass('500 random sets of counters');
});

// ——— deviationOf ————————————————————————————————————————————————————————————————

t.test('deviationOf: the constants', async (t) => {
  t.equal(MIN_EXAMS_FOR_DEVIATION, 20);
  t.equal(DEVIATION_Z, 3);
});

t.test('deviationOf: never below MIN_EXAMS_FOR_DEVIATION scored exams, never without a rate', async (t) => {
  t.equal(deviationOf(rate(19, 0), rate(1000, 900)), null, '0 % of 19 exams against 90 %: too few exams');
  t.equal(deviationOf(rate(20, 0), rate(1000, 900)), 'below', 'the same at 20 exams: 0.9 is 6.7 standard errors (0.067) away');
  t.equal(deviationOf(rate(19, 19), rate(1000, 0)), null, 'even against a national rate of 0');
  t.equal(deviationOf(rate(0, 0), rate(1000, 500)), null);
  t.equal(deviationOf(rate(50, 40), rate(0, 0)), null, 'no national rate');
  t.equal(deviationOf({ finished: 50, passed: 0, rate: null }, rate(100, 50)), null);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: MIN_EXAMS_FOR_DEVIATION - 1 }), fc.nat(), fc.double({ min: 0, max: 1, noNaN: true }), (n, k, p) => {
      const passed = n === 0 ? 0 : k % (n + 1);
      return deviationOf(rate(n, passed), { finished: 1000, passed: Math.round(p * 1000), rate: p }) === null;
    }),
  );
});

t.test('deviationOf: null when equal to the national rate', async (t) => {
  t.equal(deviationOf(rate(40, 20), rate(400, 200)), null);
  t.equal(deviationOf(rate(25, 25), rate(10, 10)), null, 'both at 100 %');
  t.equal(deviationOf(rate(25, 0), rate(10, 0)), null, 'both at 0 %');
});

t.test('deviationOf: on either side of DEVIATION_Z binomial standard errors √(p(1 − p)/n)', async (t) => {
  // p = 0.5, n = 400: σ = √(0.25 / 400) = 0.025, 3σ = 0.075, i.e. 30 exams of 400 from 200.
  const half = rate(10_000, 5_000);
  t.equal(deviationOf(rate(400, 229), half), null, '57.25 %: 2.9 σ above');
  t.equal(deviationOf(rate(400, 231), half), 'above', '57.75 %: 3.1 σ above');
  t.equal(deviationOf(rate(400, 171), half), null, '42.75 %: 2.9 σ below');
  t.equal(deviationOf(rate(400, 169), half), 'below', '42.25 %: 3.1 σ below');
  // The same gaps with fewer exams are not enough: n = 100, σ = 0.05, 3σ = 0.15.
  t.equal(deviationOf(rate(100, 58), half), null, '58 % of 100: 1.6 σ');
  t.equal(deviationOf(rate(100, 66), half), 'above', '66 % of 100: 3.2 σ');
  // p = 0.9, n = 100: σ = 0.03, 3σ = 0.09.
  const ninety = rate(1000, 900);
  t.equal(deviationOf(rate(100, 100), ninety), 'above', '100 %: 3.33 σ above 90 %');
  t.equal(deviationOf(rate(100, 82), ninety), null, '82 %: 2.67 σ below');
  t.equal(deviationOf(rate(100, 80), ninety), 'below', '80 %: 3.33 σ below');
  // p = 0.8, n = 25: σ = 0.08, 3σ = 0.24: a perfect centre of 25 exams is only 2.5 σ above.
  const eighty = rate(1000, 800);
  t.equal(deviationOf(rate(25, 25), eighty), null, '100 % of 25 exams against 80 %');
  t.equal(deviationOf(rate(25, 15), eighty), null, '60 %: 2.5 σ below');
  t.equal(deviationOf(rate(25, 13), eighty), 'below', '52 %: 3.5 σ below');
  // The spread is the one of the centre's size, not the nation's.
  t.equal(deviationOf(rate(20, 14), rate(1_000_000, 500_000)), null, '70 % of 20 exams against 50 % of a million: σ = 0.112, 1.8 σ');
});

t.test('deviationOf: a national rate of 0 or 1 has no spread, any other rate is apart', async (t) => {
  t.equal(deviationOf(rate(20, 1), rate(500, 0)), 'above', '5 % against 0 %');
  t.equal(deviationOf(rate(20, 0), rate(500, 0)), null, '0 % against 0 %');
  t.equal(deviationOf(rate(20, 19), rate(500, 500)), 'below', '95 % against 100 %');
  t.equal(deviationOf(rate(20, 20), rate(500, 500)), null, '100 % against 100 %');
  t.equal(deviationOf(rate(19, 0), rate(500, 500)), null, 'still not below 20 exams');
});

const nationalArb = fc.integer({ min: 1, max: 5000 }).chain((finished) => fc.integer({ min: 0, max: finished }).map((passed) => rate(finished, passed)));
const centreArb = fc.integer({ min: 0, max: 600 }).chain((finished) => fc.integer({ min: 0, max: finished }).map((passed) => rate(finished, passed)));
/** How far the centre is from the threshold, in standard errors; the properties keep away from it, where rounding decides. */
function marginToThreshold(centre: Rate, national: Rate): number {
  const p = national.rate!;
  const spread = Math.sqrt((p * (1 - p)) / centre.finished);
  return spread === 0 ? Infinity : Math.abs(Math.abs(centre.rate! - p) / spread - DEVIATION_Z);
}

t.test('deviationOf: the mirror (pass and fail swapped on both sides) swaps above and below', async (t) => {
  const swap = { above: 'below', below: 'above', null: null } as const;
  let flagged = 0;
  fc.assert(
    fc.property(centreArb, nationalArb, (centre, national) => {
      fc.pre(centre.finished === 0 || marginToThreshold(centre, national) > 1e-9);
      const deviation = deviationOf(centre, national);
      if (deviation !== null) flagged++;
      const mirror = deviationOf(rate(centre.finished, centre.finished - centre.passed), rate(national.finished, national.finished - national.passed));
      return mirror === swap[`${deviation}`];
    }),
    { numRuns: 2000 },
  );
  t.ok(flagged > 100, `${flagged} of the random centres were apart: the property tested both cases`);
});

t.test('deviationOf: a direction agreeing with the gap; with the same rate, more exams never un-flag', async (t) => {
  fc.assert(
    fc.property(centreArb, nationalArb, fc.integer({ min: 2, max: 50 }), (centre, national, times) => {
      const deviation = deviationOf(centre, national);
      if (deviation === 'above' && !(centre.rate! > national.rate!)) return false;
      if (deviation === 'below' && !(centre.rate! < national.rate!)) return false;
      // The same rate exactly (k·passed / k·finished) over more exams.
      const bigger = deviationOf(rate(centre.finished * times, centre.passed * times), national);
      return deviation === null || bigger === deviation;
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(
      fc.double({ min: 0, max: 1, noNaN: true }),
      nationalArb,
      fc.integer({ min: 0, max: 500 }),
      fc.integer({ min: 0, max: 500 }),
      (r, national, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const before = deviationOf({ finished: small, passed: 0, rate: r }, national);
        return before === null || deviationOf({ finished: large, passed: 0, rate: r }, national) === before;
      },
    ),
    { numRuns: 2000 },
  );
  t.pass('2000 rates at two sizes');
});

// ——— centreFigures ——————————————————————————————————————————————————————————————

const centre = (centreId: number, code: string, finished: number, passed: number): CentreCounters => ({
  centreId,
  code,
  name: `Centre ${code}`,
  finished,
  passed,
});

t.test('centreFigures: most exams first, then by code; each with its rate and deviation', async (t) => {
  const national = rate(1000, 500);
  const list = centreFigures(
    [centre(1, 'C-0003', 10, 5), centre(2, 'C-0002', 0, 0), centre(3, 'C-0010', 400, 300), centre(4, 'C-0001', 10, 2), centre(5, 'C-0005', 400, 201)],
    national,
  );
  t.same(
    list.map((c) => [c.code, c.finished, c.passed, c.rate, c.deviation]),
    [
      ['C-0005', 400, 201, 201 / 400, null],
      ['C-0010', 400, 300, 0.75, 'above'],
      ['C-0001', 10, 2, 0.2, null],
      ['C-0003', 10, 5, 0.5, null],
      ['C-0002', 0, 0, null, null],
    ],
  );
  t.match(list[0], { centreId: 5, name: 'Centre C-0005' });
  t.same(centreFigures([], national), []);

  fc.assert(
    fc.property(
      fc.uniqueArray(
        fc.record({ code: fc.stringMatching(/^C-\d{4}$/), finished: fc.integer({ min: 0, max: 60 }), share: fc.double({ min: 0, max: 1, noNaN: true }) }),
        {
          selector: (c) => c.code,
          maxLength: 30,
        },
      ),
      nationalArb,
      (raw, national) => {
        const input = raw.map((c, i) => centre(i + 1, c.code, c.finished, Math.floor(c.share * c.finished)));
        const out = centreFigures(input, national);
        if (out.length !== input.length) return false;
        for (let i = 1; i < out.length; i++) {
          const [a, b] = [out[i - 1]!, out[i]!];
          if (a.finished < b.finished || (a.finished === b.finished && a.code.localeCompare(b.code) > 0)) return false;
        }
        return input.every((c) => {
          const o = out.find((x) => x.centreId === c.centreId);
          return (
            o !== undefined &&
            o.code === c.code &&
            o.name === c.name &&
            o.finished === c.finished &&
            o.passed === c.passed &&
            rateIsSound(o) &&
            o.deviation === deviationOf(rate(c.finished, c.passed), national)
          );
        });
      },
    ),
  );
});

// ——— rateBands ——————————————————————————————————————————————————————————————————

t.test('rateBands: bands of 10 points, 100 % in the last, centres without exams left out', async (t) => {
  t.equal(RATE_BANDS, 10);
  t.same(rateBands([]), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  t.same(rateBands([rate(0, 0)]), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0], 'a centre without exams is in no band');
  t.same(rateBands([rate(10, 7)]), [0, 0, 0, 0, 0, 0, 0, 1, 0, 0], 'exactly 70 % is in the 70–80 % band');
  t.same(rateBands([rate(100, 70)]), [0, 0, 0, 0, 0, 0, 0, 1, 0, 0], '70 of 100 too');
  t.same(rateBands([rate(10, 10)]), [0, 0, 0, 0, 0, 0, 0, 0, 0, 1], '100 % is in the last band');
  t.same(rateBands([rate(5, 0)]), [1, 0, 0, 0, 0, 0, 0, 0, 0, 0], '0 % in the first');
  t.same(
    rateBands([
      rate(0, 0),
      rate(10, 7),
      rate(10, 10),
      rate(5, 0),
      rate(100, 69),
      rate(100, 79),
      rate(100, 80),
      rate(3, 1),
      rate(100, 99),
      rate(100, 29),
      rate(100, 57),
    ]),
    [1, 0, 1, 1, 0, 1, 1, 2, 1, 2],
  );
  fc.assert(
    fc.property(
      fc.array(
        fc.integer({ min: 0, max: 10_000 }).chain((finished) => fc.integer({ min: 0, max: finished }).map((passed) => rate(finished, passed))),
        { maxLength: 50 },
      ),
      (centres) => {
        const bands = rateBands(centres);
        const expected = Array.from({ length: 10 }, () => 0);
        for (const c of centres) if (c.finished > 0) expected[Math.min(9, Math.floor((10 * c.passed) / c.finished))]! += 1;
        return (
          bands.length === RATE_BANDS &&
          sum(bands) === centres.filter((c) => c.finished >= 1).length &&
          bands.every((n, i) => n === expected[i]) &&
          // In percent, whole ones: p % lands in band floor(p / 10).
          centres.every(
            (c) => c.finished === 0 || (c.passed * 100) % c.finished !== 0 || rateBands([c])[Math.min(9, Math.floor((c.passed * 100) / c.finished / 10))] === 1,
          )
        );
      },
    ),
  );
});

// ——— readPeriod —————————————————————————————————————————————————————————————————

const OFFERED_BY_DEFAULT = ['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'];

t.test('readPeriod: by default, the current month and the 11 before', async (t) => {
  t.equal(DEFAULT_PERIOD_MONTHS, 12);
  t.same(readPeriod({}, '2026-03', null), { from: '2025-04', to: '2026-03', months: OFFERED_BY_DEFAULT, errors: {} });
  t.same(
    readPeriod({ du: '', au: '' }, '2026-03', null),
    { from: '2025-04', to: '2026-03', months: OFFERED_BY_DEFAULT, errors: {} },
    'empty fields mean the default',
  );
  t.same(readPeriod({}, '2026-12', null).from, '2026-01', 'within one year');
  t.same(readPeriod({ du: '2025-06' }, '2026-03', null), { from: '2025-06', to: '2026-03', months: OFFERED_BY_DEFAULT, errors: {} }, 'only the start chosen');
  t.same(readPeriod({ au: '2025-06' }, '2026-03', null), { from: '2025-04', to: '2025-06', months: OFFERED_BY_DEFAULT, errors: {} }, 'only the end chosen');
  t.same(
    readPeriod({ du: '2026-03', au: '2026-03' }, '2026-03', null),
    { from: '2026-03', to: '2026-03', months: OFFERED_BY_DEFAULT, errors: {} },
    'one month',
  );
});

t.test('readPeriod: the months offered start at the first counted one when it is older', async (t) => {
  const older = readPeriod({}, '2026-03', '2024-11');
  t.same(older.months, monthsBetween('2024-11', '2026-03'));
  t.equal(older.months.length, 17);
  t.equal(older.from, '2025-04', 'the default period is still the last twelve months');
  t.same(readPeriod({ du: '2024-11' }, '2026-03', '2024-11'), { from: '2024-11', to: '2026-03', months: older.months, errors: {} });
  t.same(readPeriod({}, '2026-03', '2025-10').months, OFFERED_BY_DEFAULT, 'a first month within the default period: from the default start');
  t.same(readPeriod({}, '2026-03', '2025-04').months, OFFERED_BY_DEFAULT);
  t.same(readPeriod({}, '2026-03', 'mars').months, OFFERED_BY_DEFAULT, 'an unreadable first month is ignored');
});

t.test('readPeriod: a month not offered is refused in French at its field', async (t) => {
  const message = 'Choisissez un mois de la liste, de avril 2025 à mars 2026.';
  t.same(
    readPeriod({ du: '2025-03' }, '2026-03', null),
    { from: '2025-03', to: '2026-03', months: OFFERED_BY_DEFAULT, errors: { du: message } },
    'before the offered months; shown as sent',
  );
  t.same(readPeriod({ au: '2026-04' }, '2026-03', null).errors, { au: message }, 'a month to come');
  t.same(readPeriod({ du: '2025-13' }, '2026-03', null).errors, { du: message }, 'not a month');
  t.same(readPeriod({ du: '2025-6' }, '2026-03', null).errors, { du: message });
  t.same(readPeriod({ du: ' 2025-06' }, '2026-03', null).errors, { du: message }, 'not trimmed');
  t.same(readPeriod({ du: 'x', au: 'y' }, '2026-03', null).errors, { du: message, au: message }, 'both fields');
  t.same(
    readPeriod({ du: '2024-10' }, '2026-03', '2024-11').errors,
    { du: 'Choisissez un mois de la liste, de novembre 2024 à mars 2026.' },
    'the list starts at the first counted month',
  );
});

t.test('readPeriod: the end before the start is refused at « au »', async (t) => {
  t.same(readPeriod({ du: '2026-02', au: '2025-12' }, '2026-03', null), {
    from: '2026-02',
    to: '2025-12',
    months: OFFERED_BY_DEFAULT,
    errors: { au: 'Le mois de fin ne peut pas précéder le mois de début.' },
  });
  t.same(readPeriod({ au: '2025-03' }, '2026-03', null).errors, { au: 'Choisissez un mois de la liste, de avril 2025 à mars 2026.' }, 'one error at a time');
});

t.test('readPeriod: values other than a string are refused', async (t) => {
  const message = 'Choisissez un mois de la liste, de avril 2025 à mars 2026.';
  const array = readPeriod({ du: ['2025-06', '2025-07'] }, '2026-03', null);
  t.same(array.errors, { du: message }, '?du=…&du=… gives an array');
  t.equal(array.from, '');
  t.same(readPeriod({ au: ['2025-06'] }, '2026-03', null).errors, { au: message }, 'even an array of one offered month');
  t.same(readPeriod({ du: 202506 }, '2026-03', null).errors, { du: message }, 'a number');
  t.same(readPeriod({ du: null }, '2026-03', null).errors, { du: message }, 'null');
  t.same(readPeriod({ du: { month: '2025-06' } }, '2026-03', null).errors, { du: message }, 'an object');
});

t.test('readPeriod on random queries: accepted exactly when both are offered and in order', async (t) => {
  const monthArb = fc
    .record({ year: fc.integer({ min: 2023, max: 2028 }), month: fc.integer({ min: 1, max: 12 }) })
    .map(({ year, month }) => `${year}-${String(month).padStart(2, '0')}`);
  fc.assert(
    fc.property(
      monthArb,
      fc.option(monthArb, { nil: null }),
      fc.option(monthArb, { nil: undefined }),
      fc.option(monthArb, { nil: undefined }),
      (current, first, du, au) => {
        const p = readPeriod({ du, au }, current, first);
        const defaultFrom = addMonths(current, -11);
        const start = first !== null && first < defaultFrom ? first : defaultFrom;
        const from = du ?? defaultFrom;
        const to = au ?? current;
        const ok = from >= start && from <= current && to >= start && to <= current && from <= to;
        return (
          p.months.join() === monthsBetween(start, current).join() &&
          p.months.length >= DEFAULT_PERIOD_MONTHS &&
          p.from === from &&
          p.to === to &&
          (Object.keys(p.errors).length === 0) === ok
        );
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('1000 random queries');
});
