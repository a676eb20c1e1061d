import t from 'tap';
import fc from 'fast-check';
import { closingSentence, formatDecimal, formatInteger, formatPercent, listInFrench, plural, roomInSentence } from '../../src/domain/french.js';

t.test('0 and 1 take the singular, 2 and more the plural', async (t) => {
  t.equal(plural(0, 'jeton'), '0 jeton');
  t.equal(plural(1, 'jeton'), '1 jeton');
  t.equal(plural(2, 'jeton'), '2 jetons');
  t.equal(plural(-1, 'point'), '-1 point');
  t.equal(plural(-5, 'point'), '-5 points');
});

t.test('a plural form is used as given; a word ending in s, x or z stays as it is', async (t) => {
  t.equal(plural(1, 'jeton disponible', 'jetons disponibles'), '1 jeton disponible');
  t.equal(plural(3, 'jeton disponible', 'jetons disponibles'), '3 jetons disponibles');
  t.equal(plural(2, 'travail', 'travaux'), '2 travaux');
  t.equal(plural(2, 'fois'), '2 fois');
  t.equal(plural(4, 'choix'), '4 choix');
  t.equal(plural(2, 'nez'), '2 nez');
});

t.test('counts are grouped by thousands as French writes them', async (t) => {
  t.equal(formatInteger(999), '999');
  t.equal(formatInteger(1000), '1\u00a0000');
  t.equal(formatInteger(1_048_576), '1\u00a0048\u00a0576');
  t.equal(formatInteger(-1500), '-1\u00a0500');
  t.equal(plural(12_000, 'jeton'), '12\u00a0000 jetons');
});

t.test('for any count: singular exactly below 2, digits unchanged, grouped by three from the right', async (t) => {
  fc.assert(
    fc.property(fc.integer(), (n) => {
      const [count = '', word] = plural(n, 'candidat').split(' ');
      const [first = '', ...groups] = count.replace(/^-/, '').split('\u00a0');
      return (
        word === (Math.abs(n) < 2 ? 'candidat' : 'candidats') &&
        count.replace(/\u00a0/g, '') === String(n) &&
        /^[1-9]\d{0,2}$|^0$/.test(first) &&
        groups.every((g) => /^\d{3}$/.test(g))
      );
    }),
  );
  t.pass('holds for every generated case');
});

t.test('listInFrench: « a », « a et b », « a, b et c »', async (t) => {
  t.equal(listInFrench([]), '');
  t.equal(listInFrench(['a']), 'a');
  t.equal(listInFrench(['a', 'b']), 'a et b');
  t.equal(listInFrench(['a', 'b', 'c']), 'a, b et c');
  t.equal(listInFrench(['a', 'b', 'c', 'd']), 'a, b, c et d');
  t.equal(
    listInFrench(['le nom du représentant du centre', 'sa qualité', 'la ville où les attestations sont faites']),
    'le nom du représentant du centre, sa qualité et la ville où les attestations sont faites',
  );
  const parts = Object.freeze(['x', 'y']);
  t.equal(listInFrench(parts), 'x et y', 'a read-only list is not changed');
  t.same(parts, ['x', 'y']);
});

t.test('roomInSentence: « salle B », never « salle Salle B »', async (t) => {
  t.equal(roomInSentence('B'), 'salle B');
  t.equal(roomInSentence('Salle B'), 'Salle B', 'the word typed by the centre is not repeated');
  t.equal(roomInSentence('salle de formation'), 'salle de formation');
  t.equal(roomInSentence('  SALLE 3 '), 'SALLE 3', 'whatever its case, trimmed');
  t.equal(roomInSentence('Salles réunies'), 'salle Salles réunies', 'a word that only begins like it is kept whole');
  t.equal(roomInSentence('Atelier'), 'salle Atelier');
});

t.test('closingSentence: a typed reason ends its sentence once', async (t) => {
  t.equal(closingSentence('dossier incomplet'), 'dossier incomplet.');
  t.equal(closingSentence('dossier incomplet.'), 'dossier incomplet.', 'never « .. »');
  t.equal(closingSentence('  fraude constatée !  '), 'fraude constatée !');
  t.equal(closingSentence('en attente…'), 'en attente…');
  t.equal(closingSentence('pourquoi ?'), 'pourquoi ?');
  fc.assert(
    fc.property(fc.string(), (text) => {
      const closed = closingSentence(text);
      return /[.!?…]$/u.test(closed) && !closed.endsWith('..') === !text.trim().endsWith('..') && closingSentence(closed) === closed;
    }),
  );
});

t.test('formatPercent: a share as a French percentage, one decimal at most', async (t) => {
  t.equal(formatPercent(null), '—');
  t.equal(formatPercent(0), '0\u00a0%');
  t.equal(formatPercent(1), '100\u00a0%');
  t.equal(formatPercent(0.5), '50\u00a0%');
  t.equal(formatPercent(0.7125), '71,3\u00a0%', 'rounded to one decimal, decimal comma');
  t.equal(formatPercent(0.7), '70\u00a0%', 'no « ,0 »');
  t.equal(formatPercent(2 / 3), '66,7\u00a0%');
  t.equal(formatPercent(1 / 3), '33,3\u00a0%');
  t.equal(formatPercent(0.00049), '0\u00a0%');
  t.equal(formatPercent(0.0005), '0,1\u00a0%');
  t.equal(formatPercent(0.9999), '100\u00a0%');
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1000 }), (k) => {
      // k tenths of a percent, written from the integer alone.
      const expected = `${Math.floor(k / 10)}${k % 10 === 0 ? '' : `,${k % 10}`}\u00a0%`;
      return formatPercent(k / 1000) === expected;
    }),
  );
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (share) => {
      const text = formatPercent(share);
      const match = /^(\d{1,3})(?:,(\d))?\u00a0%$/.exec(text);
      return match !== null && Math.abs(Number(`${match[1]}.${match[2] ?? '0'}`) - share * 100) <= 0.05 + 1e-9;
    }),
  );
});

t.test('formatDecimal: one decimal at most, decimal comma', async (t) => {
  t.equal(formatDecimal(52.25), '52,3');
  t.equal(formatDecimal(52), '52');
  t.equal(formatDecimal(0), '0');
  t.equal(formatDecimal(3.04), '3');
  t.equal(formatDecimal(3.05), '3,1');
  t.equal(formatDecimal(-1.5), '-1,5');
  t.equal(formatDecimal(12.96), '13');
  fc.assert(
    fc.property(fc.integer({ min: -100_000, max: 100_000 }), (k) => {
      const sign = k < 0 ? '-' : '';
      const a = Math.abs(k);
      return formatDecimal(k / 10) === `${sign}${Math.floor(a / 10)}${a % 10 === 0 ? '' : `,${a % 10}`}`;
    }),
  );
  fc.assert(
    fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (n) => {
      const text = formatDecimal(n);
      return /^-?\d+(,\d)?$/.test(text) && Math.abs(Number(text.replace(',', '.')) - n) <= 0.05 + 1e-9;
    }),
  );
});
