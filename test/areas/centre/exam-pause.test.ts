import type { Kysely } from 'kysely';
import t from 'tap';
import { up } from '../../../migrations/0013_exam_pauses.js';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { field, flashes, visibleText } from '../../helpers/html.js';
import { answer, enter, restartBrowser, shownRemaining, startCandidate } from '../../helpers/kiosk.js';
import { kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const MINUTE = 60_000;
const REASON = 'Coupure de courant sur le poste';

const manager = (room: Room) => managerAgent(room.testApp, { ip: '10.20.0.50' });

async function examTime(room: Room, examId: number) {
  return room.db.selectFrom('exams').select(['deadline_at', 'paused_at', 'finished_at']).where('id', '=', examId).executeTakeFirstOrThrow();
}

t.test('a paused exam: its time stands still, no answer is taken, and on resume the deadline moves by the time paused', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const boss = await manager(room);
  t.equal((await examTime(room, examId)).deadline_at, '2026-11-29T10:00:00.000Z', 'an hour from 10:00 Paris');

  room.clock.advance(10 * MINUTE);
  await boss.get(`/centre/examens/${examId}`);
  const refused = await boss.post(`/centre/examens/${examId}/pause`, { motif: 'abc' });
  t.equal(refused.statusCode, 400);
  t.equal(field(refused.body, 'motif').error, 'Indiquez le motif de la pause (au moins 5 caractères).');
  t.match(refused.body, 'value="abc"', 'what was typed is kept');
  const paused = await boss.post(`/centre/examens/${examId}/pause`, { motif: REASON });
  t.equal(paused.statusCode, 303);
  t.equal((await examTime(room, examId)).paused_at, '2026-11-29T09:10:00.000Z');
  t.same(flashes((await boss.get(`/centre/examens/${examId}`)).body), [
    { type: 'success', text: 'L’examen est en pause : le poste du candidat l’affiche et son temps est arrêté.' },
  ]);

  room.clock.advance(20 * MINUTE);
  const save = await answer(agent, 1, { seq: 1, choix: '1' }, true);
  t.equal(save.headers['hx-redirect'], '/examen/pause', 'a save during the pause is not acknowledged: the terminal is sent to the pause page');
  t.notMatch(save.body, 'Réponse enregistrée');
  const item = await room.db
    .selectFrom('exam_questions')
    .select('chosen_answer_id')
    .where('exam_id', '=', examId)
    .where('position', '=', 1)
    .executeTakeFirstOrThrow();
  t.equal(item.chosen_answer_id, null, 'and nothing is written');
  const noJs = await answer(agent, 1, { seq: 2, choix: '1', aller: 'suivante' });
  t.equal(noJs.headers.location, '/examen/pause', 'without JavaScript too');
  t.equal((await agent.get('/examen/question/2')).headers.location, '/examen/pause', 'no question is shown');
  const state = async () => JSON.parse((await agent.get('/examen/etat')).body) as { etat: string };
  t.same(await state(), { etat: 'pause' }, 'the terminal can learn of the pause without a click (kiosk.js asks every few seconds)');
  t.equal((await agent.post('/examen/terminer', {})).headers.location, '/examen/pause', '« Terminer » while paused: the pause page');
  const page = visibleText((await agent.get('/examen/pause')).body);
  t.match(page, 'Examen en pause');
  t.match(page, 'Le temps est arrêté : il vous restera 50 min 00 s à la reprise.', 'the time left when the pause began');
  t.match(page, 'Reprendre l’examen');

  const resumed = await boss.post(`/centre/examens/${examId}/reprise-pause`, {});
  t.equal(resumed.statusCode, 303);
  t.same(
    await examTime(room, examId),
    { deadline_at: '2026-11-29T10:20:00.000Z', paused_at: null, finished_at: null },
    'the deadline moved by the 20 minutes paused',
  );
  t.equal((await agent.get('/examen/pause')).headers.location, '/examen/ensemble', 'the pause page lets go');
  t.same(await state(), { etat: 'en-cours' });
  const question = await agent.get('/examen/question/1');
  t.equal(shownRemaining(question.body), 50 * 60, 'the candidate finds the 50 minutes left');
  const after = await answer(agent, 1, { seq: 3, choix: '1' }, true);
  t.match(after.body, 'Réponse enregistrée.', 'answers are taken again');

  // Twice: a second resume says so; a second pause of a paused exam too.
  const again = await boss.post(`/centre/examens/${examId}/reprise-pause`, {});
  t.equal(again.statusCode, 303);
  t.same(flashes((await boss.get(`/centre/examens/${examId}`)).body).at(-1), { type: 'error', text: 'Cet examen n’est pas en pause.' });
  await boss.post(`/centre/examens/${examId}/pause`, { motif: REASON });
  const twice = await boss.post(`/centre/examens/${examId}/pause`, { motif: REASON });
  t.equal(twice.statusCode, 303, 'a second pause (a page left open): back to the exam, which says why');
  t.same(flashes((await boss.get(`/centre/examens/${examId}`)).body).at(-1), {
    type: 'error',
    text: 'Cet examen n’est pas en cours (terminé, ou déjà en pause).',
  });

  const incidents = await room.db.selectFrom('session_incidents').select(['kind', 'text', 'exam_id']).orderBy('id').execute();
  t.same(incidents, [
    { kind: 'pause', text: REASON, exam_id: examId },
    { kind: 'reprise', text: 'temps rendu : 20 min 00 s', exam_id: examId },
    { kind: 'pause', text: REASON, exam_id: examId },
  ]);
  t.same(
    (await room.db.selectFrom('audit_log').select('action').where('action', 'in', ['examen.pause', 'examen.reprise']).orderBy('id').execute()).map(
      (r) => r.action,
    ),
    ['examen.pause', 'examen.reprise', 'examen.pause'],
  );

  // The candidate's record: each pause, when, why and how long, and the total; while paused, the
  // time that was left rather than a deadline the pause has made stale.
  room.clock.advance(3 * MINUTE);
  const record = visibleText((await boss.get(`/centre/examens/${examId}`)).body);
  t.match(record, 'en pause depuis 10 h 30, il lui restait 50 min 00 s : sa fin sera fixée à la reprise');
  t.notMatch(record, 'fin prévue');
  t.match(record, '2 pauses, 23 min 00 s en tout');
  t.match(record, `de 10 h 10 à 10 h 30 (20 min 00 s) — ${REASON}.`);
  t.match(record, `depuis 10 h 30 (3 min 00 s) — ${REASON}.`);
});

t.test('a deadline passed during the pause does not end the exam: it resumes with the time that was left', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId, token } = await startCandidate(room);
  room.clock.advance(55 * MINUTE);
  // Signed in now: a sign-in idle for 55 minutes would have ended.
  let boss = await manager(room);
  await boss.get(`/centre/examens/${examId}`);
  const paused = await boss.post(`/centre/examens/${examId}/pause`, { motif: REASON });
  t.equal(paused.statusCode, 303, 'paused 5 minutes before the deadline');
  t.same(await examTime(room, examId), { deadline_at: '2026-11-29T10:00:00.000Z', paused_at: '2026-11-29T09:55:00.000Z', finished_at: null }, 'paused');
  room.clock.advance(30 * MINUTE);
  boss = await manager(room);
  // Everything that settles exams past their deadline runs: the room page, the candidate's pages.
  await boss.get(`/centre/sessions/${room.sessionId}`);
  t.equal((await agent.get('/examen/question/1')).headers.location, '/examen/pause');
  await agent.post('/examen/terminer', {});
  t.equal((await examTime(room, examId)).finished_at, null, 'not finished, not even by « Terminer »');
  restartBrowser(agent);
  const found = await enter(agent, token);
  t.equal(found.headers.location, '/examen/reprise', 'the rebooted terminal finds the paused exam (past its deadline) to resume, rather than a spent token');
  t.match(
    visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body),
    'En pause (reste 5 min 00 s)',
    'the room shows the pause and the time left',
  );
  // Past its deadline but paused, it is still in progress: a rebooted terminal finds it again, and the
  // supervisor may still grant time or allow a move.
  const extra = await boss.post(`/centre/examens/${examId}/temps-supplementaire`, { minutes: '5' });
  t.equal(extra.statusCode, 303, 'extra time during the pause');
  await boss.post(`/centre/examens/${examId}/reprise-pause`, {});
  t.same(
    await examTime(room, examId),
    { deadline_at: '2026-11-29T10:35:00.000Z', paused_at: null, finished_at: null },
    '5 minutes from the resumption, and the 5 granted',
  );
  await agent.get('/examen/reprise');
  t.equal((await agent.post('/examen/reprise', { date_naissance: '23/04/1985' })).statusCode, 303, 'the candidate confirms the birth date');
  t.equal(shownRemaining((await agent.get('/examen/question/1')).body), 10 * 60, 'and finds the 10 minutes left');
});

t.test('the whole room: every running exam paused at once, a finished one left alone, all resumed together', async (t) => {
  const room = await kioskRoom(t);
  const first = await startCandidate(room, { ip: '10.0.0.1' });
  const second = await startCandidate(room, { ip: '10.0.0.2' });
  const done = await startCandidate(room, { ip: '10.0.0.3' });
  await done.agent.post('/examen/terminer', {});
  const boss = await manager(room);
  room.clock.advance(5 * MINUTE);
  await boss.get(`/centre/sessions/${room.sessionId}`);
  const refused = await boss.post(`/centre/sessions/${room.sessionId}/pause`, { motif: '' });
  t.equal(refused.statusCode, 400);
  t.equal(field(refused.body, 'motif').error, 'Indiquez le motif de la pause (au moins 5 caractères).');
  await boss.post(`/centre/sessions/${room.sessionId}/pause`, { motif: 'Coupure du réseau de la salle' });
  t.ok((await examTime(room, first.examId)).paused_at && (await examTime(room, second.examId)).paused_at, 'both running exams are paused');
  t.equal((await examTime(room, done.examId)).paused_at, null, 'the finished one is not');
  const page = visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body);
  t.match(page, 'Les 2 examens en cours sont en pause');
  t.match(page, 'Pause : Toute la salle (2 examens) : Coupure du réseau de la salle');
  room.clock.advance(12 * MINUTE);
  await boss.post(`/centre/sessions/${room.sessionId}/reprise-pause`, {});
  for (const c of [first, second]) t.same(await examTime(room, c.examId), { deadline_at: '2026-11-29T10:12:00.000Z', paused_at: null, finished_at: null });
  t.match(visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body), 'Reprise : Toute la salle (2 examens), temps rendu : 12 min 00 s');
  const record = visibleText((await boss.get(`/centre/examens/${first.examId}`)).body);
  t.match(record, '1 pause, 12 min 00 s en tout', 'the room’s pause is in each paused candidate’s record');
  t.match(record, 'de 10 h 05 à 10 h 17 (12 min 00 s) — Coupure du réseau de la salle.');
  t.match(record, 'fin prévue le 29/11/2026 à 11 h 12', 'resumed: the deadline again');
  t.notMatch(visibleText((await boss.get(`/centre/examens/${done.examId}`)).body), 'pause', 'not in the record of the one already finished');
});

t.test('a pause is never left open: the session cannot close on it, and past its day the platform cancels the exam', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const other = await startCandidate(room, { ip: '10.0.0.9' });
  let boss = await manager(room);
  room.clock.advance(10 * MINUTE);
  await boss.get(`/centre/sessions/${room.sessionId}`);
  await boss.post(`/centre/examens/${examId}/pause`, { motif: REASON });
  await boss.get(`/centre/sessions/${room.sessionId}/fermer`);
  const refused = await boss.post(`/centre/sessions/${room.sessionId}/fermer`, {});
  t.ok([303, 409].includes(refused.statusCode), `closing refused (${refused.statusCode})`);
  const said = visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body);
  t.match(said, 'Un examen est en pause dans cette session : reprenez-le ou annulez-le avant de la fermer.');
  t.equal((await room.db.selectFrom('exam_sessions').select('status').where('id', '=', room.sessionId).executeTakeFirstOrThrow()).status, 'open');
  await boss.post(`/centre/examens/${other.examId}/pause`, { motif: REASON });
  await boss.post(`/centre/sessions/${room.sessionId}/fermer`, {});
  t.match(
    visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body),
    '2 examens sont en pause dans cette session : reprenez-les ou annulez-les avant de la fermer.',
  );
  await boss.post(`/centre/examens/${other.examId}/reprise-pause`, {});

  // Nobody resumes the first: the next morning, its exam is cancelled as of the end of that day.
  room.clock.set(new Date('2026-11-30T07:00:00.000Z'));
  boss = await manager(room);
  const again = await boss.post(`/centre/examens/${examId}/reprise-pause`, {});
  t.equal(again.statusCode, 303);
  const exam = await room.db
    .selectFrom('exams')
    .select(['cancelled_at', 'cancel_reason', 'paused_at', 'finished_at', 'score'])
    .where('id', '=', examId)
    .executeTakeFirstOrThrow();
  t.same(exam, {
    cancelled_at: '2026-11-29T22:59:59.999Z',
    cancel_reason: 'Examen resté en pause à la fin de la journée de la session : annulé par la plateforme.',
    paused_at: null,
    finished_at: '2026-11-29T22:59:59.999Z',
    score: null,
  });
  const recordPage = (await boss.get(`/centre/examens/${examId}`)).body;
  t.same(flashes(recordPage), [{ type: 'error', text: 'Cet examen n’est pas en pause.' }], 'too late to resume');
  const record = visibleText(recordPage);
  t.match(record, 'Examen annulé le 29/11/2026 à 23 h 59');
  t.match(record, 'Examen resté en pause à la fin de la journée de la session');
  t.match(record, `de 10 h 10 à 23 h 59 (13 h 49 min 59 s) — ${REASON}.`, 'its pause ended with the day');
  t.equal((await agent.get('/examen/question/1')).headers.location, '/examen', 'the terminal, the next morning, is back at the entrance');
  const audit = await room.db
    .selectFrom('audit_log')
    .select(['actor_label', 'at'])
    .where('action', '=', 'examen.annule')
    .where('target_id', '=', String(examId))
    .executeTakeFirstOrThrow();
  t.same(audit, { actor_label: 'système', at: '2026-11-29T22:59:59.999Z' }, 'by the platform, dated at the end of the day');
  const incidents = await room.db.selectFrom('session_incidents').select(['kind', 'exam_id']).where('kind', '=', 'annulation').execute();
  t.same(incidents, [{ kind: 'annulation', exam_id: examId }], 'in the session’s log and report');
  t.equal(
    (await room.db.selectFrom('exams').select('finished_at').where('id', '=', other.examId).executeTakeFirstOrThrow()).finished_at !== null,
    true,
    'the resumed one finished with its time, as any other',
  );
});

t.test('only the exam’s centre may pause or resume it', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room);
  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  await other.get('/centre');
  for (const url of [
    `/centre/examens/${examId}/pause`,
    `/centre/examens/${examId}/reprise-pause`,
    `/centre/sessions/${room.sessionId}/pause`,
    `/centre/sessions/${room.sessionId}/reprise-pause`,
  ]) {
    t.equal((await other.post(url, { motif: REASON })).statusCode, 404, url);
  }
  t.equal((await examTime(room, examId)).paused_at, null);
});

t.test('pauses made before their table existed are recovered from the audit trail (migration 0013)', async (t) => {
  const room = await kioskRoom(t);
  const first = await startCandidate(room, { ip: '10.0.0.1' });
  const second = await startCandidate(room, { ip: '10.0.0.2' });
  const boss = await manager(room);
  await boss.get(`/centre/sessions/${room.sessionId}`);
  room.clock.advance(10 * MINUTE);
  await boss.post(`/centre/examens/${first.examId}/pause`, { motif: REASON });
  room.clock.advance(20 * MINUTE);
  await boss.post(`/centre/examens/${first.examId}/reprise-pause`, {});
  room.clock.advance(10 * MINUTE);
  await boss.post(`/centre/sessions/${room.sessionId}/pause`, { motif: 'Coupure du réseau de la salle' });
  room.clock.advance(5 * MINUTE);
  await boss.post(`/centre/examens/${second.examId}/annulation`, { motif: 'Usurpation d’identité constatée' });
  const pauses = () =>
    room.db.selectFrom('exam_pauses').select(['exam_id', 'started_at', 'ended_at', 'reason']).orderBy('exam_id').orderBy('started_at').execute();
  const written = await pauses();
  t.same(
    written,
    [
      { exam_id: first.examId, started_at: '2026-11-29T09:10:00.000Z', ended_at: '2026-11-29T09:30:00.000Z', reason: REASON },
      { exam_id: first.examId, started_at: '2026-11-29T09:40:00.000Z', ended_at: null, reason: 'Coupure du réseau de la salle' },
      { exam_id: second.examId, started_at: '2026-11-29T09:40:00.000Z', ended_at: '2026-11-29T09:45:00.000Z', reason: 'Coupure du réseau de la salle' },
    ],
    'what the lifecycles write',
  );
  await room.db.schema.dropTable('exam_pauses').execute();
  await up(room.db as unknown as Kysely<unknown>);
  t.same(await pauses(), written, 'what the migration recovers from the audit trail is the same');

  // The first builds wrote a count of exams, not their ids: a single exam's pause is recovered from
  // its target, a room's (whose exams are unknown) is left out rather than stopping the start.
  const audit = (at: string, action: string, target: { type: string; id: number }, details: object) =>
    room.db
      .insertInto('audit_log')
      .values({
        at,
        actor_account_id: null,
        actor_label: 'test',
        action,
        target_type: target.type,
        target_id: String(target.id),
        details: JSON.stringify(details),
        ip: null,
      })
      .execute();
  await audit('2026-11-29T09:20:00.000Z', 'examen.pause', { type: 'examen', id: second.examId }, { examens: 1, motif: 'Ancien format' });
  await audit('2026-11-29T09:25:00.000Z', 'examen.reprise', { type: 'examen', id: second.examId }, { examens: 1, minutes: 5 });
  await audit('2026-11-29T09:26:00.000Z', 'examen.pause', { type: 'session', id: room.sessionId }, { examens: 2, motif: 'Salle' });
  await room.db.schema.dropTable('exam_pauses').execute();
  await up(room.db as unknown as Kysely<unknown>);
  const recovered = [
    ...written.slice(0, 2),
    { exam_id: second.examId, started_at: '2026-11-29T09:20:00.000Z', ended_at: '2026-11-29T09:25:00.000Z', reason: 'Ancien format' },
    written[2]!,
  ];
  t.same(await pauses(), recovered, 'the old shape read too');
  await up(room.db as unknown as Kysely<unknown>);
  t.same(await pauses(), recovered, 'run again (SQLite keeps a half-run migration’s table), it gives the same rows');
});
