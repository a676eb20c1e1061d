import t from 'tap';
import fc from 'fast-check';
import { stockStanding, type StockLine } from '../../src/domain/token-stock.js';

const line = (id: number, profile: string, version: string, available: number, used = 0, revoked = 0): StockLine => ({
  id,
  profile,
  version,
  available,
  used,
  revoked,
});

t.test('a newly published version warns no centre that has none of it yet', async (t) => {
  // Newest first per profile, as the query orders them.
  const stock = [line(3, 'operateur', '2027-01', 0), line(1, 'operateur', '2026-01', 40, 12), line(2, 'encadrant', '2026-01', 0)];
  const standing = stockStanding(stock, 10);
  t.same(
    standing.map((s) => [s.id, s.low, s.preferVersion]),
    [
      [3, false, null],
      [1, false, '2027-01'],
      [2, false, null],
    ],
    'no warning for a version (or a profile) never used; the version in use names the newer one',
  );
});

t.test('the version in use runs low, and says which version to prefer', async (t) => {
  const stock = [line(3, 'operateur', '2027-01', 0), line(1, 'operateur', '2026-01', 4, 30)];
  t.same(
    stockStanding(stock, 10).map((s) => [s.id, s.low, s.preferVersion]),
    [
      [3, false, null],
      [1, true, '2027-01'],
    ],
  );
});

t.test('once the centre moved to the newest version, the older one is left to be used up', async (t) => {
  const stock = [line(3, 'operateur', '2027-01', 5, 1), line(1, 'operateur', '2026-01', 2, 30)];
  t.same(
    stockStanding(stock, 10).map((s) => [s.id, s.low, s.preferVersion]),
    [
      [3, true, null],
      [1, false, null],
    ],
    'only the current version warns; nothing to prefer',
  );
  t.same(
    stockStanding([line(3, 'operateur', '2027-01', 0, 0, 3)], 1).map((s) => s.low),
    [true],
    'revoked tokens alone make a version the one in use',
  );
});

t.test('property: at most one version per profile warns, and only one with tokens below the threshold', async (t) => {
  const lines = fc.array(
    fc.record({
      profile: fc.constantFrom('operateur', 'encadrant', 'concepteur'),
      available: fc.nat(30),
      used: fc.nat(30),
      revoked: fc.nat(3),
    }),
    { maxLength: 12 },
  );
  fc.assert(
    fc.property(lines, fc.integer({ min: 1, max: 20 }), (raw, threshold) => {
      const stock = raw.map((r, i) => ({ ...r, id: i + 1, version: `v${i + 1}` }));
      const standing = stockStanding(stock, threshold);
      const lowPerProfile = new Map<string, number>();
      for (const s of standing) {
        if (!s.low) continue;
        lowPerProfile.set(s.profile, (lowPerProfile.get(s.profile) ?? 0) + 1);
        if (s.available >= threshold || s.available + s.used + s.revoked === 0) return false;
        // Nothing newer of its profile was used.
        if (stock.some((o) => o.profile === s.profile && o.id < s.id && o.available + o.used + o.revoked > 0)) return false;
      }
      return [...lowPerProfile.values()].every((n) => n === 1) && standing.length === stock.length;
    }),
  );
  t.pass('property holds');
});
