import t from 'tap';
import fc from 'fast-check';
import { ATTESTATION_ENTROPY_BITS, generateAttestationNumber, normalizeAttestationNumber } from '../../src/domain/attestation-number.js';
import { TOKEN_ALPHABET, type RandomBytes } from '../../src/domain/token-code.js';

const SHAPE = /^AIPR-[0-9]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

/** Replays `bytes` cyclically: lets fast-check drive the random part. */
function replay(bytes: Uint8Array): RandomBytes {
  let position = 0;
  return (size) => {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) out[i] = bytes[position++ % bytes.length]!;
    return out;
  };
}

// Accepted bytes only, so that replaying never runs dry.
const byteSource = fc.uint8Array({ minLength: 1, maxLength: 32 }).map((bytes) => replay(bytes.map((b) => b % 248)));
const year = fc.integer({ min: 1000, max: 9999 });
const attestation = fc.tuple(year, byteSource).map(([y, source]) => generateAttestationNumber(y, source));

/** The checksum rule recomputed from its definition: Σ i·vᵢ ≡ 0 (mod 31) over year + symbols. */
function checksumHolds(formatted: string): boolean {
  const compact = formatted.replaceAll('-', '').slice('AIPR'.length);
  const values = [...compact].map((c, i) => (i < 4 ? Number(c) : TOKEN_ALPHABET.indexOf(c)));
  return values.reduce((sum, v, i) => sum + (i + 1) * v, 0) % 31 === 0;
}

/** Positions of the characters that carry meaning in the printed form (not the dashes). */
function meaningfulPositions(formatted: string): number[] {
  return [...formatted].flatMap((c, i) => (c === '-' ? [] : [i]));
}

const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

t.test('entropy of the random part', async (t) => {
  t.ok(ATTESTATION_ENTROPY_BITS >= 60, `${ATTESTATION_ENTROPY_BITS} bits ≥ 60`);
  t.ok(Math.abs(ATTESTATION_ENTROPY_BITS - 15 * Math.log2(31)) < 1e-9);
});

t.test('generated numbers: shape, year, checksum', async (t) => {
  fc.assert(
    fc.property(year, byteSource, (y, source) => {
      const number = generateAttestationNumber(y, source);
      return SHAPE.test(number) && number.startsWith(`AIPR-${y}-`) && checksumHolds(number);
    }),
  );
  for (let i = 0; i < 1000; i += 1) {
    const number = generateAttestationNumber(2026);
    if (!SHAPE.test(number) || !checksumHolds(number)) t.fail(number);
  }
  t.pass('with the crypto source too');
});

t.test('a known number, worked out by hand', async (t) => {
  // Year 2026 → 1·2 + 2·0 + 3·2 + 4·6 = 32 ≡ 1; fifteen '2' symbols are worth 0; the check at
  // weight 20 must bring the sum to 0 mod 31: 20·c ≡ 30, c = 17, the symbol 'K'.
  t.equal(
    generateAttestationNumber(2026, (size) => Buffer.alloc(size, 0)),
    'AIPR-2026-2222-2222-2222-222K',
  );
  t.equal(normalizeAttestationNumber('AIPR-2026-2222-2222-2222-222K'), 'AIPR-2026-2222-2222-2222-222K');
  t.equal(normalizeAttestationNumber('AIPR-2026-2222-2222-2222-222J'), null);
});

t.test('distinct numbers over 20 000 draws', async (t) => {
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i += 1) seen.add(generateAttestationNumber(2026));
  t.equal(seen.size, 20_000);
});

t.test('year must have four digits', async (t) => {
  for (const bad of [999, 10_000, 0, -2026, 2026.5, Number.NaN]) {
    t.throws(() => generateAttestationNumber(bad), RangeError, `refuses ${bad}`);
  }
  t.match(generateAttestationNumber(1000), /^AIPR-1000-/);
  t.match(generateAttestationNumber(9999), /^AIPR-9999-/);
});

t.test('normalize round trip: printed, typed in any case, spaced, dashed, without prefix', async (t) => {
  const separators = [' ', '-', '\u00A0', '\u2013', '_', ''];
  fc.assert(fc.property(attestation, (number) => normalizeAttestationNumber(number) === number));
  fc.assert(
    fc.property(attestation, fc.infiniteStream(fc.tuple(fc.boolean(), fc.constantFrom(...separators))), fc.boolean(), (number, choices, dropPrefix) => {
      const compact = number.replaceAll('-', '').slice(dropPrefix ? 4 : 0);
      const it = choices[Symbol.iterator]();
      const typed = [...compact]
        .map((c) => {
          const [lower, sep] = it.next().value as [boolean, string];
          return (lower ? c.toLowerCase() : c) + sep;
        })
        .join('');
      return normalizeAttestationNumber(` ${typed} `) === number;
    }),
  );
  t.equal(normalizeAttestationNumber('aipr 2026 2222 2222 2222 222k'), 'AIPR-2026-2222-2222-2222-222K');
  t.equal(normalizeAttestationNumber('2026-2222-2222-2222-222K'), 'AIPR-2026-2222-2222-2222-222K');
});

t.test('any single-character change is detected', async (t) => {
  const replacements = [...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  fc.assert(
    fc.property(attestation, (number) =>
      meaningfulPositions(number).every((i) =>
        replacements.filter((c) => c !== number[i]).every((c) => normalizeAttestationNumber(replaceAt(number, i, c)) === null),
      ),
    ),
    { numRuns: 50 },
  );
  t.pass('every position, every other letter or digit');
});

t.test('any swap of two adjacent characters is detected', async (t) => {
  fc.assert(
    fc.property(attestation, (number) => {
      // Adjacent as typed: the dashes are not characters of the number.
      const chars = [...number.replaceAll('-', '')];
      for (let i = 0; i + 1 < chars.length; i += 1) {
        if (chars[i] === chars[i + 1]) continue;
        const swapped = [...chars];
        [swapped[i], swapped[i + 1]] = [chars[i + 1]!, chars[i]!];
        if (normalizeAttestationNumber(swapped.join('')) !== null) return false;
      }
      return true;
    }),
  );
  t.pass('every adjacent pair');
});

t.test('normalize refuses malformed numbers', async (t) => {
  const good = 'AIPR-2026-2222-2222-2222-222K';
  for (const bad of [
    '',
    'AIPR',
    'AIPR-2026',
    'AIPR-2026-2222-2222-2222-222', // check symbol missing
    'AIPR-2026-2222-2222-2222-222K-2', // one symbol too many
    'AIPR-26-2222-2222-2222-222K',
    'AIPS-2026-2222-2222-2222-222K',
    'AIPR-AIPR-2026-2222-2222-2222-222K',
    'AIPR-2026-2222-2222-2222-222K.',
    'AIPR-2026-2222-2222-2O22-222K', // look-alike O
    'AIPR-2026-2222-2222-2022-222K', // look-alike 0
    'AIPR-2026-\uFF12222-2222-2222-222K', // full-width 2
    'AIPR-2O26-2222-2222-2222-222K',
  ]) {
    t.equal(normalizeAttestationNumber(bad), null, `refuses ${JSON.stringify(bad)}`);
  }
  t.not(normalizeAttestationNumber(good), null);
});

t.test('a year below 1000 is refused even with a matching check symbol', async (t) => {
  // 0999: 1·0 + 2·9 + 3·9 + 4·9 = 81 ≡ 19; 20·c ≡ 12, c = 12·14 mod 31 = 13, the symbol 'F'.
  const candidate = 'AIPR-0999-2222-2222-2222-222F';
  t.ok(checksumHolds(candidate), 'the check symbol does match');
  t.equal(normalizeAttestationNumber(candidate), null);
});

t.test('normalize output is a valid printed number or null, for any string', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), (input) => {
      const result = normalizeAttestationNumber(input);
      return result === null || (SHAPE.test(result) && checksumHolds(result));
    }),
  );
  t.pass('holds');
});
