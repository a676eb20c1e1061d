import fc from 'fast-check';
import t from 'tap';
import { VERDICT_LABELS, verdictOf } from '../../src/domain/verdict.js';

t.test('an exam runs until it has an end time, then is passed or failed by its stored result', async (t) => {
  t.equal(verdictOf({ finishedAt: null, passed: null }), 'running');
  t.equal(verdictOf({ finishedAt: '2026-11-29T10:00:00.000Z', passed: 1 }), 'passed');
  t.equal(verdictOf({ finishedAt: '2026-11-29T10:00:00.000Z', passed: 0 }), 'failed');
  t.equal(verdictOf({ finishedAt: '2026-11-29T10:00:00.000Z', passed: true }), 'passed');
  t.same(VERDICT_LABELS, { running: 'En cours', passed: 'Admis', failed: 'Non admis' });
});

t.test('an unfinished exam is running whatever its stored result says; a finished one follows its result', async (t) => {
  for (const passed of [null, 0, 1, true, false] as const) t.equal(verdictOf({ finishedAt: null, passed }), 'running', `passed = ${passed}`);
  fc.assert(
    fc.property(
      fc.date({ noInvalidDate: true }),
      fc.boolean(),
      (at, passed) => verdictOf({ finishedAt: at.toISOString(), passed }) === (passed ? 'passed' : 'failed'),
    ),
  );
});
