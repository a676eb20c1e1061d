import t from 'tap';
import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import {
  analyseItems,
  EXTREME_GROUP_SHARE,
  MIN_EXAMS_FOR_FLAGS,
  NEGATIVE_DISCRIMINATION,
  STRONG_DISTRACTOR_GAP_POINTS,
  STRONG_DISTRACTOR_MIN_CHOOSERS,
  TOO_EASY_RIGHT_RATE,
  TOO_HARD_RIGHT_RATE,
  type ExamResponses,
  type ItemResponse,
  type ItemStatistics,
} from '../../src/domain/item-analysis.js';
import { createSeededRandom, shuffle } from '../../src/domain/seeded-random.js';

// PRODUCT.md's default points, written out here on purpose: in the product they are data.
const RIGHT = 2;
const WRONG = -1;
const WRONG_PRIORITY = -5;

type Outcome = 'right' | 'wrong' | 'nsp' | 'none';

/** One item as the exam scores it; unless given, the answer chosen is id × 10 + 1 when right, + 2 when wrong. */
function item(questionId: number, priority: boolean, outcome: Outcome, answerId?: number): ItemResponse {
  const minScore = priority ? WRONG_PRIORITY : WRONG;
  const base = { questionId, minScore, maxScore: RIGHT };
  switch (outcome) {
    case 'right':
      return { ...base, score: RIGHT, choice: answerId ?? questionId * 10 + 1, right: true };
    case 'wrong':
      return { ...base, score: minScore, choice: answerId ?? questionId * 10 + 2, right: false };
    case 'nsp':
      return { ...base, score: 0, choice: 'nsp', right: false };
    case 'none':
      return { ...base, score: 0, choice: null, right: false };
  }
}

function only(stats: ItemStatistics[], questionId: number): ItemStatistics {
  const found = stats.find((s) => s.questionId === questionId);
  if (!found) throw new Error(`question ${questionId} missing from the analysis`);
  return found;
}

const repeat = <T>(list: readonly T[], times: number): T[] => Array.from({ length: times }, () => list).flat();

// ——— A hand-computed data set ———————————————————————————————————————————————————
//
// Five exams; the totals include other questions, left out. Q10 is an ordinary question
// (−1 … 2), answers 101 (right) and 102; Q20 a priority question (−5 … 2), answers 201 (right)
// and 202; Q30 an ordinary question drawn in three exams only.
//
//        total   Q10           Q20            Q30
//   A     30     101 right  2  202 wrong −5   nsp 0
//   B     20     101 right  2  202 wrong −5   —
//   C     16     nsp        0  201 right  2   nsp 0
//   D      9     102 wrong −1  nsp        0   —
//   E     12     none       0  201 right  2   nsp 0
//
// Q10: x = [2, 2, 0, −1, 0], rest y = total − x = [28, 18, 16, 10, 12].
//   n = 5, Σx = 3, Σx² = 9, Σy = 84, Σy² = 784 + 324 + 256 + 100 + 144 = 1608,
//   Σxy = 56 + 36 + 0 − 10 + 0 = 82.
//   r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²))
//     = (410 − 252) / √((45 − 9)(8040 − 7056)) = 158 / √(36 × 984) = 158 / √35424 ≈ 0.8395.
//   facility = Σ(x − min) / Σ(max − min) = (3 + 3 + 1 + 0 + 1) / (5 × 3) = 8/15.
//   right 2/5, « Je ne sais pas » 1/5, no answer 1/5; 101 chosen twice, 102 once.
// Q20: x = [−5, −5, 2, 0, 2], y = [35, 25, 14, 9, 10].
//   Σx = −6, Σx² = 58, Σy = 93, Σy² = 1225 + 625 + 196 + 81 + 100 = 2227,
//   Σxy = −175 − 125 + 28 + 0 + 20 = −252.
//   r = (5 × (−252) − (−6)(93)) / √((290 − 36)(11135 − 8649)) = −702 / √(254 × 2486)
//     = −702 / √631444 ≈ −0.8834.
//   facility = (0 + 0 + 7 + 5 + 7) / (5 × 7) = 19/35.
// Q30: x = [0, 0, 0] does not vary: no discrimination; facility = (1 + 1 + 1) / (3 × 3) = 1/3.
//
// Groups of 27 %: round(0.27 × 5) = 1 exam each, A above and D below.
// Four copies of the five exams (20 exams) reach the flag threshold with the same r and facility;
// round(0.27 × 20) = 5, and the fifth lowest total, 12, is tied with three others, so the lower
// group is D and E (8 exams), the upper one, by the same rule, A and B (8 exams). In Q20, 202 is
// chosen by all 8 of the upper group and none of the lower: a distractor of strong candidates.

const HAND: ExamResponses[] = [
  { total: 30, items: [item(10, false, 'right'), item(20, true, 'wrong'), item(30, false, 'nsp')] },
  { total: 20, items: [item(10, false, 'right'), item(20, true, 'wrong')] },
  { total: 16, items: [item(10, false, 'nsp'), item(20, true, 'right'), item(30, false, 'nsp')] },
  { total: 9, items: [item(10, false, 'wrong'), item(20, true, 'nsp')] },
  { total: 12, items: [item(10, false, 'none'), item(20, true, 'right'), item(30, false, 'nsp')] },
];

const Q10_R = 158 / Math.sqrt(36 * 984);
const Q20_R = -702 / Math.sqrt(254 * 2486);

t.test('the hand-computed data set: facility, discrimination, rates and answer counts', async (t) => {
  const stats = analyseItems(HAND);
  t.same(
    stats.map((s) => s.questionId),
    [10, 20, 30],
    'by question id; a question of the bank never drawn (40, say) is absent',
  );

  const q10 = only(stats, 10);
  t.equal(q10.drawn, 5);
  t.ok(Math.abs(q10.facility - 8 / 15) < 1e-9, `facility ${q10.facility}`);
  t.ok(q10.discrimination !== null && Math.abs(q10.discrimination - Q10_R) < 1e-9, `discrimination ${q10.discrimination}`);
  t.ok(Math.abs(Q10_R - 0.8395) < 1e-4, 'the hand value');
  t.equal(q10.rightRate, 2 / 5);
  t.equal(q10.dontKnowRate, 1 / 5);
  t.equal(q10.unansweredRate, 1 / 5);
  t.match(q10, { right: 2, dontKnow: 1, unanswered: 1, topGroupSize: 1, bottomGroupSize: 1 });
  t.same(q10.answers, [
    { answerId: 101, right: true, chosen: 2, chosenByTop: 1, chosenByBottom: 0, strongDistractor: false },
    { answerId: 102, right: false, chosen: 1, chosenByTop: 0, chosenByBottom: 1, strongDistractor: false },
  ]);
  t.same(q10.flags, []);

  const q20 = only(stats, 20);
  t.ok(Math.abs(q20.facility - 19 / 35) < 1e-9, `facility ${q20.facility}: the priority question's range is 7`);
  t.ok(q20.discrimination !== null && Math.abs(q20.discrimination - Q20_R) < 1e-9, `discrimination ${q20.discrimination}`);
  t.ok(Math.abs(Q20_R + 0.8834) < 1e-4, 'the hand value');
  t.equal(q20.dontKnowRate, 1 / 5);
  t.equal(q20.unansweredRate, 0);
  t.same(
    q20.answers.map((a) => [a.answerId, a.chosen, a.chosenByTop, a.chosenByBottom]),
    [
      [201, 2, 0, 0],
      [202, 2, 1, 0],
    ],
  );
  t.same(q20.flags, [], `five exams raise no flag, however bad the figures (fewer than ${MIN_EXAMS_FOR_FLAGS})`);
  t.notOk(q20.answers.some((a) => a.strongDistractor));

  const q30 = only(stats, 30);
  t.equal(q30.drawn, 3, 'over the exams in which it was drawn');
  t.ok(Math.abs(q30.facility - 1 / 3) < 1e-9, '« Je ne sais pas » is worth more than the minimum');
  t.equal(q30.discrimination, null, 'a score that does not vary correlates with nothing');
  t.equal(q30.dontKnowRate, 1);
  t.same(q30.answers, []);
});

t.test('the hand-computed data set four times over: the same figures, and the flags', async (t) => {
  t.equal(MIN_EXAMS_FOR_FLAGS, 20);
  t.equal(EXTREME_GROUP_SHARE, 0.27);
  const stats = analyseItems(repeat(HAND, 4));

  const q10 = only(stats, 10);
  t.equal(q10.drawn, 20);
  t.ok(Math.abs(q10.facility - 8 / 15) < 1e-9);
  t.ok(q10.discrimination !== null && Math.abs(q10.discrimination - Q10_R) < 1e-9, 'Pearson’s r is unchanged by copies');
  t.match(q10, { topGroupSize: 8, bottomGroupSize: 8 }, 'ties at the edge of a group join it');
  t.same(q10.flags, [], 'right 40 %, positive discrimination, its distractor chosen by the lower group');

  const q20 = only(stats, 20);
  t.ok(q20.discrimination !== null && Math.abs(q20.discrimination - Q20_R) < 1e-9);
  t.same(
    q20.answers.map((a) => [a.answerId, a.chosenByTop, a.chosenByBottom, a.strongDistractor]),
    [
      [201, 0, 4, false],
      [202, 8, 0, true],
    ],
  );
  t.same(q20.flags, ['negativeDiscrimination', 'strongDistractor']);

  t.same(only(stats, 30).flags, [], 'drawn in 12 exams only');
});

t.test('too easy and too hard: on the share of right answers, strictly beyond the thresholds', async (t) => {
  t.equal(TOO_EASY_RIGHT_RATE, 0.9);
  t.equal(TOO_HARD_RIGHT_RATE, 0.2);
  // n exams of one priority question; the k best totals answered right, the others « Je ne sais pas ».
  const flagsOf = (n: number, k: number) => {
    const exams = Array.from({ length: n }, (_, i) => {
      const outcome: Outcome = i >= n - k ? 'right' : 'nsp';
      return { total: 10 * i + (outcome === 'right' ? RIGHT : 0), items: [item(1, true, outcome)] };
    });
    return only(analyseItems(exams), 1).flags;
  };
  t.same(flagsOf(20, 19), ['tooEasy'], '95 %');
  t.same(flagsOf(20, 18), [], '90 % is not above 90 %');
  t.same(flagsOf(20, 3), ['tooHard'], '15 %');
  t.same(flagsOf(20, 4), [], '20 % is not below 20 %');
  t.same(flagsOf(19, 1), [], 'a question drawn 19 times is not flagged');
  t.same(flagsOf(40, 0), ['tooHard'], 'nobody knows it; its discrimination is undefined, not negative');

  // The facility would call this one easy: « Je ne sais pas » on a −5 … 2 question is 5/7 of its range.
  const allDontKnow = Array.from({ length: 20 }, (_, i) => ({ total: i, items: [item(1, true, 'nsp')] }));
  const stats = only(analyseItems(allDontKnow), 1);
  t.ok(Math.abs(stats.facility - 5 / 7) < 1e-9);
  t.same(stats.flags, ['tooHard']);
});

t.test('a distractor of strong candidates: compared by shares of each group, only for wrong answers', async (t) => {
  // 20 exams with distinct totals: groups of round(5.4) = 5, totals 15–19 above and 0–4 below.
  const exams = (choose: (i: number) => Outcome, answerOf: (i: number) => number | undefined) =>
    Array.from({ length: 20 }, (_, i) => ({ total: i, items: [item(1, false, choose(i), answerOf(i))] }));
  const balanced = only(
    analyseItems(
      exams(
        (i) => (i === 19 || i === 2 ? 'wrong' : 'right'),
        (i) => (i === 19 ? 12 : i === 2 ? 12 : undefined),
      ),
    ),
    1,
  );
  t.match(
    balanced.answers.find((a) => a.answerId === 12),
    { chosenByTop: 1, chosenByBottom: 1, strongDistractor: false },
    'as often above as below',
  );

  const above = only(
    analyseItems(
      exams(
        (i) => (i >= 17 ? 'wrong' : 'right'),
        () => undefined,
      ),
    ),
    1,
  );
  t.match(
    above.answers.find((a) => a.answerId === 12),
    { chosenByTop: 3, chosenByBottom: 0, strongDistractor: true },
  );
  t.ok(above.flags.includes('strongDistractor'));

  const rightAbove = only(
    analyseItems(
      exams(
        (i) => (i >= 10 ? 'right' : 'nsp'),
        () => undefined,
      ),
    ),
    1,
  );
  t.notOk(rightAbove.flags.includes('strongDistractor'), 'the right answer chosen by the strong is what is wanted');

  // One strong candidate's slip is not a pattern: 1 of 5 above, none below, a gap of 0.2.
  const slip = only(
    analyseItems(
      exams(
        (i) => (i === 19 ? 'wrong' : 'right'),
        () => undefined,
      ),
    ),
    1,
  );
  t.match(
    slip.answers.find((a) => a.answerId === 12),
    { chosenByTop: 1, chosenByBottom: 0, strongDistractor: false },
    'a single chooser above',
  );

  // Two above and two below in groups of 5: the shares are equal, no gap.
  const even = only(
    analyseItems(
      exams(
        (i) => (i >= 18 || i <= 1 ? 'wrong' : 'right'),
        () => undefined,
      ),
    ),
    1,
  );
  t.match(
    even.answers.find((a) => a.answerId === 12),
    { chosenByTop: 2, chosenByBottom: 2, strongDistractor: false },
    'as many below',
  );
  t.ok(STRONG_DISTRACTOR_MIN_CHOOSERS === 2 && STRONG_DISTRACTOR_GAP_POINTS === 10, 'the thresholds these cases stand on');

  // 37 exams: groups of round(9.99) = 10. Three of the upper ten and two of the lower ten: exactly
  // 10 points apart (3/10 − 2/10, which floating point makes 0.0999…), a strong distractor.
  const atGap = (bottomChoosers: number) =>
    only(
      analyseItems(Array.from({ length: 37 }, (_, i) => ({ total: i, items: [item(1, false, i >= 34 || i < bottomChoosers ? 'wrong' : 'right')] }))),
      1,
    ).answers.find((a) => a.answerId === 12);
  t.match(atGap(2), { chosenByTop: 3, chosenByBottom: 2, strongDistractor: true }, 'exactly 10 points apart');
  t.match(atGap(3), { chosenByTop: 3, chosenByBottom: 3, strongDistractor: false }, 'no gap');
});

t.test('a discrimination is flagged below −0.1, not below 0', async (t) => {
  // 20 exams; the item is right in exams whose rest-of-test totals are mixed so that r is slightly negative.
  const slightly = (rightAt: (i: number) => boolean) =>
    only(
      analyseItems(
        Array.from({ length: 20 }, (_, i) => ({ total: i * 2 + (rightAt(i) ? RIGHT : WRONG), items: [item(1, false, rightAt(i) ? 'right' : 'wrong')] })),
      ),
      1,
    );
  const weak = slightly((i) => (i % 2 === 0 ? i < 10 || i === 18 : i > 10 && i !== 19));
  t.ok(
    weak.discrimination !== null && weak.discrimination < 0 && weak.discrimination >= NEGATIVE_DISCRIMINATION,
    `slightly negative (${weak.discrimination}): noise at 20 exams`,
  );
  t.notOk(weak.flags.includes('negativeDiscrimination'));
  const strong = slightly((i) => i < 10);
  t.ok(strong.discrimination !== null && strong.discrimination < NEGATIVE_DISCRIMINATION, `clearly negative (${strong.discrimination})`);
  t.ok(strong.flags.includes('negativeDiscrimination'));
});

t.test('edge cases', async (t) => {
  t.same(analyseItems([]), [], 'no exam, no question');

  const one = only(analyseItems([{ total: 7, items: [item(1, false, 'right')] }]), 1);
  t.match(one, { drawn: 1, facility: 1, rightRate: 1, discrimination: null, topGroupSize: 1, bottomGroupSize: 1 }, 'one exam');
  t.same(one.flags, []);

  const flat = Array.from({ length: 30 }, () => ({ total: 24, items: [item(1, false, 'right'), item(2, false, 'nsp')] }));
  for (const stats of analyseItems(flat)) {
    t.equal(stats.discrimination, null, `all candidates alike: question ${stats.questionId} has no discrimination`);
    t.notOk(stats.flags.includes('negativeDiscrimination'));
    t.notOk(stats.flags.includes('strongDistractor'), 'the groups are everyone, so no answer leans to either');
  }

  const steadyItem = Array.from({ length: 5 }, (_, i) => ({ total: 10 + i, items: [item(1, false, 'nsp')] }));
  t.equal(only(analyseItems(steadyItem), 1).discrimination, null, 'the item does not vary, the rest does');

  // The same total for all, reached by different item scores: the rest of the test then moves
  // exactly against the item, and Moodle's definition says −1.
  const sameTotal = [
    { total: 20, items: [item(1, false, 'right')] },
    { total: 20, items: [item(1, false, 'nsp')] },
    { total: 20, items: [item(1, false, 'wrong')] },
  ];
  t.ok(Math.abs((only(analyseItems(sameTotal), 1).discrimination ?? 0) + 1) < 1e-12, 'same totals, different item scores: −1');
});

t.test('inconsistent responses are refused, not averaged', async (t) => {
  const exam = (items: ItemResponse[], total = 0): ExamResponses => ({ total, items });
  t.throws(() => analyseItems([exam([{ ...item(1, false, 'right'), score: 3 }])]), RangeError, 'a score above the maximum');
  t.throws(() => analyseItems([exam([{ ...item(1, false, 'right'), minScore: 2 }])]), RangeError, 'an empty range');
  t.throws(() => analyseItems([exam([item(1, false, 'right'), item(1, false, 'nsp')])]), RangeError, 'a question drawn twice');
  t.throws(() => analyseItems([exam([{ ...item(1, false, 'nsp'), right: true }])]), RangeError, 'right without an answer');
  t.throws(() => analyseItems([exam([item(1, false, 'right', 11)]), exam([{ ...item(1, false, 'wrong', 11) }])]), RangeError, 'an answer both right and wrong');
  t.throws(() => analyseItems([exam([], Number.NaN)]), RangeError, 'a total that is not a number');
});

// ——— Properties ——————————————————————————————————————————————————————————————————

/** Random exams over a small bank, scored by PRODUCT.md's default points. */
const datasetArb = fc
  .tuple(
    fc.array(fc.record({ priority: fc.boolean(), answers: fc.integer({ min: 2, max: 4 }) }), { minLength: 1, maxLength: 6 }),
    fc.array(
      fc.record({
        others: fc.integer({ min: -30, max: 60 }),
        responses: fc.array(fc.record({ drawn: fc.boolean(), outcome: fc.constantFrom<Outcome>('right', 'wrong', 'nsp', 'none'), pick: fc.nat() }), {
          minLength: 6,
          maxLength: 6,
        }),
      }),
      { maxLength: 60 },
    ),
  )
  .map(([bank, exams]) =>
    exams.map(({ others, responses }): ExamResponses => {
      const items = bank.flatMap((question, i) => {
        const response = responses[i];
        if (!response?.drawn) return [];
        const id = i + 1;
        const wrongId = id * 10 + 2 + (response.pick % (question.answers - 1));
        return [item(id, question.priority, response.outcome, response.outcome === 'wrong' ? wrongId : undefined)];
      });
      return { total: others + items.reduce((s, x) => s + x.score, 0), items };
    }),
  );

t.test('property: facility in [0, 1], discrimination in [−1, 1] or null, every draw counted once', async () => {
  fc.assert(
    fc.property(datasetArb, (exams) => {
      const stats = analyseItems(exams);
      const drawn = new Map<number, number>();
      for (const exam of exams) for (const i of exam.items) drawn.set(i.questionId, (drawn.get(i.questionId) ?? 0) + 1);
      if (stats.length !== drawn.size) return false;
      return stats.every((s) => {
        const chosen = s.answers.reduce((sum, a) => sum + a.chosen, 0);
        return (
          s.drawn === drawn.get(s.questionId) &&
          s.facility >= 0 &&
          s.facility <= 1 &&
          (s.discrimination === null || (s.discrimination >= -1 && s.discrimination <= 1)) &&
          chosen + s.dontKnow + s.unanswered === s.drawn &&
          s.right === s.answers.filter((a) => a.right).reduce((sum, a) => sum + a.chosen, 0) &&
          s.dontKnowRate === s.dontKnow / s.drawn &&
          s.unansweredRate === s.unanswered / s.drawn &&
          (s.drawn >= MIN_EXAMS_FOR_FLAGS || s.flags.length === 0)
        );
      });
    }),
    { numRuns: 300 },
  );
});

t.test('property: the order of the exams, and of the items within them, changes nothing', async () => {
  fc.assert(
    fc.property(datasetArb, fc.string(), (exams, seed) => {
      const random = createSeededRandom(seed);
      const reordered = shuffle(exams, random).map((exam) => ({ ...exam, items: shuffle(exam.items, random) }));
      // Strict equality, not a tolerance: a recomputed cache must not drift in the last digit.
      return isDeepStrictEqual(analyseItems(reordered), analyseItems(exams));
    }),
    { numRuns: 300 },
  );
});

t.test('property: an item answered right by exactly the best candidates discriminates positively', async () => {
  const caseArb = fc.record({
    // Distinct rest-of-test scores, so that « the k best » is one set.
    rests: fc.uniqueArray(fc.integer({ min: -200, max: 200 }), { minLength: 2, maxLength: 80 }),
    k: fc.nat(),
    priority: fc.boolean(),
    others: fc.constantFrom<Outcome>('wrong', 'nsp', 'none'),
  });
  fc.assert(
    fc.property(caseArb, ({ rests, k: rawK, priority, others }) => {
      const k = 1 + (rawK % (rests.length - 1));
      const ranked = rests.slice().sort((a, b) => b - a);
      const exams = ranked.map((rest, rank) => {
        const response = item(1, priority, rank < k ? 'right' : others);
        return { total: rest + response.score, items: [response] };
      });
      const { discrimination, flags } = only(analyseItems(exams), 1);
      return discrimination !== null && discrimination > 0 && !flags.includes('negativeDiscrimination');
    }),
    { numRuns: 500 },
  );
});

t.test('why the property holds the others to one outcome: mixed penalties can outweigh the best’s right answer', async (t) => {
  // One best candidate answers right; among the 98 others, the stronger half answer wrong (−1) and
  // the weaker half « Je ne sais pas » (0): within them the item falls as the rest rises, and that
  // outweighs the one right answer at the top. Moodle's index says so too; a flag is a reason to look.
  const others = Array.from({ length: 98 }, (_, i): ExamResponses => {
    const rest = i + 1;
    const response = item(1, false, rest >= 50 ? 'wrong' : 'nsp');
    return { total: rest + response.score, items: [response] };
  });
  const exams = [{ total: 100 + RIGHT, items: [item(1, false, 'right')] }, ...others];
  const { discrimination } = only(analyseItems(exams), 1);
  t.ok(discrimination !== null && discrimination < 0, `discrimination ${discrimination}`);
});
