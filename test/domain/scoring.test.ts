import t from 'tap';
import fc from 'fast-check';
import type { ExamRules } from '../../src/domain/rules.js';
import { itemScoreRange, readStoredResult, scoreExam, storedResponse, type Counts, type Response, type ScoredItem } from '../../src/domain/scoring.js';

// PRODUCT.md's default rules. Written out here on purpose: in the product they are data.
const DEFAULT_POINTS = { right: 2, dontKnow: 0, wrong: -1, wrongPriority: -5 };
const DEFAULT_RULES: Record<'concepteur' | 'encadrant' | 'operateur', ExamRules> = {
  concepteur: { questionCount: 40, priorityCount: 8, durationMinutes: 60, passPercentage: 60, points: DEFAULT_POINTS },
  encadrant: { questionCount: 40, priorityCount: 8, durationMinutes: 60, passPercentage: 60, points: DEFAULT_POINTS },
  operateur: { questionCount: 30, priorityCount: 8, durationMinutes: 60, passPercentage: 60, points: DEFAULT_POINTS },
};

const RIGHT: Response = { kind: 'answer', correct: true };
const WRONG: Response = { kind: 'answer', correct: false };
const DONT_KNOW: Response = { kind: 'dontKnow' };
const UNANSWERED: Response = { kind: 'unanswered' };

type Mix = Partial<Record<'right' | 'rightPriority' | 'wrong' | 'wrongPriority' | 'dontKnow' | 'unanswered', number>>;

/** An exam sheet with that many items of each outcome, themes in rotation. */
function sheet(mix: Mix): ScoredItem[] {
  const kinds: [keyof Mix, boolean, Response][] = [
    ['right', false, RIGHT],
    ['rightPriority', true, RIGHT],
    ['wrong', false, WRONG],
    ['wrongPriority', true, WRONG],
    ['dontKnow', false, DONT_KNOW],
    ['unanswered', false, UNANSWERED],
  ];
  const themes = ['Réseaux', 'Réglementation', 'Terrassement'];
  return kinds
    .flatMap(([kind, priority, response]) => Array.from({ length: mix[kind] ?? 0 }, () => ({ theme: '', priority, response })))
    .map((item, i) => ({ ...item, theme: themes[i % themes.length] ?? '' }));
}

const counts = (c: Partial<Counts>): Counts => ({ right: 0, wrong: 0, wrongPriority: 0, dontKnow: 0, unanswered: 0, ...c });

// ——— Hand-computed cases for each profile ————————————————————————————————————————

interface Case {
  name: string;
  mix: Mix;
  total: number;
  passed: boolean;
  counts: Partial<Counts>;
}

const FORTY: Case[] = [
  { name: 'all right', mix: { right: 32, rightPriority: 8 }, total: 80, passed: true, counts: { right: 40 } },
  { name: 'all « Je ne sais pas »', mix: { dontKnow: 40 }, total: 0, passed: false, counts: { dontKnow: 40 } },
  {
    name: '8 priority questions wrong (×−5), the rest unanswered',
    mix: { wrongPriority: 8, unanswered: 32 },
    total: -40,
    passed: false,
    counts: { wrongPriority: 8, unanswered: 32 },
  },
  {
    name: 'everything wrong: 32 × −1 and 8 × −5',
    mix: { wrong: 32, wrongPriority: 8 },
    total: -72,
    passed: false,
    counts: { wrong: 32, wrongPriority: 8 },
  },
  {
    name: 'exactly on the pass mark: 26 right, 4 wrong, 10 « Je ne sais pas » = 48',
    mix: { right: 20, rightPriority: 6, wrong: 4, dontKnow: 10 },
    total: 48,
    passed: true,
    counts: { right: 26, wrong: 4, dontKnow: 10 },
  },
  {
    name: 'one point under: 26 right, 1 priority wrong, 13 unanswered = 47',
    mix: { right: 26, wrongPriority: 1, unanswered: 13 },
    total: 47,
    passed: false,
    counts: { right: 26, wrongPriority: 1, unanswered: 13 },
  },
];

const THIRTY: Case[] = [
  { name: 'all right', mix: { right: 22, rightPriority: 8 }, total: 60, passed: true, counts: { right: 30 } },
  { name: 'all « Je ne sais pas »', mix: { dontKnow: 30 }, total: 0, passed: false, counts: { dontKnow: 30 } },
  {
    name: '8 priority questions wrong (×−5), the rest unanswered',
    mix: { wrongPriority: 8, unanswered: 22 },
    total: -40,
    passed: false,
    counts: { wrongPriority: 8, unanswered: 22 },
  },
  {
    name: 'exactly on the pass mark: 20 right, 4 wrong, 6 « Je ne sais pas » = 36',
    mix: { right: 12, rightPriority: 8, wrong: 4, dontKnow: 6 },
    total: 36,
    passed: true,
    counts: { right: 20, wrong: 4, dontKnow: 6 },
  },
  {
    name: 'one point under: 19 right, 3 wrong, 8 unanswered = 35',
    mix: { right: 19, wrong: 3, unanswered: 8 },
    total: 35,
    passed: false,
    counts: { right: 19, wrong: 3, unanswered: 8 },
  },
  {
    name: 'one priority mistake costs the pass: 20 right, 1 priority wrong, 9 « Je ne sais pas » = 35',
    mix: { right: 20, wrongPriority: 1, dontKnow: 9 },
    total: 35,
    passed: false,
    counts: { right: 20, wrongPriority: 1, dontKnow: 9 },
  },
];

const TABLE = [
  { profile: 'concepteur', rules: DEFAULT_RULES.concepteur, maximum: 80, passMark: 48, cases: FORTY },
  { profile: 'encadrant', rules: DEFAULT_RULES.encadrant, maximum: 80, passMark: 48, cases: FORTY },
  { profile: 'operateur', rules: DEFAULT_RULES.operateur, maximum: 60, passMark: 36, cases: THIRTY },
] as const;

for (const { profile, rules, maximum, passMark, cases } of TABLE) {
  t.test(`${profile}: maximum ${maximum}, pass mark ${passMark}`, async (t) => {
    for (const c of cases) {
      const items = sheet(c.mix);
      t.equal(items.length, rules.questionCount, `${c.name}: a full sheet`);
      const result = scoreExam(items, rules);
      t.equal(result.total, c.total, `${c.name}: total`);
      t.equal(result.passed, c.passed, `${c.name}: passed`);
      t.equal(result.maximum, maximum, `${c.name}: maximum`);
      t.equal(result.passMark, passMark, `${c.name}: pass mark`);
      t.same(result.counts, counts(c.counts), `${c.name}: counts`);
    }
  });
}

// ——— Details ——————————————————————————————————————————————————————————————————

t.test('points per question follow the item order and the priority flag', async (t) => {
  const items: ScoredItem[] = [
    { theme: 'A', priority: false, response: RIGHT },
    { theme: 'A', priority: true, response: RIGHT },
    { theme: 'A', priority: false, response: WRONG },
    { theme: 'A', priority: true, response: WRONG },
    { theme: 'A', priority: true, response: DONT_KNOW },
    { theme: 'A', priority: true, response: UNANSWERED },
  ];
  const result = scoreExam(items, DEFAULT_RULES.operateur);
  t.same(result.perQuestion, [2, 2, -1, -5, 0, 0]);
  t.equal(result.total, -2);
  t.same(result.counts, counts({ right: 2, wrong: 1, wrongPriority: 1, dontKnow: 1, unanswered: 1 }));
});

t.test('by theme: points, maximum from the theme’s items, counts, sorted the French way', async (t) => {
  const items: ScoredItem[] = [
    { theme: 'Réseaux', priority: false, response: RIGHT },
    { theme: 'eau', priority: true, response: WRONG },
    { theme: 'Électricité', priority: false, response: DONT_KNOW },
    { theme: 'Réseaux', priority: false, response: WRONG },
    { theme: 'eau', priority: false, response: RIGHT },
    { theme: 'Réseaux', priority: true, response: UNANSWERED },
  ];
  const result = scoreExam(items, DEFAULT_RULES.operateur);
  t.same(result.byTheme, [
    { theme: 'eau', points: -3, maximum: 4, counts: counts({ right: 1, wrongPriority: 1 }) },
    { theme: 'Électricité', points: 0, maximum: 2, counts: counts({ dontKnow: 1 }) },
    { theme: 'Réseaux', points: 1, maximum: 6, counts: counts({ right: 1, wrong: 1, unanswered: 1 }) },
  ]);
  t.equal(result.maximum, 60, 'the exam maximum comes from the rules, not from the 6 items');
  t.equal(result.passMark, 36);
});

t.test('other rules are honoured as data', async (t) => {
  const rules: ExamRules = {
    questionCount: 50,
    priorityCount: 5,
    durationMinutes: 45,
    passPercentage: 75,
    points: { right: 3, dontKnow: 1, wrong: -2, wrongPriority: -10 },
  };
  const result = scoreExam(sheet({ right: 40, dontKnow: 5, wrong: 4, wrongPriority: 1 }), rules);
  t.equal(result.total, 120 + 5 - 8 - 10);
  t.equal(result.maximum, 150);
  t.equal(result.passMark, 113, 'ceil(150 × 75 / 100) = ceil(112.5)');
  t.equal(result.passed, false);
  t.equal(scoreExam(sheet({ right: 38, dontKnow: 0, unanswered: 12 }), { ...rules, passPercentage: 76 }).passMark, 114);
  t.equal(scoreExam(sheet({ right: 38 }), { ...rules, passPercentage: 76 }).passed, true, '114 ≥ 114');
});

t.test('an empty sheet scores 0 and fails', async (t) => {
  const result = scoreExam([], DEFAULT_RULES.operateur);
  t.same(result, {
    perQuestion: [],
    total: 0,
    maximum: 60,
    passMark: 36,
    passed: false,
    counts: counts({}),
    byTheme: [],
  });
});

// ——— Properties ———————————————————————————————————————————————————————————————

/** Rules where a right answer pays more than any other outcome, as the bank import requires. */
const rulesArb: fc.Arbitrary<ExamRules> = fc
  .record({
    questionCount: fc.integer({ min: 1, max: 60 }),
    passPercentage: fc.integer({ min: 1, max: 100 }),
    right: fc.integer({ min: 1, max: 10 }),
  })
  .chain(({ questionCount, passPercentage, right }) =>
    fc.record({
      questionCount: fc.constant(questionCount),
      priorityCount: fc.integer({ min: 0, max: questionCount }),
      durationMinutes: fc.constant(60),
      passPercentage: fc.constant(passPercentage),
      points: fc.record({
        right: fc.constant(right),
        dontKnow: fc.integer({ min: -10, max: right - 1 }),
        wrong: fc.integer({ min: -10, max: right - 1 }),
        wrongPriority: fc.integer({ min: -20, max: right - 1 }),
      }),
    }),
  );

const responseArb: fc.Arbitrary<Response> = fc.oneof(
  fc.constant(UNANSWERED),
  fc.constant(DONT_KNOW),
  fc.boolean().map((correct): Response => ({ kind: 'answer', correct })),
);

const itemArb: fc.Arbitrary<ScoredItem> = fc.record({
  theme: fc.constantFrom('Réseaux', 'Réglementation', 'eau', 'Électricité'),
  priority: fc.boolean(),
  response: responseArb,
});

/** A full sheet: as many items as the rules ask questions. */
const examArb = rulesArb.chain((rules) =>
  fc.array(itemArb, { minLength: rules.questionCount, maxLength: rules.questionCount }).map((items) => ({ rules, items })),
);

type Tap = Pick<typeof t, 'pass'>;

function holds<Ts extends [unknown, ...unknown[]]>(t: Tap, property: fc.IProperty<Ts>): void {
  fc.assert(property, { numRuns: 300 });
  t.pass('holds for every generated case');
}

t.test('the total lies between the worst possible sheet and the maximum', async (t) => {
  holds(
    t,
    fc.property(examArb, ({ rules, items }) => {
      const { total, maximum } = scoreExam(items, rules);
      const p = rules.points;
      const worst = items.reduce((s, i) => s + Math.min(0, p.dontKnow, i.priority ? p.wrongPriority : p.wrong), 0);
      return worst <= total && total <= maximum && maximum === rules.questionCount * p.right;
    }),
  );
});

t.test('turning any answer into a right one never lowers the total', async (t) => {
  holds(
    t,
    fc.property(examArb, fc.nat(), ({ rules, items }, pick) => {
      const index = pick % items.length;
      const improved = items.map((item, i) => (i === index ? { ...item, response: RIGHT } : item));
      return scoreExam(improved, rules).total >= scoreExam(items, rules).total;
    }),
  );
});

t.test('counts, per-question points and themes all add up', async (t) => {
  holds(
    t,
    fc.property(examArb, ({ rules, items }) => {
      const r = scoreExam(items, rules);
      const sum = (c: Counts) => c.right + c.wrong + c.wrongPriority + c.dontKnow + c.unanswered;
      const themeCounts = r.byTheme.reduce((s, th) => s + sum(th.counts), 0);
      return (
        sum(r.counts) === items.length &&
        r.perQuestion.length === items.length &&
        r.perQuestion.reduce((s, p) => s + p, 0) === r.total &&
        r.byTheme.reduce((s, th) => s + th.points, 0) === r.total &&
        r.byTheme.reduce((s, th) => s + th.maximum, 0) === items.length * rules.points.right &&
        themeCounts === items.length &&
        r.counts.wrongPriority === items.filter((i) => i.priority && i.response.kind === 'answer' && !i.response.correct).length
      );
    }),
  );
});

t.test('passed exactly when the total reaches the pass mark, itself ceil(maximum × % / 100)', async (t) => {
  holds(
    t,
    fc.property(examArb, ({ rules, items }) => {
      const r = scoreExam(items, rules);
      const scaled = r.maximum * rules.passPercentage;
      return r.passed === r.total >= r.passMark && r.passMark * 100 >= scaled && (r.passMark - 1) * 100 < scaled && r.passMark <= r.maximum;
    }),
  );
});

t.test('readStoredResult: the stored result read back for the candidate’s record, or null', async (t) => {
  const items: ScoredItem[] = [
    { theme: 'Réseaux', priority: false, response: RIGHT },
    { theme: 'Réseaux', priority: true, response: WRONG },
    { theme: 'Guide technique', priority: false, response: DONT_KNOW },
    { theme: 'Guide technique', priority: false, response: UNANSWERED },
  ];
  const result = scoreExam(items, DEFAULT_RULES.operateur);
  t.same(readStoredResult(JSON.stringify(result)), { counts: result.counts, byTheme: result.byTheme }, 'what scoreExam stored');
  fc.assert(
    fc.property(
      fc.array(fc.record({ theme: fc.constantFrom('A', 'B', 'C'), priority: fc.boolean(), response: fc.constantFrom(RIGHT, WRONG, DONT_KNOW, UNANSWERED) })),
      (sheet) => {
        const scored = scoreExam(sheet, DEFAULT_RULES.operateur);
        return JSON.stringify(readStoredResult(JSON.stringify(scored))) === JSON.stringify({ counts: scored.counts, byTheme: scored.byTheme });
      },
    ),
  );
  for (const bad of [null, '', 'not json', '42', '{}', '{"counts":{"right":1},"byTheme":[]}', JSON.stringify({ ...result, byTheme: [{ theme: 1 }] })]) {
    t.equal(readStoredResult(bad), null, `${JSON.stringify(bad)}: nothing shown rather than something wrong`);
  }
});

t.test('one item’s range and a stored response, as the item analysis reads them', async (t) => {
  t.same(itemScoreRange(false, DEFAULT_POINTS), { min: -1, max: 2 });
  t.same(itemScoreRange(true, DEFAULT_POINTS), { min: -5, max: 2 }, 'a priority question’s penalty');
  t.same(itemScoreRange(false, { ...DEFAULT_POINTS, dontKnow: -2 }), { min: -2, max: 2 }, 'a « Je ne sais pas » below a wrong answer');
  t.same(storedResponse(true, null, false), { kind: 'dontKnow' });
  t.same(storedResponse(false, 7, true), { kind: 'answer', correct: true });
  t.same(storedResponse(false, 7, false), { kind: 'answer', correct: false });
  t.same(storedResponse(false, null, false), { kind: 'unanswered' });
});
