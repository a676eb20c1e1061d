import t from 'tap';
import fc from 'fast-check';
import { maximumScore, passMark, type ExamRules } from '../../src/domain/rules.js';

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
    fc.property(
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 100 }),
      (count, right, percentage) => {
        const r = rules(count, right, percentage);
        const max = maximumScore(r);
        const mark = passMark(r);
        return Number.isInteger(mark) && mark * 100 >= max * percentage && (mark - 1) * 100 < max * percentage && mark <= max;
      },
    ),
  );
  t.pass('holds for every generated case');
});
