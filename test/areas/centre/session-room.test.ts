/**
 * The session page as the room's view: who started, on which terminal, how far each candidate is,
 * the time left, and the results as they come, refreshed by htmx while the session runs; and the
 * room's terminals: the code that admits them while the session is open, and those admitted.
 */
import t from 'tap';
import { closeSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { ADMISSION_CODE_VALIDITY_MS } from '../../../src/domain/admission-code.js';
import { DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { flashes, visibleText } from '../../helpers/html.js';
import { admit, answer, startCandidate } from '../../helpers/kiosk.js';
import { CENTRE_ID, examItems, kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const MINUTE = 60_000;

const manager = (room: Room) => managerAgent(room.testApp, { ip: '10.30.0.50' });

/** A section of the session page (`salle`: the candidates, `postes`: the terminals), as served. */
function sectionOf(html: string, id: 'salle' | 'postes'): string {
  return new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
}

/** The rows of a section's table, as text cells. */
function tableRows(section: string): string[][] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => visibleText(cell!)),
  );
}

/** The rows of the room's table, as text cells. */
function roomRows(html: string): string[][] {
  return tableRows(sectionOf(html, 'salle'));
}

/** The number the pages give the terminal the agent was admitted on (its admission's id). */
function posteOf(agent: Agent): number {
  return Number(agent.cookies.get(TERMINAL_COOKIE)?.split('.')[0]);
}

async function sessionCode(room: Room, sessionId = room.sessionId) {
  return room.db.selectFrom('exam_sessions').select(['admission_code', 'admission_code_expires_at']).where('id', '=', sessionId).executeTakeFirstOrThrow();
}

t.test('an open session without candidates says so, and refreshes itself', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.equal(page.statusCode, 200);
  t.match(visibleText(page.body), 'Candidats de la session');
  t.match(visibleText(page.body), 'Aucun candidat n’a encore commencé d’examen dans cette session.');
  t.match(page.body, `hx-get="/centre/sessions/${room.sessionId}" hx-trigger="every 20s" hx-select="#salle"`, 'htmx refreshes the room');
  t.match(visibleText(page.body), 'Actualiser maintenant', 'and without JavaScript, a link does');
});

t.test('each candidate: progress and time left while running, then score and result', async (t) => {
  const room = await kioskRoom(t);
  const first = await startCandidate(room, { ip: '10.30.0.1', identity: { nom: 'Martin', prenom: 'Léa', date_naissance: '1990-05-01', entreprise: '' } });
  const [q1] = await examItems(room.db, first.examId);
  await answer(first.agent, 1, { seq: 1, choix: String(q1!.correctIndex) }, true);
  await answer(first.agent, 2, { seq: 1, choix: 'nsp' }, true);
  const second = await startCandidate(room, { ip: '10.30.0.2', identity: { nom: 'Bernard', prenom: 'Hugo', date_naissance: '1988-03-12', entreprise: '' } });
  await second.agent.get('/examen/terminer');
  await second.agent.post('/examen/terminer', {});

  room.clock.advance(30 * MINUTE);
  const third = await startCandidate(room, { ip: '10.30.0.3', identity: { nom: 'Durand', prenom: 'Inès', date_naissance: '1979-11-30', entreprise: '' } });
  room.clock.advance(31 * MINUTE); // Léa's hour is over; Inès has 29 minutes left.

  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.match(visibleText(page.body), '3 candidats : 1 en cours, 2 terminés dont 0 admis.');
  t.same(
    roomRows(page.body),
    [
      ['Martin Léa', 'Opérateur', '10 h 00', `n° ${posteOf(first.agent)}`, '2 / 30', 'Terminé (temps écoulé)', '2 / 60', 'Non admis'],
      ['Bernard Hugo', 'Opérateur', '10 h 00', `n° ${posteOf(second.agent)}`, '0 / 30', 'Terminé', '0 / 60', 'Non admis'],
      ['Durand Inès', 'Opérateur', '10 h 30', `n° ${posteOf(third.agent)}`, '0 / 30', '29 min 00 s', '—', 'En cours'],
    ],
    'one row per candidate, in the order they started, with the terminal of each',
  );
  t.equal(new Set([first, second, third].map((c) => posteOf(c.agent))).size, 3, 'three terminals, three numbers');
  t.match(page.body, `href="/centre/examens/${first.examId}"`, 'each name leads to the exam’s page');
  const exam = await room.db.selectFrom('exams').select(['finished_at', 'finish_reason']).where('id', '=', first.examId).executeTakeFirstOrThrow();
  t.same(exam, { finished_at: '2026-11-29T10:00:00.000Z', finish_reason: 'delai' }, 'the page finished the expired exam at its deadline');

  // htmx's refresh gets the page without its layout; the room is in it.
  const fragment = await boss.get(`/centre/sessions/${room.sessionId}`, { 'hx-request': 'true' });
  t.notMatch(fragment.body, '<html', 'a fragment');
  t.equal(roomRows(fragment.body).length, 3);
});

t.test('a closed session with nobody left running no longer refreshes', async (t) => {
  const room = await kioskRoom(t);
  const only = await startCandidate(room, { ip: '10.30.0.4' });
  await only.agent.get('/examen/terminer');
  await only.agent.post('/examen/terminer', {});
  const closed = await closeSession(room.db, room.clock, CENTRE_ID, room.sessionId, { actor: { accountId: null, label: 'test' } });
  t.ok(closed?.ok, 'the session is closed');
  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.equal(roomRows(page.body).length, 1, 'its candidates are still listed');
  t.notMatch(page.body, 'hx-trigger="every 20s"', 'no polling');
});

t.test('the session’s results as CSV: one line per candidate, ready for a French spreadsheet, and audited', async (t) => {
  const room = await kioskRoom(t);
  const done = await startCandidate(room, {
    ip: '10.30.0.5',
    identity: { nom: 'Lefèvre', prenom: 'Zoé', date_naissance: '1985-04-23', entreprise: '+33 Réseaux; "Sud"' },
  });
  const [q1] = await examItems(room.db, done.examId);
  await answer(done.agent, 1, { seq: 1, choix: String(q1!.correctIndex) }, true);
  await done.agent.get('/examen/terminer');
  await done.agent.post('/examen/terminer', {});
  const running = await startCandidate(room, { ip: '10.30.0.6', identity: { nom: 'Nguyễn', prenom: 'Anaïs', date_naissance: '2000-02-29', entreprise: '' } });
  room.clock.advance(5 * MINUTE);

  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.match(page.body, `href="/centre/sessions/${room.sessionId}/resultats.csv"`, 'the page offers the export');
  const res = await boss.get(`/centre/sessions/${room.sessionId}/resultats.csv`);
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
  t.equal(res.headers['content-disposition'], `attachment; filename="resultats-centre0001-2026-11-29-session-${room.sessionId}.csv"`);
  t.ok(res.body.startsWith('\uFEFF'), 'a byte order mark for Excel');
  const lines = res.body.slice(1).split('\r\n');
  t.equal(
    lines[0],
    'Nom;Prénom;Date de naissance;Entreprise;Profil;Questionnaire;Jeton;Début;Fin;Fin par;Questions répondues;Questions;Note;Maximum;Seuil;Résultat',
  );
  const doneToken = done.token;
  t.equal(
    lines[1],
    `Lefèvre;Zoé;23/04/1985;"'+33 Réseaux; ""Sud""";Opérateur;2026;${doneToken};29/11/2026 10:00;29/11/2026 10:00;candidat;1;30;2;60;36;Non admis`,
    'a finished exam, the company made inert and quoted',
  );
  t.equal(lines[2], `Nguyễn;Anaïs;29/02/2000;;Opérateur;2026;${running.token};29/11/2026 10:00;;;0;30;;;;En cours`, 'an exam in progress');
  t.equal(lines[3], '', 'the file ends with CRLF');
  t.equal(lines.length, 4);

  const audit = await room.db.selectFrom('audit_log').select(['action', 'target_id', 'details']).where('action', '=', 'session.export_resultats').execute();
  t.same(audit, [{ action: 'session.export_resultats', target_id: String(room.sessionId), details: '{"candidats":2}' }], 'the export is in the journal');
});

t.test('another centre’s session cannot be exported', async (t) => {
  const room = await kioskRoom(t);
  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  t.equal((await other.get(`/centre/sessions/${room.sessionId}/resultats.csv`)).statusCode, 404);
  t.equal((await other.get(`/centre/sessions/${room.sessionId}`)).statusCode, 404);
  t.equal((await new Agent(room.app).get(`/centre/sessions/${room.sessionId}/resultats.csv`)).statusCode, 302, 'signed out: to the sign-in page');
});

t.test('the room refreshing itself does not keep an idle sign-in alive; the page then goes to the sign-in form', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.match(page.body, `hx-headers='{"x-actualisation-auto": "1"}'`, 'the refresh says it is one');
  const poll = { 'hx-request': 'true', 'x-actualisation-auto': '1' };
  for (let minute = 1; minute <= 29; minute++) {
    room.clock.advance(MINUTE);
    t.equal((await boss.get(`/centre/sessions/${room.sessionId}`, poll)).statusCode, 200);
  }
  room.clock.advance(2 * MINUTE);
  const expired = await boss.get(`/centre/sessions/${room.sessionId}`, poll);
  t.equal(expired.statusCode, 200);
  t.equal(
    expired.headers['hx-redirect'],
    `/connexion?suivant=%2Fcentre%2Fsessions%2F${room.sessionId}&expiree=1`,
    'after 30 idle minutes, the whole page goes to sign in',
  );
  t.equal(expired.body, '', 'and nothing of the room is sent');
  t.equal((await boss.get('/centre')).statusCode, 302, 'the sign-in has ended');
});

t.test('a manager at the keyboard stays signed in', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);
  for (let step = 0; step < 4; step++) {
    room.clock.advance(20 * MINUTE);
    t.equal((await boss.get(`/centre/sessions/${room.sessionId}`)).statusCode, 200, `${(step + 1) * 20} minutes, clicking every 20`);
  }
});

t.test('the room’s terminals: the session code while the session is open, a new one on demand, the terminals admitted', async (t) => {
  const room = await kioskRoom(t);
  t.equal(room.clock.now().toISOString(), '2026-11-29T09:00:00.000Z', '10:00 in Paris');
  const code = await room.admissionCode();
  t.equal((await sessionCode(room)).admission_code_expires_at, '2026-11-29T10:00:00.000Z', 'the opening drew a code for an hour');
  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  const section = sectionOf(page.body, 'postes');
  t.match(visibleText(section), /^Postes de la salle /, 'the section « Postes de la salle »');
  t.match(visibleText(section), `Code de session : ${code} (valable jusqu’à 11 h 00)`, 'the code, and until when it admits terminals');
  t.match(visibleText(section), 'Aucun poste n’est admis à cette session.');
  t.match(section, `<form method="post" action="/centre/sessions/${room.sessionId}/code"`, 'a form for a new code');
  t.match(visibleText(section), 'Afficher un nouveau code');

  const named = new Agent(room.app, '10.30.1.1');
  await admit(named, { label: 'Poste 3' });
  const candidate = await startCandidate(room, { ip: '10.30.1.2' });
  const listed = sectionOf((await boss.get(`/centre/sessions/${room.sessionId}`)).body, 'postes');
  t.same(
    tableRows(listed),
    [
      [`n° ${posteOf(named)} — Poste 3`, '10 h 00', '10.30.1.1', '—', 'Retirer'],
      [`n° ${posteOf(candidate.agent)}`, '10 h 00', '10.30.1.2', 'Lefèvre Zoé', 'Retirer'],
    ],
    'the terminals admitted, in order, with their name, address and the exam each one runs',
  );
  t.match(listed, `href="/centre/examens/${candidate.examId}"`, 'the exam leads to its page');
  for (const agent of [named, candidate.agent]) {
    t.match(
      listed,
      `href="/centre/sessions/${room.sessionId}/postes/${posteOf(agent)}/retirer"`,
      `« Retirer » for n° ${posteOf(agent)} leads to a confirmation`,
    );
  }
  const confirm = await boss.get(`/centre/sessions/${room.sessionId}/postes/${posteOf(candidate.agent)}/retirer`);
  t.equal(confirm.statusCode, 200);
  t.match(visibleText(confirm.body), `Retirer le poste n° ${posteOf(candidate.agent)} ?`);
  t.match(confirm.body, `<a class="fr-breadcrumb__link" href="/centre/sessions/${room.sessionId}">`, 'the breadcrumb leads back to the session');
  t.match(visibleText(confirm.body), 'L’examen de Lefèvre Zoé se déroule sur ce poste : il en sera détaché.', 'the confirmation names the exam it detaches');
  t.match(confirm.body, `<form method="post" action="/centre/sessions/${room.sessionId}/postes/${posteOf(candidate.agent)}/retirer">`);
  t.equal(
    (await room.db.selectFrom('terminal_admissions').select('id').where('revoked_at', 'is not', null).execute()).length,
    0,
    'showing it withdraws nothing',
  );
  t.notMatch(
    visibleText((await boss.get(`/centre/sessions/${room.sessionId}/postes/${posteOf(named)}/retirer`)).body),
    'détaché',
    'no exam: nothing said of one',
  );
  t.equal((await boss.get(`/centre/sessions/${room.sessionId}/postes/99999/retirer`)).statusCode, 404, 'an unknown terminal: 404');

  room.clock.advance(10 * 60_000);
  const renewed = await boss.post(`/centre/sessions/${room.sessionId}/code`, {});
  t.equal(renewed.statusCode, 303);
  t.equal(renewed.headers.location, `/centre/sessions/${room.sessionId}#postes`, 'back to the terminals');
  const stored = await sessionCode(room);
  t.not(stored.admission_code, code.replace('-', ''), 'a new code is drawn');
  t.equal(stored.admission_code_expires_at, '2026-11-29T10:10:00.000Z', 'valid for an hour from now');
  const newCode = await room.admissionCode();
  const after = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.same(
    flashes(after.body),
    [{ type: 'success', text: 'Nouveau code de session : l’ancien n’admet plus aucun poste ; les postes déjà admis le restent.' }],
    'the manager is told what the new code changes',
  );
  const renewedSection = visibleText(sectionOf(after.body, 'postes'));
  t.match(renewedSection, `Code de session : ${newCode} (valable jusqu’à 11 h 10)`, 'the new code is shown');
  t.notMatch(renewedSection, code, 'the old one is not');
  t.equal(tableRows(sectionOf(after.body, 'postes')).length, 2, 'the terminals admitted stay listed');
  const audit = await room.db
    .selectFrom('audit_log')
    .select(['actor_label', 'target_type', 'target_id'])
    .where('action', '=', 'session.code_renouvele')
    .execute();
  t.same(audit, [{ actor_label: DEMO_MANAGER_EMAIL, target_type: 'session', target_id: String(room.sessionId) }], 'the renewal is in the journal');

  // An hour later the code has expired: none is shown, a new one may be asked for.
  room.clock.advance(ADMISSION_CODE_VALIDITY_MS);
  const later = await manager(room);
  const expired = sectionOf((await later.get(`/centre/sessions/${room.sessionId}`)).body, 'postes');
  t.notMatch(visibleText(expired), 'Code de session :', 'an expired code is not shown');
  t.notMatch(visibleText(expired), newCode);
  t.match(visibleText(expired), 'Le code de session a expiré : affichez-en un nouveau pour admettre d’autres postes.');
  t.match(expired, `action="/centre/sessions/${room.sessionId}/code"`, 'the form for a new code is still there');
  t.equal((await later.post(`/centre/sessions/${room.sessionId}/code`, {})).statusCode, 303);
  const fresh = await room.admissionCode();
  t.match(
    visibleText(sectionOf((await later.get(`/centre/sessions/${room.sessionId}`)).body, 'postes')),
    `Code de session : ${fresh} (valable jusqu’à 12 h 10)`,
  );
});

t.test('no session code while the session is not open (planned, closed); a new code is refused there', async (t) => {
  const room = await kioskRoom(t);
  const boss = await manager(room);
  const NOT_OPEN = 'Cette session n’est pas ouverte : aucun poste ne peut y être admis.';

  // Planned for this afternoon.
  const form = await boss.get('/centre/sessions/nouvelle');
  const today = /id="date" name="date" min="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const created = await boss.post('/centre/sessions/nouvelle', { date: today, heure_debut: '14:00', salle: 'Salle 2', surveillant: 'Camille Martin' });
  const planned = Number(/^\/centre\/sessions\/(\d+)$/.exec(created.headers.location ?? '')?.[1]);
  t.ok(planned > 0, 'a session is planned');
  const plannedPage = await boss.get(`/centre/sessions/${planned}`);
  const plannedSection = sectionOf(plannedPage.body, 'postes');
  t.match(visibleText(plannedSection), /^Postes de la salle /, 'the section is there');
  t.match(visibleText(plannedSection), 'Le code de session s’affiche ici quand la session est ouverte.');
  t.notMatch(visibleText(plannedSection), 'Code de session :', 'no code');
  t.notMatch(plannedSection, `/centre/sessions/${planned}/code`, 'no form for a new code');
  const early = await boss.post(`/centre/sessions/${planned}/code`, {});
  t.equal(early.statusCode, 303);
  t.equal(early.headers.location, `/centre/sessions/${planned}#postes`);
  t.same(flashes((await boss.get(`/centre/sessions/${planned}`)).body), [{ type: 'error', text: NOT_OPEN }], 'a post is refused with the reason');
  t.same(await sessionCode(room, planned), { admission_code: null, admission_code_expires_at: null }, 'no code drawn');

  // Open, then closed.
  const code = await room.admissionCode();
  t.match(
    visibleText(sectionOf((await boss.get(`/centre/sessions/${room.sessionId}`)).body, 'postes')),
    `Code de session : ${code}`,
    'open: the code is shown',
  );
  const closed = await closeSession(room.db, room.clock, CENTRE_ID, room.sessionId, { actor: { accountId: null, label: 'test' } });
  t.ok(closed?.ok, 'the session is closed');
  const before = await sessionCode(room);
  const closedSection = sectionOf((await boss.get(`/centre/sessions/${room.sessionId}`)).body, 'postes');
  t.notMatch(visibleText(closedSection), code, 'closed: the code is no longer shown');
  t.notMatch(visibleText(closedSection), 'Code de session :');
  t.notMatch(closedSection, `/centre/sessions/${room.sessionId}/code`, 'nor the form for a new one');
  const late = await boss.post(`/centre/sessions/${room.sessionId}/code`, {});
  t.equal(late.statusCode, 303);
  t.same(flashes((await boss.get(`/centre/sessions/${room.sessionId}`)).body), [{ type: 'error', text: NOT_OPEN }], 'a late post is refused with the reason');
  t.same(await sessionCode(room), before, 'the code is unchanged');
  t.equal((await room.db.selectFrom('audit_log').select('id').where('action', '=', 'session.code_renouvele').execute()).length, 0, 'no renewal in the journal');
});

t.test('another centre’s session: no new code, no terminal withdrawn', async (t) => {
  const room = await kioskRoom(t);
  const terminal = new Agent(room.app, '10.30.2.1');
  await admit(terminal);
  const poste = posteOf(terminal);
  const code = await sessionCode(room);
  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  t.equal((await other.post(`/centre/sessions/${room.sessionId}/code`, {})).statusCode, 404, 'a new code: 404');
  t.equal((await other.post(`/centre/sessions/${room.sessionId}/postes/${poste}/retirer`, {})).statusCode, 404, 'withdrawing a terminal: 404');
  t.equal((await other.get(`/centre/sessions/${room.sessionId}/postes/${poste}/retirer`)).statusCode, 404, 'and its confirmation page');
  t.same(await sessionCode(room), code, 'the code is unchanged');
  const admission = await room.db.selectFrom('terminal_admissions').select('revoked_at').where('id', '=', poste).executeTakeFirstOrThrow();
  t.equal(admission.revoked_at, null, 'the terminal stays admitted');
  const entry = await terminal.get('/examen');
  t.equal(entry.statusCode, 200);
  t.match(entry.body, '<form method="post" action="/examen" ', 'and still shows the entry form');

  const boss = await manager(room);
  t.equal((await boss.post(`/centre/sessions/${room.sessionId}/code`, {}, { csrf: null })).statusCode, 403, 'no CSRF token: no new code');
  t.equal((await boss.post(`/centre/sessions/${room.sessionId}/postes/${poste}/retirer`, {}, { csrf: null })).statusCode, 403, 'nor a withdrawal');
  t.same(await sessionCode(room), code, 'still unchanged');
  t.equal((await room.db.selectFrom('terminal_admissions').select('revoked_at').where('id', '=', poste).executeTakeFirstOrThrow()).revoked_at, null);
});
