import t from 'tap';
import fc from 'fast-check';
import { drawExam, drawProblems, type DrawRules, type DrawableQuestion, type DrawnQuestion } from '../../src/domain/draw.js';

// ——— Generators ———————————————————————————————————————————————————————————————

const THEMES = ['Réglementation', 'Réseaux', 'Terrassement', 'Signalisation', 'Électricité'];

/** A bank with unique ids (in no particular order) and unique answer ids. */
const bankArb = fc
  .array(
    fc.record({
      theme: fc.constantFrom(...THEMES),
      priority: fc.boolean(),
      answers: fc.integer({ min: 2, max: 4 }),
    }),
    { minLength: 1, maxLength: 80 },
  )
  .chain((specs) =>
    fc
      .shuffledSubarray(
        Array.from({ length: specs.length * 3 }, (_, i) => i * 7 + 1),
        { minLength: specs.length, maxLength: specs.length },
      )
      .map((ids) =>
        specs.map((s, i): DrawableQuestion => ({
          id: ids[i] ?? 0,
          theme: s.theme,
          priority: s.priority,
          answerIds: Array.from({ length: s.answers }, (_, k) => (ids[i] ?? 0) * 10 + k),
        })),
      ),
  );

/** Rules this bank can satisfy. */
const caseArb = bankArb.chain((bank) => {
  const priorityHeld = bank.filter((q) => q.priority).length;
  const otherHeld = bank.length - priorityHeld;
  return fc
    .record({ priorityCount: fc.integer({ min: 0, max: priorityHeld }), others: fc.integer({ min: 0, max: otherHeld }) })
    .filter(({ priorityCount, others }) => priorityCount + others >= 1)
    .map(({ priorityCount, others }) => ({
      bank,
      rules: { questionCount: priorityCount + others, priorityCount } satisfies DrawRules,
    }));
});

/** The same case with the bank in another order. */
const reorderedArb = caseArb.chain((c) =>
  fc.shuffledSubarray(c.bank, { minLength: c.bank.length, maxLength: c.bank.length }).map((reordered) => ({ ...c, reordered })),
);

const seedArb = fc.string({ minLength: 0, maxLength: 24 });

/** fast-check throws the counterexample on failure; the pass records that the property ran. */
function holds<Ts extends [unknown, ...unknown[]]>(t: Tap, property: fc.IProperty<Ts>): void {
  fc.assert(property, { numRuns: 150 });
  t.pass('holds for every generated case');
}
type Tap = Pick<typeof t, 'same' | 'pass'>;

const byId = (bank: readonly DrawableQuestion[]) => new Map(bank.map((q) => [q.id, q]));

// ——— Properties ———————————————————————————————————————————————————————————————

t.test('exactly questionCount questions, priorityCount of them priority, no duplicate, all from the bank', async (t) => {
  holds(
    t,
    fc.property(caseArb, seedArb, ({ bank, rules }, seed) => {
      const drawn = drawExam(bank, rules, seed);
      const index = byId(bank);
      const ids = drawn.map((d) => d.questionId);
      return (
        drawn.length === rules.questionCount &&
        new Set(ids).size === ids.length &&
        ids.every((id) => index.has(id)) &&
        ids.filter((id) => index.get(id)?.priority).length === rules.priorityCount
      );
    }),
  );
});

t.test('every answer order is a permutation of the question’s answers', async (t) => {
  holds(
    t,
    fc.property(caseArb, seedArb, ({ bank, rules }, seed) => {
      const index = byId(bank);
      return drawExam(bank, rules, seed).every((d) => {
        const expected = [...(index.get(d.questionId)?.answerIds ?? [])].sort((a, b) => a - b);
        return JSON.stringify([...d.answerOrder].sort((a, b) => a - b)) === JSON.stringify(expected);
      });
    }),
  );
});

t.test('same seed and same bank: identical draw, whatever the input order', async (t) => {
  holds(
    t,
    fc.property(reorderedArb, seedArb, ({ bank, reordered, rules }, seed) => {
      const first = drawExam(bank, rules, seed);
      t.same(drawExam(bank, rules, seed), first);
      t.same(drawExam(reordered, rules, seed), first);
    }),
  );
});

t.test('the input is not modified', async (t) => {
  holds(
    t,
    fc.property(caseArb, seedArb, ({ bank, rules }, seed) => {
      const before = JSON.stringify(bank);
      drawExam(bank, rules, seed);
      return JSON.stringify(bank) === before;
    }),
  );
});

t.test('themes get their proportional share of each pool, within one question', async (t) => {
  holds(
    t,
    fc.property(caseArb, seedArb, ({ bank, rules }, seed) => {
      const drawn = new Set(drawExam(bank, rules, seed).map((d) => d.questionId));
      const pools = [
        { questions: bank.filter((q) => q.priority), slots: rules.priorityCount },
        { questions: bank.filter((q) => !q.priority), slots: rules.questionCount - rules.priorityCount },
      ];
      return pools.every(({ questions, slots }) =>
        THEMES.every((theme) => {
          const held = questions.filter((q) => q.theme === theme);
          const got = held.filter((q) => drawn.has(q.id)).length;
          // ideal = slots × held / pool, and got must be its floor or its ceiling.
          const scaled = got * questions.length;
          const ideal = slots * held.length;
          return got <= held.length && Math.abs(scaled - ideal) < Math.max(questions.length, 1);
        }),
      );
    }),
  );
});

t.test('different seeds usually give different exams', async (t) => {
  const bank = Array.from({ length: 60 }, (_, i) => ({
    id: i + 1,
    theme: THEMES[i % THEMES.length] ?? '',
    priority: i % 4 === 0,
    answerIds: [1, 2, 3, 4].map((k) => (i + 1) * 10 + k),
  }));
  const rules = { questionCount: 30, priorityCount: 8 };
  const draws = new Set(Array.from({ length: 200 }, (_, i) => JSON.stringify(drawExam(bank, rules, `seed-${i}`))));
  t.equal(draws.size, 200, '200 seeds, 200 different exams');
  const sets = new Set(
    Array.from({ length: 200 }, (_, i) =>
      drawExam(bank, rules, `seed-${i}`)
        .map((d) => d.questionId)
        .sort((a, b) => a - b)
        .join(),
    ),
  );
  t.ok(sets.size > 190, `${sets.size} different sets of questions, not just different orders`);
});

t.test('the whole bank drawn: every question once, questions and answers shuffled', async (t) => {
  const bank = Array.from({ length: 20 }, (_, i) => ({
    id: 100 + i,
    theme: i < 10 ? 'A' : 'B',
    priority: i % 5 === 0,
    answerIds: [1, 2, 3, 4].map((k) => (100 + i) * 10 + k),
  }));
  const drawn = drawExam(bank, { questionCount: 20, priorityCount: 4 }, 'tout');
  t.same(
    drawn.map((d) => d.questionId).sort((a, b) => a - b),
    bank.map((q) => q.id),
  );
  t.not(drawn.map((d) => d.questionId).join(), bank.map((q) => q.id).join(), 'question order shuffled');
  t.ok(
    drawn.some((d) => d.answerOrder.join() !== [1, 2, 3, 4].map((k) => d.questionId * 10 + k).join()),
    'answer order shuffled',
  );
});

t.test('every question of a theme has its chance, and ties between themes are shared', async (t) => {
  // One slot, two themes of two questions each: equal remainders, a tie every time.
  const bank = [1, 2, 3, 4].map((id) => ({ id, theme: id <= 2 ? 'A' : 'B', priority: false, answerIds: [1, 2] }));
  const counts = new Map<number, number>();
  const n = 4000;
  for (let i = 0; i < n; i++) {
    const [only] = drawExam(bank, { questionCount: 1, priorityCount: 0 }, `tie-${i}`);
    counts.set(only?.questionId ?? 0, (counts.get(only?.questionId ?? 0) ?? 0) + 1);
  }
  t.same([...counts.keys()].sort(), [1, 2, 3, 4]);
  // χ² with 3 degrees of freedom; 16.3 is the 0.1 % critical value.
  const chi2 = [...counts.values()].reduce((s, c) => s + (c - n / 4) ** 2 / (n / 4), 0);
  t.ok(chi2 < 16.3, `χ² = ${chi2.toFixed(2)} for ${JSON.stringify([...counts])}`);
});

t.test('a hand-checked allocation: 30 questions, 8 priority, over three themes', async (t) => {
  // Priority pool: A 6, B 3, C 3 (12) for 8 slots → ideal 4, 2, 2.
  // Other pool: A 20, B 10, C 5 (35) for 22 slots → ideal 12.57, 6.29, 3.14 → 13, 6, 3.
  const make = (theme: string, priority: boolean, count: number, start: number) =>
    Array.from({ length: count }, (_, i) => ({ id: start + i, theme, priority, answerIds: [1, 2, 3] }));
  const bank = [
    ...make('A', true, 6, 1),
    ...make('B', true, 3, 100),
    ...make('C', true, 3, 200),
    ...make('A', false, 20, 300),
    ...make('B', false, 10, 400),
    ...make('C', false, 5, 500),
  ];
  const index = byId(bank);
  for (const seed of ['a', 'b', 'c', 'd']) {
    const tally: Record<string, number> = {};
    for (const d of drawExam(bank, { questionCount: 30, priorityCount: 8 }, seed)) {
      const q = index.get(d.questionId);
      const key = `${q?.theme}${q?.priority ? '!' : ''}`;
      tally[key] = (tally[key] ?? 0) + 1;
    }
    t.same(tally, { 'A!': 4, 'B!': 2, 'C!': 2, A: 13, B: 6, C: 3 }, `seed ${seed}`);
  }
});

const FROZEN: DrawnQuestion[] = [
  { questionId: 8, answerOrder: [72, 71, 73] },
  { questionId: 1, answerOrder: [3, 1, 2] },
  { questionId: 7, answerOrder: [62, 63, 61] },
  { questionId: 4, answerOrder: [31, 33, 32] },
];

t.test('a draw from a stored seed is frozen', async (t) => {
  // If this fails, the draw algorithm changed: a stored seed no longer gives the same exam.
  const bank = Array.from({ length: 8 }, (_, i) => ({
    id: i + 1,
    theme: i % 2 ? 'A' : 'B',
    priority: i < 2,
    answerIds: [i * 10 + 1, i * 10 + 2, i * 10 + 3],
  }));
  t.same(drawExam(bank, { questionCount: 4, priorityCount: 1 }, 'session-42/jeton-ABC'), FROZEN);
});

// ——— drawProblems ————————————————————————————————————————————————————————————————

const q = (id: number, priority: boolean, theme = 'A'): DrawableQuestion => ({ id, theme, priority, answerIds: [1, 2] });

t.test('drawProblems: [] when the bank can satisfy the rules, including exactly', async (t) => {
  const bank = [q(1, true), q(2, false), q(3, false)];
  t.same(drawProblems(bank, { questionCount: 3, priorityCount: 1 }), []);
  t.same(drawProblems(bank, { questionCount: 1, priorityCount: 0 }), []);
  t.same(drawProblems(bank, { questionCount: 2, priorityCount: 1 }), []);
});

t.test('drawProblems: each shortage in its own French sentence', async (t) => {
  const bank = [q(1, true), q(2, false), q(3, false)];
  t.same(drawProblems(bank, { questionCount: 4, priorityCount: 1 }), [
    'La banque contient 3 questions alors que chaque examen en tire 4.',
    'La banque contient 2 questions non prioritaires alors que chaque examen en tire 3 (4 questions dont 1 prioritaires).',
  ]);
  t.same(drawProblems(bank, { questionCount: 3, priorityCount: 2 }), ['La banque contient 1 question prioritaire alors que chaque examen en tire 2.']);
  t.same(drawProblems([], { questionCount: 2, priorityCount: 1 }), [
    'La banque contient 0 question alors que chaque examen en tire 2.',
    'La banque contient 0 question prioritaire alors que chaque examen en tire 1.',
    'La banque contient 0 question non prioritaire alors que chaque examen en tire 1 (2 questions dont 1 prioritaires).',
  ]);
});

t.test('drawProblems: impossible rules and doubled questions', async (t) => {
  t.same(drawProblems([q(1, false)], { questionCount: 0, priorityCount: 0 }), [
    'Le nombre de questions par examen doit être un entier au moins égal à 1 (reçu : 0).',
  ]);
  t.same(drawProblems([q(1, false)], { questionCount: 1, priorityCount: 2 }), [
    'Le nombre de questions prioritaires par examen doit être un entier entre 0 et le nombre de questions par examen (reçu : 2).',
  ]);
  t.same(drawProblems([q(1, false)], { questionCount: 1.5, priorityCount: -1 }), [
    'Le nombre de questions par examen doit être un entier au moins égal à 1 (reçu : 1.5).',
    'Le nombre de questions prioritaires par examen doit être un entier entre 0 et le nombre de questions par examen (reçu : -1).',
  ]);
  t.same(drawProblems([q(1, false), q(2, false), q(1, true), q(1, false)], { questionCount: 1, priorityCount: 0 }), [
    'La question d’identifiant 1 figure plusieurs fois dans la banque.',
  ]);
});

t.test('drawExam throws a plain Error carrying the French reasons', async (t) => {
  t.throws(() => drawExam([q(1, false)], { questionCount: 2, priorityCount: 0 }, 's'), {
    constructor: Error,
    message:
      'La banque contient 1 question alors que chaque examen en tire 2. ' +
      'La banque contient 1 question non prioritaire alors que chaque examen en tire 2 (2 questions dont 0 prioritaires).',
  });
});
