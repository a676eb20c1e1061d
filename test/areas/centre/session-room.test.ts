/**
 * The session page as the room's view: who started, how far each candidate is, the time left, and
 * the results as they come, refreshed by htmx while the session runs.
 */
import t from 'tap';
import { closeSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { visibleText } from '../../helpers/html.js';
import { answer, startCandidate } from '../../helpers/kiosk.js';
import { CENTRE_ID, examItems, kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const MINUTE = 60_000;

const manager = (room: Room) => managerAgent(room.testApp, { ip: '10.30.0.50' });

/** The rows of the room's table, as text cells. */
function roomRows(html: string): string[][] {
  const section = /<section id="salle"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(([, row]) => [...row!.matchAll(/<td>([\s\S]*?)<\/td>/g)].map(([, cell]) => visibleText(cell!)));
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
  await startCandidate(room, { ip: '10.30.0.3', identity: { nom: 'Durand', prenom: 'Inès', date_naissance: '1979-11-30', entreprise: '' } });
  room.clock.advance(31 * MINUTE); // Léa's hour is over; Inès has 29 minutes left.

  const boss = await manager(room);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  t.match(visibleText(page.body), '3 candidats : 1 en cours, 2 terminés dont 0 admis.');
  t.same(
    roomRows(page.body),
    [
      ['Martin Léa', 'Opérateur', '10:00', '2 / 30', 'Terminé (temps écoulé)', '2 / 60', 'Non admis'],
      ['Bernard Hugo', 'Opérateur', '10:00', '0 / 30', 'Terminé', '0 / 60', 'Non admis'],
      ['Durand Inès', 'Opérateur', '10:30', '0 / 30', '29 min 00 s', '—', 'En cours'],
    ],
    'one row per candidate, in the order they started',
  );
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
