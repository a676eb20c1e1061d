import fc from 'fast-check';
import t from 'tap';
import { VERDICT_LABELS, verdictOf } from '../../src/domain/verdict.js';

const END = '2026-11-29T10:00:00.000Z';

t.test('an exam runs until it has an end time, then is passed or failed by its stored result', async (t) => {
  t.equal(verdictOf({ finishedAt: null, passed: null, cancelledAt: null }), 'running');
  t.equal(verdictOf({ finishedAt: END, passed: 1, cancelledAt: null }), 'passed');
  t.equal(verdictOf({ finishedAt: END, passed: 0, cancelledAt: null }), 'failed');
  t.equal(verdictOf({ finishedAt: END, passed: true, cancelledAt: null }), 'passed');
  t.same(VERDICT_LABELS, { running: 'En cours', passed: 'Admis', failed: 'Non admis', cancelled: 'Annulé' });
});

t.test('an unfinished exam is running whatever its stored result says; a finished one follows its result', async (t) => {
  for (const passed of [null, 0, 1, true, false] as const) t.equal(verdictOf({ finishedAt: null, passed, cancelledAt: null }), 'running', `passed = ${passed}`);
  fc.assert(
    fc.property(
      fc.date({ noInvalidDate: true }),
      fc.boolean(),
      (at, passed) => verdictOf({ finishedAt: at.toISOString(), passed, cancelledAt: null }) === (passed ? 'passed' : 'failed'),
    ),
  );
});

t.test('a cancelled exam is « Annulé », whatever its end or its score', async (t) => {
  fc.assert(
    fc.property(
      fc.option(fc.constant(END)),
      fc.constantFrom<boolean | 0 | 1 | null>(null, 0, 1, true, false),
      (finishedAt, passed) => verdictOf({ finishedAt, passed, cancelledAt: END }) === 'cancelled',
    ),
  );
  t.pass('property holds');
});
