import t from 'tap';
import fc from 'fast-check';
import { safeNextPath } from '../../src/plugins/auth.js';

const ORIGIN = 'http://a.invalid';

/** Everything a destination after sign-in must be, checked on whatever safeNextPath returns. */
function isSafe(result: string | null): boolean {
  if (result === null) return true;
  if (!/^\/(?![/\\])/.test(result) || /[\u0000-\u001f\u007f\\]/.test(result)) return false;
  const url = new URL(result, ORIGIN);
  return (
    url.origin === ORIGIN &&
    !url.pathname.startsWith('/connexion') &&
    !url.pathname.startsWith('/deconnexion') &&
    // What it gives is already clean: asking again changes nothing.
    safeNextPath(result) === result
  );
}

/** Segments that browsers, URL parsers and routers read in surprising ways. */
const SEGMENTS = [
  ...['', '.', '..', '%2e', '%2E', '%2e%2e', '.%2e', '%2e.', '...', '\t', '\n', '\r', ' ', '\u0000', '\u007f'],
  ...['\\', '\\\\', '/', '//', '%2f', '%2F', '%5c', '@', ':', 'evil.example', 'evil.example:80', 'http:', 'javascript:'],
  ...['connexion', 'deconnexion', 'Connexion', 'connexion?x', 'centre', 'sessions', '3', 'é', '?', '#', '?suivant=//x', '&'],
];
const SEPARATORS = ['/', '/', '/', '//', '\\', '/\\', '\\/', '/\t/', '/./', '/../'];

const pathArb = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constant('/'), weight: 3 },
      { arbitrary: fc.constantFrom('', ...SEPARATORS, 'http://evil.example', '//evil.example', 'https:'), weight: 1 },
    ),
    fc.array(fc.tuple(fc.constantFrom(...SEGMENTS), fc.constantFrom(...SEPARATORS)), { maxLength: 8 }),
    fc.constantFrom('', ...SEGMENTS),
  )
  .map(([start, parts, end]) => start + parts.map(([segment, separator]) => segment + separator).join('') + end);

/** fast-check throws the shrunk counterexample on failure; the pass records that the property ran. */
function holds<Ts extends [unknown, ...unknown[]]>(t: Tap, property: fc.IProperty<Ts>): void {
  fc.assert(property, { numRuns: 1000 });
  t.pass('holds for every generated case');
}
type Tap = Pick<typeof t, 'pass'>;

t.test('for any string, null or a path of this site that is not the sign-in', async (t) => {
  holds(
    t,
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => isSafe(safeNextPath(s))),
  );
  holds(
    t,
    fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => isSafe(safeNextPath(`/${s}`))),
  );
});

t.test('for paths built from dot segments, encoded dots, tabs, backslashes and doubled slashes', async (t) => {
  holds(
    t,
    fc.property(pathArb, (path) => isSafe(safeNextPath(path))),
  );
});

t.test('anything but a string is refused', async (t) => {
  holds(
    t,
    fc.property(
      fc.anything().filter((x) => typeof x !== 'string'),
      (x) => safeNextPath(x) === null,
    ),
  );
});

t.test('ordinary paths come back unchanged', async (t) => {
  t.equal(safeNextPath('/centre/sessions/3?x=1'), '/centre/sessions/3?x=1');
  t.equal(safeNextPath('/'), '/');
  const word = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,11}$/);
  const ordinaryArb = fc
    .tuple(fc.array(word, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(word, word), { maxLength: 3 }))
    // Every path starting /connexion or /deconnexion is refused, /connexions included.
    .filter(([segments]) => !/^(de)?connexion/.test(segments[0] ?? ''))
    .map(([segments, query]) => {
      const search = query.map(([key, value]) => `${key}=${value}`).join('&');
      return `/${segments.join('/')}${search === '' ? '' : `?${search}`}`;
    });
  holds(
    t,
    fc.property(ordinaryArb, (path) => safeNextPath(path) === path),
  );
});

t.test('known tricks are refused', async (t) => {
  for (const next of [
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    '/.//evil.example',
    '/x/../..//evil.example',
    '/%2e%2e//evil.example',
    'https://evil.example',
    'evil.example',
    '/connexion',
    '/connexion?suivant=/x',
    '/a/../connexion',
    '/%2e%2e/deconnexion',
  ]) {
    t.equal(safeNextPath(next), null, JSON.stringify(next));
  }
});
