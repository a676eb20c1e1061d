import { generateKeyPairSync, sign, verify } from 'node:crypto';
import t from 'tap';
import fc from 'fast-check';
import {
  ATTESTATION_KIND_LABELS,
  kindOf,
  missingSignatory,
  parseQrText,
  presentedBy,
  printedName,
  publicName,
  qrPayload,
  qrText,
  VALIDITY_YEARS,
  validUntil,
  verificationState,
  verificationUrl,
  type AttestationFields,
  type AttestationKind,
} from '../../src/domain/attestation.js';

/** fast-check's report when the property fails, null when it holds: asserted with t.equal(…, null). */
function failureOf<Ts>(property: fc.IProperty<Ts>, params?: fc.Parameters<Ts>): string | null {
  const details = fc.check(property, params);
  return details.failed ? (fc.defaultReportMessage(details) ?? 'property failed') : null;
}

const DAY_MS = 86_400_000;
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Day number (days since 1970-01-01, UTC) of an `AAAA-MM-JJ` date, years 1 to 9999 included. */
function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return Math.round(date.getTime() / DAY_MS);
}

function isoOf(day: number): string {
  const date = new Date(day * DAY_MS);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** The calendar's own answer: does this `AAAA-MM-JJ` exist? */
function isRealDate(iso: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(iso) && Number(iso.slice(0, 4)) >= 1 && isoOf(dayNumber(iso)) === iso;
}

// Exam days from year 1 to 9994 (validUntil adds 5 years: four-digit years stay four-digit).
const examDay = fc.integer({ min: dayNumber('0001-01-01'), max: dayNumber('9994-12-31') }).map(isoOf);
// Realistic days, for the verification page.
const recentDay = fc.integer({ min: dayNumber('2000-01-01'), max: dayNumber('2100-12-31') }).map(isoOf);

t.test('kindOf: a pass is « admis », a failure « echec », each with its printed title', async (t) => {
  t.equal(kindOf(true), 'admis');
  t.equal(kindOf(false), 'echec');
  t.equal(ATTESTATION_KIND_LABELS[kindOf(true)], 'Attestation de compétences');
  t.equal(ATTESTATION_KIND_LABELS[kindOf(false)], 'Attestation d’échec');
});

t.test('validUntil: the same day five years later', async (t) => {
  t.equal(VALIDITY_YEARS, 5);
  t.equal(validUntil('2026-11-29'), '2031-11-29');
  t.equal(validUntil('2026-01-01'), '2031-01-01');
  t.equal(validUntil('2026-12-31'), '2031-12-31');
  t.equal(validUntil('2023-02-28'), '2028-02-28', 'a 28 February stays the 28th even in a leap year');
  t.equal(validUntil('2023-03-01'), '2028-03-01');
  t.equal(validUntil('0001-06-15'), '0006-06-15', 'small years keep four digits');
});

t.test('validUntil: a 29 February exam ends on the 28th, never after the five years', async (t) => {
  t.equal(validUntil('2024-02-29'), '2029-02-28');
  t.equal(validUntil('2028-02-29'), '2033-02-28');
  t.equal(validUntil('2000-02-29'), '2005-02-28');
  // 2095 + 5 = 2100, not a leap year (divisible by 100, not by 400).
  t.equal(validUntil('2096-02-29'), '2101-02-28');
  t.equal(validUntil('2095-03-01'), '2100-03-01');
  t.equal(validUntil('2095-02-28'), '2100-02-28');
});

t.test('validUntil: what is not a date AAAA-MM-JJ throws a RangeError', async (t) => {
  for (const bad of [
    '',
    '2023-02-29', // 2023 is not a leap year
    '2100-02-29',
    '2024-13-01',
    '2024-00-10',
    '2024-04-31',
    '2024-01-00',
    '0000-01-01',
    '24-01-01',
    '2024-1-1',
    '2024/01/01',
    ' 2024-01-01',
    '2024-01-01 ',
    '2024-01-01T00:00',
    '01-01-2024',
    'demain',
  ]) {
    t.throws(() => validUntil(bad), RangeError, `refuses ${JSON.stringify(bad)}`);
  }
});

t.test('property: validUntil is a real date, after the exam, within five years, never shorter than 4 years 364 days', async (t) => {
  t.equal(
    failureOf(
      fc.property(examDay, (exam) => {
        const last = validUntil(exam);
        const sameDayFiveYearsLater = `${pad(Number(exam.slice(0, 4)) + 5, 4)}${exam.slice(4)}`;
        return (
          isRealDate(last) &&
          last > exam &&
          last <= sameDayFiveYearsLater &&
          dayNumber(last) >= dayNumber(exam) + 4 * 365 + 364 &&
          dayNumber(last) <= dayNumber(exam) + 5 * 366 &&
          last.slice(0, 4) === sameDayFiveYearsLater.slice(0, 4) &&
          (exam.slice(5) === '02-29' ? last.slice(5) === '02-28' : last.slice(5) === exam.slice(5))
        );
      }),
      { numRuns: 2000 },
    ),
    null,
  );
});

t.test('verificationState: a cancelled attestation is cancelled whatever its kind and dates', async (t) => {
  t.same(verificationState({ kind: 'admis', examDate: '2026-03-10', cancelledOn: '2026-04-01' }, '2026-05-01'), {
    state: 'cancelled',
    cancelledOn: '2026-04-01',
  });
  t.same(verificationState({ kind: 'echec', examDate: '2026-03-10', cancelledOn: '2026-04-01' }, '2026-05-01'), {
    state: 'cancelled',
    cancelledOn: '2026-04-01',
  });
  // Long expired, and cancelled: the cancellation is what the page says.
  t.same(verificationState({ kind: 'admis', examDate: '2010-03-10', cancelledOn: '2011-01-01' }, '2026-05-01'), {
    state: 'cancelled',
    cancelledOn: '2011-01-01',
  });
});

t.test('verificationState: a failure attestation is genuine but gives no right', async (t) => {
  t.same(verificationState({ kind: 'echec', examDate: '2026-03-10', cancelledOn: null }, '2026-03-10'), { state: 'failure' });
  t.same(verificationState({ kind: 'echec', examDate: '2026-03-10', cancelledOn: null }, '2040-01-01'), { state: 'failure' });
});

t.test('verificationState: a success is valid through its last day, expired the day after', async (t) => {
  const admis = { kind: 'admis' as const, examDate: '2026-03-10', cancelledOn: null };
  t.same(verificationState(admis, '2026-03-10'), { state: 'valid', validUntil: '2031-03-10' }, 'on the exam day');
  t.same(verificationState(admis, '2031-03-09'), { state: 'valid', validUntil: '2031-03-10' });
  t.same(verificationState(admis, '2031-03-10'), { state: 'valid', validUntil: '2031-03-10' }, 'on its last day');
  t.same(verificationState(admis, '2031-03-11'), { state: 'expired', expiredOn: '2031-03-10' }, 'the day after');
  t.same(verificationState(admis, '2040-01-01'), { state: 'expired', expiredOn: '2031-03-10' });
  const leap = { kind: 'admis' as const, examDate: '2024-02-29', cancelledOn: null };
  t.same(verificationState(leap, '2029-02-28'), { state: 'valid', validUntil: '2029-02-28' });
  t.same(verificationState(leap, '2029-03-01'), { state: 'expired', expiredOn: '2029-02-28' });
  t.throws(() => verificationState({ kind: 'admis', examDate: '2026-02-30', cancelledOn: null }, '2026-03-01'), RangeError);
});

t.test('property: verificationState over random dates', async (t) => {
  const kind = fc.constantFrom<AttestationKind>('admis', 'echec');
  t.equal(
    failureOf(
      fc.property(kind, recentDay, fc.option(recentDay), fc.integer({ min: -3000, max: 3000 }), (k, examDate, cancelledOn, offset) => {
        const last = dayNumber(validUntil(examDate));
        const today = isoOf(last + offset);
        const state = verificationState({ kind: k, examDate, cancelledOn }, today);
        if (cancelledOn) return state.state === 'cancelled' && state.cancelledOn === cancelledOn && Object.keys(state).length === 2;
        if (k === 'echec') return state.state === 'failure' && Object.keys(state).length === 1;
        if (offset <= 0) return state.state === 'valid' && dayNumber(state.validUntil) === last && Object.keys(state).length === 2;
        return state.state === 'expired' && dayNumber(state.expiredOn) === last && Object.keys(state).length === 2;
      }),
      { numRuns: 2000 },
    ),
    null,
  );
});

t.test('publicName: NOM upper-cased the French way and the first name’s initial', async (t) => {
  t.equal(publicName({ lastName: 'Lefèvre', firstName: 'Zoé' }), 'LEFÈVRE Z.');
  t.equal(publicName({ lastName: 'Dupont', firstName: 'Élodie' }), 'DUPONT É.');
  t.equal(publicName({ lastName: 'Lefèvre', firstName: 'élodie' }), 'LEFÈVRE É.', 'a lower-case initial is upper-cased with its accent');
  t.equal(publicName({ lastName: "D'Artagnan-Lefèvre", firstName: 'Jean-Pierre' }), "D'ARTAGNAN-LEFÈVRE J.");
  t.equal(publicName({ lastName: 'de La Fontaine', firstName: 'Anaïs Maëlle' }), 'DE LA FONTAINE A.');
  t.equal(publicName({ lastName: 'Lœuvre', firstName: 'Œdipe' }), 'LŒUVRE Œ.');
  t.equal(publicName({ lastName: 'Nguyễn', firstName: 'ōtsuka' }), 'NGUYỄN Ō.');
  t.equal(publicName({ lastName: 'Martin', firstName: '  Zoé ' }), 'MARTIN Z.', 'the first name is trimmed');
  // One letter written with two UTF-16 units: the initial is the whole letter, never half of it.
  t.equal(publicName({ lastName: 'Martin', firstName: '𝒜lice' }), 'MARTIN 𝒜.');
});

t.test('printedName: « NOM Prénom », the first name as typed', async (t) => {
  t.equal(printedName({ lastName: 'Lefèvre', firstName: 'Zoé' }), 'LEFÈVRE Zoé');
  t.equal(printedName({ lastName: "d'Artagnan-Lefèvre", firstName: 'Jean-Pierre' }), "D'ARTAGNAN-LEFÈVRE Jean-Pierre");
  t.equal(printedName({ lastName: 'Le Goff', firstName: 'anaïs' }), 'LE GOFF anaïs');
});

t.test('presentedBy: on one’s own, by a company, by a company at its address', async (t) => {
  t.equal(presentedBy({ company: null, companyAddress: null }), 'présenté(e) à titre individuel');
  t.equal(presentedBy({ company: '', companyAddress: null }), 'présenté(e) à titre individuel');
  t.equal(presentedBy({ company: 'Fouilles & Fils', companyAddress: null }), 'présenté(e) par Fouilles & Fils');
  t.equal(presentedBy({ company: 'Fouilles & Fils', companyAddress: '' }), 'présenté(e) par Fouilles & Fils');
  t.equal(
    presentedBy({ company: 'SARL « Les Bâtisseurs »', companyAddress: '12 rue des Lilas, 69003 Lyon' }),
    'présenté(e) par SARL « Les Bâtisseurs » – 12 rue des Lilas, 69003 Lyon',
  );
});

t.test('missingSignatory: each missing setting is named, whitespace counts as missing', async (t) => {
  const complete = { representative_name: 'Marie Curie', representative_title: 'Directrice', town: 'Lyon' };
  t.same(missingSignatory(complete), []);
  t.same(missingSignatory({ ...complete, representative_name: null }), ['le nom du représentant du centre']);
  t.same(missingSignatory({ ...complete, representative_title: '' }), ['sa qualité']);
  t.same(missingSignatory({ ...complete, town: ' \t\n ' }), ['la ville où les attestations sont faites']);
  t.same(missingSignatory({ representative_name: '  ', representative_title: null, town: '' }), [
    'le nom du représentant du centre',
    'sa qualité',
    'la ville où les attestations sont faites',
  ]);
});

const FIELDS: AttestationFields = {
  model: 1,
  number: 'AIPR-2026-2222-2222-2222-222K',
  kind: 'admis',
  centre: {
    code: 'centre0042',
    name: 'Centre de formation du Rhône',
    address: '3 quai Perrache, 69002 Lyon',
    email: 'contact@centre.example.fr',
    phone: null,
    town: 'Lyon',
    representativeName: 'Marie Curie',
    representativeTitle: 'Directrice',
    stampId: 7,
  },
  supervisor: 'Paul Martin',
  profile: 'encadrant',
  candidate: { lastName: 'Lefèvre', firstName: 'Élodie', birthDate: '1985-04-23', company: null, companyAddress: null },
  examDate: '2026-03-10',
  tokenCode: 'ABCD-EFGH',
  validUntil: '2031-03-10',
  issuedOn: '2026-03-11',
  correctedOn: '2026-04-02',
};

t.test('qrPayload: the short keys, with NOM and initial only', async (t) => {
  t.same(qrPayload(FIELDS, 'k1'), {
    v: 1,
    n: 'AIPR-2026-2222-2222-2222-222K',
    r: 'admis',
    c: 'LEFÈVRE É.',
    p: 'encadrant',
    d: '2026-03-10',
    u: '2031-03-10',
    e: 'centre0042',
    x: '2026-04-02',
    k: 'k1',
  });
  const failure = qrPayload({ ...FIELDS, kind: 'echec', validUntil: null, correctedOn: null }, 'k2');
  t.equal(failure.r, 'echec');
  t.equal(failure.u, null);
  t.equal(failure.x, null);
  t.equal(failure.k, 'k2');
  t.notOk(JSON.stringify(qrPayload(FIELDS, 'k1')).includes('Élodie'), 'the first name is never in the code');
  t.notOk(JSON.stringify(qrPayload(FIELDS, 'k1')).includes('1985'), 'nor the birth date');
});

t.test('qrText: the verification address, then base64url payload and signature after #', async (t) => {
  const number = 'AIPR-2026-2222-2222-2222-222K';
  t.equal(verificationUrl('https://aipr.example.fr', number), 'https://aipr.example.fr/verifier/AIPR-2026-2222-2222-2222-222K');
  // '{"v":1}' is eyJ2IjoxfQ== in base64; 64 bytes 0xFF are 85 '/' then 'w==' (base64url: '_' and no padding).
  const text = qrText('https://aipr.example.fr', number, '{"v":1}', new Uint8Array(64).fill(0xff));
  t.equal(text, `https://aipr.example.fr/verifier/${number}#eyJ2IjoxfQ.${'_'.repeat(85)}w`);
  const parsed = parseQrText(text);
  t.ok(parsed);
  t.equal(parsed?.url, `https://aipr.example.fr/verifier/${number}`);
  t.equal(parsed?.payloadJson, '{"v":1}');
  t.same([...(parsed?.signature ?? [])], new Array<number>(64).fill(0xff));
  // Bytes FB FF encode to '+/' in base64: base64url writes them '-_'.
  t.equal(qrText('http://localhost:3000', 'AIPR-1', 'é', Uint8Array.of(0xfb, 0xff)), 'http://localhost:3000/verifier/AIPR-1#w6k.-_8');
});

t.test('parseQrText refuses what is not a QR text of this shape', async (t) => {
  const base = 'https://aipr.example.fr/verifier/AIPR-2026-2222-2222-2222-222K';
  t.ok(parseQrText(`${base}#eyJ2IjoxfQ.AAAA`), 'the well-formed text, for comparison');
  for (const bad of [
    '',
    base, // no '#'
    `${base}eyJ2IjoxfQ.AAAA`,
    `${base}#eyJ2IjoxfQ`, // no signature
    `${base}#eyJ2IjoxfQ.`,
    `${base}#.AAAA`,
    `${base}#eyJ2IjoxfQ==.AAAA`, // padding is not base64url
    `${base}#eyJ2Ij+xfQ.AAAA`, // '+' is base64, not base64url
    `${base}#eyJ2IjoxfQ.AA/A`,
    `${base}#eyJ2Ijox fQ.AAAA`,
    `${base}#eyJ2IjoxfQ.AAAA.BBBB`,
    `${base}#eyJ2IjoxfQ.AAAA\n`,
    'https://aipr.example.fr/verify/AIPR-2026-2222-2222-2222-222K#eyJ2IjoxfQ.AAAA',
    'https://aipr.example.fr/AIPR-2026-2222-2222-2222-222K#eyJ2IjoxfQ.AAAA',
    'https://aipr.example.fr/verifier/#eyJ2IjoxfQ.AAAA',
    'https://aipr.example.fr/verifier/aipr-2026-2222#eyJ2IjoxfQ.AAAA',
    'https://aipr.example.fr/verifier/AIPR-2026-2222/x#eyJ2IjoxfQ.AAAA',
    'ftp://aipr.example.fr/verifier/AIPR-2026-2222-2222-2222-222K#eyJ2IjoxfQ.AAAA',
    'aipr.example.fr/verifier/AIPR-2026-2222-2222-2222-222K#eyJ2IjoxfQ.AAAA',
    'https://aipr example.fr/verifier/AIPR-2026-2222-2222-2222-222K#eyJ2IjoxfQ.AAAA',
    ` ${base}#eyJ2IjoxfQ.AAAA`,
  ]) {
    t.equal(parseQrText(bad), null, `refuses ${JSON.stringify(bad)}`);
  }
});

const publicUrl = fc.oneof(
  fc.constantFrom('http://localhost:3000', 'https://aipr.example.fr', 'https://examens.example.fr/aipr', 'https://exemple.gouv.fr:8443/a/b'),
  fc.webUrl({ validSchemes: ['http', 'https'], withFragments: false, withQueryParameters: false }),
);
const attestationNumber = fc.stringMatching(/^AIPR-\d{4}(-[2-9A-HJKMNP-Z]{4}){4}$/);
// Any payload as JSON writes it, strings of any code points (lone surrogates come out escaped).
const payloadJson = fc.jsonValue({ stringUnit: 'binary' }).map((value) => JSON.stringify(value));
const signature = fc.uint8Array({ minLength: 64, maxLength: 64 });

t.test('property: parseQrText(qrText(…)) gives back the url, the payload and the signature exactly', async (t) => {
  t.equal(
    failureOf(
      fc.property(publicUrl, attestationNumber, payloadJson, signature, (url, number, json, sig) => {
        const parsed = parseQrText(qrText(url, number, json, sig));
        return (
          parsed !== null &&
          parsed.url === `${url}/verifier/${number}` &&
          parsed.payloadJson === json &&
          parsed.signature.length === 64 &&
          Buffer.compare(parsed.signature, Buffer.from(sig)) === 0
        );
      }),
      { numRuns: 1000 },
    ),
    null,
  );
  // With the payload the application really signs: accents and all.
  const real = JSON.stringify(qrPayload({ ...FIELDS, candidate: { ...FIELDS.candidate, lastName: 'Ødegård-Lefèvre', firstName: 'Ǆemila' } }, 'k1'));
  t.equal(parseQrText(qrText('https://aipr.example.fr', FIELDS.number, real, new Uint8Array(64)))?.payloadJson, real);
});

t.test('a real Ed25519 signature over the payload JSON survives the QR text, and any change breaks it', async (t) => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const payload = qrPayload(FIELDS, 'cle-2026');
  const json = JSON.stringify(payload);
  const sig = sign(null, Buffer.from(json, 'utf8'), privateKey);
  t.equal(sig.length, 64, 'an Ed25519 signature is 64 bytes');

  const parsed = parseQrText(qrText('https://aipr.example.fr', FIELDS.number, json, sig));
  t.ok(parsed);
  if (!parsed) return;
  t.equal(parsed.url, 'https://aipr.example.fr/verifier/AIPR-2026-2222-2222-2222-222K');
  t.same(JSON.parse(parsed.payloadJson), payload);
  t.ok(verify(null, Buffer.from(parsed.payloadJson, 'utf8'), publicKey, parsed.signature), 'the signature checks');

  // One character of the payload changed: « LEFÈVRE É. » becomes « LEFÈVRE F. ».
  const tampered = parsed.payloadJson.replace('"c":"LEFÈVRE É."', '"c":"LEFÈVRE F."');
  t.not(tampered, parsed.payloadJson);
  t.equal(tampered.length, parsed.payloadJson.length, 'exactly one character differs');
  t.notOk(verify(null, Buffer.from(tampered, 'utf8'), publicKey, parsed.signature), 'the changed payload fails');

  // Every single character flipped, one at a time, fails too.
  const chars = [...parsed.payloadJson];
  let accepted = 0;
  chars.forEach((c, i) => {
    const flipped = [...chars];
    flipped[i] = c === 'A' ? 'B' : 'A';
    if (verify(null, Buffer.from(flipped.join(''), 'utf8'), publicKey, parsed.signature)) accepted += 1;
  });
  t.equal(accepted, 0, `none of the ${chars.length} one-character changes verifies`);

  // Another key does not verify it.
  const other = generateKeyPairSync('ed25519').publicKey;
  t.notOk(verify(null, Buffer.from(parsed.payloadJson, 'utf8'), other, parsed.signature));
});
