import t from 'tap';
import { printAttestations } from '../../../src/services/attestations/lifecycle.js';
import { findAttestationOfExam } from '../../../src/services/attestations/queries.js';
import { TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import type { AttestationFields } from '../../../src/domain/attestation.js';
import { accountAgent, adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent, type Teardown } from '../../helpers/app.js';
import { attestationNumberOf, finishedCandidate, SIGNATORY } from '../../helpers/attestations.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { field, flashes, h1, visibleText } from '../../helpers/html.js';
import { startCandidate } from '../../helpers/kiosk.js';
import { CENTRE_ID, IDENTITY, kioskRoom, type Room } from '../../helpers/kiosk-room.js';
import { png } from '../../helpers/png.js';

/**
 * The attestations in the manager area: the card of a finished exam, the centre's settings (who
 * signs, the stamp), printing (refused without settings, 503 without a browser), the identity
 * correction, the cancellation, a whole session's print, and who may reach each of these URLs.
 * PDFs themselves are made by a real browser in other tests: no Chromium is launched here.
 */

const NUMBER = /^AIPR-2026-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/;
const DAY = 24 * 60 * 60_000;
const TEST_ACTOR = { actor: { accountId: null, label: 'test' } };
const MISSING_ALL =
  'Avant d’imprimer une attestation, renseignez dans les paramètres du centre le nom du représentant du centre, sa qualité et la ville où les attestations sont faites.';
const PDF_UNAVAILABLE =
  'La génération des PDF est indisponible : aucun navigateur Chromium n’est installé sur le serveur. Prévenez l’exploitant de la plateforme.';
/** A browser path that is never launched: the pool says PDFs are available, and the tests here stop before any rendering. */
const UNLAUNCHED_BROWSER = '/chemin/inexistant/chromium';

const manager = (room: Room) => managerAgent(room.testApp, { ip: '10.30.0.50' });

/** The signatory as the settings page stores it, written directly where it is not the subject. */
async function setSignatory(room: Room, centreId = CENTRE_ID) {
  await room.db
    .updateTable('centres')
    .set({ representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville, phone: SIGNATORY.telephone })
    .where('id', '=', centreId)
    .execute();
}

async function attestationRow(room: Room, examId: number) {
  return room.db
    .selectFrom('attestations')
    .select(['number', 'kind', 'snapshot', 'printed_at', 'corrected_at', 'cancelled_at', 'cancel_reason'])
    .where('exam_id', '=', examId)
    .executeTakeFirstOrThrow();
}

async function identityRow(room: Room, examId: number) {
  return room.db
    .selectFrom('exams')
    .select(['last_name', 'first_name', 'birth_date', 'company', 'company_address'])
    .where('id', '=', examId)
    .executeTakeFirstOrThrow();
}

async function auditRows(room: Room, action: string) {
  const rows = await room.db
    .selectFrom('audit_log')
    .select(['actor_label', 'target_type', 'target_id', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>) }));
}

async function signatoryRow(room: Room, centreId = CENTRE_ID) {
  return room.db
    .selectFrom('centres')
    .select(['representative_name', 'representative_title', 'town', 'phone', 'stamp_id'])
    .where('id', '=', centreId)
    .executeTakeFirstOrThrow();
}

/** Follows a redirect as a browser does and returns the messages of the page it lands on. */
async function flashesAfter(agent: Agent, location: unknown) {
  const page = await agent.get(String(location));
  return { page, flashes: flashes(page.body) };
}

/** The stamp input as rendered: its message and whether it is marked invalid and described by it. */
function stampField(html: string) {
  const input = /<input\b[^>]*\sname="cachet"[^>]*>/.exec(html)?.[0] ?? '';
  const error = /<p\b[^>]*\sid="cachet-erreur"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1];
  return {
    invalid: /\saria-invalid="true"/.test(input) && input.includes('aria-describedby="cachet-erreur"'),
    error: error === undefined ? null : visibleText(error),
  };
}

t.test('the exam page shows a finished exam’s attestation; printing waits for the centre’s signatory; a running exam has none', async (t) => {
  const room = await kioskRoom(t);
  const passed = await finishedCandidate(room, { passed: true, ip: '10.30.0.1' });
  const failed = await finishedCandidate(room, { passed: false, ip: '10.30.0.2' });
  const running = await startCandidate(room, { ip: '10.30.0.3' });
  const boss = await manager(room);

  const passedNumber = await attestationNumberOf(room, passed.examId);
  const failedNumber = await attestationNumberOf(room, failed.examId);
  t.match(passedNumber, NUMBER, 'a number of the exam’s year');
  t.match(failedNumber, NUMBER);
  t.not(passedNumber, failedNumber);

  const passedPage = await boss.get(`/centre/examens/${passed.examId}`);
  t.equal(passedPage.statusCode, 200);
  const passedText = visibleText(passedPage.body);
  t.match(passedText, 'Attestation de compétences');
  t.notMatch(passedText, 'Attestation d’échec');
  t.match(passedText, `Numéro : ${passedNumber} — pas encore imprimée.`);

  const failedText = visibleText((await boss.get(`/centre/examens/${failed.examId}`)).body);
  t.match(failedText, 'Attestation d’échec');
  t.notMatch(failedText, 'Attestation de compétences');
  t.match(failedText, `Numéro : ${failedNumber} — pas encore imprimée.`);

  const runningPage = await boss.get(`/centre/examens/${running.examId}`);
  t.equal(runningPage.statusCode, 200);
  const runningText = visibleText(runningPage.body);
  const runningPoste = Number(running.agent.cookies.get(TERMINAL_COOKIE)?.split('.')[0]);
  t.match(runningText, `Examen en cours sur le poste n° ${runningPoste}.`, 'running, on the terminal it was started on');
  t.notMatch(runningText, 'Attestation', 'no attestation card');
  t.notMatch(runningText, 'AIPR-', 'no number');
  t.notMatch(runningPage.body, `/centre/examens/${running.examId}/attestation`, 'no link to an attestation');
  t.equal(await room.db.selectFrom('attestations').select('number').where('exam_id', '=', running.examId).executeTakeFirst(), undefined);

  // Before the centre names its signatory, printing is refused and the card leads to the settings.
  const cardBefore = await boss.get(`/centre/examens/${passed.examId}`);
  const beforeText = visibleText(cardBefore.body);
  t.match(beforeText, MISSING_ALL, 'the card names every missing setting');
  t.match(cardBefore.body, '<a href="/centre/parametres">Ouvrir les paramètres du centre</a>', 'and links to the settings');
  t.notMatch(beforeText, 'Attestation (PDF)', 'no print button');

  const printed = await boss.post(`/centre/examens/${passed.examId}/attestation`, {});
  t.equal(printed.statusCode, 303);
  t.equal(printed.headers.location, `/centre/examens/${passed.examId}`);
  const after = await flashesAfter(boss, printed.headers.location);
  t.same(after.flashes, [{ type: 'error', text: MISSING_ALL }], 'the refusal, in French, after the redirect');

  const preview = await boss.get(`/centre/examens/${passed.examId}/attestation`);
  t.equal(preview.statusCode, 409);
  t.match(visibleText(preview.body), MISSING_ALL);

  const row = await attestationRow(room, passed.examId);
  t.equal(row.snapshot, null, 'nothing frozen');
  t.equal(row.printed_at, null);
  t.same(await auditRows(room, 'attestation.imprimee'), [], 'no print recorded');

  // Half done: only what is still missing is named.
  await room.db.updateTable('centres').set({ representative_name: SIGNATORY.representant }).where('id', '=', CENTRE_ID).execute();
  const partial = await boss.get(`/centre/examens/${passed.examId}/attestation`);
  t.equal(partial.statusCode, 409);
  t.match(
    visibleText(partial.body),
    'Avant d’imprimer une attestation, renseignez dans les paramètres du centre sa qualité et la ville où les attestations sont faites.',
  );

  // Once set, the preview is the document, and the card offers printing.
  await setSignatory(room);
  const ready = await boss.get(`/centre/examens/${passed.examId}/attestation`);
  t.equal(ready.statusCode, 200);
  t.match(ready.headers['content-type'], /^text\/html/);
  t.match(ready.body, await attestationNumberOf(room, passed.examId));
  t.match(ready.body, SIGNATORY.representant);
  const card = visibleText((await boss.get(`/centre/examens/${passed.examId}`)).body);
  t.match(card, 'Attestation (PDF)');
  t.notMatch(card, 'Avant d’imprimer');
  t.equal((await attestationRow(room, passed.examId)).snapshot, null, 'a preview freezes nothing');

  // The exam still running has no attestation to print, correct or cancel.
  await boss.get(`/centre/examens/${running.examId}`);
  for (const [method, url] of [
    ['GET', `/centre/examens/${running.examId}/attestation`],
    ['POST', `/centre/examens/${running.examId}/attestation`],
    ['GET', `/centre/examens/${running.examId}/identite`],
    ['GET', `/centre/examens/${running.examId}/attestation/annulation`],
  ] as const) {
    const res = method === 'GET' ? await boss.get(url) : await boss.post(url, {});
    t.equal(res.statusCode, 404, `${method} ${url}`);
    t.match(res.body, 'Page introuvable');
  }
  t.equal(
    (await boss.post(`/centre/examens/${running.examId}/identite`, { ...IDENTITY, prenom: 'Zoë', motif: 'Faute de frappe' })).statusCode,
    404,
    'no correction of a running exam through this page',
  );
  t.equal((await boss.post(`/centre/examens/${running.examId}/attestation/annulation`, { motif: 'Erreur de saisie' })).statusCode, 404);
  t.same(await identityRow(room, running.examId), { ...identityOf(IDENTITY) }, 'the running exam is untouched');
});

function identityOf(identity: typeof IDENTITY) {
  return {
    last_name: identity.nom,
    first_name: identity.prenom,
    birth_date: identity.date_naissance,
    company: identity.entreprise,
    company_address: null,
  };
}

t.test('the settings page: the form, its errors at their fields, and the audited change', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);

  const form = await boss.get('/centre/parametres');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Paramètres du centre');
  t.match(visibleText(form.body), 'Signataire des attestations');
  for (const name of ['representant', 'qualite', 'ville', 'telephone']) {
    t.same(field(form.body, name), { value: '', invalid: false, error: null }, `${name}: empty, no error`);
  }
  const before = await signatoryRow(room);

  const typed = { representant: '  ', qualite: 'Directrice <b>', ville: '69003', telephone: '12 34' };
  const refused = await boss.post('/centre/parametres', typed);
  t.equal(refused.statusCode, 400);
  t.same(field(refused.body, 'representant'), {
    value: '',
    invalid: true,
    error: 'Saisissez le prénom et le nom de la personne qui signe les attestations.',
  });
  t.same(field(refused.body, 'qualite'), { value: 'Directrice <b>', invalid: true, error: 'La qualité contient des caractères non autorisés.' });
  t.same(field(refused.body, 'ville'), { value: '69003', invalid: true, error: 'Saisissez un nom de ville, par exemple « Lyon » ou « Saint-Étienne ».' });
  t.same(field(refused.body, 'telephone'), {
    value: '12 34',
    invalid: true,
    error: 'Saisissez un numéro de téléphone valide, par exemple 01 23 45 67 89, ou laissez le champ vide.',
  });
  t.match(visibleText(refused.body), 'Les paramètres n’ont pas été enregistrés : corrigez les champs signalés');
  t.notMatch(refused.body, 'Directrice <b>', 'the typed markup is escaped');
  t.same(await signatoryRow(room), before, 'nothing stored');
  t.same(await auditRows(room, 'centre.signataire_modifie'), []);

  const saved = await boss.post('/centre/parametres', SIGNATORY);
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, '/centre/parametres');
  const after = await flashesAfter(boss, saved.headers.location);
  t.same(after.flashes, [{ type: 'success', text: 'Les paramètres des attestations sont enregistrés. Les attestations déjà imprimées gardent leur texte.' }]);
  t.equal(field(after.page.body, 'representant').value, SIGNATORY.representant, 'the form shows what is stored');
  t.equal(field(after.page.body, 'ville').value, SIGNATORY.ville);
  t.same(await signatoryRow(room), {
    representative_name: SIGNATORY.representant,
    representative_title: SIGNATORY.qualite,
    town: SIGNATORY.ville,
    phone: SIGNATORY.telephone,
    stamp_id: null,
  });
  const audit = await auditRows(room, 'centre.signataire_modifie');
  t.same(audit, [
    {
      actor_label: 'gestionnaire@demo.test',
      target_type: 'centre',
      target_id: String(CENTRE_ID),
      details: {
        avant: { representative_name: null, representative_title: null, town: null, phone: null },
        apres: { representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville, phone: SIGNATORY.telephone },
      },
    },
  ]);

  // The telephone may be left out; the old values are kept in the log.
  await boss.post('/centre/parametres', { ...SIGNATORY, telephone: '', ville: 'Lyon' });
  t.equal((await signatoryRow(room)).phone, null);
  const second = (await auditRows(room, 'centre.signataire_modifie'))[1];
  t.same(second?.details, {
    avant: { representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville, phone: SIGNATORY.telephone },
    apres: { representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: 'Lyon', phone: null },
  });
});

t.test('the stamp: a PNG is stored and served back, a text or a too-large file is refused, and it can be removed', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);
  const stamp = png(120, 80);
  await boss.get('/centre/parametres');
  t.equal((await boss.get('/centre/parametres/cachet')).statusCode, 404, 'no stamp yet');

  const text = await boss.postMultipart('/centre/parametres/cachet', { cachet: { name: 'cachet.png', content: 'Ceci n’est pas une image.\n' } });
  t.equal(text.statusCode, 400, 'a text file is refused');
  t.same(stampField(text.body), { invalid: true, error: 'Ce fichier n’est pas une image PNG ou JPEG lisible.' });

  const large = png(420, 420, 'noise');
  t.ok(large.length > 512 * 1024, `the noise image is over 512 Ko (${large.length} bytes)`);
  const tooLarge = await boss.postMultipart('/centre/parametres/cachet', { cachet: { name: 'cachet-geant.png', content: large } });
  t.equal(tooLarge.statusCode, 400, 'a too-large image is refused');
  t.same(stampField(tooLarge.body), { invalid: true, error: 'L’image ne doit pas dépasser 512 Ko.' });

  const empty = await boss.postMultipart('/centre/parametres/cachet', { cachet: { name: '', content: '' } });
  t.equal(empty.statusCode, 400, 'no file chosen');
  t.same(stampField(empty.body), { invalid: true, error: 'Choisissez un fichier image (PNG ou JPEG).' });

  t.equal((await room.db.selectFrom('centre_stamps').select('id').execute()).length, 0, 'nothing stored');
  t.equal((await signatoryRow(room)).stamp_id, null);
  t.same(await auditRows(room, 'centre.cachet_depose'), []);

  const uploaded = await boss.postMultipart('/centre/parametres/cachet', { cachet: { name: 'cachet.png', content: stamp } });
  t.equal(uploaded.statusCode, 303);
  t.equal(uploaded.headers.location, '/centre/parametres');
  const after = await flashesAfter(boss, uploaded.headers.location);
  t.same(
    after.flashes.map((f) => f.type),
    ['success'],
  );
  t.match(after.flashes[0]?.text ?? '', 'Le cachet est enregistré');
  const { stamp_id: stampId } = await signatoryRow(room);
  t.ok(stampId, 'the centre has a stamp');
  t.match(after.page.body, `<img src="/centre/parametres/cachet?v=${stampId}"`, 'the page shows it');
  t.match(visibleText(after.page.body), 'Retirer le cachet');

  const served = await boss.get('/centre/parametres/cachet');
  t.equal(served.statusCode, 200);
  t.equal(served.headers['content-type'], 'image/png');
  t.ok(served.rawPayload.equals(stamp), 'the very bytes uploaded');
  t.same(await auditRows(room, 'centre.cachet_depose'), [
    { actor_label: 'gestionnaire@demo.test', target_type: 'centre', target_id: String(CENTRE_ID), details: { format: 'image/png', octets: stamp.length } },
  ]);

  // A refused replacement leaves the current stamp in place.
  const refusedAgain = await boss.postMultipart('/centre/parametres/cachet', { cachet: { name: 'notes.txt', content: 'bonjour' } });
  t.equal(refusedAgain.statusCode, 400);
  t.equal((await signatoryRow(room)).stamp_id, stampId);

  await boss.get('/centre/parametres');
  const removed = await boss.post('/centre/parametres/cachet/retrait', {});
  t.equal(removed.statusCode, 303);
  t.equal(removed.headers.location, '/centre/parametres');
  const afterRemoval = await flashesAfter(boss, removed.headers.location);
  t.match(afterRemoval.flashes[0]?.text ?? '', 'Le cachet est retiré');
  t.notMatch(visibleText(afterRemoval.page.body), 'Retirer le cachet');
  t.notMatch(afterRemoval.page.body, '/centre/parametres/cachet?v=');
  t.equal((await signatoryRow(room)).stamp_id, null);
  t.equal((await boss.get('/centre/parametres/cachet')).statusCode, 404, 'no stamp any more');
  t.same(await auditRows(room, 'centre.cachet_retire'), [
    { actor_label: 'gestionnaire@demo.test', target_type: 'centre', target_id: String(CENTRE_ID), details: null },
  ]);
});

t.test('without a browser on the server, printing says so in French (503), and nothing counts as printed', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.30.0.1' });
  await setSignatory(room);
  const boss = await manager(room);
  await boss.get(`/centre/examens/${examId}`);
  const res = await boss.post(`/centre/examens/${examId}/attestation`, {});
  t.equal(res.statusCode, 503);
  t.match(res.headers['content-type'], /^text\/html/);
  t.match(visibleText(res.body), PDF_UNAVAILABLE);

  // No PDF came out: the attestation was not printed.
  const row = await attestationRow(room, examId);
  t.equal(row.printed_at, null, 'not recorded as printed');
  t.equal(row.snapshot, null, 'not frozen: the settings may still change before the real first print');
  t.match(visibleText((await boss.get(`/centre/examens/${examId}`)).body), '— pas encore imprimée', 'the card does not claim a print');
  t.same(await auditRows(room, 'attestation.imprimee'), [], 'no print in the audit log');
});

t.test('identity correction: the form, its errors, the change and its audit, the snapshot of a printed attestation; the number never changes', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.30.0.1' });
  const number = await attestationNumberOf(room, examId);
  const boss = await manager(room);

  const form = await boss.get(`/centre/examens/${examId}/identite`);
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Corriger l’identité du candidat');
  t.equal(field(form.body, 'nom').value, IDENTITY.nom, 'prefilled');
  t.equal(field(form.body, 'prenom').value, IDENTITY.prenom);
  t.equal(field(form.body, 'date_naissance').value, IDENTITY.date_naissance.split('-').reverse().join('/'), 'the birth date as people write it');
  t.equal(field(form.body, 'entreprise').value, IDENTITY.entreprise);
  t.equal(field(form.body, 'adresse_entreprise').value, '');
  t.match(form.body, /<textarea[^>]*id="motif"[^>]*><\/textarea>/, 'an empty reason');
  const before = await identityRow(room, examId);

  const corrected = { ...IDENTITY, nom: 'Lefèvre-Martin', prenom: 'Zoë', adresse_entreprise: '12 quai Perrache, 69002 Lyon' };
  const noReason = await boss.post(`/centre/examens/${examId}/identite`, { ...corrected, motif: '' });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, /<textarea[^>]*aria-invalid="true" aria-describedby="motif-erreur"/);
  t.match(noReason.body, /<p id="motif-erreur" class="fr-error-text">Indiquez le motif de la correction \(au moins 5 caractères\)\.<\/p>/);
  t.equal(field(noReason.body, 'nom').value, 'Lefèvre-Martin', 'what was typed is kept');
  t.equal(field(noReason.body, 'prenom').value, 'Zoë');
  t.equal(field(noReason.body, 'adresse_entreprise').value, '12 quai Perrache, 69002 Lyon');
  t.match(visibleText(noReason.body), 'L’identité n’a pas été corrigée : corrigez le champ signalé');

  const badName = await boss.post(`/centre/examens/${examId}/identite`, { ...corrected, nom: 'Lef3vre', motif: 'Faute de frappe signalée' });
  t.equal(badName.statusCode, 400);
  const nom = field(badName.body, 'nom');
  t.equal(nom.value, 'Lef3vre');
  t.ok(nom.invalid);
  t.equal(nom.error, 'Le nom du candidat ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.');
  t.match(badName.body, /<textarea[^>]*id="motif"[^>]*>Faute de frappe signalée<\/textarea>/, 'the reason is kept');
  t.same(await identityRow(room, examId), before, 'nothing changed');
  t.same(await auditRows(room, 'candidat.identite_corrigee'), []);

  const done = await boss.post(`/centre/examens/${examId}/identite`, { ...corrected, motif: '  Faute de frappe   signalée par la candidate ' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/centre/examens/${examId}`);
  const after = await flashesAfter(boss, done.headers.location);
  t.same(after.flashes, [
    { type: 'success', text: 'L’identité est corrigée. L’attestation garde son numéro ; imprimée, elle porte la mention « rectifiée ».' },
  ]);
  t.equal(h1(after.page.body), 'Examen de Zoë Lefèvre-Martin');
  t.match(visibleText(after.page.body), `Numéro : ${number} — pas encore imprimée.`, 'same number');
  t.same(await identityRow(room, examId), {
    last_name: 'Lefèvre-Martin',
    first_name: 'Zoë',
    birth_date: IDENTITY.date_naissance,
    company: IDENTITY.entreprise,
    company_address: '12 quai Perrache, 69002 Lyon',
  });
  t.same(await auditRows(room, 'candidat.identite_corrigee'), [
    {
      actor_label: 'gestionnaire@demo.test',
      target_type: 'attestation',
      target_id: number,
      details: {
        examen: examId,
        avant: {
          nom: IDENTITY.nom,
          prenom: IDENTITY.prenom,
          date_naissance: IDENTITY.date_naissance,
          entreprise: IDENTITY.entreprise,
          adresse_entreprise: null,
        },
        apres: {
          nom: 'Lefèvre-Martin',
          prenom: 'Zoë',
          date_naissance: IDENTITY.date_naissance,
          entreprise: IDENTITY.entreprise,
          adresse_entreprise: '12 quai Perrache, 69002 Lyon',
        },
        motif: 'Faute de frappe signalée par la candidate',
      },
    },
  ]);
  const row = await attestationRow(room, examId);
  t.equal(row.number, number, 'the number never changes');
  t.equal(row.snapshot, null, 'never printed: nothing to rewrite');
  t.equal(row.corrected_at, null);

  // The same values again: nothing to do, and the manager is told so.
  await boss.get(`/centre/examens/${examId}/identite`);
  const same = await boss.post(`/centre/examens/${examId}/identite`, { ...corrected, motif: 'Relecture sans changement' });
  t.equal(same.statusCode, 303);
  t.same((await flashesAfter(boss, same.headers.location)).flashes, [{ type: 'info', text: 'Aucune modification : l’identité est inchangée.' }]);
  t.equal((await auditRows(room, 'candidat.identite_corrigee')).length, 1, 'no second audit row');

  // A printed attestation: its snapshot follows the correction, and it says « rectifiée ».
  const { examId: printedId } = await finishedCandidate(room, { passed: true, ip: '10.30.0.2' });
  await setSignatory(room);
  const printedNumber = await attestationNumberOf(room, printedId);
  const printedRow = await findAttestationOfExam(room.db, CENTRE_ID, printedId);
  const printed = await printAttestations(room.db, room.clock, [printedRow!], TEST_ACTOR);
  t.ok(printed.ok, 'printed (frozen) as the PDF route does');
  const frozen = JSON.parse((await attestationRow(room, printedId)).snapshot!) as AttestationFields;
  t.equal(frozen.candidate.lastName, IDENTITY.nom);
  t.equal(frozen.issuedOn, '2026-11-29');

  room.clock.advance(DAY);
  const nextDay = await manager(room);
  await nextDay.get(`/centre/examens/${printedId}/identite`);
  const correction = await nextDay.post(`/centre/examens/${printedId}/identite`, { ...IDENTITY, prenom: 'Zoë', motif: 'Tréma oublié à la borne' });
  t.equal(correction.statusCode, 303);

  const printedAfter = await attestationRow(room, printedId);
  t.equal(printedAfter.number, printedNumber, 'same number');
  t.equal(printedAfter.corrected_at, room.clock.now().toISOString(), 'corrected now');
  const snapshot = JSON.parse(printedAfter.snapshot!) as AttestationFields;
  t.same(snapshot.candidate, {
    lastName: IDENTITY.nom,
    firstName: 'Zoë',
    birthDate: IDENTITY.date_naissance,
    company: IDENTITY.entreprise,
    companyAddress: null,
  });
  t.equal(snapshot.correctedOn, '2026-11-30', 'the day of the correction, printed as « rectifiée le … »');
  t.same({ ...snapshot, candidate: frozen.candidate, correctedOn: null }, frozen, 'the rest of the document is as first printed');
  t.equal((await identityRow(room, printedId)).first_name, 'Zoë');

  const printedPage = visibleText((await nextDay.get(`/centre/examens/${printedId}`)).body);
  t.match(printedPage, `Numéro : ${printedNumber} — imprimée pour la première fois le 29/11/2026 à 10 h 00 ; rectifiée le 30/11/2026 à 10 h 00.`);
});

t.test('cancellation: confirmation, reason required, audited, then no more printing and no second cancellation', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.30.0.1' });
  await setSignatory(room);
  const number = await attestationNumberOf(room, examId);
  const boss = await manager(room);
  t.match(visibleText((await boss.get(`/centre/examens/${examId}`)).body), 'Attestation (PDF)', 'printable before');

  const confirm = await boss.get(`/centre/examens/${examId}/attestation/annulation`);
  t.equal(confirm.statusCode, 200);
  t.equal(h1(confirm.body), `Annuler l’attestation n° ${number} ?`);
  t.match(visibleText(confirm.body), `Attestation de compétences de ${IDENTITY.prenom} ${IDENTITY.nom}.`);
  t.match(confirm.body, `action="/centre/examens/${examId}/attestation/annulation"`);

  const noReason = await boss.post(`/centre/examens/${examId}/attestation/annulation`, { motif: ' ab ' });
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, /<textarea[^>]*aria-invalid="true" aria-describedby="motif-erreur"[^>]*>ab<\/textarea>/, 'marked, what was typed kept');
  t.match(noReason.body, '<p id="motif-erreur" class="fr-error-text">Indiquez le motif de l’annulation (au moins 5 caractères).</p>');
  t.equal((await attestationRow(room, examId)).cancelled_at, null, 'not cancelled');
  t.same(await auditRows(room, 'attestation.annulee'), []);

  const reason = 'Examen passé sous une fausse identité';
  const done = await boss.post(`/centre/examens/${examId}/attestation/annulation`, { motif: reason });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/centre/examens/${examId}`);
  const after = await flashesAfter(boss, done.headers.location);
  t.same(after.flashes, [{ type: 'success', text: `L’attestation n° ${number} est annulée : la page de vérification le dit désormais.` }]);
  const row = await attestationRow(room, examId);
  t.equal(row.cancelled_at, room.clock.now().toISOString());
  t.equal(row.cancel_reason, reason);
  t.equal(row.number, number);
  t.same(await auditRows(room, 'attestation.annulee'), [
    { actor_label: 'gestionnaire@demo.test', target_type: 'attestation', target_id: number, details: { examen: examId, motif: reason } },
  ]);

  const text = visibleText(after.page.body);
  t.match(text, `Attestation annulée le 29/11/2026 à 10 h 00 (motif : ${reason}). Elle ne peut plus être imprimée.`);
  t.notMatch(text, 'Attestation (PDF)', 'no print button');
  t.notMatch(text, 'Aperçu de l’attestation');
  t.notMatch(text, 'Annuler l’attestation', 'nothing left to cancel');

  const refusedPrint = await boss.post(`/centre/examens/${examId}/attestation`, {});
  t.equal(refusedPrint.statusCode, 303);
  t.same((await flashesAfter(boss, refusedPrint.headers.location)).flashes, [
    { type: 'error', text: 'Cette attestation a été annulée le 29/11/2026 : elle ne peut plus être imprimée.' },
  ]);
  const preview = await boss.get(`/centre/examens/${examId}/attestation`);
  t.equal(preview.statusCode, 409);
  t.match(visibleText(preview.body), 'Cette attestation a été annulée le 29/11/2026 : elle ne peut plus être imprimée.');
  t.equal((await attestationRow(room, examId)).snapshot, null, 'never frozen');

  room.clock.advance(DAY);
  const nextDay = await manager(room);
  await nextDay.get(`/centre/examens/${examId}/attestation/annulation`);
  const again = await nextDay.post(`/centre/examens/${examId}/attestation/annulation`, { motif: 'Deuxième annulation' });
  t.equal(again.statusCode, 400);
  t.equal(field(again.body, 'motif').error, 'Cette attestation est déjà annulée depuis le 29/11/2026.');
  const still = await attestationRow(room, examId);
  t.equal(still.cancelled_at, row.cancelled_at, 'the first cancellation stands');
  t.equal(still.cancel_reason, reason);
  t.equal((await auditRows(room, 'attestation.annulee')).length, 1);

  await nextDay.get(`/centre/examens/${examId}`);
  const correction = await nextDay.post(`/centre/examens/${examId}/identite`, {
    nom: 'Autre',
    prenom: 'Nom',
    date_naissance: '1985-04-23',
    entreprise: '',
    adresse_entreprise: '',
    motif: 'Tentative après annulation',
  });
  t.equal(correction.statusCode, 303, 'the identity of a cancelled attestation is not corrected');
  t.same((await flashesAfter(nextDay, correction.headers.location)).flashes, [
    { type: 'error', text: 'Cette attestation est annulée : l’identité de son titulaire ne se corrige plus.' },
  ]);
  const exam = await room.db.selectFrom('exams').select('last_name').where('id', '=', examId).executeTakeFirstOrThrow();
  t.not(exam.last_name, 'Autre', 'the exam keeps its identity');
  t.equal((await auditRows(room, 'candidat.identite_corrigee')).length, 0);
});

t.test('the session page: its attestations section, a whole session’s print when PDFs are unavailable, and the job page', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);
  const sessionUrl = `/centre/sessions/${room.sessionId}`;
  const empty = visibleText((await boss.get(sessionUrl)).body);
  t.match(empty, 'Attestations de la session');
  t.match(empty, 'Aucune attestation pour l’instant : chaque candidat en reçoit une à la fin de son examen.');

  await finishedCandidate(room, { passed: true, ip: '10.30.0.1' });
  await finishedCandidate(room, { passed: true, ip: '10.30.0.2' });
  const failed = await finishedCandidate(room, { passed: false, ip: '10.30.0.3' });
  await startCandidate(room, { ip: '10.30.0.4' });
  await setSignatory(room);

  const page = await boss.get(sessionUrl);
  const text = visibleText(page.body);
  t.match(text, 'Imprimer les attestations de compétences (2 candidats admis)');
  t.match(text, 'Imprimer les attestations d’échec (1 candidat non admis)');
  t.notMatch(text, 'Aucune attestation pour l’instant');

  const refused = await boss.post(`${sessionUrl}/attestations`, { type: 'admis' });
  t.equal(refused.statusCode, 503, 'no browser on the server: 503, as for one attestation');
  t.match(visibleText(refused.body), PDF_UNAVAILABLE);
  t.equal(await room.db.selectFrom('attestation_print_jobs').select('id').executeTakeFirst(), undefined, 'no job started');
  await boss.get(sessionUrl);

  const bad = await boss.post(`${sessionUrl}/attestations`, { type: 'autre' });
  t.equal(bad.statusCode, 400);
  t.match(bad.body, 'Requête invalide');
  t.equal((await boss.post(`${sessionUrl}/attestations`, {})).statusCode, 400, 'no type');

  t.same(await room.db.selectFrom('attestation_print_jobs').select('id').execute(), [], 'no job');
  const frozen = await room.db.selectFrom('attestations').select('number').where('snapshot', 'is not', null).execute();
  t.same(frozen, [], 'nothing frozen');

  // A cancelled attestation is not counted.
  await room.db
    .updateTable('attestations')
    .set({ cancelled_at: room.clock.now().toISOString(), cancel_reason: 'Erreur' })
    .where('exam_id', '=', failed.examId)
    .execute();
  const fewer = visibleText((await boss.get(sessionUrl)).body);
  t.match(fewer, 'Imprimer les attestations de compétences (2 candidats admis)');
  t.notMatch(fewer, 'Imprimer les attestations d’échec');

  // The job page of a session print: running, done, and cut short by a restart.
  const base = `/centre/sessions/${room.sessionId}/attestations`;
  const pdf = Buffer.from('%PDF-1.7\n% attestations de la session\n%%EOF\n', 'latin1');
  const job = (id: string, values: { status: 'running' | 'done' | 'failed'; done: number; pdf?: Buffer }) =>
    room.db
      .insertInto('attestation_print_jobs')
      .values({
        id,
        centre_id: CENTRE_ID,
        exam_session_id: room.sessionId,
        kind: 'admis',
        requested_by: null,
        status: values.status,
        total: 3,
        done: values.done,
        pdf: values.pdf ?? null,
        created_at: room.clock.now().toISOString(),
        finished_at: values.status === 'running' ? null : room.clock.now().toISOString(),
      })
      .execute();
  await job('travail-en-cours', { status: 'running', done: 1 });
  await job('travail-termine', { status: 'done', done: 3, pdf });

  const running = await boss.get(`${base}/travail-en-cours`);
  t.equal(running.statusCode, 200);
  t.equal(running.headers.refresh, '2', 'the page reloads itself');
  t.match(visibleText(running.body), 'Préparation du PDF : 1 sur 3 attestations.');
  t.equal((await boss.get(`${base}/travail-en-cours/pdf`)).statusCode, 404, 'no PDF yet');

  const done = await boss.get(`${base}/travail-termine`);
  t.equal(done.statusCode, 200);
  t.equal(done.headers.refresh, undefined);
  t.match(visibleText(done.body), 'Le PDF est prêt : 3 attestations.');
  t.match(done.body, `href="${base}/travail-termine/pdf"`);
  const file = await boss.get(`${base}/travail-termine/pdf`);
  t.equal(file.statusCode, 200);
  t.equal(file.headers['content-type'], 'application/pdf');
  t.match(file.headers['content-disposition'], `filename="session-${room.sessionId}-attestations.pdf"`);
  t.ok(file.rawPayload.equals(pdf));

  room.clock.advance(16 * 60_000);
  const stale = await boss.get(`${base}/travail-en-cours`);
  t.equal(stale.headers.refresh, undefined);
  t.match(visibleText(stale.body), 'La préparation a été interrompue (le serveur a redémarré). Relancez l’impression.');
  t.equal((await boss.get(`${base}/inconnu`)).statusCode, 404);
});

t.test('a session with no admitted candidate has no attestation de compétences to print', async (t) => {
  const room = await kioskRoom(t, { browserPath: UNLAUNCHED_BROWSER });
  await finishedCandidate(room, { passed: false, ip: '10.30.0.1' });
  await setSignatory(room);
  const boss = await manager(room);
  const sessionUrl = `/centre/sessions/${room.sessionId}`;
  const text = visibleText((await boss.get(sessionUrl)).body);
  t.notMatch(text, 'Imprimer les attestations de compétences', 'no button for them');
  t.match(text, 'Imprimer les attestations d’échec (1 candidat non admis)');

  const res = await boss.post(`${sessionUrl}/attestations`, { type: 'admis' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, sessionUrl);
  t.same((await flashesAfter(boss, res.headers.location)).flashes, [
    { type: 'error', text: 'Aucun candidat admis dans cette session : il n’y a pas d’attestation de compétences à imprimer.' },
  ]);
  t.same(await room.db.selectFrom('attestation_print_jobs').select('id').execute(), [], 'no job');
});

/* ---------------------------------------------------------------- authorisation */

interface Route {
  method: 'GET' | 'POST';
  url: string;
  /** What a genuine form of the page would send. */
  body?: Record<string, string>;
  multipart?: boolean;
}

const JOB_ID = 'travail-du-centre-0001';

/** centre0001 with a finished exam (signatory set, a stamp, a finished job) and a second centre with its own manager. */
async function twoCentreRoom(t: Teardown) {
  const room = await kioskRoom(t);
  const passed = await finishedCandidate(room, { passed: true, ip: '10.30.0.1' });
  await setSignatory(room);
  const stamp = await room.db
    .insertInto('centre_stamps')
    .values({ centre_id: CENTRE_ID, mime: 'image/png', data: png(20, 20), created_at: room.clock.now().toISOString() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await room.db.updateTable('centres').set({ stamp_id: stamp.id }).where('id', '=', CENTRE_ID).execute();
  await room.db
    .insertInto('attestation_print_jobs')
    .values({
      id: JOB_ID,
      centre_id: CENTRE_ID,
      exam_session_id: room.sessionId,
      kind: 'echec',
      requested_by: null,
      status: 'done',
      total: 1,
      done: 1,
      pdf: Buffer.from('%PDF-1.7\n%%EOF\n', 'latin1'),
      created_at: room.clock.now().toISOString(),
      finished_at: room.clock.now().toISOString(),
    })
    .execute();
  await insertCentre(room.db, room.clock, { id: 2, name: 'Centre de Lille' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2], ip: '10.30.0.60' });
  const e = passed.examId;
  const s = room.sessionId;
  const scoped: Route[] = [
    { method: 'GET', url: `/centre/examens/${e}/attestation` },
    { method: 'POST', url: `/centre/examens/${e}/attestation` },
    { method: 'GET', url: `/centre/examens/${e}/identite` },
    { method: 'POST', url: `/centre/examens/${e}/identite`, body: { ...IDENTITY, nom: 'Intrus', motif: 'Correction frauduleuse' } },
    { method: 'GET', url: `/centre/examens/${e}/attestation/annulation` },
    { method: 'POST', url: `/centre/examens/${e}/attestation/annulation`, body: { motif: 'Annulation frauduleuse' } },
    { method: 'POST', url: `/centre/sessions/${s}/attestations`, body: { type: 'admis' } },
    { method: 'GET', url: `/centre/sessions/${s}/attestations/${JOB_ID}` },
    { method: 'GET', url: `/centre/sessions/${s}/attestations/${JOB_ID}/pdf` },
  ];
  const settings: Route[] = [
    { method: 'GET', url: '/centre/parametres' },
    { method: 'POST', url: '/centre/parametres', body: { ...SIGNATORY, representant: 'Quelqu’un d’autre' } },
    { method: 'POST', url: '/centre/parametres/cachet', multipart: true },
    { method: 'POST', url: '/centre/parametres/cachet/retrait' },
    { method: 'GET', url: '/centre/parametres/cachet' },
  ];
  return { room, other, examId: e, scoped, settings, all: [...scoped, ...settings] };
}

function call(agent: Agent, route: Route, options: { csrf?: null } = {}) {
  if (route.method === 'GET') return agent.get(route.url);
  if (route.multipart) return agent.postMultipart(route.url, { cachet: { name: 'cachet.png', content: png(16, 16) } }, options);
  return agent.post(route.url, route.body ?? {}, options);
}

/** Everything these routes could change. */
async function dataOf(room: Room) {
  return {
    exams: await room.db.selectFrom('exams').select(['id', 'last_name', 'first_name', 'birth_date', 'company', 'company_address']).orderBy('id').execute(),
    attestations: await room.db
      .selectFrom('attestations')
      .select(['exam_id', 'number', 'snapshot', 'printed_at', 'corrected_at', 'cancelled_at', 'cancel_reason'])
      .orderBy('exam_id')
      .execute(),
    centres: await room.db
      .selectFrom('centres')
      .select(['id', 'representative_name', 'representative_title', 'town', 'phone', 'stamp_id'])
      .orderBy('id')
      .execute(),
    stamps: await room.db.selectFrom('centre_stamps').select(['id', 'centre_id']).orderBy('id').execute(),
    jobs: await room.db.selectFrom('attestation_print_jobs').select(['id', 'status']).orderBy('id').execute(),
    audit: await room.db.selectFrom('audit_log').select(['action']).where('action', 'not like', 'connexion.%').orderBy('id').execute(),
  };
}

t.test('a manager of another centre gets 404 on centre0001’s exam, session and job URLs, and changes nothing', async (t) => {
  const ctx = await twoCentreRoom(t);
  const before = await dataOf(ctx.room);
  await ctx.other.get('/centre/sessions');
  for (const route of ctx.scoped) {
    const res = await call(ctx.other, route);
    t.equal(res.statusCode, 404, `${route.method} ${route.url}`);
    t.match(res.body, 'Page introuvable', 'the French 404 page');
  }
  t.same(await dataOf(ctx.room), before, 'nothing of centre0001 changed');

  // The settings URLs name no centre: they are the manager's own centre's, never centre0001's.
  const own = await ctx.other.get('/centre/parametres');
  t.equal(own.statusCode, 200);
  t.match(visibleText(own.body), 'Centre de Lille (centre0002)');
  t.equal(field(own.body, 'representant').value, '', 'not centre0001’s signatory');
  t.equal((await ctx.other.get('/centre/parametres/cachet')).statusCode, 404, 'not centre0001’s stamp');
  t.equal((await ctx.other.post('/centre/parametres', { ...SIGNATORY, representant: 'Marc Durand' })).statusCode, 303);
  await ctx.other.get('/centre/parametres');
  t.equal((await ctx.other.post('/centre/parametres/cachet/retrait', {})).statusCode, 303);
  const after = await dataOf(ctx.room);
  t.same(after.centres[0], before.centres[0], 'centre0001’s settings and stamp are untouched');
  t.equal(after.centres[1]?.representative_name, 'Marc Durand', 'the other centre’s own settings changed');

  // The matrix can fail: centre0001's own manager reaches the same URLs, and unknown ones answer 404.
  const boss = await manager(ctx.room);
  await boss.get(`/centre/examens/${ctx.examId}`);
  t.equal((await boss.post('/centre/sessions/999999/attestations', { type: 'admis' })).statusCode, 404, 'an unknown session');
  t.equal((await boss.get(`/centre/sessions/999999/attestations/${JOB_ID}`)).statusCode, 404, 'a job under another session');
  for (const route of ctx.scoped) {
    const res = await call(boss, route);
    t.ok(res.statusCode !== 404 && res.statusCode !== 403, `${route.method} ${route.url} answers its own manager (${res.statusCode})`);
  }
});

t.test('every new centre URL: an anonymous visitor is sent to sign in, an administrator is refused, a form without its CSRF token is refused', async (t) => {
  const ctx = await twoCentreRoom(t);
  // Signed in first: an administrator's first sign-in sets up the second factor, a change of its own.
  const admin = await adminAgent(ctx.room.testApp, { ip: '10.30.0.80' });
  const before = await dataOf(ctx.room);

  const anonymous = new Agent(ctx.room.app, '10.30.0.70');
  await anonymous.get('/connexion'); // a real browser's form would carry a valid CSRF token
  for (const route of ctx.all) {
    const res = await call(anonymous, route);
    const location = String(res.headers.location);
    if (route.method === 'GET') {
      t.equal(res.statusCode, 302, `anonymous ${route.method} ${route.url}`);
      t.equal(location, `/connexion?${new URLSearchParams({ suivant: route.url }).toString()}`, 'back to the page after signing in');
    } else {
      t.equal(res.statusCode, 303, `anonymous ${route.method} ${route.url}`);
      t.match(location, /^\/connexion\?expiree=1(&|$)/, 'sent to sign in, told the session expired');
    }
  }

  for (const route of ctx.all) {
    const res = await call(admin, route);
    t.equal(res.statusCode, 403, `administrator ${route.method} ${route.url}`);
    t.match(res.body, 'Accès refusé');
  }

  const boss = await manager(ctx.room);
  for (const route of ctx.all.filter((r) => r.method === 'POST')) {
    const res = await call(boss, route, { csrf: null });
    t.equal(res.statusCode, 403, `no CSRF token: ${route.method} ${route.url}`);
    t.match(visibleText(res.body), 'Ce formulaire a expiré ou ne vient pas de ce site.');
  }
  t.same(await dataOf(ctx.room), before, 'nothing changed');

  // The refusals are the guard's doing: with its token, the manager's form goes through.
  await boss.get('/centre/parametres');
  t.equal((await boss.post('/centre/parametres', { ...SIGNATORY, ville: 'Lyon' })).statusCode, 303);
  t.equal((await signatoryRow(ctx.room)).town, 'Lyon');
});
