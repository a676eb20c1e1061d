import t from 'tap';
import fc from 'fast-check';
import { SIRET_CHECKSUM_MESSAGE, SIRET_LENGTH_MESSAGE, isValidSiret, normalizeSiret, sharedSiretMessage, siretError } from '../../src/domain/siret.js';

// An independent Luhn, written from the definition (double every other digit starting from
// the second-to-last, subtract 9 above 9, total divisible by 10), so that the fixtures below
// are checked by the test itself rather than taken on trust.
function luhnTotal(digits: string): number {
  return [...digits]
    .reverse()
    .map(Number)
    .map((d, i) => (i % 2 === 0 ? d : d * 2 > 9 ? d * 2 - 9 : d * 2))
    .reduce((a, b) => a + b, 0);
}
const passesLuhn = (digits: string) => luhnTotal(digits) % 10 === 0;
const digitSum = (digits: string) => [...digits].map(Number).reduce((a, b) => a + b, 0);

const VALID = ['73282932000074', '55210055400013'];
const LA_POSTE_HEAD_OFFICE = '35600000000048';
const LA_POSTE_ESTABLISHMENTS = ['35600000049837', '35600000000001', '35600000000010'];

/** 13 digits, then the one digit that completes the Luhn key. */
const luhnSiret = fc
  .array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 13 })
  .map((digits) => digits.join(''))
  .filter((prefix) => !prefix.startsWith('356000000'))
  .map((prefix) => {
    for (let d = 0; d <= 9; d += 1) if (passesLuhn(prefix + d)) return prefix + d;
    throw new Error('unreachable: some digit always completes a Luhn key');
  });

t.test('known valid SIRETs pass, and pass Luhn', async (t) => {
  for (const siret of VALID) {
    t.ok(passesLuhn(siret), `${siret}: Luhn total ${luhnTotal(siret)}`);
    t.ok(isValidSiret(siret), siret);
    t.equal(normalizeSiret(siret), siret);
    t.equal(siretError(siret), null);
  }
});

t.test('La Poste head office: ordinary Luhn key', async (t) => {
  t.ok(passesLuhn(LA_POSTE_HEAD_OFFICE), 'passes Luhn');
  t.not(digitSum(LA_POSTE_HEAD_OFFICE) % 5, 0, 'digit sum 26 is not a multiple of 5');
  t.ok(isValidSiret(LA_POSTE_HEAD_OFFICE));
  t.equal(siretError('356 000 000 00048'), null);
});

t.test('La Poste establishments: digit sum multiple of 5 instead of Luhn', async (t) => {
  for (const siret of LA_POSTE_ESTABLISHMENTS) {
    t.notOk(passesLuhn(siret), `${siret} fails Luhn`);
    t.equal(digitSum(siret) % 5, 0, `${siret} digit sum ${digitSum(siret)}`);
    t.ok(isValidSiret(siret), `${siret} valid`);
  }
  // Passes Luhn, but La Poste establishments do not use Luhn: digit sum 14.
  t.ok(passesLuhn('35600000000014'));
  t.equal(siretError('35600000000014'), SIRET_CHECKSUM_MESSAGE);
  // The exception belongs to La Poste's SIREN only: elsewhere a multiple of 5 proves nothing.
  t.equal(digitSum('73282932000004') % 5, 0);
  t.notOk(passesLuhn('73282932000004'));
  t.equal(siretError('73282932000004'), SIRET_CHECKSUM_MESSAGE);
});

t.test('La Poste rule over every NIC', async (t) => {
  for (let nic = 0; nic <= 99_999; nic += 1) {
    const siret = `356000000${String(nic).padStart(5, '0')}`;
    const expected = siret === LA_POSTE_HEAD_OFFICE || digitSum(siret) % 5 === 0;
    if (isValidSiret(siret) !== expected) {
      t.fail(`${siret}: expected ${expected}`);
      return;
    }
  }
  t.pass('all 100 000 La Poste SIRETs');
});

t.test('spaces are ignored, other punctuation is not', async (t) => {
  t.equal(normalizeSiret('732 829 320 00074'), '73282932000074');
  t.equal(normalizeSiret('732\u00A0829\u00A0320\u00A000074'), '73282932000074', 'no-break spaces');
  t.equal(normalizeSiret('732\u202F829\u202F320\u202F00074'), '73282932000074', 'narrow no-break');
  t.equal(normalizeSiret('  73282932000074\n'), '73282932000074');
  t.ok(isValidSiret('552 100 554 00013'));
  for (const bad of ['732.829.320.00074', '732-829-320-00074', '732829320/00074']) {
    t.equal(normalizeSiret(bad), null, bad);
    t.equal(siretError(bad), SIRET_LENGTH_MESSAGE, bad);
  }
});

t.test('wrong length or non-digits', async (t) => {
  for (const bad of [
    '',
    '   ',
    '7328293200007', // 13
    '732829320000740', // 15
    '732829320', // a SIREN alone
    '7328293200007A',
    'ABCDEFGHIJKLMN',
    '７３２８２９３２０００７４', // full-width digits
    '٧٣٢٨٢٩٣٢٠٠٠٠٧٤', // Arabic-Indic digits
  ]) {
    t.notOk(isValidSiret(bad), JSON.stringify(bad));
    t.equal(normalizeSiret(bad), null);
    t.equal(siretError(bad), SIRET_LENGTH_MESSAGE, JSON.stringify(bad));
  }
});

t.test('wrong check key', async (t) => {
  for (const bad of ['73282932000075', '55210055400014', '12345678901234', '73282932000047']) {
    t.notOk(passesLuhn(bad), `${bad} fails Luhn`);
    t.notOk(isValidSiret(bad));
    t.equal(siretError(bad), 'Ce numéro SIRET n’est pas valide (clé de contrôle incorrecte).');
  }
  t.equal(SIRET_LENGTH_MESSAGE, 'Le SIRET doit comporter 14 chiffres.');
});

t.test('any number completed with its Luhn key is valid', async (t) => {
  fc.assert(fc.property(luhnSiret, (siret) => isValidSiret(siret) && siretError(siret) === null));
  t.pass('holds');
});

t.test('any single-digit typo is caught', async (t) => {
  fc.assert(
    fc.property(luhnSiret, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 1, max: 9 }), (siret, position, shift) => {
      const digit = (Number(siret[position]) + shift) % 10;
      const typo = siret.slice(0, position) + digit + siret.slice(position + 1);
      return typo.startsWith('356000000') || siretError(typo) === SIRET_CHECKSUM_MESSAGE;
    }),
  );
  t.pass('holds');
});

t.test('the three functions agree on every input', async (t) => {
  const digitsAndSpaces = fc
    .array(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ' ', '\u00A0'), {
      maxLength: 20,
    })
    .map((chars) => chars.join(''));
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 20 }), digitsAndSpaces, luhnSiret), (input) => {
      const normalized = normalizeSiret(input);
      const error = siretError(input);
      return (
        (normalized !== null) === isValidSiret(input) && (normalized === null) === (error !== null) && (normalized === null || /^[0-9]{14}$/.test(normalized))
      );
    }),
  );
  t.pass('holds');
});

t.test('a SIRET already known: the message names each centre by its ID and name, and says how to keep it', async (t) => {
  const then = 'S’il s’agit d’un autre site de la même entreprise, cochez « Autre site de la même entreprise » et indiquez pourquoi.';
  t.equal(
    sharedSiretMessage([{ id: 1, name: 'Centre de démonstration AIPR' }]),
    `Ce SIRET est déjà celui du centre centre0001 — Centre de démonstration AIPR. ${then}`,
  );
  t.equal(
    sharedSiretMessage([
      { id: 1, name: 'Centre A' },
      { id: 42, name: 'Centre B' },
    ]),
    `Ce SIRET est déjà celui des centres centre0001 — Centre A et centre0042 — Centre B. ${then}`,
  );
  t.equal(
    sharedSiretMessage([
      { id: 1, name: 'A' },
      { id: 2, name: 'B' },
      { id: 1234, name: 'C' },
    ]),
    `Ce SIRET est déjà celui des centres centre0001 — A, centre0002 — B et centre1234 — C. ${then}`,
  );
});
