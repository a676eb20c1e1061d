import t from 'tap';
import fc from 'fast-check';
import { readSignatoryForm, signatoryValues, type SignatoryForm } from '../../src/domain/centre-signatory.js';

/** fast-check's report when the property fails, null when it holds: asserted with t.equal(…, null). */
function failureOf<Ts>(property: fc.IProperty<Ts>, params?: fc.Parameters<Ts>): string | null {
  const details = fc.check(property, params);
  return details.failed ? (fc.defaultReportMessage(details) ?? 'property failed') : null;
}

const GOOD: SignatoryForm = { representant: 'Marie Curie', qualite: 'Directrice du centre de formation', ville: 'Lyon', telephone: '' };

const MISSING = {
  representant: 'Saisissez le prénom et le nom de la personne qui signe les attestations.',
  qualite: 'Saisissez la qualité du signataire, par exemple « Directeur du centre de formation ».',
  ville: 'Saisissez la ville où les attestations sont faites (« Fait à … »).',
};
const TOO_LONG = {
  representant: 'Le nom ne doit pas dépasser 120 caractères.',
  qualite: 'La qualité ne doit pas dépasser 120 caractères.',
  ville: 'La ville ne doit pas dépasser 120 caractères.',
};
const NAME_LETTERS = 'Le nom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.';
const TITLE_CHARACTERS = 'La qualité contient des caractères non autorisés.';
const TOWN_NAME = 'Saisissez un nom de ville, par exemple « Lyon » ou « Saint-Étienne ».';
const PHONE = 'Saisissez un numéro de téléphone valide, par exemple 01 23 45 67 89, ou laissez le champ vide.';

t.test('a complete form gives the fields to store', async (t) => {
  const result = readSignatoryForm(GOOD);
  t.same(result.errors, {});
  t.same(result.values, { representant: 'Marie Curie', qualite: 'Directrice du centre de formation', ville: 'Lyon', telephone: '' });
  t.same(result.fields, { representative_name: 'Marie Curie', representative_title: 'Directrice du centre de formation', town: 'Lyon', phone: null });
});

t.test('each required field missing has its French message, and only that field', async (t) => {
  for (const field of ['representant', 'qualite', 'ville'] as const) {
    for (const empty of [undefined, '', '   ', '\t\n']) {
      const result = readSignatoryForm({ ...GOOD, [field]: empty });
      t.same(result.errors, { [field]: MISSING[field] }, `${field}=${JSON.stringify(empty)}`);
      t.equal(result.fields, null);
    }
  }
  const nothing = readSignatoryForm(undefined);
  t.same(nothing.errors, MISSING, 'no body at all: the three required fields');
  t.same(nothing.values, { representant: '', qualite: '', ville: '', telephone: '' });
  t.equal(nothing.fields, null);
  t.same(readSignatoryForm({}).errors, MISSING);
});

t.test('values that are not text count as nothing typed', async (t) => {
  for (const notText of [null, 42, true, ['Marie Curie'], { name: 'Marie Curie' }]) {
    const result = readSignatoryForm({ representant: notText, qualite: notText, ville: notText, telephone: notText });
    t.same(result.errors, MISSING, `${JSON.stringify(notText)}: counted as empty`);
    t.same(result.values, { representant: '', qualite: '', ville: '', telephone: '' });
  }
});

t.test('length limits: 120 characters (code points) accepted, 121 refused', async (t) => {
  for (const field of ['representant', 'qualite', 'ville'] as const) {
    t.same(readSignatoryForm({ ...GOOD, [field]: 'a'.repeat(120) }).errors, {}, `${field}: 120 accepted`);
    t.same(readSignatoryForm({ ...GOOD, [field]: 'a'.repeat(121) }).errors, { [field]: TOO_LONG[field] }, `${field}: 121 refused`);
    // 120 letters outside the BMP are 240 UTF-16 units, still 120 characters.
    t.same(readSignatoryForm({ ...GOOD, [field]: '𝒜'.repeat(120) }).errors, {}, `${field}: counted in code points`);
  }
  // Collapsed before counting: a long run of spaces is one space.
  t.same(readSignatoryForm({ ...GOOD, representant: `${'a'.repeat(60)}${' '.repeat(200)}${'b'.repeat(59)}` }).errors, {});
});

t.test('allowed characters: names, titles and towns as they are written', async (t) => {
  for (const representant of ['Marie Curie', 'Jean-Pierre Lefèvre', "Anne d'Artagnan", 'Anne d’Artagnan', 'J. Martin', 'Zoé Ødegård', 'Nguyễn Văn An']) {
    t.same(readSignatoryForm({ ...GOOD, representant }).errors, {}, `${representant} accepted`);
  }
  for (const qualite of [
    'Directrice du centre de formation',
    'Directeur',
    'Responsable pédagogique (site 2)',
    'Gérant, SARL Dupont & Fils',
    'Chef d’agence Rhône/Alpes',
    "Directeur de l'agence 69-01",
  ]) {
    t.same(readSignatoryForm({ ...GOOD, qualite }).errors, {}, `${qualite} accepted`);
  }
  for (const ville of ['Lyon', 'Saint-Étienne', 'L’Haÿ-les-Roses', "L'Haÿ-les-Roses", 'Paris 15e', 'Marseille (13)', 'Évry-Courcouronnes', 'St. Malo']) {
    t.same(readSignatoryForm({ ...GOOD, ville }).errors, {}, `${ville} accepted`);
  }
});

t.test('refused characters, with the field’s message', async (t) => {
  const cases: [keyof SignatoryForm, string, string][] = [
    ['representant', '<b>Marie</b>', NAME_LETTERS],
    ['representant', 'Marie Curie 2', NAME_LETTERS],
    ['representant', '-Marie', NAME_LETTERS],
    ['representant', 'Marie 😀', NAME_LETTERS],
    ['representant', 'Marie "Curie"', NAME_LETTERS],
    ['qualite', 'Directeur <script>', TITLE_CHARACTERS],
    ['qualite', 'Directeur; DROP', TITLE_CHARACTERS],
    ['qualite', 'Directeur 😀', TITLE_CHARACTERS],
    ['qualite', 'Directeur {x}', TITLE_CHARACTERS],
    ['ville', '69003', TOWN_NAME],
    ['ville', '-Lyon', TOWN_NAME],
    ['ville', 'Lyon & Villeurbanne', TOWN_NAME],
    ['ville', 'Lyon, France', TOWN_NAME],
    ['ville', '<Lyon>', TOWN_NAME],
  ];
  for (const [field, value, message] of cases) {
    const result = readSignatoryForm({ ...GOOD, [field]: value });
    t.same(result.errors, { [field]: message }, `${field}=${JSON.stringify(value)} refused`);
    t.equal(result.fields, null);
  }
});

t.test('the telephone is optional; French numbers as people write them', async (t) => {
  for (const telephone of [undefined, '', '   ', null]) {
    const result = readSignatoryForm({ ...GOOD, telephone });
    t.same(result.errors, {});
    t.equal(result.fields?.phone, null, `${JSON.stringify(telephone)} → null`);
  }
  for (const telephone of ['01 23 45 67 89', '01.23.45.67.89', '0123456789', '+33 1 23 45 67 89', '+33123456789', '01-23-45-67-89', '04 (78) 12 34 56']) {
    const result = readSignatoryForm({ ...GOOD, telephone });
    t.same(result.errors, {}, `${telephone} accepted`);
    t.equal(result.fields?.phone, telephone, 'stored as typed');
  }
  for (const telephone of [
    'abc',
    '12',
    '01 23',
    '12345678',
    '01 23 45 67 8a',
    '(01) 23 45 67 89',
    '01 23 45 67 89 ext 2',
    '+33 1 23 45 67 89 00 11 22 33 44 55',
    '++33 1 23 45 67 89',
  ]) {
    t.same(readSignatoryForm({ ...GOOD, telephone }).errors, { telephone: PHONE }, `${JSON.stringify(telephone)} refused`);
  }
});

t.test('whitespace is collapsed and trimmed, text composed (NFC)', async (t) => {
  const result = readSignatoryForm({
    representant: '  Marie \t  Curie\n',
    qualite: ' Directrice   du\u00a0centre ',
    ville: 'Saint-E\u0301tienne ',
    telephone: ' 01  23 45   67 89 ',
  });
  t.same(result.errors, {});
  t.same(result.fields, { representative_name: 'Marie Curie', representative_title: 'Directrice du centre', town: 'Saint-Étienne', phone: '01 23 45 67 89' });
  t.equal(result.fields?.town.length, 13, 'É is one code point');
});

t.test('fields are null as soon as any field is in error; the typed values are kept for the form', async (t) => {
  const result = readSignatoryForm({ ...GOOD, telephone: 'abc' });
  t.equal(result.fields, null);
  t.same(result.values, { representant: 'Marie Curie', qualite: 'Directrice du centre de formation', ville: 'Lyon', telephone: 'abc' });
  const all = readSignatoryForm({ representant: '1', qualite: '<', ville: '2', telephone: 'x' });
  t.same(all.errors, { representant: NAME_LETTERS, qualite: TITLE_CHARACTERS, ville: TOWN_NAME, telephone: PHONE });
  t.equal(all.fields, null);
});

t.test('property: any input never throws, errors only on the four keys, fields exactly when no error', async (t) => {
  const anyValue = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.constantFrom(undefined, null, 0, true, ['a', 'b'], { a: 1 }),
  );
  const keys = ['representant', 'qualite', 'ville', 'telephone'];
  t.equal(
    failureOf(
      fc.property(fc.option(fc.record({ representant: anyValue, qualite: anyValue, ville: anyValue, telephone: anyValue })), (body) => {
        const result = readSignatoryForm(body ?? undefined);
        const errorKeys = Object.keys(result.errors);
        return (
          errorKeys.every((k) => keys.includes(k)) &&
          errorKeys.every((k) => typeof result.errors[k as keyof SignatoryForm] === 'string') &&
          Object.keys(result.values).sort().join() === [...keys].sort().join() &&
          Object.values(result.values).every((v) => typeof v === 'string' && v === v.trim() && !/\s\s/.test(v)) &&
          (errorKeys.length === 0) === (result.fields !== null)
        );
      }),
      { numRuns: 1000 },
    ),
    null,
  );
});

t.test('signatoryValues: the stored settings back into the form, null as empty', async (t) => {
  t.same(signatoryValues({ representative_name: 'Marie Curie', representative_title: 'Directrice', town: 'Lyon', phone: '01 23 45 67 89' }), {
    representant: 'Marie Curie',
    qualite: 'Directrice',
    ville: 'Lyon',
    telephone: '01 23 45 67 89',
  });
  t.same(signatoryValues({ representative_name: null, representative_title: null, town: null, phone: null }), {
    representant: '',
    qualite: '',
    ville: '',
    telephone: '',
  });
  const stored = readSignatoryForm({ ...GOOD, telephone: '+33 1 23 45 67 89' }).fields;
  t.ok(stored);
  if (stored) t.same(readSignatoryForm(signatoryValues(stored)).fields, stored, 'stored, shown, sent back: unchanged');
});
