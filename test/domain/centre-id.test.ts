import t from 'tap';
import fc from 'fast-check';
import { formatCentreId, parseCentreId } from '../../src/domain/centre-id.js';

t.test('formatCentreId', async (t) => {
  t.equal(formatCentreId(1), 'centre0001');
  t.equal(formatCentreId(42), 'centre0042');
  t.equal(formatCentreId(730), 'centre0730');
  t.equal(formatCentreId(9999), 'centre9999');
  for (const bad of [0, -1, 10_000, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.throws(() => formatCentreId(bad), RangeError, `refuses ${bad}`);
  }
});

t.test('format then parse gives the number back, for all 9999 centres', async (t) => {
  const seen = new Set<string>();
  for (let n = 1; n <= 9999; n += 1) {
    const id = formatCentreId(n);
    seen.add(id);
    if (!/^centre[0-9]{4}$/.test(id) || parseCentreId(id) !== n) {
      t.fail(`${n} → ${id} → ${parseCentreId(id)}`);
      return;
    }
  }
  t.equal(seen.size, 9999, 'distinct IDs');
});

t.test('parseCentreId tolerates case and surrounding spaces', async (t) => {
  t.equal(parseCentreId('centre0001'), 1);
  t.equal(parseCentreId('CENTRE0001'), 1);
  t.equal(parseCentreId('Centre0042'), 42);
  t.equal(parseCentreId('  centre0007  '), 7);
  t.equal(parseCentreId('\u00A0centre0007\t\n'), 7);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9999 }),
      fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
      fc.constantFrom('', ' ', '  ', '\t', '\u00A0'),
      fc.constantFrom('', ' ', '\n', '\u202F'),
      (n, upper, before, after) => {
        const word = [...'centre'].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
        return parseCentreId(before + word + formatCentreId(n).slice(6) + after) === n;
      },
    ),
  );
});

t.test('parseCentreId refuses anything else', async (t) => {
  for (const bad of [
    '',
    'centre',
    'centre0000',
    'centre001',
    'centre00001',
    'centre 0001',
    'centre-0001',
    'centre_0001',
    '0001',
    '1',
    'center0001',
    'centres0001',
    'xcentre0001',
    'centre0001x',
    'centre0001 0002',
    'centre１２３４', // full-width digits
    'centre+001',
    'centre-001',
    'centre1e03',
    'centre0x10',
  ]) {
    t.equal(parseCentreId(bad), null, `refuses ${JSON.stringify(bad)}`);
  }
});

t.test('parseCentreId returns a number in range or null, for any string', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 16 }), (input) => {
      const n = parseCentreId(input);
      return n === null || (Number.isInteger(n) && n >= 1 && n <= 9999);
    }),
  );
  t.pass('holds');
});
