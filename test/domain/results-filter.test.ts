import t from 'tap';
import fc from 'fast-check';
import {
  describeResultsQuery,
  pageWithin,
  readResultsFilter,
  RESULTS_PAGE_SIZE,
  resultsQueryString,
  type ResultsQuery,
} from '../../src/domain/results-filter.js';
import { candidateSearchKey, searchKey } from '../../src/domain/search-key.js';

t.test('searchKey folds accents, case, apostrophes, hyphens and spaces', async (t) => {
  t.equal(searchKey('Éloïse D’Août'), 'eloise d aout');
  t.equal(searchKey("  O'Brien   Jean-Pierre "), 'o brien jean pierre');
  t.equal(searchKey('Œuvre Ætna Straße'), 'oeuvre aetna strasse', 'letters NFD keeps whole are spelt out');
  t.equal(searchKey('ÇA'), 'ca');
  t.equal(candidateSearchKey({ lastName: 'Lefèvre', firstName: 'Zoé', company: null }), 'lefevre zoe');
  t.equal(candidateSearchKey({ lastName: 'Roche', firstName: 'Inès', company: 'Réseaux d’Août' }), 'roche ines reseaux d aout');
  fc.assert(
    fc.property(fc.string(), (text) => {
      const key = searchKey(text);
      // Idempotent, lower case, no mark left, no leading, trailing or double space.
      return searchKey(key) === key && key === key.toLowerCase() && !/\p{M}/u.test(key) && !/^ | $| {2}/.test(key);
    }),
  );
  t.pass('property holds');
});

t.test('an empty query filters nothing and is page 1', async (t) => {
  t.same(readResultsFilter({}), { filter: { from: null, to: null, profile: null, verdict: null, words: null, page: 1 }, errors: {} });
  t.same(readResultsFilter({ du: ' ', au: '', profil: '', resultat: '', recherche: '   ', page: '' }).errors, {});
});

t.test('each field read, or set aside with its message', async (t) => {
  const { filter, errors } = readResultsFilter({
    du: '2/3/2026',
    au: '2026-03-31',
    profil: 'encadrant',
    resultat: 'non-admis',
    recherche: ' Éloïse  DURAND ',
    page: '3',
  });
  t.same(errors, {});
  t.same(filter, { from: '2026-03-02', to: '2026-03-31', profile: 'encadrant', verdict: 'failed', words: 'eloise durand', page: 3 });
  t.same(readResultsFilter({ resultat: 'admis' }).filter.verdict, 'passed');
  t.same(readResultsFilter({ resultat: 'en-cours' }).filter.verdict, 'running');

  const bad = readResultsFilter({ du: '31/02/2026', au: 'demain', profil: 'pilote', resultat: 'reçu', recherche: 'x'.repeat(101) });
  t.same(bad.errors, {
    du: 'Saisissez la date de début au format JJ/MM/AAAA, par exemple 02/03/2026.',
    au: 'Saisissez la date de fin au format JJ/MM/AAAA, par exemple 02/03/2026.',
    profil: 'Choisissez un profil de la liste.',
    resultat: 'Choisissez un résultat de la liste.',
    recherche: 'La recherche ne doit pas dépasser 100 caractères.',
  });
  t.same(bad.filter, { from: null, to: null, profile: null, verdict: null, words: null, page: 1 }, 'nothing unreadable filters');

  const reversed = readResultsFilter({ du: '02/03/2026', au: '01/03/2026' });
  t.same(reversed.errors, { au: 'La date de fin doit suivre la date de début.' });
  t.equal(reversed.filter.from, '2026-03-02', 'the start still applies');
  t.equal(reversed.filter.to, null, 'the end before it does not');
});

t.test('page: a whole number from 1; anything else is page 1', async (t) => {
  for (const [raw, page] of [
    ['2', 2],
    ['0', 1],
    ['-1', 1],
    ['x', 1],
    ['1e3', 1],
    ['2.5', 1],
    ['9999999', 1],
  ] as const) {
    t.equal(readResultsFilter({ page: raw }).filter.page, page, `page=${raw}`);
  }
  t.same(pageWithin(1, 0), { page: 1, pages: 1 }, 'no result: one empty page');
  t.same(pageWithin(5, RESULTS_PAGE_SIZE * 2 + 1), { page: 3, pages: 3 }, 'past the end: the last page');
  t.same(pageWithin(2, RESULTS_PAGE_SIZE), { page: 1, pages: 1 });
});

t.test('the URL round trip: a filter written into a link reads back the same', async (t) => {
  const text = fc.string({ maxLength: 20 });
  fc.assert(
    fc.property(
      fc.record({
        du: text,
        au: text,
        profil: fc.constantFrom('', 'operateur', 'encadrant', 'x'),
        resultat: fc.constantFrom('', 'admis', 'non-admis', 'en-cours', '?'),
        recherche: text,
      }),
      fc.integer({ min: 1, max: 9 }),
      (query: ResultsQuery, page) => {
        const link = resultsQueryString(query, page);
        const back = Object.fromEntries(new URLSearchParams(link.slice(1))) as ResultsQuery;
        const again = readResultsFilter(back);
        const first = readResultsFilter({ ...query, page: String(page) });
        return JSON.stringify(again) === JSON.stringify(first) && resultsQueryString(back, page) === link;
      },
    ),
  );
  t.equal(resultsQueryString({}), '', 'no filter: no query string');
  t.equal(resultsQueryString({ recherche: 'd’Août & fils' }, 1), '?recherche=d%E2%80%99Ao%C3%BBt+%26+fils', 'page 1 is implied; text encoded');
  t.equal(resultsQueryString({ resultat: 'admis' }, 2), '?resultat=admis&page=2');
});

t.test('the filter as the audit log says it', async (t) => {
  t.equal(describeResultsQuery({}), '');
  t.equal(describeResultsQuery({ du: '01/03/2026', resultat: 'admis', recherche: ' dupont ', page: '4' }), 'du 01/03/2026, résultat admis, recherche dupont');
});
