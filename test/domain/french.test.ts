import t from 'tap';
import fc from 'fast-check';
import { closingSentence, formatInteger, listInFrench, plural, roomInSentence } from '../../src/domain/french.js';

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
