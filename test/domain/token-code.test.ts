import t from 'tap';
import fc from 'fast-check';
import {
  TOKEN_ALPHABET,
  TOKEN_ENTROPY_BITS,
  TOKEN_LENGTH,
  drawSymbols,
  formatTokenCode,
  generateTokenCode,
  isTokenCode,
  normalizeTokenEntry,
  type RandomBytes,
} from '../../src/domain/token-code.js';

const ALPHABET = [...TOKEN_ALPHABET];
const LOOK_ALIKES = ['0', 'O', 'o', '1', 'I', 'i', 'L', 'l'];
const SEPARATORS = [
  ' ',
  '\u00A0', // no-break space
  '\u202F', // narrow no-break space (French typography)
  '\t',
  '-',
  '\u2010', // hyphen
  '\u2011', // non-breaking hyphen
  '\u2013', // en dash
  '\u2014', // em dash
  '\u2212', // minus sign
  '_',
];

/** A scripted source: serves `bytes` in order, then zeros forever, and records each request. */
function scriptedSource(bytes: readonly number[]): { source: RandomBytes; requests: number[] } {
  let position = 0;
  const requests: number[] = [];
  const source: RandomBytes = (size) => {
    requests.push(size);
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) out[i] = bytes[position++] ?? 0;
    return out;
  };
  return { source, requests };
}

/** Serves 0, 1, …, 255, 0, 1, … : every byte value equally often. */
function cyclingSource(): { source: RandomBytes; served: () => number } {
  let next = 0;
  let served = 0;
  const source: RandomBytes = (size) => {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) {
      out[i] = next;
      next = (next + 1) % 256;
    }
    served += size;
    return out;
  };
  return { source, served: () => served };
}

const canonicalCode = fc.array(fc.constantFrom(...ALPHABET), { minLength: TOKEN_LENGTH, maxLength: TOKEN_LENGTH }).map((symbols) => symbols.join(''));

/** The code as a candidate might type it: any case, separators anywhere. */
const typedVariant = (code: string) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: code.length, maxLength: code.length }),
      fc.array(fc.array(fc.constantFrom(...SEPARATORS), { maxLength: 3 }), {
        minLength: code.length + 1,
        maxLength: code.length + 1,
      }),
    )
    .map(([lower, seps]) => {
      let typed = seps[0]!.join('');
      [...code].forEach((c, i) => {
        typed += (lower[i] ? c.toLowerCase() : c) + seps[i + 1]!.join('');
      });
      return typed;
    });

t.test('alphabet', async (t) => {
  t.equal(TOKEN_ALPHABET, '23456789ABCDEFGHJKMNPQRSTUVWXYZ');
  t.equal(new Set(ALPHABET).size, ALPHABET.length, 'no symbol appears twice');
  t.ok(ALPHABET.length >= 28 && ALPHABET.length <= 32, `${ALPHABET.length} symbols`);
  for (const c of ['0', 'O', '1', 'I', 'L']) t.notOk(TOKEN_ALPHABET.includes(c), `no ${c}`);
  t.match(TOKEN_ALPHABET, /^[2-9A-Z]+$/, 'uppercase ASCII letters and digits only');
});

t.test('entropy', async (t) => {
  t.equal(TOKEN_LENGTH, 12);
  t.ok(TOKEN_ENTROPY_BITS >= 50, `${TOKEN_ENTROPY_BITS} bits ≥ 50`);
  t.ok(TOKEN_ENTROPY_BITS >= 58, `${TOKEN_ENTROPY_BITS} bits ≥ 58`);
  // log2 of the number of distinct codes, computed without floating-point shortcuts.
  t.ok(Math.abs(TOKEN_ENTROPY_BITS - Math.log2(31 ** 12)) < 1e-9);
});

t.test('generateTokenCode with the default crypto source', async (t) => {
  for (let i = 0; i < 2000; i += 1) {
    const code = generateTokenCode();
    if (!/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{12}$/.test(code)) {
      t.fail(`bad code ${code}`);
      return;
    }
  }
  t.pass('2000 codes of 12 alphabet symbols');
});

t.test('100 000 generated codes are all distinct and use every symbol evenly', async (t) => {
  const count = 100_000;
  const codes = new Set<string>();
  const frequency = new Map<string, number>();
  for (let i = 0; i < count; i += 1) {
    const code = generateTokenCode();
    codes.add(code);
    for (const c of code) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  }
  t.equal(codes.size, count);
  t.same([...frequency.keys()].sort(), [...ALPHABET].sort(), 'every symbol is used');
  // Expected 38 710 per symbol, standard deviation ≈ 194: ±5 % is about ten deviations, so
  // chance alone never fails this, while a plain `byte % 31` would (+9 % for the first eight
  // symbols). Smaller biases are the job of the exact test with a scripted source below.
  const expected = (count * TOKEN_LENGTH) / ALPHABET.length;
  for (const [symbol, n] of frequency) {
    if (Math.abs(n - expected) > expected * 0.05) t.fail(`${symbol}: ${n} vs ${expected}`);
  }
});

t.test('rejection sampling: output is exactly the accepted bytes, mapped', async (t) => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }), (bytes) => {
      const { source } = scriptedSource(bytes);
      const expected = [...bytes.filter((b) => b < 248), ...Array<number>(TOKEN_LENGTH).fill(0)]
        .slice(0, TOKEN_LENGTH)
        .map((b) => TOKEN_ALPHABET[b % 31])
        .join('');
      return generateTokenCode(source) === expected;
    }),
  );
  t.pass('holds for any byte stream');
});

t.test('bytes 248–255 are rejected, not folded onto the first symbols', async (t) => {
  const { source } = scriptedSource([248, 249, 250, 251, 252, 253, 254, 255, 30, 31, 247]);
  // 30 → 'Z' (last symbol), 31 → '2' (wraps), 247 = 7·31 + 30 → 'Z', then zeros → '2'.
  t.equal(generateTokenCode(source), 'Z2Z222222222');
});

t.test('no modulo bias: every byte value once → every symbol equally often', async (t) => {
  // 62 codes · 12 symbols = 744 symbols = 3 · 248 accepted bytes: three cycles of 0…255, the
  // last one stopping at 247 since no byte is drawn and then discarded.
  const { source, served } = cyclingSource();
  const frequency = new Map<string, number>();
  for (let i = 0; i < 62; i += 1) {
    for (const c of generateTokenCode(source)) frequency.set(c, (frequency.get(c) ?? 0) + 1);
  }
  t.equal(served(), 2 * 256 + 248, 'no byte drawn beyond the last accepted one');
  t.equal(frequency.size, 31);
  t.same(new Set(frequency.values()), new Set([24]), 'each symbol exactly 24 times');
});

t.test('asks the source only for the symbols still missing', async (t) => {
  const { source, requests } = scriptedSource([255, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0]);
  generateTokenCode(source);
  // 12 bytes with 2 rejected → 2 more, one of them rejected → 1 more.
  t.same(requests, [12, 2, 1]);
});

t.test('a broken random source fails loudly instead of looping', async (t) => {
  t.throws(() => generateTokenCode((size) => Buffer.alloc(size, 0xff)));
  t.throws(() => generateTokenCode(() => Buffer.alloc(0)));
});

t.test('drawSymbols rejects alphabets it cannot sample', async (t) => {
  t.throws(() => drawSymbols(4, undefined, 'A'), RangeError);
  t.throws(() => drawSymbols(4, undefined, 'x'.repeat(257)), RangeError);
  t.equal(drawSymbols(0), '');
});

t.test('formatTokenCode', async (t) => {
  t.equal(formatTokenCode('K7QF93MWXT4P'), 'K7QF-93MW-XT4P');
  fc.assert(
    fc.property(canonicalCode, (code) => {
      const formatted = formatTokenCode(code);
      return /^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/.test(formatted) && formatted.replaceAll('-', '') === code;
    }),
  );
  for (const bad of ['k7qf93mwxt4p', 'K7QF93MWXT4', 'K7QF93MWXT4PP', 'K7QF-93MW-XT4P', 'K7QF93MWXT4O', '']) {
    t.throws(() => formatTokenCode(bad), TypeError, `refuses ${JSON.stringify(bad)}`);
  }
});

t.test('normalizeTokenEntry: round trips', async (t) => {
  fc.assert(fc.property(canonicalCode, (code) => normalizeTokenEntry(formatTokenCode(code)) === code));
  fc.assert(fc.property(canonicalCode, (code) => normalizeTokenEntry(code) === code));
  fc.assert(
    fc.property(
      canonicalCode.chain((code) => fc.tuple(fc.constant(code), typedVariant(code))),
      ([code, typed]) => normalizeTokenEntry(typed) === code,
    ),
  );
  t.equal(normalizeTokenEntry(' k7qf 93mw\u00A0xt4p '), 'K7QF93MWXT4P');
  t.equal(normalizeTokenEntry('K7QF\u201393MW\u2212XT4P'), 'K7QF93MWXT4P', 'en dash, minus sign');
  t.equal(normalizeTokenEntry('k7qf_93mw_xt4p'), 'K7QF93MWXT4P');
});

t.test('normalizeTokenEntry: output is canonical or null, and idempotent', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 30 }), (input) => {
      const result = normalizeTokenEntry(input);
      return result === null || (isTokenCode(result) && normalizeTokenEntry(result) === result);
    }),
  );
  t.pass('holds for any string');
});

t.test('normalizeTokenEntry refuses look-alikes instead of guessing', async (t) => {
  fc.assert(
    fc.property(canonicalCode, fc.integer({ min: 0, max: TOKEN_LENGTH - 1 }), fc.constantFrom(...LOOK_ALIKES), (code, position, lookAlike) => {
      const typed = code.slice(0, position) + lookAlike + code.slice(position + 1);
      return normalizeTokenEntry(typed) === null;
    }),
  );
  t.equal(normalizeTokenEntry('K7QF-93MW-XT40'), null);
  t.equal(normalizeTokenEntry('K7QF-93MW-XT4O'), null);
  t.equal(normalizeTokenEntry('K7QF-93MW-XT41'), null);
  t.equal(normalizeTokenEntry('K7QF-93MW-XT4l'), null);
  t.equal(normalizeTokenEntry('K7QF-93MW-XT4I'), null);
});

t.test('normalizeTokenEntry refuses wrong lengths and foreign characters', async (t) => {
  for (const bad of [
    '',
    '   ',
    'K7QF-93MW-XT4',
    'K7QF-93MW-XT4PP',
    'K7QF-93MW-XT4P-K7QF',
    'K7QF.93MW.XT4P', // dots are not a separator a printed code suggests
    'K7QF-93MW-XT4É',
    '\uFF2B7QF-93MW-XT4P', // full-width K
    'K7QF-93MW-XT4ß', // 'ß'.toUpperCase() is 'SS': must not sneak in as two symbols
    'K7QF-93MW-XTßP',
    'K7QF-93MW-XT4\u212A', // Kelvin sign, lowercases to k
  ]) {
    t.equal(normalizeTokenEntry(bad), null, `refuses ${JSON.stringify(bad)}`);
  }
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...ALPHABET), { maxLength: 30 }).filter((a) => a.length !== 12),
      (symbols) => normalizeTokenEntry(symbols.join('')) === null,
    ),
  );
});
