import { createPublicKey, verify } from 'node:crypto';
import t from 'tap';
import { generateAttestationNumber } from '../../../src/domain/attestation-number.js';
import { cancelAttestation, correctIdentity, printAttestations } from '../../../src/services/attestations/lifecycle.js';
import { findAttestationOfExam } from '../../../src/services/attestations/queries.js';
import { Agent, createTestApp } from '../../helpers/app.js';
import { attestationNumberOf, finishedCandidate, SIGNATORY } from '../../helpers/attestations.js';
import { field, h1, visibleText } from '../../helpers/html.js';
import { CENTRE_ID, IDENTITY, kioskRoom } from '../../helpers/kiosk-room.js';

/**
 * `/verifier`, the public check of an attestation number: the form, the typed number normalised or
 * refused, each state of a known number with no more personal data than NOM and initial, the
 * throttle per address, and the public key of the QR codes' signatures.
 */

const TITLE = 'Vérifier une attestation';
const MALFORMED =
  'Ce numéro n’est pas un numéro d’attestation : vérifiez chaque caractère (il a la forme AIPR-2026-XXXX-XXXX-XXXX-XXXX ; un caractère mal recopié est détecté).';
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const TEST_ACTOR = { actor: { accountId: null, label: 'test' } };

type Tap = Pick<typeof t, 'match' | 'notMatch'>;

function titleOf(html: string): string {
  return /<title>([\s\S]*?)<\/title>/.exec(html)?.[1]?.trim() ?? '';
}

/** The number with one symbol of its body replaced by another: a copying mistake. */
function mistyped(number: string): string {
  const at = number.length - 3;
  const symbol = number[at]!;
  const other = ALPHABET[(ALPHABET.indexOf(symbol) + 1) % ALPHABET.length]!;
  return number.slice(0, at) + other + number.slice(at + 1);
}

/** What the page must never show of the candidate, beyond NOM and initial. */
function assertNoPrivateData(t: Tap, html: string, token: string) {
  const text = visibleText(html);
  t.notMatch(text, IDENTITY.prenom, 'not the first name in full');
  t.notMatch(text, '23/04/1985', 'not the birth date');
  t.notMatch(text, '1985', 'nothing of the birth date');
  t.notMatch(text, 'avril', 'nothing of the birth date');
  t.notMatch(text, 'Terrassements', 'not the company');
  t.notMatch(html, token, 'not the token as printed');
  t.notMatch(html, token.replace(/-/g, ''), 'not the token as stored');
}

function assertTitleWithoutName(t: Tap, html: string) {
  const title = titleOf(html);
  t.match(title, TITLE, `the title is the page’s: ${title}`);
  t.notMatch(title.toLocaleLowerCase('fr-FR'), 'lefèvre', 'no name in the title');
  t.notMatch(title, 'Zo', 'no first name in the title');
}

t.test('the form, and what it does with a typed number', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.40.0.1' });
  const number = await attestationNumberOf(room, examId);
  const visitor = new Agent(room.app, '10.40.0.100');

  const form = await visitor.get('/verifier');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), TITLE);
  t.equal(titleOf(form.body), `${TITLE} — QCM-AIPR`);
  t.same(field(form.body, 'numero'), { value: '', invalid: false, error: null });
  t.match(form.body, 'href="/verifier/cle"', 'the public key is linked');

  const malformed = await visitor.get('/verifier?numero=AIPR-2026-ABCD');
  t.equal(malformed.statusCode, 400);
  t.same(field(malformed.body, 'numero'), { value: 'AIPR-2026-ABCD', invalid: true, error: MALFORMED }, 'the message at the field, the typed text kept');

  const typo = mistyped(number);
  const typoRes = await visitor.get(`/verifier?numero=${encodeURIComponent(typo)}`);
  t.equal(typoRes.statusCode, 400, 'one symbol mis-copied is detected without a lookup');
  t.equal(field(typoRes.body, 'numero').error, MALFORMED);

  const empty = await visitor.get('/verifier?numero=%20%20');
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'numero').error, 'Saisissez le numéro imprimé sur l’attestation.');

  const markup = await visitor.get(`/verifier?numero=${encodeURIComponent('<script>alert(1)</script>')}`);
  t.equal(markup.statusCode, 400);
  t.notMatch(markup.body, '<script>alert(1)</script>', 'what was typed is escaped');

  const loose = number.toLowerCase().replace(/-/g, ' ');
  const redirected = await visitor.get(`/verifier?numero=${encodeURIComponent(loose)}`);
  t.equal(redirected.statusCode, 303, `"${loose}" is a real number typed loosely`);
  t.equal(redirected.headers.location, `/verifier/${number}`);
  const noPrefix = await visitor.get(`/verifier?numero=${encodeURIComponent(number.slice('AIPR-'.length).replace(/-/g, ''))}`);
  t.equal(noPrefix.headers.location, `/verifier/${number}`, 'the prefix may be left out');

  const moved = await visitor.get(`/verifier/${number.toLowerCase()}`);
  t.equal(moved.statusCode, 301);
  t.equal(moved.headers.location, `/verifier/${number}`, 'the canonical address');
  const compact = await visitor.get(`/verifier/${number.replace(/-/g, '')}`);
  t.equal(compact.statusCode, 301);
  t.equal(compact.headers.location, `/verifier/${number}`);

  const wrongPath = await visitor.get(`/verifier/${encodeURIComponent(typo)}`);
  t.equal(wrongPath.statusCode, 404, 'a malformed number in the address');
  t.equal(field(wrongPath.body, 'numero').error, MALFORMED);

  let unknown = generateAttestationNumber(2026);
  while (unknown === number) unknown = generateAttestationNumber(2026);
  const unknownRes = await visitor.get(`/verifier/${unknown}`);
  t.equal(unknownRes.statusCode, 404);
  t.match(visibleText(unknownRes.body), `Attestation inconnue Aucune attestation ne porte le numéro ${unknown}`);
  t.notMatch(visibleText(unknownRes.body), 'LEFÈVRE');
  assertTitleWithoutName(t, unknownRes.body);
});

t.test('each state of a known number, with NOM and initial only', async (t) => {
  const room = await kioskRoom(t);
  const passed = await finishedCandidate(room, { passed: true, ip: '10.40.0.1' });
  const failed = await finishedCandidate(room, { passed: false, ip: '10.40.0.2' });
  const cancelled = await finishedCandidate(room, { passed: true, ip: '10.40.0.3' });
  const corrected = await finishedCandidate(room, { passed: true, ip: '10.40.0.4' });
  const visitor = new Agent(room.app, '10.40.0.100');
  const page = async (examId: number) => visitor.get(`/verifier/${await attestationNumberOf(room, examId)}`);

  // Valid: everything needed to match a person's papers, nothing more.
  const number = await attestationNumberOf(room, passed.examId);
  const valid = await page(passed.examId);
  t.equal(valid.statusCode, 200);
  const text = visibleText(valid.body);
  t.match(text, 'Attestation valide Cette attestation de compétences est authentique et valable jusqu’au 29 novembre 2031 inclus.');
  t.match(text, `Numéro ${number}`);
  t.match(text, 'Type Attestation de compétences');
  t.match(text, 'Titulaire LEFÈVRE Z.', 'NOM and initial');
  t.match(text, 'Profil Opérateur');
  t.match(text, 'Date de l’examen 29 novembre 2026');
  t.match(text, 'Valable jusqu’au 29 novembre 2031');
  t.match(text, 'Centre d’examen Centre de démonstration AIPR (centre0001)');
  t.notMatch(text, 'rectifiée');
  assertNoPrivateData(t, valid.body, passed.token);
  assertTitleWithoutName(t, valid.body);

  // Failure: genuine, but no right.
  const failure = await page(failed.examId);
  t.equal(failure.statusCode, 200);
  const failureText = visibleText(failure.body);
  t.match(failureText, 'Attestation d’échec authentique');
  t.match(failureText, 'Type Attestation d’échec');
  t.match(failureText, 'Titulaire LEFÈVRE Z.');
  t.notMatch(failureText, 'Valable jusqu’au', 'no validity');
  t.notMatch(failureText, 'Attestation valide');
  assertNoPrivateData(t, failure.body, failed.token);
  assertTitleWithoutName(t, failure.body);

  // Cancelled.
  const outcome = await cancelAttestation(room.db, room.clock, { centreId: CENTRE_ID, examId: cancelled.examId, reason: 'Fraude constatée' }, TEST_ACTOR);
  t.same(outcome, { ok: true });
  const cancelledRes = await page(cancelled.examId);
  t.equal(cancelledRes.statusCode, 200);
  const cancelledText = visibleText(cancelledRes.body);
  t.match(cancelledText, 'Attestation annulée Cette attestation a été annulée le 29/11/2026');
  t.notMatch(cancelledText, 'Attestation valide');
  t.notMatch(cancelledText, 'Fraude', 'the reason stays private');
  assertNoPrivateData(t, cancelledRes.body, cancelled.token);
  assertTitleWithoutName(t, cancelledRes.body);

  // Corrected after its first print: the corrected name, and « rectifiée ».
  await room.db
    .updateTable('centres')
    .set({ representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville })
    .where('id', '=', CENTRE_ID)
    .execute();
  const row = await findAttestationOfExam(room.db, CENTRE_ID, corrected.examId);
  t.ok((await printAttestations(room.db, room.clock, [row!], TEST_ACTOR)).ok, 'printed');
  room.clock.advance(24 * 60 * 60_000);
  const correction = await correctIdentity(
    room.db,
    room.clock,
    { centreId: CENTRE_ID, examId: corrected.examId, form: { ...IDENTITY, nom: 'Lefebvre', prenom: 'Chloé', motif: 'Erreur de saisie à la borne' } },
    TEST_ACTOR,
  );
  t.same(correction, { ok: true, changed: true });
  const correctedRes = await page(corrected.examId);
  t.equal(correctedRes.statusCode, 200);
  const correctedText = visibleText(correctedRes.body);
  t.match(correctedText, 'Titulaire LEFEBVRE C.', 'the corrected name');
  t.notMatch(correctedText, 'LEFÈVRE', 'not the old one');
  t.match(correctedText, 'Identité rectifiée le 30/11/2026 : les données ci-dessus sont les données corrigées.');
  t.match(correctedText, 'Attestation valide');
  t.notMatch(correctedText, 'Chloé');
  assertTitleWithoutName(t, correctedRes.body);
  t.notMatch(titleOf(correctedRes.body).toLocaleLowerCase('fr-FR'), 'lefebvre');

  // Valid through its last day (Paris), expired the day after.
  room.clock.set('2031-11-29T22:30:00.000Z'); // 23:30 in Paris
  const lastDay = visibleText((await page(passed.examId)).body);
  t.match(lastDay, 'Attestation valide', 'still valid on its last day');
  room.clock.set('2031-11-29T23:30:00.000Z'); // 00:30 on 30 November in Paris
  const expired = await page(passed.examId);
  t.equal(expired.statusCode, 200);
  const expiredText = visibleText(expired.body);
  t.match(expiredText, 'Attestation expirée Cette attestation de compétences est authentique mais n’est plus valable : elle l’était jusqu’au 29 novembre 2031 inclus.');
  t.notMatch(expiredText, 'Attestation valide');
  t.match(expiredText, 'Titulaire LEFÈVRE Z.');
  assertNoPrivateData(t, expired.body, passed.token);
  assertTitleWithoutName(t, expired.body);
  const stillCancelled = visibleText((await page(cancelled.examId)).body);
  t.match(stillCancelled, 'Attestation annulée', 'a cancelled attestation stays cancelled, not expired');
});

t.test('more than 60 lookups from one address within 10 minutes are refused; other addresses are not', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.40.0.1' });
  const number = await attestationNumberOf(room, examId);
  const busy = new Agent(room.app, '10.40.0.200');
  const statuses = new Set<number>();
  for (let i = 0; i < 60; i += 1) {
    statuses.add((await busy.get(i % 3 === 0 ? `/verifier?numero=${mistyped(number)}` : `/verifier/${number}`)).statusCode);
    if (i % 10 === 0) room.clock.advance(30_000);
  }
  t.same([...statuses].sort(), [200, 400], '60 lookups answered (valid and malformed numbers both count)');

  const refused = await busy.get(`/verifier/${number}`);
  t.equal(refused.statusCode, 429, 'the 61st is refused');
  t.match(field(refused.body, 'numero').error ?? '', /^Trop de vérifications depuis ce poste\. Réessayez à \d\d h \d\d \(dans \d+ minutes?\)\.$/);
  t.notMatch(visibleText(refused.body), 'LEFÈVRE', 'the refusal shows nothing of the attestation');
  t.equal((await busy.get(`/verifier?numero=${mistyped(number)}`)).statusCode, 429, 'malformed numbers too');
  t.equal((await busy.get('/verifier')).statusCode, 200, 'the empty form is still shown');

  const other = new Agent(room.app, '10.40.0.201');
  const res = await other.get(`/verifier/${number}`);
  t.equal(res.statusCode, 200, 'another address still gets its answer');
  t.match(visibleText(res.body), 'Attestation valide');

  room.clock.advance(11 * 60_000);
  t.equal((await busy.get(`/verifier/${number}`)).statusCode, 200, 'the lock ends');
});

t.test('/verifier/cle: the Ed25519 public key, stable across requests and restarts', async (t) => {
  const first = await createTestApp(t);
  const visitor = new Agent(first.app, '10.40.0.100');
  const res = await visitor.get('/verifier/cle');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain/);
  t.match(res.body, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/);
  const key = createPublicKey(res.body);
  t.equal(key.asymmetricKeyType, 'ed25519');
  t.equal((await visitor.get('/verifier/cle')).body, res.body, 'the same on a second request');

  // It is the key the platform signs with.
  const message = '{"v":1,"n":"AIPR-2026-TEST"}';
  const signature = first.app.attestationSigner.sign(message);
  t.ok(verify(null, Buffer.from(message, 'utf8'), key, signature), 'a signature of the platform verifies with it');
  t.notOk(verify(null, Buffer.from(`${message} `, 'utf8'), key, signature), 'and only for the signed text');

  const { dataDir, clock } = first;
  await first.close(true);
  const restarted = await createTestApp(t, { dataDir, clock });
  const again = await new Agent(restarted.app, '10.40.0.100').get('/verifier/cle');
  t.equal(again.statusCode, 200);
  t.equal(again.body, res.body, 'the same key after a restart on the same data');

  const elsewhere = await createTestApp(t);
  t.not((await new Agent(elsewhere.app).get('/verifier/cle')).body, res.body, 'another platform has its own key');
});
