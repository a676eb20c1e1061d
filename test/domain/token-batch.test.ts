import fc from 'fast-check';
import t from 'tap';
import { BATCH_MAX, BATCH_MIN, parseBatchCount, parseThreshold, THRESHOLD_MAX, THRESHOLD_MIN } from '../../src/domain/token-batch.js';

t.test('a table holds between 1 and 500 tokens; the form says so in French', async (t) => {
  t.same(parseBatchCount('30'), { ok: true, value: 30 });
  t.same(parseBatchCount(' 500 '), { ok: true, value: 500 });
  t.same(parseBatchCount(''), { ok: false, message: 'Indiquez le nombre de jetons à générer.' });
  for (const raw of ['0', '501', '-3', '2.5', 'dix', '1e2']) {
    t.same(parseBatchCount(raw), { ok: false, message: 'Le nombre de jetons doit être un nombre entier entre 1 et 500.' }, raw);
  }
  fc.assert(
    fc.property(fc.integer({ min: -10_000, max: 10_000 }), (n) => {
      const outcome = parseBatchCount(String(n));
      return outcome.ok === (n >= BATCH_MIN && n <= BATCH_MAX) && (!outcome.ok || outcome.value === n);
    }),
  );
});

t.test('the low-stock threshold goes from 0 to 10 000', async (t) => {
  t.same(parseThreshold('0'), { ok: true, value: 0 });
  t.same(parseThreshold(''), { ok: false, message: 'Indiquez le seuil d’alerte.' });
  t.same(parseThreshold('10001'), { ok: false, message: 'Le seuil d’alerte doit être un nombre entier entre 0 et 10\u00a0000.' });
  fc.assert(
    fc.property(fc.integer({ min: -100, max: 20_000 }), (n) => {
      const outcome = parseThreshold(String(n));
      return outcome.ok === (n >= THRESHOLD_MIN && n <= THRESHOLD_MAX) && (!outcome.ok || outcome.value === n);
    }),
  );
});
