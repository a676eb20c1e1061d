import t from 'tap';
import { generateAttestationNumber } from '../../../src/domain/attestation-number.js';
import { DEMO_ADMIN_EMAIL } from '../../../src/operator/seed-demo.js';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { attestationNumberOf, finishedCandidate, SIGNATORY } from '../../helpers/attestations.js';
import { field, flashes, h1, visibleText } from '../../helpers/html.js';
import { CENTRE_ID, IDENTITY, kioskRoom, type Room } from '../../helpers/kiosk-room.js';

/**
 * The administrator's attestations: found by number from any centre, corrected or cancelled as the
 * centre would (audited under the administrator's email), and the signatory of a centre set from
 * its page. A manager is refused the whole of it.
 */

const MISSING_ALL =
  'Avant d’imprimer une attestation, renseignez dans les paramètres du centre le nom du représentant du centre, sa qualité et la ville où les attestations sont faites.';

const admin = (room: Room) => adminAgent(room.testApp, { ip: '10.50.0.50' });

async function auditRows(room: Room, action: string) {
  const rows = await room.db
    .selectFrom('audit_log')
    .select(['actor_label', 'target_type', 'target_id', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: r.details === null ? null : (JSON.parse(r.details) as Record<string, unknown>) }));
}

async function identityRow(room: Room, examId: number) {
  return room.db
    .selectFrom('exams')
    .select(['last_name', 'first_name', 'birth_date', 'company', 'company_address'])
    .where('id', '=', examId)
    .executeTakeFirstOrThrow();
}

async function signatoryRow(room: Room) {
  return room.db
    .selectFrom('centres')
    .select(['representative_name', 'representative_title', 'town', 'phone'])
    .where('id', '=', CENTRE_ID)
    .executeTakeFirstOrThrow();
}

async function follow(agent: Agent, location: unknown) {
  const page = await agent.get(String(location));
  return { page, text: visibleText(page.body), flashes: flashes(page.body) };
}

t.test('the administrator finds an attestation by its number', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.50.0.1' });
  const number = await attestationNumberOf(room, examId);
  const boss = await admin(room);

  const search = await boss.get('/admin/attestations');
  t.equal(search.statusCode, 200);
  t.equal(h1(search.body), 'Attestations');
  t.same(field(search.body, 'numero'), { value: '', invalid: false, error: null });
  t.match(search.body, 'href="/admin/attestations"', 'in the administration’s menu');

  const found = await boss.get(`/admin/attestations?numero=${encodeURIComponent(number.toLowerCase().replace(/-/g, ' '))}`);
  t.equal(found.statusCode, 303, 'typed loosely, found');
  t.equal(found.headers.location, `/admin/attestations/${number}`);

  const page = await boss.get(String(found.headers.location));
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), `Attestation n° ${number}`);
  const text = visibleText(page.body);
  t.match(text, `Candidat : ${IDENTITY.prenom} ${IDENTITY.nom}`);
  t.match(text, 'Centre : Centre de démonstration AIPR (centre0001)');
  t.match(page.body, `href="/admin/centres/${CENTRE_ID}"`);
  t.match(text, 'Profil Opérateur, examen du 29 novembre 2026');
  t.match(text, `Attestation de compétences Numéro : ${number} — pas encore imprimée.`, 'the card');
  t.match(text, MISSING_ALL, 'printing waits for the centre’s signatory');
  t.match(page.body, `<a href="/admin/centres/${CENTRE_ID}#signataire">`, 'the card leads to the centre’s signatory form');
  t.match(page.body, `href="/admin/attestations/${number}/identite"`);
  t.match(page.body, `href="/admin/attestations/${number}/annulation"`);
  t.equal((await boss.get(`/admin/attestations/${number}/apercu`)).statusCode, 409, 'no preview without a signatory');

  let unknown = generateAttestationNumber(2026);
  while (unknown === number) unknown = generateAttestationNumber(2026);
  const notFound = await boss.get(`/admin/attestations?numero=${unknown}`);
  t.equal(notFound.statusCode, 404);
  t.same(field(notFound.body, 'numero'), { value: unknown, invalid: true, error: `Aucune attestation ne porte le numéro ${unknown}.` });

  const malformed = await boss.get('/admin/attestations?numero=AIPR-2026-ZZZZ');
  t.equal(malformed.statusCode, 404);
  t.same(field(malformed.body, 'numero'), {
    value: 'AIPR-2026-ZZZZ',
    invalid: true,
    error: 'Ce numéro n’est pas un numéro d’attestation : vérifiez chaque caractère.',
  });

  for (const url of [`/admin/attestations/${unknown}`, '/admin/attestations/AIPR-2026-ZZZZ', `/admin/attestations/${unknown}/identite`]) {
    const res = await boss.get(url);
    t.equal(res.statusCode, 404, url);
    t.match(res.body, 'Page introuvable');
  }
});

t.test('the administrator corrects an identity, audited under their email', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: false, ip: '10.50.0.1' });
  const number = await attestationNumberOf(room, examId);
  const boss = await admin(room);
  const base = `/admin/attestations/${number}`;

  const form = await boss.get(`${base}/identite`);
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Corriger l’identité du candidat');
  t.equal(field(form.body, 'nom').value, IDENTITY.nom, 'prefilled');
  t.equal(field(form.body, 'prenom').value, IDENTITY.prenom);
  t.equal(field(form.body, 'date_naissance').value, IDENTITY.date_naissance.split('-').reverse().join('/'), 'as people write it');
  t.match(form.body, `action="${base}/identite"`);
  const before = await identityRow(room, examId);

  const changed = { ...IDENTITY, date_naissance: '1985-03-23', entreprise: 'Terrassements du Rhône SAS' };
  const noReason = await boss.post(`${base}/identite`, changed);
  t.equal(noReason.statusCode, 400);
  t.match(noReason.body, '<p id="motif-erreur" class="fr-error-text">Indiquez le motif de la correction (au moins 5 caractères).</p>');
  t.equal(field(noReason.body, 'date_naissance').value, '1985-03-23', 'values kept');
  t.equal(field(noReason.body, 'entreprise').value, 'Terrassements du Rhône SAS');

  const badDate = await boss.post(`${base}/identite`, { ...changed, date_naissance: '2030-01-01', motif: 'Erreur de date' });
  t.equal(badDate.statusCode, 400);
  t.equal(field(badDate.body, 'date_naissance').error, 'La date de naissance du candidat ne peut pas être dans le futur.');
  t.same(await identityRow(room, examId), before, 'nothing changed');

  const done = await boss.post(`${base}/identite`, { ...changed, motif: 'Pièce d’identité présentée au centre' });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, base);
  const after = await follow(boss, done.headers.location);
  t.same(after.flashes, [{ type: 'success', text: 'L’identité est corrigée.' }]);
  t.match(after.text, `Attestation d’échec Numéro : ${number}`, 'same number, same kind');
  t.same(await identityRow(room, examId), { ...before, birth_date: '1985-03-23', company: 'Terrassements du Rhône SAS' });
  t.same(await auditRows(room, 'candidat.identite_corrigee'), [
    {
      actor_label: DEMO_ADMIN_EMAIL,
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
          nom: IDENTITY.nom,
          prenom: IDENTITY.prenom,
          date_naissance: '1985-03-23',
          entreprise: 'Terrassements du Rhône SAS',
          adresse_entreprise: null,
        },
        motif: 'Pièce d’identité présentée au centre',
      },
    },
  ]);

  await boss.get(`${base}/identite`);
  const same = await boss.post(`${base}/identite`, { ...changed, motif: 'Relecture sans changement' });
  t.equal(same.statusCode, 303);
  t.same((await follow(boss, same.headers.location)).flashes, [{ type: 'info', text: 'Aucune modification : l’identité est inchangée.' }]);
  t.equal((await auditRows(room, 'candidat.identite_corrigee')).length, 1);
});

t.test('the administrator cancels an attestation, audited under their email', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.50.0.1' });
  const number = await attestationNumberOf(room, examId);
  await room.db
    .updateTable('centres')
    .set({ representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville })
    .where('id', '=', CENTRE_ID)
    .execute();
  const boss = await admin(room);
  const base = `/admin/attestations/${number}`;
  t.match(visibleText((await boss.get(base)).body), 'Attestation (PDF)', 'printable before');
  t.equal((await boss.get(`${base}/apercu`)).statusCode, 200, 'its preview too');

  const confirm = await boss.get(`${base}/annulation`);
  t.equal(confirm.statusCode, 200);
  t.equal(h1(confirm.body), `Annuler l’attestation n° ${number} ?`);
  t.match(confirm.body, `action="${base}/annulation"`);

  const noReason = await boss.post(`${base}/annulation`, { motif: '' });
  t.equal(noReason.statusCode, 400);
  t.equal(field(noReason.body, 'motif').error, 'Indiquez le motif de l’annulation (au moins 5 caractères).');
  t.same(await auditRows(room, 'attestation.annulee'), []);

  const reason = 'Enquête : examen passé par un tiers';
  const done = await boss.post(`${base}/annulation`, { motif: reason });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, base);
  const after = await follow(boss, done.headers.location);
  t.same(after.flashes, [{ type: 'success', text: `L’attestation n° ${number} est annulée.` }]);
  t.match(after.text, `Attestation annulée le 29/11/2026 à 10 h 00 (motif : ${reason}). Elle ne peut plus être imprimée.`);
  t.notMatch(after.text, 'Attestation (PDF)', 'no print button');
  const row = await room.db
    .selectFrom('attestations')
    .select(['cancelled_at', 'cancel_reason', 'number'])
    .where('exam_id', '=', examId)
    .executeTakeFirstOrThrow();
  t.same(row, { cancelled_at: room.clock.now().toISOString(), cancel_reason: reason, number });
  t.same(await auditRows(room, 'attestation.annulee'), [
    { actor_label: DEMO_ADMIN_EMAIL, target_type: 'attestation', target_id: number, details: { examen: examId, motif: reason } },
  ]);

  const refusedPrint = await boss.post(`${base}/pdf`, {});
  t.equal(refusedPrint.statusCode, 303);
  t.same((await follow(boss, refusedPrint.headers.location)).flashes, [
    { type: 'error', text: 'Cette attestation a été annulée le 29/11/2026 : elle ne peut plus être imprimée.' },
  ]);
  t.equal((await boss.get(`${base}/apercu`)).statusCode, 409);

  await boss.get(`${base}/annulation`);
  const again = await boss.post(`${base}/annulation`, { motif: 'Deuxième annulation' });
  t.equal(again.statusCode, 400);
  t.equal(field(again.body, 'motif').error, 'Cette attestation est déjà annulée depuis le 29/11/2026.');
  t.equal((await auditRows(room, 'attestation.annulee')).length, 1);

  // The public check says so.
  t.match(visibleText((await new Agent(room.app, '10.50.0.99').get(`/verifier/${number}`)).body), 'Attestation annulée');
});

t.test('a manager, and an anonymous visitor, are kept out of the administrator’s attestations', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.50.0.1' });
  const number = await attestationNumberOf(room, examId);
  const manager = await managerAgent(room.testApp, { ip: '10.50.0.60' });
  await manager.get('/centre');
  const gets = [
    '/admin/attestations',
    `/admin/attestations?numero=${number}`,
    `/admin/attestations/${number}`,
    `/admin/attestations/${number}/apercu`,
    `/admin/attestations/${number}/identite`,
    `/admin/attestations/${number}/annulation`,
    `/admin/centres/${CENTRE_ID}`,
  ];
  const posts: [string, Record<string, string>][] = [
    [`/admin/attestations/${number}/pdf`, {}],
    [`/admin/attestations/${number}/identite`, { ...IDENTITY, nom: 'Intrus', motif: 'Correction frauduleuse' }],
    [`/admin/attestations/${number}/annulation`, { motif: 'Annulation frauduleuse' }],
    [`/admin/centres/${CENTRE_ID}/signataire`, SIGNATORY],
  ];
  for (const url of gets) {
    const res = await manager.get(url);
    t.equal(res.statusCode, 403, `manager GET ${url}`);
    t.match(res.body, 'Accès refusé');
  }
  for (const [url, body] of posts) t.equal((await manager.post(url, body)).statusCode, 403, `manager POST ${url}`);

  const anonymous = new Agent(room.app, '10.50.0.70');
  for (const url of gets) {
    const res = await anonymous.get(url);
    t.equal(res.statusCode, 302, `anonymous GET ${url}`);
    t.match(String(res.headers.location), /^\/connexion\?suivant=/);
  }
  await anonymous.get('/connexion');
  for (const [url, body] of posts) {
    const res = await anonymous.post(url, body);
    t.equal(res.statusCode, 303, `anonymous POST ${url}`);
    t.match(String(res.headers.location), /^\/connexion\?expiree=1/);
  }

  const boss = await admin(room);
  await boss.get(`/admin/attestations/${number}`);
  for (const [url, body] of posts) t.equal((await boss.post(url, body, { csrf: null })).statusCode, 403, `no CSRF token: POST ${url}`);

  const attestation = await room.db
    .selectFrom('attestations')
    .select(['snapshot', 'cancelled_at', 'corrected_at'])
    .where('exam_id', '=', examId)
    .executeTakeFirstOrThrow();
  t.same(attestation, { snapshot: null, cancelled_at: null, corrected_at: null }, 'nothing changed');
  t.equal((await identityRow(room, examId)).last_name, IDENTITY.nom);
  t.same(await signatoryRow(room), { representative_name: null, representative_title: null, town: null, phone: null });
});

t.test('the administrator sets a centre’s signatory from its page', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await finishedCandidate(room, { passed: true, ip: '10.50.0.1' });
  const number = await attestationNumberOf(room, examId);
  const boss = await admin(room);

  const page = await boss.get(`/admin/centres/${CENTRE_ID}`);
  t.equal(page.statusCode, 200);
  t.match(visibleText(page.body), 'Signataire des attestations');
  t.match(page.body, `<form method="post" action="/admin/centres/${CENTRE_ID}/signataire"`);
  for (const name of ['representant', 'qualite', 'ville', 'telephone']) {
    t.same(field(page.body, name), { value: '', invalid: false, error: null }, `${name}: empty`);
  }

  const refused = await boss.post(`/admin/centres/${CENTRE_ID}/signataire`, { ...SIGNATORY, representant: 'H3lène', ville: '' });
  t.equal(refused.statusCode, 400);
  t.same(field(refused.body, 'representant'), {
    value: 'H3lène',
    invalid: true,
    error: 'Le nom ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.',
  });
  t.same(field(refused.body, 'ville'), { value: '', invalid: true, error: 'Saisissez la ville où les attestations sont faites (« Fait à … »).' });
  t.same(field(refused.body, 'qualite'), { value: SIGNATORY.qualite, invalid: false, error: null }, 'a valid field is kept, unmarked');
  t.equal(field(refused.body, 'telephone').value, SIGNATORY.telephone);
  t.equal(field(refused.body, 'nom').value, 'Centre de démonstration AIPR', 'the centre’s own form is still there');
  t.same(await signatoryRow(room), { representative_name: null, representative_title: null, town: null, phone: null }, 'nothing stored');
  t.same(await auditRows(room, 'centre.signataire_modifie'), []);

  const saved = await boss.post(`/admin/centres/${CENTRE_ID}/signataire`, SIGNATORY);
  t.equal(saved.statusCode, 303);
  t.equal(saved.headers.location, `/admin/centres/${CENTRE_ID}#signataire`);
  const after = await follow(boss, `/admin/centres/${CENTRE_ID}`);
  t.same(after.flashes, [{ type: 'success', text: 'Le signataire des attestations est enregistré.' }]);
  t.equal(field(after.page.body, 'representant').value, SIGNATORY.representant);
  t.same(await signatoryRow(room), {
    representative_name: SIGNATORY.representant,
    representative_title: SIGNATORY.qualite,
    town: SIGNATORY.ville,
    phone: SIGNATORY.telephone,
  });
  t.same(await auditRows(room, 'centre.signataire_modifie'), [
    {
      actor_label: DEMO_ADMIN_EMAIL,
      target_type: 'centre',
      target_id: String(CENTRE_ID),
      details: {
        avant: { representative_name: null, representative_title: null, town: null, phone: null },
        apres: { representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville, phone: SIGNATORY.telephone },
      },
    },
  ]);

  // The attestation can now be printed, from the administrator's page as from the centre's.
  const card = visibleText((await boss.get(`/admin/attestations/${number}`)).body);
  t.match(card, 'Attestation (PDF)');
  t.notMatch(card, 'Avant d’imprimer');
  const manager = await managerAgent(room.testApp, { ip: '10.50.0.60' });
  t.equal(field((await manager.get('/centre/parametres')).body, 'ville').value, SIGNATORY.ville, 'the manager sees it in the settings');

  t.equal((await boss.post('/admin/centres/999/signataire', SIGNATORY)).statusCode, 404, 'an unknown centre');

  // No browser on this server: the administrator is told so, as the centre is.
  await boss.get(`/admin/attestations/${number}`);
  const pdf = await boss.post(`/admin/attestations/${number}/pdf`, {});
  t.equal(pdf.statusCode, 503);
  t.match(visibleText(pdf.body), 'La génération des PDF est indisponible : aucun navigateur Chromium n’est installé sur le serveur.');
});
