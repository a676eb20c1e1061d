import t from 'tap';
import fc from 'fast-check';
import {
  ADMISSION_CODE_LENGTH,
  ADMISSION_CODE_VALIDITY_MS,
  admissionCodeExpiry,
  formatAdmissionCode,
  generateAdmissionCode,
  normalizeAdmissionCode,
} from '../../src/domain/admission-code.js';
import { TOKEN_ALPHABET } from '../../src/domain/token-code.js';

t.test('a code is 8 symbols of the token alphabet, shown in two groups', async (t) => {
  const code = generateAdmissionCode();
  t.match(code, new RegExp(`^[${TOKEN_ALPHABET}]{${ADMISSION_CODE_LENGTH}}$`));
  t.match(formatAdmissionCode(code), /^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  t.throws(() => formatAdmissionCode('K7QF93M'), TypeError, 'never shows a code that cannot work');
  t.throws(() => formatAdmissionCode('K7QF93M0'), TypeError);
  const seen = new Set(Array.from({ length: 200 }, () => generateAdmissionCode()));
  t.equal(seen.size, 200, 'random codes do not repeat');
});

t.test('entry: case, spaces and dashes do not matter; look-alikes and other characters are refused', async (t) => {
  t.equal(normalizeAdmissionCode(' k7qf-93mw '), 'K7QF93MW');
  t.equal(normalizeAdmissionCode('K7QF 93MW'), 'K7QF93MW');
  t.equal(normalizeAdmissionCode('K7QF\u201393MW'), 'K7QF93MW', 'an en dash from autocorrect');
  t.equal(normalizeAdmissionCode('K7QF93M0'), null, 'a zero is not in the alphabet');
  t.equal(normalizeAdmissionCode('K7QF93M'), null, 'too short');
  t.equal(normalizeAdmissionCode('K7QF93MWX'), null, 'too long');
  t.equal(normalizeAdmissionCode(''), null);
});

t.test('property: what is shown is read back as the same code', async () => {
  const symbol = fc.constantFrom(...TOKEN_ALPHABET);
  fc.assert(
    fc.property(fc.array(symbol, { minLength: 8, maxLength: 8 }), (symbols) => {
      const code = symbols.join('');
      return normalizeAdmissionCode(formatAdmissionCode(code)) === code && normalizeAdmissionCode(formatAdmissionCode(code).toLowerCase()) === code;
    }),
  );
});

t.test('a code admits for an hour', async (t) => {
  const now = new Date('2026-12-07T09:00:00Z');
  t.equal(admissionCodeExpiry(now).toISOString(), '2026-12-07T10:00:00.000Z');
  t.equal(admissionCodeExpiry(now).getTime() - now.getTime(), ADMISSION_CODE_VALIDITY_MS);
});
