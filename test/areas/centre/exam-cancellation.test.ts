import t from 'tap';
import { answerEverythingRight } from '../../../src/operator/seed-demo-history.js';
import { finishExam } from '../../../src/services/exam/lifecycle.js';
import { accountAgent, managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { insertCentre } from '../../helpers/exam-fixtures.js';
import { field, flashes, visibleText } from '../../helpers/html.js';
import { answer, startCandidate } from '../../helpers/kiosk.js';
import { kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const REASON = 'Candidat surpris avec un téléphone pendant l’épreuve';

const manager = (room: Room) => managerAgent(room.testApp, { ip: '10.20.0.50' });

async function cancel(agent: Agent, examId: number, motif: string) {
  await agent.get(`/centre/examens/${examId}/annulation`);
  return agent.post(`/centre/examens/${examId}/annulation`, { motif });
}

async function examRow(room: Room, examId: number) {
  return room.db
    .selectFrom('exams as e')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .select(['e.finished_at', 'e.cancelled_at', 'e.cancel_reason', 'e.score', 't.status as token_status'])
    .where('e.id', '=', examId)
    .executeTakeFirstOrThrow();
}

t.test('cancelling a running exam: the reason is required, the exam stops on its terminal, « Annulé » everywhere, no attestation', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room, { ip: '10.20.0.1' });
  await answer(agent, 1, { seq: 1, choix: '1' }, true);
  const boss = await manager(room);

  const form = await boss.get(`/centre/examens/${examId}/annulation`);
  t.equal(form.statusCode, 200);
  t.match(visibleText(form.body), 's’arrêtera aussitôt sur le poste du candidat', 'the page says what will happen');

  for (const motif of ['', '  ab ']) {
    const refused = await cancel(boss, examId, motif);
    t.equal(refused.statusCode, 400, `reason ${JSON.stringify(motif)} refused`);
    t.equal(field(refused.body, 'motif').error, 'Indiquez le motif de l’annulation (au moins 5 caractères).');
    t.equal((await examRow(room, examId)).cancelled_at, null, 'nothing cancelled');
  }
  const tooLong = await cancel(boss, examId, 'x'.repeat(501));
  t.equal(field(tooLong.body, 'motif').error, 'Le motif ne doit pas dépasser 500 caractères.');
  t.match(tooLong.body, 'x'.repeat(501), 'what was typed is kept');

  const res = await cancel(boss, examId, `  ${REASON}  `);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, `/centre/examens/${examId}`);
  const row = await examRow(room, examId);
  t.equal(row.cancelled_at, room.clock.now().toISOString());
  t.equal(row.finished_at, row.cancelled_at, 'the running exam ends now');
  t.equal(row.cancel_reason, REASON, 'the reason as typed, trimmed');
  t.equal(row.score, null, 'unscored');
  t.equal(row.token_status, 'used', 'the token stays used');
  t.equal(await room.db.selectFrom('attestations').select('number').where('exam_id', '=', examId).executeTakeFirst(), undefined, 'no attestation');

  const page = await boss.get(`/centre/examens/${examId}`);
  t.same(flashes(page.body), [{ type: 'success', text: 'L’examen est annulé.' }]);
  t.match(visibleText(page.body), `Examen annulé le 29/11/2026 à 10 h 00 Motif : ${REASON}. Il ne donne lieu à aucune attestation.`);
  t.match(visibleText(page.body), 'Arrêté le 29/11/2026 à 10 h 00 par son annulation, sans note : Annulé');
  t.notMatch(page.body, `/centre/examens/${examId}/annulation"`, 'no second cancellation offered');
  t.match(visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body), /Annulé/, 'the room says « Annulé »');
  t.match(visibleText((await boss.get('/centre/resultats?resultat=annule')).body), '1 examen trouvé', 'the results filter finds it');
  t.notMatch(visibleText((await boss.get('/centre/resultats?resultat=non-admis')).body), '1 examen trouvé', 'and it is not « non admis »');
  const csv = (await boss.get('/centre/resultats.csv')).body;
  t.match(csv, /;Annulé\r\n/, 'the CSV says « Annulé »');

  // The candidate's terminal: its next save is refused and its page says the exam was cancelled.
  const late = await answer(agent, 2, { seq: 1, choix: '1' }, true);
  t.match(late.headers['hx-redirect'], /^\/examen\/resultat/, 'the save is not acknowledged: sent to the result');
  const result = await agent.get('/examen/resultat');
  t.match(visibleText(result.body), 'Examen annulé');
  t.match(visibleText(result.body), 'Le centre d’examen a annulé cet examen. Il ne donne lieu à aucune attestation.');
  t.notMatch(result.body, 'Note :', 'no score shown');
  t.equal((await agent.get('/examen/question/3')).headers.location, '/examen/resultat', 'no question any more');

  const again = await cancel(boss, examId, REASON);
  t.equal(again.statusCode, 303, 'a second cancellation: back to the record');
  const audit = await room.db.selectFrom('audit_log').select(['target_type', 'target_id', 'details']).where('action', '=', 'examen.annule').execute();
  t.same(audit, [{ target_type: 'examen', target_id: String(examId), details: JSON.stringify({ motif: REASON }) }], 'audited once, with the reason');
  const incidents = await room.db.selectFrom('session_incidents').select(['exam_session_id', 'exam_id', 'kind', 'text', 'actor_label']).execute();
  t.same(
    incidents,
    [{ exam_session_id: room.sessionId, exam_id: examId, kind: 'annulation', text: REASON, actor_label: 'gestionnaire@demo.test' }],
    'in the session’s incident log',
  );
});

t.test('cancelling a finished exam cancels its attestation: the verification page says « annulée »', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room);
  await answerEverythingRight(room.db, examId);
  await finishExam(room.db, room.clock, examId, 'candidat');
  const number = (await room.db.selectFrom('attestations').select('number').where('exam_id', '=', examId).executeTakeFirstOrThrow()).number;
  const boss = await manager(room);
  t.match(visibleText((await boss.get(`/centre/examens/${examId}/annulation`)).body), `l’attestation n° ${number} déjà émise sera annulée`);
  await cancel(boss, examId, REASON);
  const row = await examRow(room, examId);
  t.not(row.score, null, 'the score stays, for the record');
  const attestation = await room.db
    .selectFrom('attestations')
    .select(['cancelled_at', 'cancel_reason'])
    .where('exam_id', '=', examId)
    .executeTakeFirstOrThrow();
  t.same(attestation, { cancelled_at: row.cancelled_at, cancel_reason: REASON });
  t.same(flashes((await boss.get(`/centre/examens/${examId}`)).body), [
    { type: 'success', text: `L’examen est annulé ; l’attestation n° ${number} l’est aussi.` },
  ]);
  const verification = await new Agent(room.app).get(`/verifier/${encodeURIComponent(number)}`);
  t.match(visibleText(verification.body), 'Attestation annulée', 'the public page says « annulée »');
  t.match(
    visibleText((await boss.get(`/centre/sessions/${room.sessionId}`)).body),
    'dont 0 admis et 1 annulé',
    'the room counts it as cancelled, not admitted',
  );
  t.match(visibleText((await boss.get('/centre/archives')).body), /./, 'the archives answer');
});

t.test('only the exam’s centre may cancel it', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room);
  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  t.equal((await other.get(`/centre/examens/${examId}/annulation`)).statusCode, 404);
  t.equal((await other.post(`/centre/examens/${examId}/annulation`, { motif: REASON })).statusCode, 404);
  t.equal((await examRow(room, examId)).cancelled_at, null);
  const anonymous = new Agent(room.app);
  await anonymous.get('/connexion');
  t.equal((await anonymous.post(`/centre/examens/${examId}/annulation`, { motif: REASON })).statusCode, 303, 'a visitor is sent to sign in');
  t.equal((await examRow(room, examId)).cancelled_at, null);
});

t.test('incident notes: written at the server’s time in the session’s log, with the cancellations, kept when refused', async (t) => {
  const room = await kioskRoom(t);
  const { examId } = await startCandidate(room);
  const boss = await manager(room);
  await boss.get(`/centre/sessions/${room.sessionId}`);
  const empty = await boss.post(`/centre/sessions/${room.sessionId}/incidents`, { incident: ' abc ' });
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'incident').error, 'Décrivez l’incident (au moins 5 caractères).');
  t.match(empty.body, '> abc </textarea>', 'what was typed is kept');
  room.clock.advance(5 * 60_000);
  const noted = await boss.post(`/centre/sessions/${room.sessionId}/incidents`, { incident: 'Coupure de courant de 3 minutes, salle entière.' });
  t.equal(noted.statusCode, 303);
  t.equal(noted.headers.location, `/centre/sessions/${room.sessionId}#deroule`);
  room.clock.advance(60_000);
  await cancel(boss, examId, REASON);
  const page = await boss.get(`/centre/sessions/${room.sessionId}`);
  const text = visibleText(page.body);
  t.match(text, 'Déroulé de la session');
  const lines = [...page.body.matchAll(/<li><strong>([^<]+)<\/strong> — ([\s\S]*?)<\/li>/g)].map((m) => `${m[1]} — ${visibleText(m[2]!)}`.replace(/\s+/g, ' '));
  t.equal(lines.length, 2, 'two lines, in order');
  t.equal(lines[0], '10 h 05 — Note : Coupure de courant de 3 minutes, salle entière. Par gestionnaire@demo.test');
  t.match(lines[1], /^10 h 06 — Examen annulé \( ?Lefèvre Zoé ?\) : /, 'the cancellation, naming the candidate');
  t.match(lines[1], `${REASON} Par gestionnaire@demo.test`);
  const audit = await room.db.selectFrom('audit_log').select(['target_type', 'target_id', 'details']).where('action', '=', 'session.incident_note').execute();
  t.same(audit, [
    {
      target_type: 'session',
      target_id: String(room.sessionId),
      details: JSON.stringify({ centre: 1, note: 'Coupure de courant de 3 minutes, salle entière.' }),
    },
  ]);

  await insertCentre(room.db, room.clock, { id: 2, name: 'Autre centre' });
  const other = await accountAgent(room.testApp, { email: 'autre@centre.test', role: 'manager', centres: [2] });
  await other.get('/centre');
  t.equal(
    (await other.post(`/centre/sessions/${room.sessionId}/incidents`, { incident: 'Intrusion dans un autre centre' })).statusCode,
    404,
    'another centre’s session: 404',
  );
  t.equal((await room.db.selectFrom('session_incidents').select('id').execute()).length, 2, 'nothing written');
});
