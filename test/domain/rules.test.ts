import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import fc from 'fast-check';
import { parseJsonBank } from '../../src/domain/bank/index.js';
import { maximumScore, parseStoredRules, passMark, type ExamRules } from '../../src/domain/rules.js';

const rules = (questionCount: number, right: number, passPercentage: number): ExamRules => ({
  questionCount,
  priorityCount: 0,
  durationMinutes: 60,
  passPercentage,
  points: { right, dontKnow: 0, wrong: -1, wrongPriority: -5 },
});

t.test('PRODUCT.md defaults: 40 questions → 80 / 48, 30 questions → 60 / 36', async (t) => {
  t.equal(maximumScore(rules(40, 2, 60)), 80);
  t.equal(passMark(rules(40, 2, 60)), 48);
  t.equal(maximumScore(rules(30, 2, 60)), 60);
  t.equal(passMark(rules(30, 2, 60)), 36);
});

t.test('the pass mark rounds up to the next whole point', async (t) => {
  t.equal(passMark(rules(25, 1, 60)), 15); // exactly 15
  t.equal(passMark(rules(7, 1, 50)), 4); // 3.5 → 4
  t.equal(passMark(rules(10, 1, 1)), 1); // 0.1 → 1
  t.equal(passMark(rules(10, 1, 100)), 10);
  t.equal(passMark(rules(100, 1, 7)), 7, 'where Math.ceil(100 × 0.07) would give 8');
  t.equal(passMark(rules(100, 1, 57)), 57);
});

t.test('passMark is the smallest integer reaching the percentage, for any rules', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 100 }), (count, right, percentage) => {
      const r = rules(count, right, percentage);
      const max = maximumScore(r);
      const mark = passMark(r);
      return Number.isInteger(mark) && mark * 100 >= max * percentage && (mark - 1) * 100 < max * percentage && mark <= max;
    }),
  );
  t.pass('holds for every generated case');
});

// ——— Stored rules ——————————————————————————————————————————————————————————————

/** Any rules an import accepts. */
const validRulesArb = fc
  .record({
    questionCount: fc.integer({ min: 1, max: 200 }),
    durationMinutes: fc.integer({ min: 1, max: 600 }),
    passPercentage: fc.integer({ min: 1, max: 100 }),
    right: fc.integer({ min: 1, max: 100 }),
  })
  .chain(({ questionCount, right, ...rest }) =>
    fc
      .record({
        priorityCount: fc.integer({ min: 0, max: questionCount }),
        dontKnow: fc.integer({ min: -100, max: right - 1 }),
        wrong: fc.integer({ min: -100, max: right - 1 }),
        wrongPriority: fc.integer({ min: -100, max: right - 1 }),
      })
      .map(({ priorityCount, ...points }): ExamRules => ({ questionCount, priorityCount, ...rest, points: { right, ...points } })),
  );

t.test('stored rules read back as they were written, for any valid rules', async (t) => {
  fc.assert(fc.property(validRulesArb, (rules) => isDeepStrictEqual(parseStoredRules(JSON.stringify(rules)), rules)));
  t.pass('holds for every generated case');
  t.strictSame(
    parseStoredRules(JSON.stringify({ ...rules(30, 2, 60), written: 'by a later version' })),
    rules(30, 2, 60),
    'only the fields of ExamRules come back',
  );
});

t.test('corrupt stored rules: the error names the field', async (t) => {
  const good = rules(30, 2, 60);
  const corrupt = (changed: Record<string, unknown>, points: Record<string, unknown> = {}) =>
    JSON.stringify({ ...good, ...changed, points: { ...good.points, ...points } });
  const { points: _points, ...pointless } = good;
  const cases: [string, string, RegExp][] = [
    ['not JSON', '{"questionCount": 30', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['a field missing', corrupt({ durationMinutes: undefined }), /"durationMinutes" is missing/],
    ['a number as text', corrupt({ questionCount: '30' }), /"questionCount" must be a whole number from 1 to 200, not "30"/],
    ['a fraction', corrupt({ passPercentage: 60.5 }), /"passPercentage" must be a whole number from 1 to 100, not 60.5/],
    ['out of range', corrupt({ durationMinutes: 0 }), /"durationMinutes" must be a whole number from 1 to 600, not 0/],
    ['more priority questions than questions', corrupt({ priorityCount: 31 }), /"priorityCount" must be a whole number from 0 to 30, not 31/],
    ['points missing', JSON.stringify(pointless), /"points" is missing/],
    ['points not an object', JSON.stringify({ ...good, points: [2, 0, -1, -5] }), /"points" must be an object/],
    ['a point missing', corrupt({}, { wrongPriority: undefined }), /"points.wrongPriority" is missing/],
    ['a point as text', corrupt({}, { right: 'deux' }), /"points.right" must be a whole number from 1 to 100, not "deux"/],
    ['a penalty paying as much as knowing', corrupt({}, { wrong: 2 }), /"points.wrong" \(2\) must be less than "points.right" \(2\)/],
  ];
  for (const [name, json, message] of cases) t.throws(() => parseStoredRules(json), message, name);
});

/** Rules whose every field may be anything from sound to absurd. */
const anyRulesArb = fc.record({
  questionCount: fc.integer({ min: -5, max: 250 }),
  priorityCount: fc.integer({ min: -5, max: 250 }),
  durationMinutes: fc.integer({ min: -5, max: 650 }),
  passPercentage: fc.integer({ min: -5, max: 150 }),
  points: fc.record({
    right: fc.integer({ min: -150, max: 150 }),
    dontKnow: fc.integer({ min: -150, max: 150 }),
    wrong: fc.integer({ min: -150, max: 150 }),
    wrongPriority: fc.integer({ min: -150, max: 150 }),
  }),
});

/** Valid rules but for one field, which may land on either side of its bounds. */
const nearlyValidRulesArb = fc.tuple(validRulesArb, fc.integer({ min: 0, max: 7 }), fc.integer({ min: -210, max: 610 })).map(([r, field, value]): ExamRules => {
  const points = { ...r.points };
  const top = { ...r, points };
  const fields = [
    () => (top.questionCount = value),
    () => (top.priorityCount = value),
    () => (top.durationMinutes = value),
    () => (top.passPercentage = value),
    () => (points.right = value),
    () => (points.dontKnow = value),
    () => (points.wrong = value),
    () => (points.wrongPriority = value),
  ];
  fields[field]?.();
  return top;
});

t.test('stored rules are held to exactly what an import accepts', async (t) => {
  fc.assert(
    fc.property(fc.oneof(validRulesArb, nearlyValidRulesArb, anyRulesArb), (r) => {
      const regles = {
        nombre_questions: r.questionCount,
        questions_prioritaires: r.priorityCount,
        duree_minutes: r.durationMinutes,
        seuil_pourcentage: r.passPercentage,
        points: { bonne: r.points.right, ne_sait_pas: r.points.dontKnow, fausse: r.points.wrong, fausse_prioritaire: r.points.wrongPriority },
      };
      const imported = parseJsonBank(JSON.stringify({ profil: 'operateur', version: '1', titre: 'T', regles, questions: [] }));
      const importAccepts = imported.ok || !imported.errors.some((e) => e.where?.startsWith('regles'));
      let storedAccepted = true;
      try {
        parseStoredRules(JSON.stringify(r));
      } catch {
        storedAccepted = false;
      }
      return storedAccepted === importAccepts;
    }),
    { numRuns: 500 },
  );
  t.pass('holds for every generated case');
});
