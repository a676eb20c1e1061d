import t from 'tap';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { field, visibleText } from '../../helpers/html.js';
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
  t.match(page, 'De 1 à 60.');

  room.clock.advance(10 * MINUTE);
  const res = await grant(boss, examId, ' 20 ');
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/centre/examens/${examId}`);
  const after = visibleText((await boss.get(`/centre/examens/${examId}`)).body);
  t.match(after, '20 minutes ajoutées : l’examen se termine désormais le 29/11/2026 à 11:20', 'the manager is told the new end (Paris time)');
  t.match(after, '(dont 20 minutes de temps supplémentaire)');
  t.match(after, 'De 1 à 40.', 'what is left of the maximum');
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
  t.match(visibleText((await later.get(`/centre/examens/${examId}`)).body), 'Examen en cours.', 'the closing waits for the new deadline');

  // Past the new one: finished by the server, at the new deadline.
  room.clock.advance(16 * MINUTE);
  const refused = await answer(agent, 2, { seq: 1, choix: '1' }, true);
  t.equal(refused.headers['hx-redirect'], '/examen/resultat', 'after the new deadline the answer is refused');
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
