import t from 'tap';
import fc from 'fast-check';
import {
  CODE_STEP_MAX_FAILURES,
  CODE_STEP_VALIDITY_MS,
  ENROLMENT_VALIDITY_MS,
  FEW_RECOVERY_CODES,
  RECOVERY_CODE_COUNT,
  RECOVERY_CODE_LENGTH,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_TOLERANCE_SECONDS,
  formatRecoveryCode,
  formatTotpSecret,
  generateRecoveryCodes,
  readTypedCode,
  secondFactorRequired,
} from '../../src/domain/second-factor.js';
import { TOKEN_ALPHABET, type RandomBytes } from '../../src/domain/token-code.js';

const ALPHABET = [...TOKEN_ALPHABET];
const RECOVERY_SHAPE = new RegExp(`^[${TOKEN_ALPHABET}]{10}$`);
/** What authenticator apps and copy-paste put between the digits: spaces, no-break spaces, tabs, newlines. */
const WHITESPACE = [' ', '\u00A0', '\u202F', '\t', '\n'];
/** What may separate the symbols of a recovery code as typed: whitespace and the dashes a keyboard or an autocorrect produce. */
const SEPARATORS = [...WHITESPACE, '-', '\u2010', '\u2011', '\u2013', '\u2014', '\u2212', '_'];

/** Serves the scripted calls in order (each call's bytes, sized as asked), then 0, 1, 2, … */
function scriptedSource(calls: number[][]): { source: RandomBytes; requests: number[] } {
  const requests: number[] = [];
  let next = 0;
  const source: RandomBytes = (size) => {
    requests.push(size);
    const scripted = calls.shift();
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i += 1) {
      if (scripted) out[i] = scripted[i] ?? 0;
      else {
        out[i] = next;
        next = (next + 1) % 248;
      }
    }
    return out;
  };
  return { source, requests };
}

/** The symbols the alphabet gives the bytes `from` … `from + 9` (all below 248, so none is rejected). */
const symbolsOf = (from: number) => Array.from({ length: RECOVERY_CODE_LENGTH }, (_, i) => ALPHABET[(from + i) % ALPHABET.length]).join('');

t.test('the settings are the ones authenticator apps use, and the ones the pages announce', async (t) => {
  t.equal(TOTP_DIGITS, 6);
  t.equal(TOTP_PERIOD_SECONDS, 30);
  t.equal(TOTP_TOLERANCE_SECONDS, 30, 'one step either side');
  t.equal(RECOVERY_CODE_COUNT, 10);
  t.equal(RECOVERY_CODE_LENGTH, 10);
  t.ok(RECOVERY_CODE_LENGTH * Math.log2(ALPHABET.length) >= 49, 'a recovery code carries at least 49 random bits');
  t.equal(FEW_RECOVERY_CODES, 3);
  t.equal(CODE_STEP_VALIDITY_MS, 5 * 60_000);
  t.equal(CODE_STEP_MAX_FAILURES, 5);
  t.equal(ENROLMENT_VALIDITY_MS, 15 * 60_000);
});

t.test('secondFactorRequired: national administrators must have one, managers may', async (t) => {
  t.equal(secondFactorRequired('admin'), true);
  t.equal(secondFactorRequired('manager'), false);
});

t.test('readTypedCode reads six digits, whatever whitespace the app or the clipboard put in them', async (t) => {
  for (const typed of ['123456', '123 456', ' 123 456 ', '123\u00A0456', '123\u202F456', '\t123456\n', '1 2 3 4 5 6']) {
    t.same(readTypedCode(typed), { kind: 'totp', code: '123456' }, JSON.stringify(typed));
  }
  t.same(readTypedCode('000000'), { kind: 'totp', code: '000000' }, 'zeros and ones are digits of a code, not look-alikes');
  t.same(readTypedCode('101 010'), { kind: 'totp', code: '101010' });
});

t.test('readTypedCode refuses five or seven digits', async (t) => {
  for (const typed of ['12345', '123 45', '1234567', '123 4567', '0', '12345678']) {
    t.equal(readTypedCode(typed), null, JSON.stringify(typed));
  }
});

t.test('readTypedCode reads a recovery code in any case, with dashes or spaces', async (t) => {
  const canonical = 'K7QF93MWX2';
  for (const typed of ['K7QF93MWX2', 'K7QF9-3MWX2', 'k7qf9-3mwx2', 'k7qF9 3Mwx2', ' K7QF9 – 3MWX2 ', 'K7QF9\u00A03MWX2', 'K7-QF-93-MW-X2', 'k7qf9_3mwx2']) {
    t.same(readTypedCode(typed), { kind: 'recovery', code: canonical }, JSON.stringify(typed));
  }
  t.same(readTypedCode('23456-78923'), { kind: 'recovery', code: '2345678923' }, 'ten symbols that happen to be digits are a recovery code, not a TOTP');
});

t.test('readTypedCode refuses the look-alikes 0, O, 1, I, L in a recovery code rather than guessing', async (t) => {
  for (const lookAlike of ['0', 'O', 'o', '1', 'I', 'i', 'L', 'l']) {
    t.equal(readTypedCode(`K7QF9-3MWX${lookAlike}`), null, `a recovery code with ${lookAlike}`);
  }
});

t.test('readTypedCode answers null to anything else', async (t) => {
  const others = [
    '',
    '   ',
    'abc',
    'K7QF9-3MWX', // nine symbols
    'K7QF9-3MWX2A', // eleven
    '12345a',
    '１２３４５６', // full-width digits
    '١٢٣٤٥٦', // Arabic-Indic digits
    'K7QF9-3MWXÉ',
    'K7QF9-3MWXß',
    '1234567890', // ten digits, two of them not in the alphabet
    '<script>',
  ];
  for (const typed of others) t.equal(readTypedCode(typed), null, JSON.stringify(typed));
});

t.test('generateRecoveryCodes with the crypto source: ten distinct codes of ten symbols of the alphabet', async (t) => {
  for (let round = 0; round < 50; round += 1) {
    const codes = generateRecoveryCodes();
    t.equal(codes.length, RECOVERY_CODE_COUNT);
    t.equal(new Set(codes).size, RECOVERY_CODE_COUNT, 'no code twice');
    for (const code of codes) t.match(code, RECOVERY_SHAPE);
  }
  t.not(generateRecoveryCodes().join(), generateRecoveryCodes().join(), 'another enrolment, other codes');
});

t.test('generateRecoveryCodes is a function of the random bytes: a scripted source gives known codes', async (t) => {
  const first = scriptedSource([]);
  const codes = generateRecoveryCodes(first.source);
  t.same(
    codes,
    Array.from({ length: RECOVERY_CODE_COUNT }, (_, i) => symbolsOf(i * RECOVERY_CODE_LENGTH)),
    'the bytes 0…99 give the symbols 0…99 of the alphabet, ten by ten',
  );
  t.same(first.requests, Array(RECOVERY_CODE_COUNT).fill(RECOVERY_CODE_LENGTH), 'ten bytes asked per code, none drawn in vain');
  t.same(generateRecoveryCodes(scriptedSource([]).source), codes, 'the same bytes, the same codes');
});

t.test('generateRecoveryCodes draws again when the source repeats a code: still ten distinct', async (t) => {
  const same = Array.from({ length: RECOVERY_CODE_LENGTH }, (_, i) => 200 + i);
  const { source, requests } = scriptedSource([same, same, same]);
  const codes = generateRecoveryCodes(source);
  t.equal(codes.length, RECOVERY_CODE_COUNT);
  t.equal(new Set(codes).size, RECOVERY_CODE_COUNT);
  t.equal(codes[0], symbolsOf(200));
  t.equal(codes.filter((c) => c === symbolsOf(200)).length, 1, 'the repeated code is kept once');
  t.equal(codes[1], symbolsOf(0), 'the draw goes on with the next bytes');
  t.equal(requests.length, RECOVERY_CODE_COUNT + 2, 'two more draws for the two repeats');
});

t.test('formatRecoveryCode shows two groups of five', async (t) => {
  t.equal(formatRecoveryCode('K7QF93MWX2'), 'K7QF9-3MWX2');
  t.equal(formatRecoveryCode('2345678923'), '23456-78923');
});

t.test('formatTotpSecret shows the secret in groups of four, with no space at either end', async (t) => {
  t.equal(formatTotpSecret('JBSWY3DPEHPK3PXP'), 'JBSW Y3DP EHPK 3PXP');
  t.equal(formatTotpSecret('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'), 'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ', 'a 160-bit secret: eight groups');
  t.equal(formatTotpSecret('ABCDEFG'), 'ABCD EFG', 'the last group may be shorter');
  t.equal(formatTotpSecret('ABCD'), 'ABCD');
  t.equal(formatTotpSecret(''), '');
});

// ——— Properties ——————————————————————————————————————————————————————————————

const canonicalRecovery = fc
  .array(fc.constantFrom(...ALPHABET), { minLength: RECOVERY_CODE_LENGTH, maxLength: RECOVERY_CODE_LENGTH })
  .map((symbols) => symbols.join(''));

const sixDigits = fc.array(fc.constantFrom(...'0123456789'), { minLength: TOTP_DIGITS, maxLength: TOTP_DIGITS }).map((d) => d.join(''));

/** `text` with up to three of `separators` before, between and after its characters. */
const interleaved = (text: string, separators: string[]) =>
  fc.array(fc.array(fc.constantFrom(...separators), { maxLength: 3 }), { minLength: text.length + 1, maxLength: text.length + 1 }).map((gaps) => {
    let typed = gaps[0]!.join('');
    [...text].forEach((c, i) => {
      typed += c + gaps[i + 1]!.join('');
    });
    return typed;
  });

t.test('property: a recovery code as printed reads back as itself', async (t) => {
  fc.assert(
    fc.property(canonicalRecovery, (code) => {
      const read = readTypedCode(formatRecoveryCode(code));
      return read?.kind === 'recovery' && read.code === code;
    }),
    { numRuns: 1000 },
  );
  t.pass('1000 codes');
});

t.test('property: a recovery code typed in any case with separators anywhere reads as the canonical code', async (t) => {
  fc.assert(
    fc.property(
      canonicalRecovery
        .chain((code) =>
          fc.tuple(
            fc.constant(code),
            fc
              .array(fc.boolean(), { minLength: code.length, maxLength: code.length })
              .map((lower) => [...code].map((c, i) => (lower[i] ? c.toLowerCase() : c)).join('')),
          ),
        )
        .chain(([code, cased]) => fc.tuple(fc.constant(code), interleaved(formatRecoveryCode(cased), SEPARATORS))),
      ([code, typed]) => {
        t.same(readTypedCode(typed), { kind: 'recovery', code }, JSON.stringify(typed));
      },
    ),
    { numRuns: 300 },
  );
});

t.test('property: six digits with whitespace anywhere read as those six digits', async (t) => {
  fc.assert(
    fc.property(
      sixDigits.chain((code) => fc.tuple(fc.constant(code), interleaved(code, WHITESPACE))),
      ([code, typed]) => {
        const read = readTypedCode(typed);
        return read?.kind === 'totp' && read.code === code;
      },
    ),
    { numRuns: 1000 },
  );
  t.pass('1000 typed codes');
});

t.test('property: one digit too few or too many is never a code', async (t) => {
  const digits = (n: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: n, maxLength: n }).map((d) => d.join(''));
  fc.assert(
    fc.property(
      fc.oneof(digits(TOTP_DIGITS - 1), digits(TOTP_DIGITS + 1)).chain((code) => interleaved(code, WHITESPACE)),
      (typed) => readTypedCode(typed) === null,
    ),
    { numRuns: 500 },
  );
  t.pass('500 typed strings');
});

t.test('property: whatever is typed, the answer is null or a canonical code of one of the two kinds', async (t) => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.string({ unit: fc.constantFrom(...ALPHABET, ...'0123456789 -oOiIlL'), maxLength: 14 })), (typed) => {
      const read = readTypedCode(typed);
      if (read === null) return true;
      return read.kind === 'totp' ? /^\d{6}$/.test(read.code) : RECOVERY_SHAPE.test(read.code);
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 strings');
});

t.test('property: the grouped secret gives the secret back without its spaces, in groups of at most four', async (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'), maxLength: 64 }), (secret) => {
      const shown = formatTotpSecret(secret);
      const groups = shown === '' ? [] : shown.split(' ');
      return shown.replace(/ /g, '') === secret && groups.every((g, i) => (i < groups.length - 1 ? g.length === 4 : g.length >= 1 && g.length <= 4));
    }),
    { numRuns: 500 },
  );
  t.pass('500 secrets');
});
