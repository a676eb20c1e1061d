import t from 'tap';
import { RESUME_LEAVE_MS } from '../../../src/domain/admission-code.js';
import { DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { field, flashes, visibleText } from '../../helpers/html.js';
import { answer, shownRemaining, startCandidate } from '../../helpers/kiosk.js';
import { kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const MINUTE = 60_000;
const START = '2026-11-29T09:00:00.000Z';

const manager = (room: Room) => managerAgent(room.testApp, { ip: '10.20.0.50' });

async function examRow(room: Room, examId: number) {
  return room.db
    .selectFrom('exams')
    .select(['deadline_at', 'extra_minutes', 'finished_at', 'finish_reason'])
    .where('id', '=', examId)
    .executeTakeFirstOrThrow();
}

/** The number the pages give the terminal the agent was admitted on (its admission's id). */
function posteOf(agent: Agent): number {
  return Number(agent.cookies.get(TERMINAL_COOKIE)?.split('.')[0]);
}

async function resumeLeave(room: Room, examId: number) {
  return (await room.db.selectFrom('exams').select('resume_allowed_until').where('id', '=', examId).executeTakeFirstOrThrow()).resume_allowed_until;
}

async function leaveAudit(room: Room) {
  return room.db
    .selectFrom('audit_log')
    .select(['actor_label', 'target_type', 'target_id', 'details'])
    .where('action', '=', 'examen.reprise_autorisee')
    .orderBy('id')
    .execute();
}

async function grant(agent: Agent, examId: number, minutes: string) {
  await agent.get(`/centre/examens/${examId}`);
  return agent.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes });
}

t.test('a manager adds time to a running exam: the kiosk, the saves and the closing all follow the new deadline', async (t) => {
  const room = await kioskRoom(t);
  t.equal(room.clock.now().toISOString(), START);
  const { agent, examId } = await startCandidate(room, { ip: '10.20.0.1' });
  const boss = await manager(room);

  const page = visibleText((await boss.get(`/centre/examens/${examId}`)).body);
  t.match(page, 'Temps supplémentaire', 'the running exam offers extra time');
  t.match(page, 'De 1 à 60 (au plus 60 minutes par examen).');
  t.match(
    (await boss.get(`/centre/examens/${examId}`)).body,
    /<form method="post" action="\/centre\/examens\/\d+\/temps-supplementaire" novalidate>/,
    'the app checks the field, not the browser',
  );

  room.clock.advance(10 * MINUTE);
  const res = await grant(boss, examId, ' 20 ');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/centre/examens/${examId}`);
  const after = visibleText((await boss.get(`/centre/examens/${examId}`)).body);
  t.match(after, '20 minutes ajoutées : l’examen se termine désormais le 29/11/2026 à 11 h 20', 'the manager is told the new end (Paris time)');
  t.match(after, '(dont 20 minutes de temps supplémentaire)');
  t.match(after, 'Cet examen a déjà reçu 20 minutes sur 60 possibles : de 1 à 40.', 'what is left of the maximum, and why');
  t.same(await examRow(room, examId), { deadline_at: '2026-11-29T10:20:00.000Z', extra_minutes: 20, finished_at: null, finish_reason: null });

  const audit = await room.db
    .selectFrom('audit_log')
    .select(['action', 'target_type', 'target_id', 'details'])
    .where('action', '=', 'examen.temps_supplementaire')
    .execute();
  t.equal(audit.length, 1, 'the grant is in the audit log');
  t.equal(audit[0]!.target_id, String(examId));
  t.same(JSON.parse(audit[0]!.details!), { minutes: 20, total: 20, avant: '2026-11-29T10:00:00.000Z', apres: '2026-11-29T10:20:00.000Z' });

  t.equal(shownRemaining((await agent.get('/examen/question/1')).body), 70 * 60, 'the candidate sees 70 minutes left (50 + 20)');

  // Past the original deadline: still running, answers still saved.
  room.clock.advance(55 * MINUTE);
  const saved = await answer(agent, 1, { seq: 1, choix: '1' }, true);
  t.match(saved.body, 'Réponse enregistrée.', 'an answer after the original deadline is saved');
  const later = await manager(room);
  t.match(
    visibleText((await later.get(`/centre/examens/${examId}`)).body),
    `Examen en cours sur le poste n° ${posteOf(agent)}.`,
    'the closing waits for the new deadline',
  );

  // Past the new one: finished by the server, at the new deadline.
  room.clock.advance(16 * MINUTE);
  const refused = await answer(agent, 2, { seq: 1, choix: '1' }, true);
  t.equal(refused.headers['hx-redirect'], '/examen/resultat?tardive=1', 'after the new deadline the answer is refused, and the result will say so');
  const row = await examRow(room, examId);
  t.equal(row.finished_at, '2026-11-29T10:20:00.000Z', 'ended at the new deadline');
  t.equal(row.finish_reason, 'delai');
});

t.test('the minutes are checked, with the message at the field and what was typed kept', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room, { ip: '10.20.0.2' });
  const boss = await manager(room);
  const before = await examRow(room, examId);

  for (const [typed, message] of [
    ['', 'Indiquez le nombre de minutes à ajouter.'],
    ['0', 'Indiquez un nombre entier de minutes entre 1 et 60.'],
    ['61', 'Indiquez un nombre entier de minutes entre 1 et 60.'],
    ['1,5', 'Indiquez un nombre entier de minutes entre 1 et 60.'],
    ['-5', 'Indiquez un nombre entier de minutes entre 1 et 60.'],
    ['dix', 'Indiquez un nombre entier de minutes entre 1 et 60.'],
  ]) {
    const res = await grant(boss, examId, typed!);
    t.equal(res.statusCode, 400, `"${typed}" is refused`);
    t.same(field(res.body, 'minutes'), { error: message, value: typed, invalid: true }, `"${typed}": ${message}`);
    t.match(res.body, 'aria-invalid="true"');
  }
  t.same(await examRow(room, examId), before, 'nothing changed');

  t.equal((await grant(boss, examId, '50')).statusCode, 303);
  const over = await grant(boss, examId, '11');
  t.equal(over.statusCode, 400);
  t.equal(field(over.body, 'minutes').error, 'Indiquez un nombre entier de minutes entre 1 et 10.', 'the total may not pass 60 minutes');
  t.equal((await grant(boss, examId, '10')).statusCode, 303);
  t.equal((await examRow(room, examId)).extra_minutes, 60);

  const full = await boss.get(`/centre/examens/${examId}`);
  t.match(visibleText(full.body), 'Cet examen a reçu le maximum de temps supplémentaire (60 minutes).');
  t.notMatch(full.body, 'name="minutes"', 'no form any more');
  const more = await boss.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes: '1' });
  t.equal(more.statusCode, 303);
  t.match(
    visibleText((await boss.get(`/centre/examens/${examId}`)).body),
    'Cet examen a déjà reçu 60 minutes supplémentaires : c’est le maximum.',
    'a late post is told why',
  );
  t.equal((await examRow(room, examId)).extra_minutes, 60);
});

t.test('a finished exam gets no more time', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room, { ip: '10.20.0.3' });
  const boss = await manager(room);
  await boss.get(`/centre/examens/${examId}`);
  await agent.get('/examen/terminer');
  await agent.post('/examen/terminer', {});
  const before = await examRow(room, examId);
  t.ok(before.finished_at, 'the candidate finished');

  const page = await boss.get(`/centre/examens/${examId}`);
  t.notMatch(page.body, 'name="minutes"', 'no form on a finished exam');
  const res = await boss.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes: '10' });
  t.equal(res.statusCode, 303);
  t.match(visibleText((await boss.get(`/centre/examens/${examId}`)).body), 'Cet examen est terminé : son temps ne peut plus être prolongé.');
  t.same(await examRow(room, examId), before, 'unchanged');

  // Time over but not yet swept: refused too, and the exam ends at its deadline.
  const second = await startCandidate(room, { ip: '10.20.0.4' });
  room.clock.advance(60 * MINUTE);
  const late = await manager(room);
  await late.get('/centre');
  const refused = await late.post(`/centre/examens/${second.examId}/temps-supplementaire`, { minutes: '10' });
  t.equal(refused.statusCode, 303);
  const row = await examRow(room, second.examId);
  t.equal(row.extra_minutes, 0, 'no time added once the deadline has passed');
  t.equal(row.finished_at, '2026-11-29T10:00:00.000Z');
});

t.test('only the exam’s own centre may add time, and only with the form’s token', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room, { ip: '10.20.0.5' });
  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  t.equal((await other.get(`/centre/examens/${examId}`)).statusCode, 404, 'another centre’s manager does not see the exam');
  t.equal((await other.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes: '10' })).statusCode, 404, 'nor adds time to it');

  const boss = await manager(room);
  await boss.get(`/centre/examens/${examId}`);
  t.equal((await boss.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes: '10' }, { csrf: null })).statusCode, 403, 'no CSRF token, no change');

  const candidate = new Agent(room.app, '10.20.0.6');
  const anonymous = await candidate.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes: '10' }, { csrf: null });
  t.not(anonymous.statusCode, 200);
  t.equal((await examRow(room, examId)).extra_minutes, 0, 'the exam is untouched');
});

t.test('while the exam runs, the manager may allow its resumption on another terminal; not once it is finished', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room, { ip: '10.20.0.7' });
  const boss = await manager(room);

  const page = await boss.get(`/centre/examens/${examId}`);
  const text = visibleText(page.body);
  t.match(text, `Examen en cours sur le poste n° ${posteOf(agent)}.`, 'the page names the terminal the exam runs on');
  t.match(text, 'Reprise sur un autre poste', 'the running exam offers the resumption elsewhere');
  t.match(page.body, `<form method="post" action="/centre/examens/${examId}/reprise">`, 'with its form');
  t.match(text, 'Autoriser la reprise sur un autre poste');
  t.notMatch(text, 'Reprise autorisée jusqu’à', 'no leave given yet');
  t.equal(await resumeLeave(room, examId), null);

  room.clock.advance(5 * MINUTE);
  const allowed = await boss.post(`/centre/examens/${examId}/reprise`, {});
  t.equal(allowed.statusCode, 303);
  t.equal(allowed.headers.location, `/centre/examens/${examId}`);
  const until = new Date(Date.parse(START) + 5 * MINUTE + RESUME_LEAVE_MS).toISOString();
  t.equal(await resumeLeave(room, examId), until, 'the leave lasts RESUME_LEAVE_MS from now');
  const after = await boss.get(`/centre/examens/${examId}`);
  t.same(
    flashes(after.body),
    [
      {
        type: 'success',
        text: 'Reprise autorisée jusqu’à 10 h 20 : le candidat saisit son jeton sur un autre poste admis à la session, puis sa date de naissance.',
      },
    ],
    'the manager is told until when (Paris time)',
  );
  t.match(visibleText(after.body), 'Reprise autorisée jusqu’à 10 h 20.', 'the page shows the leave while it lasts');
  const audit = await leaveAudit(room);
  t.same(
    audit.map((r) => ({ ...r, details: JSON.parse(r.details!) as unknown })),
    [{ actor_label: DEMO_MANAGER_EMAIL, target_type: 'examen', target_id: String(examId), details: { jusqu_a: until } }],
    'the leave is in the audit log',
  );

  room.clock.advance(RESUME_LEAVE_MS);
  t.notMatch(visibleText((await boss.get(`/centre/examens/${examId}`)).body), 'Reprise autorisée jusqu’à', 'an expired leave is no longer shown');

  // Finished: no section, no form, and a late post is refused with the reason.
  await agent.get('/examen/terminer');
  await agent.post('/examen/terminer', {});
  const finished = await boss.get(`/centre/examens/${examId}`);
  t.notMatch(visibleText(finished.body), 'Reprise sur un autre poste', 'no resumption section on a finished exam');
  t.notMatch(finished.body, `/centre/examens/${examId}/reprise`, 'nor its form');
  const before = await resumeLeave(room, examId);
  const late = await boss.post(`/centre/examens/${examId}/reprise`, {});
  t.equal(late.statusCode, 303);
  t.equal(late.headers.location, `/centre/examens/${examId}`);
  t.same(
    flashes((await boss.get(`/centre/examens/${examId}`)).body),
    [{ type: 'error', text: 'Cet examen est terminé : il ne peut plus être repris.' }],
    'a late post is told why',
  );
  t.equal(await resumeLeave(room, examId), before, 'no new leave');
  t.equal((await leaveAudit(room)).length, 1, 'nothing more audited');

  // Time over but not yet swept: refused too.
  const second = await startCandidate(room, { ip: '10.20.0.8' });
  room.clock.advance(60 * MINUTE);
  const later = await manager(room);
  await later.get('/centre');
  const refused = await later.post(`/centre/examens/${second.examId}/reprise`, {});
  t.equal(refused.statusCode, 303);
  t.same(
    flashes((await later.get(`/centre/examens/${second.examId}`)).body),
    [{ type: 'error', text: 'Cet examen est terminé : il ne peut plus être repris.' }],
    'once the deadline has passed, no leave either',
  );
  t.equal(await resumeLeave(room, second.examId), null);
});

t.test('only the exam’s own centre may allow its resumption elsewhere, and only with the form’s token', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room, { ip: '10.20.0.9' });
  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  t.equal((await other.post(`/centre/examens/${examId}/reprise`, {})).statusCode, 404, 'another centre’s manager: 404');
  t.equal((await other.post('/centre/examens/999999/reprise', {})).statusCode, 404, 'no such exam: 404');

  const boss = await manager(room);
  await boss.get(`/centre/examens/${examId}`);
  t.equal((await boss.post(`/centre/examens/${examId}/reprise`, {}, { csrf: null })).statusCode, 403, 'no CSRF token, no leave');
  const anonymous = await new Agent(room.app, '10.20.0.10').post(`/centre/examens/${examId}/reprise`, {}, { csrf: null });
  t.not(anonymous.statusCode, 200, 'signed out: refused');
  t.equal(await resumeLeave(room, examId), null, 'no leave given');
  t.same(await leaveAudit(room), [], 'nothing audited');
});
