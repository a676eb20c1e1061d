import fc from 'fast-check';
import t from 'tap';
import {
  ageOn,
  BIRTH_DATE_HINT,
  MAX_AGE,
  MIN_AGE,
  parseTypedDate,
  readBirthDate,
  readIdentity,
  type IdentityInput,
} from '../../src/domain/candidate-identity.js';
import { formatShortDate } from '../../src/domain/paris-time.js';

const TODAY = '2026-11-29';
const GOOD: IdentityInput = { nom: 'Lefèvre', prenom: 'Zoé', date_naissance: '1985-04-23', entreprise: '' };
const LETTERS_ONLY = (label: string) => `Votre ${label} ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.`;
const DATE_FORMAT = 'Saisissez votre date de naissance sous la forme JJ/MM/AAAA, par exemple 23/04/1985.';
const DATE_FORMAT_TO_MANAGER = 'Saisissez la date de naissance du candidat sous la forme JJ/MM/AAAA, par exemple 23/04/1985.';
const FOUR_DIGIT_YEAR = 'Saisissez l’année en entier, sur 4 chiffres : par exemple 23/04/1985, et non 23/04/85.';
const MONTH_1_TO_12 = 'Le mois doit être compris entre 1 et 12 : saisissez le jour, puis le mois, puis l’année (JJ/MM/AAAA).';
const NO_SUCH_DAY = (shown: string) => `Le ${shown} n’existe pas : vérifiez le jour et le mois.`;
const CUT_SHORT = (label: string) => `Votre ${label} ne peut pas se terminer par un trait d’union ou une apostrophe.`;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const isoDay = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

t.test('names with accents, hyphens, apostrophes and spaces are accepted as typed', async (t) => {
  const names = [
    "D'Artagnan-Lefèvre",
    'D’Artagnan-Lefèvre',
    'Zoé',
    'Jean Pierre',
    'Jean-Pierre',
    "O'Brien",
    'St. John',
    'Nguyễn',
    'Иванов',
    'Ōtsuka',
    'Ægir',
    'Anaïs-Maëlle',
    'Ÿvonne',
  ];
  for (const name of names) {
    const result = readIdentity({ ...GOOD, nom: name, prenom: name }, TODAY);
    t.ok(result.ok, `${name} accepted`);
    if (result.ok) {
      t.equal(result.identity.lastName, name);
      t.equal(result.identity.firstName, name);
    }
  }
});

t.test('names are trimmed, inner spaces collapsed, and composed (NFC)', async (t) => {
  const result = readIdentity({ nom: '  Le \t  Goff\n', prenom: 'Zoe\u0301', date_naissance: ' 1985-04-23 ', entreprise: '  Fouilles   & Fils  ' }, TODAY);
  t.ok(result.ok);
  if (!result.ok) return;
  t.same(result.identity, { lastName: 'Le Goff', firstName: 'Zoé', birthDate: '1985-04-23', company: 'Fouilles & Fils', companyAddress: null });
  t.equal(result.identity.firstName.length, 3, 'é is one code point');
});

t.test('the company is optional: empty becomes null', async (t) => {
  for (const entreprise of [undefined, '', '   ', null]) {
    const result = readIdentity({ ...GOOD, entreprise }, TODAY);
    t.ok(result.ok && result.identity.company === null, `${JSON.stringify(entreprise)} → null`);
  }
  for (const entreprise of [
    'SARL « Les Bâtisseurs »',
    'Fouilles "SA"',
    'Société “Réseaux” N° 1 : TP & fils',
    'A.B.C. TP; Lyon!',
    'Terrassement_Sud #2 @Lyon *',
  ]) {
    const accepted = readIdentity({ ...GOOD, entreprise }, TODAY);
    t.ok(accepted.ok && accepted.identity.company === entreprise, `${entreprise}: accepted as typed`);
  }
  const company = readIdentity({ ...GOOD, entreprise: 'SARL Réseaux (Lyon) 2000 / TP+' }, TODAY);
  t.ok(company.ok && company.identity.company === 'SARL Réseaux (Lyon) 2000 / TP+');
});

t.test('each missing or hostile field is refused at that field, with its French message', async (t) => {
  const cases: [keyof IdentityInput, unknown, string][] = [
    ['nom', '', 'Saisissez votre nom.'],
    ['prenom', undefined, 'Saisissez votre prénom.'],
    ['prenom', '   ', 'Saisissez votre prénom.'],
    ['date_naissance', '', 'Saisissez votre date de naissance.'],
    ['nom', '<script>alert(1)</script>', LETTERS_ONLY('nom')],
    ['prenom', '"Jean"', LETTERS_ONLY('prénom')],
    ['nom', 'Zoé 😀', LETTERS_ONLY('nom')],
    ['nom', '-Dupont', LETTERS_ONLY('nom')],
    ['nom', "'Dupont", LETTERS_ONLY('nom')],
    ['nom', 'Louis 14', LETTERS_ONLY('nom')],
    ['nom', 'Robert\u202Eevil', LETTERS_ONLY('nom')],
    ['nom', 'Nul\u0000', LETTERS_ONLY('nom')],
    // A name must begin with a letter: a lone combining accent is no name (it prints as nothing).
    ['nom', '\u0301', LETTERS_ONLY('nom')],
    ['prenom', '\u0301\u0301 \u0327', LETTERS_ONLY('prénom')],
    ['nom', 'a'.repeat(81), 'Votre nom ne doit pas dépasser 80 caractères.'],
    ['nom', 'A'.repeat(10_000), 'Votre nom ne doit pas dépasser 80 caractères.'],
    ['entreprise', '<b>', 'Le nom de l’entreprise contient des caractères non autorisés : < >'],
    ['entreprise', 'Fouilles {SA} `x` \\ <<', 'Le nom de l’entreprise contient des caractères non autorisés : { } ` \\ <'],
    ['entreprise', 'Fouilles\u0000SA', 'Le nom de l’entreprise contient des caractères non autorisés.'],
    ['entreprise', 'x'.repeat(121), 'Le nom de l’entreprise ne doit pas dépasser 120 caractères.'],
    ['date_naissance', '2023-02-30', NO_SUCH_DAY('30/02/2023')],
    ['date_naissance', '31/02/1985', NO_SUCH_DAY('31/02/1985')],
    ['date_naissance', '1985-13-01', MONTH_1_TO_12],
    ['date_naissance', '1985-04-23T00:00', DATE_FORMAT],
    ['date_naissance', '85-04-23', FOUR_DIGIT_YEAR],
    ['date_naissance', '23/04/85', FOUR_DIGIT_YEAR],
    ['date_naissance', 'abc', DATE_FORMAT],
    ['date_naissance', '<script>', DATE_FORMAT],
    ['nom', 'Dupont-', CUT_SHORT('nom')],
    ['prenom', 'Marie-', CUT_SHORT('prénom')],
    ['nom', "D'", CUT_SHORT('nom')],
    ['nom', 'D’', CUT_SHORT('nom')],
    ['date_naissance', '2026-11-30', 'Votre date de naissance ne peut pas être dans le futur.'],
    ['date_naissance', '2020-01-01', 'Vérifiez votre date de naissance : l’âge calculé (6 ans) n’est pas plausible.'],
    ['date_naissance', '1800-01-01', 'Vérifiez votre date de naissance : l’âge calculé (226 ans) n’est pas plausible.'],
  ];
  for (const [field, value, message] of cases) {
    const result = readIdentity({ ...GOOD, [field]: value }, TODAY);
    t.notOk(result.ok, `${field}=${JSON.stringify(String(value).slice(0, 20))} refused`);
    if (result.ok) continue;
    t.same(result.errors, { [field]: message }, `${field}: only this field, with its message`);
  }
});

t.test('a long input is shown back bounded, never whole', async (t) => {
  const result = readIdentity(
    { nom: 'A'.repeat(10_000), prenom: 'B'.repeat(10_000), date_naissance: '9'.repeat(10_000), entreprise: 'C'.repeat(10_000) },
    TODAY,
  );
  t.notOk(result.ok);
  t.equal(result.values.nom.length, 320);
  t.equal(result.values.prenom.length, 320);
  t.equal(result.values.date_naissance.length, 80);
  t.equal(result.values.entreprise.length, 480);
});

t.test('birth dates: a real date, not in the future, an age between MIN_AGE and MAX_AGE', async (t) => {
  t.equal(MIN_AGE, 14);
  t.equal(MAX_AGE, 100);
  t.ok(readIdentity({ ...GOOD, date_naissance: '2012-11-29' }, TODAY).ok, '14 today');
  t.notOk(readIdentity({ ...GOOD, date_naissance: '2012-11-30' }, TODAY).ok, '14 tomorrow');
  t.ok(readIdentity({ ...GOOD, date_naissance: '1926-11-29' }, TODAY).ok, '100 today');
  t.ok(readIdentity({ ...GOOD, date_naissance: '1925-11-30' }, TODAY).ok, '100 until the day before 101');
  t.notOk(readIdentity({ ...GOOD, date_naissance: '1925-11-29' }, TODAY).ok, '101 today');
  t.ok(readIdentity({ ...GOOD, date_naissance: '2000-02-29' }, TODAY).ok, 'a leap day');
  t.notOk(readIdentity({ ...GOOD, date_naissance: '1900-02-29' }, TODAY).ok, '1900 was not a leap year');
});

t.test('ageOn agrees with counting anniversaries on the calendar (a 29 February birthday turns on 1 March)', async (t) => {
  const day = fc.integer({ min: Date.UTC(1900, 0, 1) / 86_400_000, max: Date.UTC(2100, 11, 31) / 86_400_000 }).map((d) => new Date(d * 86_400_000));
  fc.assert(
    fc.property(day, day, (a, b) => {
      const [birth, today] = a <= b ? [a, b] : [b, a];
      let age = 0;
      while (Date.UTC(birth.getUTCFullYear() + age + 1, birth.getUTCMonth(), birth.getUTCDate()) <= today.getTime()) age++;
      return ageOn(isoDay(birth), isoDay(today)) === age;
    }),
  );
  t.pass('property holds');
  t.equal(ageOn('2008-02-29', '2027-02-28'), 18);
  t.equal(ageOn('2008-02-29', '2027-03-01'), 19);
  t.equal(ageOn('2008-02-29', '2028-02-29'), 20);
});

t.test('property: a date is refused as unreal exactly when the calendar has no such day', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 1900, max: 2026 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
      const text = `${y}-${pad(m)}-${pad(d)}`;
      const probe = new Date(Date.UTC(y, m - 1, d));
      const real = m >= 1 && m <= 12 && d >= 1 && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
      const result = readIdentity({ ...GOOD, date_naissance: text }, TODAY);
      const message = result.ok ? '' : result.errors.date_naissance;
      const unreal = message === MONTH_1_TO_12 || message === NO_SUCH_DAY(`${pad(d)}/${pad(m)}/${y}`);
      return real !== unreal;
    }),
  );
  t.pass('property holds');
});

t.test('property: a real past date is accepted exactly when the age is plausible', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: Date.UTC(1880, 0, 1) / 86_400_000, max: Date.UTC(2026, 10, 29) / 86_400_000 }), (d) => {
      const birth = isoDay(new Date(d * 86_400_000));
      const age = ageOn(birth, TODAY);
      const result = readIdentity({ ...GOOD, date_naissance: birth }, TODAY);
      return result.ok === (age >= MIN_AGE && age <= MAX_AGE);
    }),
  );
  t.pass('property holds');
});

const letter = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZàâäçéèêëîïôöùûüÿœæÀÂÉÈÊËÎÏÔÖÙÛÜŸŒÆñßøåãõ'.split(''));
const separator = fc.constantFrom(' ', '-', "'", '’', '.');
const plausibleName = fc
  .tuple(letter, fc.array(fc.oneof({ weight: 4, arbitrary: letter }, { weight: 1, arbitrary: separator }), { maxLength: 60 }))
  .map(([first, rest]) => first + rest.join(''))
  // A name ends with a letter or a dot (« St. »), never halfway through a compound (« Marie- »).
  .filter((s) => !/[\s'’-]$/.test(s) && !/\s\s/.test(s));

t.test('property: names made of letters and the separators names use are accepted unchanged', async (t) => {
  fc.assert(
    fc.property(plausibleName, plausibleName, (nom, prenom) => {
      const result = readIdentity({ ...GOOD, nom, prenom }, TODAY);
      return result.ok && result.identity.lastName === nom.normalize('NFC') && result.identity.firstName === prenom.normalize('NFC');
    }),
  );
  t.pass('property holds');
});

t.test('property: a name holding any markup, quote, digit, symbol or emoji is refused', async (t) => {
  const hostile = fc.constantFrom('<', '>', '"', '&', ';', '=', '/', '\\', '{', '`', '(', '0', '7', '😀', '🚜', '\u202E', '\u200B', '\u0007', '@', '#', '%');
  fc.assert(
    fc.property(plausibleName, hostile, plausibleName, fc.constantFrom('nom', 'prenom'), (before, bad, after, field) => {
      const result = readIdentity({ ...GOOD, [field]: `${before}${bad}${after}` }, TODAY);
      return !result.ok && typeof result.errors[field] === 'string' && Object.keys(result.errors).length === 1;
    }),
  );
  t.pass('property holds');
});

t.test('property: any input whatsoever gives bounded values and errors only for the five fields', async (t) => {
  const anyValue = fc.oneof(
    fc.string({ maxLength: 500 }),
    fc.string({ unit: 'grapheme', maxLength: 200 }),
    fc.constant(undefined),
    fc.integer(),
    fc.constant(null),
  );
  fc.assert(
    fc.property(anyValue, anyValue, anyValue, anyValue, anyValue, (nom, prenom, date_naissance, entreprise, adresse_entreprise) => {
      const result = readIdentity({ nom, prenom, date_naissance, entreprise, adresse_entreprise }, TODAY);
      const keys = ['nom', 'prenom', 'date_naissance', 'entreprise', 'adresse_entreprise'];
      const boundedValues =
        Object.keys(result.values).sort().join() === [...keys].sort().join() &&
        result.values.nom.length <= 320 &&
        result.values.prenom.length <= 320 &&
        result.values.date_naissance.length <= 80 &&
        result.values.entreprise.length <= 480 &&
        result.values.adresse_entreprise.length <= 800;
      if (result.ok) return boundedValues && [...result.identity.lastName].length <= 80 && [...result.identity.firstName].length <= 80;
      return boundedValues && Object.keys(result.errors).length > 0 && Object.keys(result.errors).every((k) => keys.includes(k));
    }),
  );
  t.pass('property holds');
});

const ADDRESS_POSTCODE = 'Indiquez au moins le code postal et la ville de l’entreprise, par exemple « 69003 Lyon ».';
const WITH_COMPANY: IdentityInput = { ...GOOD, entreprise: 'Fouilles & Fils' };

t.test('company address: at least a postcode and a town, printed after the company', async (t) => {
  for (const adresse_entreprise of [
    '12 rue des Lilas, 69003 Lyon',
    '69003 Lyon',
    '69003 lyon',
    'ZI des Iles, BP 12, 13001 Marseille Cedex 01',
    '2 bis avenue Jean-Jaurès - 97400 Saint-Denis',
    '1 place de l’Église 20000 Ajaccio',
    '69003  Lyon',
  ]) {
    const result = readIdentity({ ...WITH_COMPANY, adresse_entreprise }, TODAY);
    t.ok(result.ok, `${adresse_entreprise} accepted`);
    if (result.ok) t.equal(result.identity.companyAddress, adresse_entreprise.replace(/\s+/g, ' '));
  }
  const spaced = readIdentity({ ...WITH_COMPANY, adresse_entreprise: '  12 rue des\tLilas,\n 69003   Lyon ' }, TODAY);
  t.ok(spaced.ok);
  if (spaced.ok)
    t.same(spaced.identity, {
      lastName: 'Lefèvre',
      firstName: 'Zoé',
      birthDate: '1985-04-23',
      company: 'Fouilles & Fils',
      companyAddress: '12 rue des Lilas, 69003 Lyon',
    });
});

t.test('company address: empty becomes null', async (t) => {
  for (const adresse_entreprise of [undefined, '', '   ', null, 69003, ['69003 Lyon']]) {
    const result = readIdentity({ ...WITH_COMPANY, adresse_entreprise }, TODAY);
    t.ok(result.ok, `${JSON.stringify(adresse_entreprise)} accepted`);
    if (result.ok) t.equal(result.identity.companyAddress, null, `${JSON.stringify(adresse_entreprise)} → null`);
  }
});

t.test('company address: without a postcode followed by a town, refused', async (t) => {
  for (const adresse_entreprise of [
    'Lyon',
    '12 rue des Lilas',
    '12 rue des Lilas, Lyon',
    '6900 Lyon',
    '690031 Lyon',
    '69003',
    'Lyon 69003',
    '69003-Lyon',
    '69003, Lyon',
    '69 003 Lyon',
  ]) {
    const result = readIdentity({ ...WITH_COMPANY, adresse_entreprise }, TODAY);
    t.notOk(result.ok, `${adresse_entreprise} refused`);
    if (!result.ok) {
      t.same(result.errors, { adresse_entreprise: ADDRESS_POSTCODE }, `${adresse_entreprise}: only the address, with its message`);
      t.match(result.errors.adresse_entreprise, /code postal et la ville/);
    }
  }
});

t.test('company address without a company: the error is on the company', async (t) => {
  for (const entreprise of [undefined, '', '   ']) {
    const result = readIdentity({ ...GOOD, entreprise, adresse_entreprise: '12 rue des Lilas, 69003 Lyon' }, TODAY);
    t.notOk(result.ok);
    if (!result.ok) t.same(result.errors, { entreprise: 'Saisissez le nom de l’entreprise dont l’adresse est indiquée.' });
  }
  // Both wrong: each field says its own.
  const both = readIdentity({ ...GOOD, entreprise: '', adresse_entreprise: 'Lyon' }, TODAY);
  t.notOk(both.ok);
  if (!both.ok) t.same(both.errors, { entreprise: 'Saisissez le nom de l’entreprise dont l’adresse est indiquée.', adresse_entreprise: ADDRESS_POSTCODE });
});

t.test('company address: refused characters are named; over 200 characters refused', async (t) => {
  const cases: [string, string][] = [
    ['12 rue <b>, 69003 Lyon', 'L’adresse contient des caractères non autorisés : < >'],
    ['12 rue {x}, 69003 Lyon', 'L’adresse contient des caractères non autorisés : { }'],
    ['12 rue `x` \\ 69003 Lyon', 'L’adresse contient des caractères non autorisés : ` \\'],
    ['12 rue des Lilas 😀, 69003 Lyon', 'L’adresse contient des caractères non autorisés : 😀'],
    ['12 rue\u0000, 69003 Lyon', 'L’adresse contient des caractères non autorisés.'],
    ['<', 'L’adresse contient des caractères non autorisés : <'],
  ];
  for (const [adresse_entreprise, message] of cases) {
    const result = readIdentity({ ...WITH_COMPANY, adresse_entreprise }, TODAY);
    t.notOk(result.ok, `${JSON.stringify(adresse_entreprise)} refused`);
    if (!result.ok) t.same(result.errors, { adresse_entreprise: message });
  }
  const exactly200 = `69003 Lyon ${'a'.repeat(189)}`;
  t.equal(exactly200.length, 200);
  const accepted = readIdentity({ ...WITH_COMPANY, adresse_entreprise: exactly200 }, TODAY);
  t.ok(accepted.ok && accepted.identity.companyAddress === exactly200, '200 characters accepted');
  for (const adresse_entreprise of [`69003 Lyon ${'a'.repeat(190)}`, `69003 Lyon ${'é'.repeat(5000)}`]) {
    const result = readIdentity({ ...WITH_COMPANY, adresse_entreprise }, TODAY);
    t.notOk(result.ok);
    if (!result.ok) {
      t.same(result.errors, { adresse_entreprise: 'L’adresse ne doit pas dépasser 200 caractères.' });
      t.ok(result.values.adresse_entreprise.length <= 800, 'shown back bounded');
    }
  }
});

t.test('to the manager, the messages speak of the candidate', async (t) => {
  const cases: [keyof IdentityInput, unknown, string, string][] = [
    ['nom', '', 'Saisissez votre nom.', 'Saisissez le nom du candidat.'],
    ['prenom', '', 'Saisissez votre prénom.', 'Saisissez le prénom du candidat.'],
    [
      'prenom',
      '"Jean"',
      'Votre prénom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.',
      'Le prénom du candidat ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.',
    ],
    [
      'nom',
      'Louis 14',
      'Votre nom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.',
      'Le nom du candidat ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.',
    ],
    ['nom', 'a'.repeat(81), 'Votre nom ne doit pas dépasser 80 caractères.', 'Le nom du candidat ne doit pas dépasser 80 caractères.'],
    ['prenom', 'a'.repeat(81), 'Votre prénom ne doit pas dépasser 80 caractères.', 'Le prénom du candidat ne doit pas dépasser 80 caractères.'],
    ['date_naissance', '', 'Saisissez votre date de naissance.', 'Saisissez la date de naissance du candidat.'],
    [
      'date_naissance',
      '2026-11-30',
      'Votre date de naissance ne peut pas être dans le futur.',
      'La date de naissance du candidat ne peut pas être dans le futur.',
    ],
    [
      'date_naissance',
      '2020-01-01',
      'Vérifiez votre date de naissance : l’âge calculé (6 ans) n’est pas plausible.',
      'Vérifiez la date de naissance du candidat : l’âge calculé (6 ans) n’est pas plausible.',
    ],
    ['date_naissance', '23 avril 1985', DATE_FORMAT, DATE_FORMAT_TO_MANAGER],
    ['prenom', 'Marie-', CUT_SHORT('prénom'), 'Le prénom du candidat ne peut pas se terminer par un trait d’union ou une apostrophe.'],
    // Messages that speak to no one in particular are the same for both.
    ['date_naissance', '2023-02-30', NO_SUCH_DAY('30/02/2023'), NO_SUCH_DAY('30/02/2023')],
    ['date_naissance', '23/04/85', FOUR_DIGIT_YEAR, FOUR_DIGIT_YEAR],
    [
      'entreprise',
      '<b>',
      'Le nom de l’entreprise contient des caractères non autorisés : < >',
      'Le nom de l’entreprise contient des caractères non autorisés : < >',
    ],
    ['adresse_entreprise', 'Lyon', ADDRESS_POSTCODE, ADDRESS_POSTCODE],
  ];
  for (const [field, value, toCandidate, toManager] of cases) {
    const input = { ...WITH_COMPANY, [field]: value };
    const candidate = readIdentity(input, TODAY);
    const byDefault = readIdentity(input, TODAY, 'candidate');
    const manager = readIdentity(input, TODAY, 'manager');
    t.same(candidate.ok ? {} : candidate.errors, { [field]: toCandidate }, `${field}: to the candidate by default`);
    t.same(byDefault.ok ? {} : byDefault.errors, { [field]: toCandidate }, `${field}: 'candidate' is the default`);
    t.same(manager.ok ? {} : manager.errors, { [field]: toManager }, `${field}: to the manager`);
  }
  const accepted = readIdentity(WITH_COMPANY, TODAY, 'manager');
  t.ok(accepted.ok, 'a correct identity is accepted whoever types it');
});

t.test('property: the addressee changes the wording only, never the verdict; the manager is never « vous »', async (t) => {
  const anyValue = fc.oneof(
    fc.string({ maxLength: 100 }),
    fc.constantFrom(undefined, '', 'Zoé', 'Lefèvre', '1985-04-23', '2026-11-30', '2020-01-01', '69003 Lyon', 'Fouilles', 'a'.repeat(81)),
  );
  fc.assert(
    fc.property(anyValue, anyValue, anyValue, anyValue, anyValue, (nom, prenom, date_naissance, entreprise, adresse_entreprise) => {
      const input = { nom, prenom, date_naissance, entreprise, adresse_entreprise };
      const candidate = readIdentity(input, TODAY, 'candidate');
      const manager = readIdentity(input, TODAY, 'manager');
      if (candidate.ok || manager.ok) return candidate.ok && manager.ok && JSON.stringify(candidate.identity) === JSON.stringify(manager.identity);
      return (
        Object.keys(candidate.errors).sort().join() === Object.keys(manager.errors).sort().join() &&
        Object.values(manager.errors).every((message) => !/\bvotre\b/i.test(message))
      );
    }),
  );
  t.equal(readIdentity({ ...GOOD, nom: '' }, TODAY, 'manager').ok, false, 'and the manager’s refusals do refuse');
});

// Issue 16: the birth date as a French candidate types it.

t.test('birth dates typed JJ/MM/AAAA (any of / - . or spaces, 1 or 2 digits) or AAAA-MM-JJ are kept as AAAA-MM-JJ', async (t) => {
  const typed: [string, string][] = [
    ['23/04/1985', '1985-04-23'],
    ['1985-04-23', '1985-04-23'],
    ['3/4/1985', '1985-04-03'],
    ['03/04/1985', '1985-04-03'],
    ['23-04-1985', '1985-04-23'],
    ['23.04.1985', '1985-04-23'],
    ['23 04 1985', '1985-04-23'],
    ['23 / 04 / 1985', '1985-04-23'],
    ['  23/04/1985 ', '1985-04-23'],
    ['1985-4-3', '1985-04-03'],
    ['1985/04/23', '1985-04-23'],
    ['29/02/2000', '2000-02-29'],
    ['01/01/1970', '1970-01-01'],
  ];
  for (const [text, date] of typed) {
    t.same(parseTypedDate(text), { ok: true, date }, `${JSON.stringify(text)} → ${date}`);
    const result = readIdentity({ ...GOOD, date_naissance: text }, TODAY);
    t.ok(result.ok && result.identity.birthDate === date, `${JSON.stringify(text)}: the identity holds ${date}`);
    if (result.ok) t.equal(result.values.date_naissance, text.trim().replace(/\s+/g, ' '), 'the value shown back is the one typed');
  }
  t.equal(BIRTH_DATE_HINT, 'JJ/MM/AAAA, par exemple 23/04/1985');
});

t.test('parseTypedDate says why a text is no date', async (t) => {
  const refused: [string, unknown][] = [
    ['', { ok: false, problem: 'format' }],
    ['abc', { ok: false, problem: 'format' }],
    ['23041985', { ok: false, problem: 'format' }],
    ['23/04', { ok: false, problem: 'format' }],
    ['23//04/1985', { ok: false, problem: 'format' }],
    ['23/04/1985/1', { ok: false, problem: 'format' }],
    ['1985-04-23T00:00', { ok: false, problem: 'format' }],
    ['123/04/1985', { ok: false, problem: 'format' }],
    ['23 avril 1985', { ok: false, problem: 'format' }],
    ['２３/０４/１９８５', { ok: false, problem: 'format' }],
    ['-1/04/1985', { ok: false, problem: 'format' }],
    ['23/04/85', { ok: false, problem: 'year' }],
    ['23/04/985', { ok: false, problem: 'year' }],
    ['23/04/19850', { ok: false, problem: 'year' }],
    ['23/04/0000', { ok: false, problem: 'year' }],
    ['23/13/1985', { ok: false, problem: 'month' }],
    ['04/00/1985', { ok: false, problem: 'month' }],
    ['1985-00-23', { ok: false, problem: 'month' }],
    ['31/02/1985', { ok: false, problem: 'day', date: '31/02/1985' }],
    ['29/02/1900', { ok: false, problem: 'day', date: '29/02/1900' }],
    ['31/4/1985', { ok: false, problem: 'day', date: '31/04/1985' }],
    ['0/4/1985', { ok: false, problem: 'day', date: '00/04/1985' }],
    ['1985-02-30', { ok: false, problem: 'day', date: '30/02/1985' }],
  ];
  for (const [text, reading] of refused) t.same(parseTypedDate(text), reading, JSON.stringify(text));
});

t.test('readBirthDate: the date, or the message at the field (to the candidate or to the manager); no age rule', async (t) => {
  t.same(readBirthDate('23/04/1985'), { ok: true, date: '1985-04-23' });
  t.same(readBirthDate(' 1985-04-23 '), { ok: true, date: '1985-04-23' });
  t.same(readBirthDate('01/01/2030'), { ok: true, date: '2030-01-01' }, 'the future is readIdentity’s business');
  t.same(readBirthDate(''), { ok: false, message: 'Saisissez votre date de naissance.' });
  t.same(readBirthDate(undefined, 'manager'), { ok: false, message: 'Saisissez la date de naissance du candidat.' });
  t.same(readBirthDate(['23/04/1985', '1985-04-23']), { ok: false, message: 'Saisissez votre date de naissance.' }, 'a field sent twice is nothing typed');
  t.same(readBirthDate('abc'), { ok: false, message: DATE_FORMAT });
  t.same(readBirthDate('abc', 'manager'), { ok: false, message: DATE_FORMAT_TO_MANAGER });
  t.same(readBirthDate('23/04/85'), { ok: false, message: FOUR_DIGIT_YEAR });
  t.same(readBirthDate('23/13/1985'), { ok: false, message: MONTH_1_TO_12 });
  t.same(readBirthDate('31/02/1985'), { ok: false, message: NO_SUCH_DAY('31/02/1985') });
  t.same(readBirthDate(`${'1'.repeat(5000)}/04/1985`), { ok: false, message: DATE_FORMAT }, 'a long text is no date');
});

t.test('the identity form: « 23/04/1985 » is stored 1985-04-23; « 31/02/1985 » is refused at the field and kept as typed', async (t) => {
  const french = readIdentity({ ...GOOD, date_naissance: '23/04/1985' }, TODAY);
  t.ok(french.ok);
  if (french.ok) t.equal(french.identity.birthDate, '1985-04-23');
  const impossible = readIdentity({ ...GOOD, date_naissance: '31/02/1985' }, TODAY);
  t.notOk(impossible.ok);
  if (!impossible.ok) {
    t.same(impossible.errors, { date_naissance: 'Le 31/02/1985 n’existe pas : vérifiez le jour et le mois.' });
    t.equal(impossible.values.date_naissance, '31/02/1985');
  }
  // The age rules hold whichever way the date is typed.
  const future = readIdentity({ ...GOOD, date_naissance: '30/11/2026' }, TODAY);
  t.same(future.ok ? {} : future.errors, { date_naissance: 'Votre date de naissance ne peut pas être dans le futur.' }, 'tomorrow, JJ/MM/AAAA');
  const child = readIdentity({ ...GOOD, date_naissance: '1/1/2020' }, TODAY);
  t.same(child.ok ? {} : child.errors, { date_naissance: 'Vérifiez votre date de naissance : l’âge calculé (6 ans) n’est pas plausible.' });
});

const anyDay = fc.integer({ min: Date.UTC(1000, 0, 1) / 86_400_000, max: Date.UTC(9999, 11, 31) / 86_400_000 }).map((d) => isoDay(new Date(d * 86_400_000)));

t.test('property: any real day written JJ/MM/AAAA or AAAA-MM-JJ reads back as itself', async (t) => {
  fc.assert(
    fc.property(anyDay, (date) => {
      const short = parseTypedDate(formatShortDate(date));
      const iso = parseTypedDate(date);
      return short.ok && short.date === date && iso.ok && iso.date === date;
    }),
  );
  t.pass('property holds');
});

t.test('property: the separators and the leading zeros do not change the day read', async (t) => {
  const separator = fc.constantFrom('/', '-', '.', ' ', ' / ', ' - ', '  ', '. ');
  fc.assert(
    fc.property(anyDay, separator, separator, fc.boolean(), (date, a, b, padded) => {
      const [y, m, d] = date.split('-') as [string, string, string];
      const strip = (n: string) => (padded ? n : String(Number(n)));
      const dayFirst = parseTypedDate(`${strip(d)}${a}${strip(m)}${b}${y}`);
      const yearFirst = parseTypedDate(`${y}${a}${strip(m)}${b}${strip(d)}`);
      return dayFirst.ok && dayFirst.date === date && yearFirst.ok && yearFirst.date === date;
    }),
  );
  t.pass('property holds');
});

t.test('property: whatever is typed, a date read is a real day, and a refusal is one of the four reasons', async (t) => {
  const dateLike = fc
    .tuple(
      fc.integer({ min: 0, max: 99 }),
      fc.constantFrom('/', '-', '.', ' ', ''),
      fc.integer({ min: 0, max: 99 }),
      fc.constantFrom('/', '-', '.', ' '),
      fc.integer({ min: 0, max: 99_999 }),
    )
    .map(([d, a, m, b, y]) => `${d}${a}${m}${b}${y}`);
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 30 }), dateLike), (text) => {
      const reading = parseTypedDate(text);
      if (reading.ok) return /^\d{4}-\d{2}-\d{2}$/.test(reading.date) && formatShortDate(reading.date).length === 10;
      return ['format', 'year', 'month', 'day'].includes(reading.problem);
    }),
  );
  t.pass('property holds');
});

t.test('company names: the typographic dashes are welcome', async (t) => {
  for (const entreprise of ['Dupont — Fils', 'Dupont – Fils', 'Dupont‐Fils', 'Dupont‑Fils', 'Réseaux − Sud', 'SARL Dupont—Fils & Cie']) {
    const result = readIdentity({ ...GOOD, entreprise }, TODAY);
    t.ok(result.ok && result.identity.company === entreprise, `${entreprise}: accepted as typed`);
  }
  const address = readIdentity({ ...GOOD, entreprise: 'Dupont — Fils', adresse_entreprise: '2 rue Haute — 69003 Lyon' }, TODAY);
  t.ok(address.ok && address.identity.companyAddress === '2 rue Haute — 69003 Lyon', 'and in its address');
});

t.test('names: a hyphen or an apostrophe ends no name; inside one, and a final dot, are welcome', async (t) => {
  for (const [field, value, label] of [
    ['prenom', 'Marie-', 'prénom'],
    ['prenom', 'Marie -', 'prénom'],
    ['nom', "Dupont'", 'nom'],
    ['nom', 'Dupont’', 'nom'],
    ['nom', 'Le Goff-  ', 'nom'],
  ] as const) {
    const result = readIdentity({ ...GOOD, [field]: value }, TODAY);
    t.same(result.ok ? {} : result.errors, { [field]: CUT_SHORT(label) }, `${JSON.stringify(value)} refused at ${field}`);
  }
  for (const name of ['Marie-Claire', 'D’Artagnan', "O'Brien", 'St.', 'Jean--Pierre']) {
    t.ok(readIdentity({ ...GOOD, prenom: name }, TODAY).ok, `${name} accepted`);
  }
});
