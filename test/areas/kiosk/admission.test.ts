/**
 * Exams bound to the room (issue 11, high items 1 and 2): a terminal must be admitted to the
 * session by the supervisor's code before a start or a resume; a resume on another terminal needs
 * the supervisor's leave; failures are counted per (address prefix, centre) and never refuse a
 * right token, code or birth date; every start, resume, finish and detachment is audited.
 */
import t from 'tap';
import { closeSession, createSession, openSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { finishExam } from '../../../src/services/exam/lifecycle.js';
import { ADMISSION_CODE_VALIDITY_MS, RESUME_LEAVE_MS } from '../../../src/domain/admission-code.js';
import { KIOSK_ROOM_POLICY } from '../../../src/domain/throttle.js';
import { RESUME_MESSAGES } from '../../../src/areas/kiosk/entry/lifecycle.js';
import { ADMISSION_REFUSED, TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { field, flashes, visibleText } from '../../helpers/html.js';
import { admit, alertText, allowResume, answer, enter, reachRules, restartBrowser, startCandidate } from '../../helpers/kiosk.js';
import { CENTRE, CENTRE_ID, IDENTITY, kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const ACTOR = { actor: { accountId: null, label: 'test' } };

async function auditOf(room: Room, action: string) {
  const rows = await room.db.selectFrom('audit_log').select(['target_id', 'details', 'ip', 'actor_label']).where('action', '=', action).orderBy('id').execute();
  return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}

async function admissionIdOf(agent: Agent): Promise<number> {
  return Number(agent.cookies.get(TERMINAL_COOKIE)!.split('.')[0]);
}

t.test('a terminal that is not admitted sees only the admission form, and its forms reach nothing', async (t) => {
  const room = await kioskRoom(t);
  const outsider = new Agent(room.app, '203.0.113.7');
  const page = await outsider.get('/examen');
  t.equal(page.statusCode, 200);
  t.match(page.body, /<form method="post" action="\/examen\/poste"/);
  t.equal(field(page.body, 'centre').value, '', 'the kiosk field "centre"');
  t.equal(field(page.body, 'code_session').value, '', 'a field for the session code');
  t.notMatch(page.body, /name="jeton"/, 'no token field before the admission');

  const token = room.takeToken();
  const entered = await outsider.post('/examen', { centre: CENTRE, jeton: token });
  t.equal(entered.statusCode, 303, 'a token posted by a terminal that is not admitted is not even looked at');
  t.equal(entered.headers.location, '/examen');
  t.equal((await outsider.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance })).headers.location, '/examen');
  t.equal((await outsider.post('/examen/commencer', {})).headers.location, '/examen');
  t.equal(await room.db.selectFrom('sign_in_throttle').select('key').executeTakeFirst(), undefined, 'nothing counted');
  t.equal((await room.db.selectFrom('exams').select('id').execute()).length, 0);
});

t.test('the remote takeover: an accomplice with the token, the birth date and even the session code cannot take a running exam over', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room, { ip: '10.0.0.5' });
  await answer(candidate.agent, 1, { seq: 1, choix: '1' });

  // At home, without the session code: the entry form is not even there.
  const home = new Agent(room.app, '198.51.100.20');
  t.notMatch((await home.get('/examen')).body, /name="jeton"/);
  t.equal((await home.post('/examen', { centre: CENTRE, jeton: candidate.token })).headers.location, '/examen');

  // A code leaked from the room admits the accomplice's computer… but the exam stays where it runs.
  await admit(home);
  const entered = await home.post('/examen', { centre: CENTRE, jeton: candidate.token });
  t.equal(entered.headers.location, '/examen/reprise');
  await home.get('/examen/reprise');
  const refused = await home.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(refused.statusCode, 403);
  t.equal(alertText(refused.body), RESUME_MESSAGES.needsLeave, 'the supervisor must allow it');
  t.equal((await home.get('/examen/question/1')).headers.location, '/examen', 'no question reached');

  const inRoom = await candidate.agent.get('/examen/question/2');
  t.equal(inRoom.statusCode, 200, 'the room terminal keeps the exam');
  const refusals = await auditOf(room, 'examen.reprise_refusee');
  t.equal(refusals.length, 1, 'the attempt is audited');
  t.same(refusals[0]!.details, { ancien_poste: await admissionIdOf(candidate.agent), nouveau_poste: await admissionIdOf(home), motif: 'needs_leave' });
  t.equal(refusals[0]!.ip, '198.51.100.20');
});

t.test('a terminal that reboots takes its exam back with the birth date alone', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room, { ip: '10.0.0.6' });
  await answer(candidate.agent, 1, { seq: 1, choix: '2' });
  restartBrowser(candidate.agent);
  t.equal((await candidate.agent.get('/examen/question/1')).headers.location, '/examen', 'the session cookie is gone');
  t.match((await candidate.agent.get('/examen')).body, /name="jeton"/, 'the terminal is still admitted');

  t.equal((await enter(candidate.agent, candidate.token)).headers.location, '/examen/reprise');
  await candidate.agent.get('/examen/reprise');
  const resumed = await candidate.agent.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(resumed.statusCode, 303);
  t.equal(resumed.headers.location, '/examen/question/2', 'back at the first unanswered question');

  const moves = await room.db.selectFrom('exam_resumes').selectAll().execute();
  t.equal(moves.length, 1);
  t.equal(moves[0]!.allowed, 0, 'no leave was needed');
  t.equal(moves[0]!.from_admission_id, moves[0]!.to_admission_id, 'the same terminal');
  const audited = await auditOf(room, 'examen.repris');
  t.equal(audited.length, 1);
  t.same(audited[0]!.details, { ancien_poste: moves[0]!.from_admission_id, nouveau_poste: moves[0]!.to_admission_id, autorisation_du_surveillant: false });
});

t.test('with the supervisor’s leave, the exam moves to another admitted terminal once; the old one lets go', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room, { ip: '10.0.0.7' });
  const manager = await managerAgent(room.testApp);
  const examPage = await manager.get(`/centre/examens/${candidate.examId}`);
  t.match(examPage.body, /Autoriser la reprise sur un autre poste/);
  const allowed = await manager.post(`/centre/examens/${candidate.examId}/reprise`, {});
  t.equal(allowed.statusCode, 303);
  const shown = await manager.get(`/centre/examens/${candidate.examId}`);
  t.match(flashes(shown.body)[0]?.text, /^Reprise autorisée jusqu’à 10 h 15/);
  t.match(visibleText(shown.body), /Reprise autorisée jusqu’à 10 h 15\./);

  const spare = new Agent(room.app, '10.0.0.8');
  await admit(spare, { label: 'Poste de secours' });
  t.equal((await enter(spare, candidate.token)).headers.location, '/examen/reprise');
  await spare.get('/examen/reprise');
  const moved = await spare.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(moved.statusCode, 303, 'taken over on the spare terminal');
  t.equal((await spare.get('/examen/question/1')).statusCode, 200);

  const old = await candidate.agent.get('/examen/question/1');
  t.equal(old.headers.location, '/examen', 'the old terminal lets go');

  const third = new Agent(room.app, '10.0.0.9');
  await enter(third, candidate.token);
  await third.get('/examen/reprise');
  t.equal((await third.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance })).statusCode, 403, 'the leave was used up by the move');

  const audited = await auditOf(room, 'examen.repris');
  t.equal(audited.length, 1);
  t.equal(audited[0]!.details?.autorisation_du_surveillant, true);
  t.equal(audited[0]!.details?.nouveau_poste, await admissionIdOf(spare));
  t.equal((await auditOf(room, 'examen.reprise_autorisee')).length, 1);

  const roomView = visibleText((await manager.get(`/centre/sessions/${room.sessionId}`)).body);
  t.match(roomView, /repris sur un autre poste : 1 fois/, 'the room view shows the move');
  t.match(roomView, /Poste de secours/, 'and the terminals admitted');
});

t.test('the supervisor’s leave expires', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room, { ip: '10.0.1.1' });
  await allowResume(room, candidate.examId);
  room.clock.advance(RESUME_LEAVE_MS);
  const other = new Agent(room.app, '10.0.1.2');
  await enter(other, candidate.token);
  await other.get('/examen/reprise');
  t.equal((await other.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance })).statusCode, 403);
});

t.test('the room view shows the code; a new code replaces the old one, admitted terminals stay admitted; the code expires', async (t) => {
  const room = await kioskRoom(t);
  const manager = await managerAgent(room.testApp);
  const code = await room.admissionCode();
  const view = visibleText((await manager.get(`/centre/sessions/${room.sessionId}`)).body);
  t.match(view, `Code de session : ${code} (valable jusqu’à`);

  const first = new Agent(room.app, '10.0.2.1');
  await admit(first);
  const renewed = await manager.post(`/centre/sessions/${room.sessionId}/code`, {});
  t.equal(renewed.statusCode, 303);
  const newCode = await room.admissionCode();
  t.not(newCode, code);

  const late = new Agent(room.app, '10.0.2.2');
  await late.get('/examen');
  const stale = await late.post('/examen/poste', { centre: CENTRE, code_session: code, poste: '' });
  t.equal(stale.statusCode, 400, 'the old code admits nothing more');
  t.equal(alertText(stale.body), ADMISSION_REFUSED);
  t.equal(field(stale.body, 'code_session').value, code, 'what was typed is kept');
  t.ok(await enter(first, room.takeToken()).then((r) => r.headers.location === '/examen/identite'), 'a terminal admitted before still is');

  const lower = newCode.toLowerCase().replace('-', ' ');
  t.equal((await late.post('/examen/poste', { centre: CENTRE, code_session: lower, poste: '' })).statusCode, 303, 'case and separators do not matter');

  room.clock.advance(ADMISSION_CODE_VALIDITY_MS);
  const expired = new Agent(room.app, '10.0.2.3');
  await expired.get('/examen');
  t.equal((await expired.post('/examen/poste', { centre: CENTRE, code_session: newCode, poste: '' })).statusCode, 400, 'an hour later the code has expired');
  const signedInAgain = await managerAgent(room.testApp);
  t.match(visibleText((await signedInAgain.get(`/centre/sessions/${room.sessionId}`)).body), /Le code de session a expiré/);
});

t.test('the admission form tells an outsider nothing: unknown centre, wrong code, closed session all read the same', async (t) => {
  const room = await kioskRoom(t);
  const code = await room.admissionCode();
  await insertCentre(room.db, room.clock, { id: 2, name: 'Centre sans session' });
  const answers: string[] = [];
  const tryAdmit = async (centre: string, typed: string, ip: string) => {
    const agent = new Agent(room.app, ip);
    await agent.get('/examen');
    const res = await agent.post('/examen/poste', { centre, code_session: typed, poste: '' });
    t.equal(res.statusCode, 400, `${centre} / ${typed}`);
    answers.push(alertText(res.body) ?? '');
  };
  await tryAdmit('centre9999', code, '10.0.3.1');
  await tryAdmit('centre0002', code, '10.0.3.2');
  await tryAdmit(CENTRE, 'ZZZZ-ZZZZ', '10.0.3.3');
  await tryAdmit(CENTRE, 'pas un code', '10.0.3.4');
  await closeSession(room.db, room.clock, CENTRE_ID, room.sessionId, ACTOR);
  await tryAdmit(CENTRE, code, '10.0.3.5');
  t.same(new Set(answers), new Set([ADMISSION_REFUSED]), 'one and the same answer');
});

t.test('withdrawing a terminal detaches its exam, which another terminal may then take over with leave', async (t) => {
  const room = await kioskRoom(t);
  const intruder = await startCandidate(room, { ip: '10.0.4.1' });
  const manager = await managerAgent(room.testApp);
  const admissionId = await admissionIdOf(intruder.agent);
  const withdrawn = await manager.post(`/centre/sessions/${room.sessionId}/postes/${admissionId}/retirer`, {});
  t.equal(withdrawn.statusCode, 303);
  t.equal((await intruder.agent.get('/examen/question/1')).headers.location, '/examen', 'the exam is detached');
  t.match((await intruder.agent.get('/examen')).body, /action="\/examen\/poste"/, 'the terminal is no longer admitted');
  t.equal((await auditOf(room, 'examen.poste_detache')).length, 1);
  t.same((await auditOf(room, 'poste.retire'))[0]!.details, { poste: admissionId, examens_detaches: [intruder.examId] });
  t.match(visibleText((await manager.get(`/centre/sessions/${room.sessionId}`)).body), /Retiré à 10 h 00/);

  const another = await manager.post(`/centre/sessions/${room.sessionId}/postes/999/retirer`, {});
  t.equal(another.statusCode, 404, 'another session’s or no terminal: 404');
});

t.test('starts, resumes and finishes are audited with the terminal', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room, { ip: '10.0.5.1' });
  const admissionId = await admissionIdOf(candidate.agent);
  const started = await auditOf(room, 'examen.commence');
  t.equal(started.length, 1);
  t.equal(started[0]!.target_id, String(candidate.examId));
  t.equal(started[0]!.ip, '10.0.5.1');
  t.equal(started[0]!.details?.poste, admissionId);
  t.equal(started[0]!.details?.session, room.sessionId);
  t.equal((await auditOf(room, 'poste.admis')).length, 1);

  await candidate.agent.get('/examen/terminer');
  await candidate.agent.post('/examen/terminer', {});
  const finished = await auditOf(room, 'examen.termine');
  t.equal(finished.length, 1);
  t.equal(finished[0]!.actor_label, 'candidat');
  t.equal(finished[0]!.details?.raison, 'candidat');
});

t.test(
  'no lockout as a weapon: wrong tokens from many addresses lock only their own (prefix, centre) pairs; right tokens and resumes always pass',
  async (t) => {
    const room = await kioskRoom(t);
    const running = await startCandidate(room, { ip: '10.0.6.1' });
    // A terminal admitted before the attack, at an address the attack then locks.
    const locked = new Agent(room.app, '192.0.2.1');
    await admit(locked);

    // Nine addresses, each beyond the room's bar, all naming the centre.
    for (let a = 1; a <= 9; a++) {
      const attacker = new Agent(room.app, `192.0.2.${a}`);
      await admit(attacker);
      let last = 0;
      for (let i = 0; i < KIOSK_ROOM_POLICY.maxFailures + 2; i++)
        last = (await attacker.post('/examen', { centre: CENTRE, jeton: 'AAAA-BBBB-CCCC' })).statusCode;
      t.equal(last, 429, `address ${a} is slowed down`);
    }
    // A room terminal: a valid token is admitted…
    const room1 = new Agent(room.app, '10.0.6.2');
    t.equal((await enter(room1, room.takeToken())).headers.location, '/examen/identite', 'a valid token is admitted during the attack');
    // …even from a locked address, and so is a resume.
    t.equal((await enter(locked, room.takeToken())).headers.location, '/examen/identite', 'a right token is never refused by the throttle');
    restartBrowser(running.agent);
    t.equal((await enter(running.agent, running.token)).headers.location, '/examen/reprise');
    await running.agent.get('/examen/reprise');
    t.equal((await running.agent.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance })).statusCode, 303, 'a resume passes');
  },
);

t.test('IPv6: the addresses of one /64 count together; IPv4-mapped addresses count as IPv4', async (t) => {
  const room = await kioskRoom(t);
  let last = 0;
  for (let i = 0; i < KIOSK_ROOM_POLICY.maxFailures; i++) {
    const rotating = new Agent(room.app, `2001:db8:aa:bb::${(i + 1).toString(16)}`);
    await admit(rotating);
    last = (await rotating.post('/examen', { centre: CENTRE, jeton: 'AAAA-BBBB-CCCC' })).statusCode;
  }
  t.equal(last, 429, 'rotating within the /64 does not escape the count');
  const keys = await room.db.selectFrom('sign_in_throttle').select(['key', 'failures']).execute();
  t.same(keys, [{ key: 'kiosque:1:2001:db8:aa:bb::/64', failures: KIOSK_ROOM_POLICY.maxFailures }]);
  const neighbour = new Agent(room.app, '2001:db8:aa:bc::1');
  await admit(neighbour);
  t.equal((await neighbour.post('/examen', { centre: CENTRE, jeton: 'AAAA-BBBB-CCCC' })).statusCode, 400, 'the next /64 is another client');
});

t.test('a wrong centre on an admitted terminal, and a session closed since the admission', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.0.7.1');
  const wrongCentre = await enter(agent, room.takeToken(), 'centre0002');
  t.equal(wrongCentre.statusCode, 400);
  t.equal(alertText(wrongCentre.body), 'Ce poste est admis dans un autre centre d’examen. Vérifiez l’identifiant du centre.');
  t.equal(field(wrongCentre.body, 'centre').value, 'centre0002', 'what was typed is kept');
  await closeSession(room.db, room.clock, CENTRE_ID, room.sessionId, ACTOR);
  const closed = await enter(agent, room.takeToken());
  t.equal(closed.statusCode, 400);
  t.match(alertText(closed.body), /Aucune session d’examen n’est ouverte/);
});

t.test('a terminal holding two unfinished exams (one left behind) is listed once, with the latest', async (t) => {
  const room = await kioskRoom(t);
  const first = await startCandidate(room, { ip: '10.0.8.1' });
  restartBrowser(first.agent);
  const next = room.takeToken();
  t.equal((await enter(first.agent, next)).headers.location, '/examen/identite', 'the next candidate starts on the same terminal');
  await first.agent.get('/examen/identite');
  await first.agent.post('/examen/identite', { ...IDENTITY, nom: 'Suivant' });
  await first.agent.get('/examen/consignes');
  t.equal((await first.agent.post('/examen/commencer', {})).headers.location, '/examen/question/1');
  const manager = await managerAgent(room.testApp);
  const view = (await manager.get(`/centre/sessions/${room.sessionId}`)).body;
  const rows = [...view.matchAll(/\/postes\/\d+\/retirer"/g)];
  t.equal(rows.length, 1, 'one row, one « Retirer »');
  t.match(visibleText(view), /n° \d+ \d{2} h \d{2} 10\.0\.8\.1 Suivant Zoé/, 'with the exam started last');
});

t.test('the admission cookie: the kiosk’s paths only, HttpOnly, SameSite=Lax, until the end of the session’s day', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.0.9.1');
  const res = await admit(agent);
  const cookie = (
    res.cookies as { name: string; value: string; path?: string; httpOnly?: boolean; sameSite?: string; secure?: boolean; maxAge?: number }[]
  ).find((c) => c.name === TERMINAL_COOKIE);
  t.ok(cookie);
  t.equal(cookie?.path, '/examen', 'sent to the kiosk only');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Lax');
  t.notOk(cookie?.secure, 'not Secure over plain http');
  // The test clock is at 10:00 in Paris: the day ends 14 hours later.
  t.equal(cookie?.maxAge, 14 * 60 * 60 - 1, 'a lasting cookie, gone with the day');
  const stored = await room.db.selectFrom('terminal_admissions').select(['secret_hash', 'ip', 'label']).executeTakeFirstOrThrow();
  t.notMatch(cookie!.value, stored.secret_hash, 'the database keeps only a hash of the secret');
  t.equal(stored.ip, '10.0.9.1');
});

t.test('wrong session codes lock their own (address prefix, centre) pair, right code included; other rooms are not affected', async (t) => {
  const room = await kioskRoom(t);
  const code = await room.admissionCode();
  const guesser = new Agent(room.app, '203.0.113.40');
  await guesser.get('/examen');
  let last = 0;
  for (let i = 0; i < KIOSK_ROOM_POLICY.maxFailures; i++)
    last = (await guesser.post('/examen/poste', { centre: CENTRE, code_session: 'ZZZZ-ZZZZ', poste: '' })).statusCode;
  t.equal(last, 429, 'the thirtieth failure locks the pair');
  const right = await guesser.post('/examen/poste', { centre: CENTRE, code_session: code, poste: '' });
  t.equal(right.statusCode, 429, 'a locked pair’s codes are not even looked at (40 bits are guessable at the server’s pace)');
  t.match(alertText(right.body), /Réessayez à 10 h 05/);
  const room2 = new Agent(room.app, '10.0.9.2');
  await room2.get('/examen');
  t.equal(
    (await room2.post('/examen/poste', { centre: CENTRE, code_session: code, poste: '' })).statusCode,
    303,
    'the room, at its own address, admits its terminals',
  );
});

t.test('refused resumes are journalled: a wrong birth date once an hour per terminal, another session each time', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room, { ip: '10.0.10.1' });
  restartBrowser(candidate.agent);
  await enter(candidate.agent, candidate.token);
  await candidate.agent.get('/examen/reprise');
  for (const date of ['1990-01-01', '1990-01-02', '1990-01-03']) await candidate.agent.post('/examen/reprise', { date_naissance: date });
  const refused = await auditOf(room, 'examen.reprise_refusee');
  t.equal(refused.length, 1, 'three wrong dates, one row');
  t.match(refused[0]!.details, { motif: 'date_naissance', tentatives: 3 });

  // The session closes; a terminal admitted to another session of the day tries to take the exam over.
  const other = await createSession(room.db, room.clock, CENTRE_ID, { date: '2026-11-29', startTime: '14:00', room: 'Salle 2', supervisor: 'M. Autre' }, ACTOR);
  if (!other.ok) throw new Error('second session refused');
  t.same(await openSession(room.db, room.clock, { id: CENTRE_ID, status: 'active', suspensionReason: null }, other.sessionId, ACTOR), { ok: true });
  await allowResume(room, candidate.examId);
  const elsewhere = new Agent(room.app, '10.0.10.2');
  await admit(elsewhere, { sessionId: other.sessionId });
  t.equal((await enter(elsewhere, candidate.token)).headers.location, '/examen/reprise');
  await elsewhere.get('/examen/reprise');
  const wrongRoom = await elsewhere.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(wrongRoom.statusCode, 403);
  t.equal(alertText(wrongRoom.body), RESUME_MESSAGES.otherSession);
  t.notMatch(wrongRoom.body, /aria-invalid/, 'the right date is not marked wrong');
  t.match((await auditOf(room, 'examen.reprise_refusee')).at(-1)!.details, { motif: 'other_session' });
});

t.test('a terminal withdrawn between the rules page and « Commencer » starts nothing; a finished exam is not resumed', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.0.11.1');
  const token = room.takeToken();
  await reachRules(agent, token);
  const manager = await managerAgent(room.testApp);
  await manager.post(`/centre/sessions/${room.sessionId}/postes/${await admissionIdOf(agent)}/retirer`, {});
  const start = await agent.post('/examen/commencer', {});
  t.equal(start.headers.location, '/examen', 'back to the admission form');
  t.equal((await room.db.selectFrom('exams').select('id').execute()).length, 0, 'no exam');

  const candidate = await startCandidate(room, { ip: '10.0.11.2' });
  restartBrowser(candidate.agent);
  t.equal((await enter(candidate.agent, candidate.token)).headers.location, '/examen/reprise');
  await finishExam(room.db, room.clock, candidate.examId, 'candidat');
  await candidate.agent.get('/examen/reprise');
  const late = await candidate.agent.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(late.headers.location, '/examen', 'the exam finished meanwhile: nothing to resume');
  t.equal((await room.db.selectFrom('exam_resumes').select('id').execute()).length, 0, 'no resume recorded');
});
