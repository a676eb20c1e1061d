/**
 * The candidate's exam on the kiosk, from the rules page to the result: the start (one token, one
 * exam), answering with and without htmx, the "à revoir" mark, the last choice winning over
 * replays, the deadline, finishing once, the result, the next candidate, and the resume after a
 * crash (on the same terminal with the birth date, on another admitted terminal with the
 * supervisor's leave).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { KIOSK_ROOM_POLICY } from '../../../src/domain/throttle.js';
import { finishExam, finishExpiredExams } from '../../../src/services/exam/lifecycle.js';
import { importQuestionnaire } from '../../../src/areas/admin/questionnaires/lifecycle.js';
import { ENTRY_MESSAGES } from '../../../src/areas/kiosk/entry/token-check.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { DEMO_DIR } from '../../../src/paths.js';
import { TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { escapeHtml, field, visibleText } from '../../helpers/html.js';
import { admit, alertText, allowResume, answer, choiceLabels, enter, reachRules, restartBrowser, shownRemaining, startCandidate } from '../../helpers/kiosk.js';
import { examItems, IDENTITY, illustratedToken, kioskRoom, type ExamItem, type Room } from '../../helpers/kiosk-room.js';

const MINUTE = 60_000;
const START = '2026-11-29T09:00:00.000Z';
const DEADLINE = '2026-11-29T10:00:00.000Z';
const RACE_MESSAGE = 'Ce jeton vient d’être utilisé pour commencer un examen. Pour reprendre cet examen, saisissez de nouveau le centre et le jeton.';

/** An Agent that keeps every response, to check headers over a whole flow. */
class RecordingAgent extends Agent {
  responses: { url: string; res: LightMyRequestResponse }[] = [];
  override async get(url: string, headers: Record<string, string> = {}) {
    const res = await super.get(url, headers);
    this.responses.push({ url: `GET ${url}`, res });
    return res;
  }
  override async post(url: string, fields: Record<string, string | string[]>, options: { csrf?: string | null; headers?: Record<string, string> } = {}) {
    const res = await super.post(url, fields, options);
    this.responses.push({ url: `POST ${url}`, res });
    return res;
  }
}

async function examRow(room: Room, examId: number) {
  return room.db.selectFrom('exams').selectAll().where('id', '=', examId).executeTakeFirstOrThrow();
}

async function item(room: Room, examId: number, position: number): Promise<ExamItem> {
  return (await examItems(room.db, examId))[position - 1]!;
}

/** The checked choice of a question page: '1'…'4', 'nsp' or null. */
function checkedChoice(html: string): string | null {
  return /<input type="radio" name="choix" value="([^"]+)" checked>/.exec(html)?.[1] ?? null;
}

t.test('the rules page shows the version’s own rules; "Commencer" creates the exam and consumes the token', async (t) => {
  const room = await kioskRoom(t);
  const { db, clock } = room;
  // A version with other numbers than the defaults: nothing on the page may come from constants.
  const bank = JSON.parse(readFileSync(join(DEMO_DIR, 'questionnaires', 'operateur.json'), 'utf8')) as Record<string, unknown>;
  bank.version = '2027';
  bank.regles = {
    nombre_questions: 20,
    questions_prioritaires: 5,
    duree_minutes: 45,
    seuil_pourcentage: 70,
    points: { bonne: 3, ne_sait_pas: 0, fausse: -2, fausse_prioritaire: -6 },
  };
  const imported = await importQuestionnaire(
    db,
    clock,
    { format: 'json', text: JSON.stringify(bank) },
    { publish: true, actor: { accountId: null, label: 'test' } },
  );
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const tokens = await generateTokens(db, clock, { centreId: 'centre0001', profile: 'operateur', count: 1, actorLabel: 'CLI' });
  if (!tokens.ok) throw new Error(tokens.message);
  t.equal(tokens.questionnaire.id, imported.questionnaireId);

  const agent = new RecordingAgent(room.app, '10.0.0.7');
  const rules = await reachRules(agent, tokens.formattedCodes[0]!);
  const text = visibleText(rules.body);
  t.match(text, 'Profil : Opérateur (questionnaire 2027)');
  t.match(text, '20 questions , dont 5 questions prioritaires ; durée : 45 minutes');
  t.match(
    text,
    'Barème : bonne réponse +3 ; « Je ne sais pas » 0 ; mauvaise réponse -2 ; mauvaise réponse à une question prioritaire -6 ; question sans réponse 0',
  );
  t.match(text, 'Note maximale : 60 points. Vous êtes admis(e) à partir de 42 points (70 % du maximum)');
  t.match(text, `Candidat : ${IDENTITY.prenom} ${IDENTITY.nom}`);
  t.match(rules.body, /<form method="post" action="\/examen\/commencer"[\s\S]*?>Commencer<\/button>/);

  const token = await db.selectFrom('exam_tokens').selectAll().where('code', '=', tokens.codes[0]!).executeTakeFirstOrThrow();
  t.equal(token.status, 'available', 'the rules page does not consume the token');
  t.equal(await db.selectFrom('exams').select('id').executeTakeFirst(), undefined, 'no exam before "Commencer"');

  clock.advance(30_000);
  const started = await agent.post('/examen/commencer', {});
  t.equal(started.statusCode, 303);
  t.equal(started.headers.location, '/examen/question/1');
  const exam = await db.selectFrom('exams').selectAll().where('token_id', '=', token.id).executeTakeFirstOrThrow();
  t.equal(exam.started_at, '2026-11-29T09:00:30.000Z');
  t.equal(exam.deadline_at, '2026-11-29T09:45:30.000Z', 'deadline = start + the version’s duration');
  t.equal(exam.questionnaire_id, imported.questionnaireId);
  t.equal(exam.exam_session_id, room.sessionId);
  t.same([exam.last_name, exam.first_name, exam.birth_date, exam.company], [IDENTITY.nom, IDENTITY.prenom, IDENTITY.date_naissance, IDENTITY.entreprise]);
  t.equal(exam.finished_at, null);
  const spent = await db.selectFrom('exam_tokens').select(['status', 'used_at']).where('id', '=', token.id).executeTakeFirstOrThrow();
  t.same(spent, { status: 'used', used_at: '2026-11-29T09:00:30.000Z' }, 'the token is consumed');
  const items = await examItems(db, exam.id);
  t.equal(items.length, 20, 'the version’s number of questions is drawn');
  t.equal(items.filter((i) => i.priority).length, 5, 'with its number of priority questions');
  t.equal(new Set(items.map((i) => i.questionId)).size, 20, 'no question twice');

  const page = await agent.get('/examen/question/1');
  t.equal(page.statusCode, 200);
  t.equal(shownRemaining(page.body), 45 * 60, 'the page shows the version’s duration');
  t.match(page.body, 'Question <strong>1</strong> sur 20');
  t.equal((await agent.get('/examen')).headers.location, '/examen/question/1', 'the entry form sends a candidate in an exam back to it');

  // A used token cannot start again, from this terminal or another.
  const again = await agent.post('/examen/commencer', {});
  t.equal(again.statusCode, 303);
  t.equal(again.headers.location, '/examen', 'nothing left to start on this terminal');
  t.equal(
    await db
      .selectFrom('exams')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n)),
    1,
  );
  for (const { url, res } of agent.responses) t.equal(res.headers['cache-control'], 'no-store', `${url}: no-store`);
});

t.test('two terminals starting with one token at the same instant give exactly one exam', async (t) => {
  const room = await kioskRoom(t);
  for (let round = 0; round < 5; round++) {
    const token = room.takeToken();
    const a = new Agent(room.app, `10.4.${round}.1`);
    const b = new Agent(room.app, `10.4.${round}.2`);
    await reachRules(a, token);
    await reachRules(b, token, { ...IDENTITY, prenom: 'Autre' });
    const [ra, rb] = await Promise.all([a.post('/examen/commencer', {}), b.post('/examen/commencer', {})]);
    const statuses = [ra.statusCode, rb.statusCode].sort();
    t.same(statuses, [303, 409], `round ${round}: one start, one refusal`);
    const winner = ra.statusCode === 303 ? ra : rb;
    const loser = ra.statusCode === 303 ? rb : ra;
    t.equal(winner.headers.location, '/examen/question/1');
    t.equal(alertText(loser.body), RACE_MESSAGE, 'the other terminal is told in French');
    t.equal(field(loser.body, 'jeton').value, '', 'and shown an empty entry form');
    const exams = await room.db
      .selectFrom('exams as e')
      .innerJoin('exam_tokens as tk', 'tk.id', 'e.token_id')
      .select(['e.id'])
      .where('tk.code', '=', token.replace(/-/g, ''))
      .execute();
    t.equal(exams.length, 1, 'exactly one exam row');
    const draws = await room.db.selectFrom('exam_questions').select('exam_id').where('exam_id', '=', exams[0]!.id).execute();
    t.equal(draws.length, 30, 'with one draw');
    // The loser's terminal can no longer start anything; entering the token again offers the resume.
    const loserAgent = loser === ra ? a : b;
    t.equal((await loserAgent.post('/examen/commencer', {})).headers.location, '/examen');
    t.equal((await enter(loserAgent, token)).headers.location, '/examen/reprise');
  }
  const total = await room.db
    .selectFrom('exams')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(total.n), 5);
});

t.test('a terminal still on the rules page cannot start once the token was used elsewhere', async (t) => {
  const room = await kioskRoom(t);
  const token = room.takeToken();
  const late = new Agent(room.app, '10.5.0.2');
  await reachRules(late, token);
  const first = await startCandidate(room, { token, ip: '10.5.0.1' });
  const res = await late.post('/examen/commencer', {});
  t.equal(res.statusCode, 409);
  t.equal(alertText(res.body), RACE_MESSAGE);
  // Once that exam is finished, the token reads as spent.
  await first.agent.post('/examen/terminer', {});
  const spent = await enter(new Agent(room.app, '10.5.0.3'), token);
  t.equal(spent.statusCode, 400);
  t.equal(alertText(spent.body), ENTRY_MESSAGES.spentToken);
});

t.test('a token revoked between the entry and « Commencer » says it is no longer valid', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.0.0.4');
  const token = room.takeToken();
  await enter(agent, token);
  await agent.get('/examen/identite');
  await agent.post('/examen/identite', { ...IDENTITY });
  await room.db.updateTable('exam_tokens').set({ status: 'revoked' }).where('code', '=', token.replace(/-/g, '')).execute();
  const start = await agent.post('/examen/commencer', {});
  t.equal(start.statusCode, 409);
  t.match(start.body, 'Ce jeton n’est plus valable.');
  t.notMatch(start.body, 'vient d’être utilisé');
});
t.test('an image’s text alternative is its description when the bank gives one, else « Illustration de la question N » (RGAA 1.3)', async (t) => {
  const room = await kioskRoom(t);
  // Every question illustrated, the priority ones described (with what HTML must escape), the others not.
  const described = 'Coupe de la tranchée : grillage « jaune » & tuyau "gaz" à 0,80 m';
  const bank = JSON.parse(readFileSync(join(DEMO_DIR, 'questionnaires', 'operateur.json'), 'utf8')) as {
    version: string;
    questions: { prioritaire: boolean; image?: string; description_image?: string }[];
  };
  const image = bank.questions.find((q) => q.image !== undefined)?.image;
  bank.version = `${bank.version}-decrite`;
  for (const q of bank.questions) {
    q.image ??= image;
    if (q.prioritaire) q.description_image = described;
    else delete q.description_image;
  }
  const imported = await importQuestionnaire(
    room.db,
    room.clock,
    { format: 'json', text: JSON.stringify(bank) },
    { publish: true, actor: { accountId: null, label: 'test' } },
  );
  if (!imported.ok) throw new Error(JSON.stringify(imported.errors));
  const tokens = await generateTokens(room.db, room.clock, { centreId: 'centre0001', profile: 'operateur', count: 1, actorLabel: 'CLI' });
  if (!tokens.ok) throw new Error(tokens.message);
  t.equal(tokens.questionnaire.id, imported.questionnaireId, 'the token is of the described version');

  const { agent, examId } = await startCandidate(room, { token: tokens.formattedCodes[0]! });
  const items = await examItems(room.db, examId);
  t.ok(items.some((i) => i.priority) && items.some((i) => !i.priority), 'the exam has questions with a description and questions without one');
  for (const it of items) {
    const page = await agent.get(`/examen/question/${it.position}`);
    const alt = it.priority ? escapeHtml(described) : `Illustration de la question ${it.position}`;
    t.ok(page.body.includes(`<img class="k-image" src="/examen/images/${it.position}" alt="${alt}">`), `question ${it.position}: alt="${alt}"`);
  }
});

t.test('a question page: the statement, the answers, "Je ne sais pas", the remaining time from the server', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room, { token: await illustratedToken(room) });
  const items = await examItems(room.db, examId);
  for (const it of items.slice(0, 5)) {
    const page = await agent.get(`/examen/question/${it.position}`);
    t.equal(page.statusCode, 200);
    t.ok(page.body.includes(`<legend class="k-statement">${escapeHtml(it.statement)}</legend>`), `question ${it.position}: its statement`);
    const labels = choiceLabels(page.body);
    t.equal(labels.length, it.texts.length + 1, 'one label per answer, and "Je ne sais pas"');
    it.texts.forEach((text, i) => {
      t.ok(labels[i]!.includes(`value="${i + 1}"`) && labels[i]!.includes(`<span>${escapeHtml(text)}</span>`), `answer ${i + 1} in the drawn order`);
    });
    t.match(labels.at(-1)!, /value="nsp"> <span>Je ne sais pas<\/span>/);
    t.equal(field(page.body, 'seq').value, '1', 'the first save carries seq 1');
    t.match(page.body, `Question <strong>${it.position}</strong> sur 30`);
  }
  const first = await agent.get('/examen/question/1');
  t.equal(shownRemaining(first.body), 3600);
  t.match(first.body, 'Temps restant : <span class="k-timer-value">1 h 00 min 00 s</span>');
  room.clock.advance(10 * MINUTE + 5_000);
  const later = await agent.get('/examen/question/1');
  t.equal(shownRemaining(later.body), 2995, 'counted from the server’s deadline');
  t.match(later.body, '49 min 55 s');

  // The image of a question that has one comes from this exam only.
  const withImage = items.find((i) => i.hasImage)!;
  const without = items.find((i) => !i.hasImage)!;
  const illustrated = await agent.get(`/examen/question/${withImage.position}`);
  t.match(illustrated.body, `<img class="k-image" src="/examen/images/${withImage.position}" alt="Illustration de la question ${withImage.position}">`);
  const image = await agent.get(`/examen/images/${withImage.position}`);
  t.equal(image.statusCode, 200);
  t.equal(image.headers['content-type'], 'image/svg+xml');
  const stored = await room.db.selectFrom('questions').select('image_data').where('id', '=', withImage.questionId).executeTakeFirstOrThrow();
  t.same(image.rawPayload, stored.image_data);
  t.equal(image.headers['cache-control'], 'no-store');
  t.notMatch((await agent.get(`/examen/question/${without.position}`)).body, /<img/);
  t.equal((await agent.get(`/examen/images/${without.position}`)).statusCode, 404);
  t.equal((await agent.get('/examen/question/abc')).headers.location, '/examen/ensemble', 'a position that is no number');
  t.equal((await agent.get('/examen/question/31')).headers.location, '/examen/ensemble', 'a position past the end');
});

t.test('saving without JavaScript: the form post saves the choice and moves on', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const before = await item(room, examId, 1);

  const next = await answer(agent, 1, { seq: 1, choix: '2', aller: 'suivante' });
  t.equal(next.statusCode, 303);
  t.equal(next.headers.location, '/examen/question/2');
  const saved = await item(room, examId, 1);
  t.equal(saved.chosenAnswerId, before.order[1], 'the answer shown second is stored');
  t.equal(saved.dontKnow, false);
  t.equal(saved.seq, 1);
  const back = await agent.get('/examen/question/1');
  t.equal(checkedChoice(back.body), '2', 'the page shows the choice');
  t.equal(field(back.body, 'seq').value, '2', 'the next save carries the next seq');

  t.equal((await answer(agent, 2, { seq: 1, choix: 'nsp', aller: 'precedente' })).headers.location, '/examen/question/1');
  const dontKnow = await item(room, examId, 2);
  t.same([dontKnow.chosenAnswerId, dontKnow.dontKnow], [null, true], '"Je ne sais pas" is stored as such');
  t.equal(checkedChoice((await agent.get('/examen/question/2')).body), 'nsp');
  t.equal((await answer(agent, 1, { seq: 2, aller: 'precedente' })).headers.location, '/examen/question/1', 'no page before the first');
  t.equal((await answer(agent, 3, { seq: 1, aller: 'ensemble' })).headers.location, '/examen/ensemble');
  t.equal((await answer(agent, 30, { seq: 1, aller: 'terminer' })).headers.location, '/examen/terminer');
  t.equal((await item(room, examId, 1)).seq, 2);
  // Moving on without choosing keeps the previous choice.
  await answer(agent, 1, { seq: 5, aller: 'suivante' });
  t.equal((await item(room, examId, 1)).chosenAnswerId, before.order[1], 'an empty choice does not erase the answer');
  const last = await agent.get('/examen/question/30');
  t.match(last.body, /name="aller" value="terminer"/, 'the last question leads to the end');
  t.notMatch(last.body, /value="suivante"/);
});

t.test('saving with htmx answers a small fragment; the "à revoir" mark shows in the overview', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const first = await item(room, examId, 1);
  const res = await answer(agent, 1, { seq: 1, choix: '3' }, true);
  t.equal(res.statusCode, 200);
  t.equal(res.body, '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>');
  t.notMatch(res.body, /<html|<form/, 'a fragment, not a page');
  t.equal(res.headers['cache-control'], 'no-store');
  t.equal((await item(room, examId, 1)).chosenAnswerId, first.order[2]);

  const invalid = await answer(agent, 1, { seq: 2, choix: '9' }, true);
  t.equal(invalid.body, '<span class="k-saved k-error">Réponse non enregistrée : rechargez la page.</span>');
  t.equal((await item(room, examId, 1)).chosenAnswerId, first.order[2], 'an impossible choice changes nothing');
  const noSeq = await agent.post('/examen/question/1', { choix: '1' }, { headers: { 'hx-request': 'true' } });
  t.match(noSeq.body, 'k-error', 'a save without seq is refused');

  // The mark, with and without a choice; the fragment says whether the question now counts as
  // answered (the count at the top of the page follows it).
  t.equal(
    (await answer(agent, 4, { seq: 1, revoir: true }, true)).body,
    '<span class="k-saved" data-repondue="0">Réponse enregistrée.</span>',
    'a mark alone: not answered',
  );
  await answer(agent, 5, { seq: 1, choix: '1', revoir: true }, true);
  t.match((await answer(agent, 6, { seq: 1, choix: 'nsp' }, true)).body, 'data-repondue="1"', '« Je ne sais pas » counts as answered');
  const marks = (await examItems(room.db, examId)).map((i) => [i.position, i.flagged, i.chosenAnswerId !== null || i.dontKnow]);
  t.same(marks.slice(0, 6), [
    [1, false, true],
    [2, false, false],
    [3, false, false],
    [4, true, false],
    [5, true, true],
    [6, false, true],
  ]);
  t.match((await agent.get('/examen/question/4')).body, /<input type="checkbox" name="revoir" value="oui" checked>/, 'the mark shows on the question');
  const overview = await agent.get('/examen/ensemble');
  t.equal(overview.statusCode, 200);
  const cell = (n: number) => new RegExp(`<a href="/examen/question/${n}" class="([^"]*)">${n}<span class="k-sr-only">([^<]*)</span></a>`).exec(overview.body);
  t.same(cell(1)?.slice(1), ['k-cell k-cell--answered', ', répondue']);
  t.same(cell(2)?.slice(1), ['k-cell', ', sans réponse']);
  t.same(cell(4)?.slice(1), ['k-cell k-cell--flagged', ', sans réponse, à revoir']);
  t.same(cell(5)?.slice(1), ['k-cell k-cell--answered k-cell--flagged', ', répondue, à revoir']);
  t.same(cell(6)?.slice(1), ['k-cell k-cell--answered', ', répondue']);
  t.equal(shownRemaining(overview.body), 3600);

  // Unmarking.
  await answer(agent, 4, { seq: 2 }, true);
  t.equal((await item(room, examId, 4)).flagged, false, 'the mark can be removed');

  const finish = await agent.get('/examen/terminer');
  const text = visibleText(finish.body);
  t.match(text, '27 questions sans réponse (elles compteront 0)');
  t.match(text, '1 question marquée « à revoir »');
  t.match(finish.body, /<form method="post" action="\/examen\/terminer"/);
});

t.test('double submits, replays of an old seq and out-of-order requests leave the last choice', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const { order } = await item(room, examId, 1);
  const chosen = async () => (await item(room, examId, 1)).chosenAnswerId;

  await answer(agent, 1, { seq: 5, choix: '1' }, true);
  t.equal(await chosen(), order[0]);
  await answer(agent, 1, { seq: 5, choix: '1' }, true);
  t.equal(await chosen(), order[0], 'the same request twice stores the same choice');
  // htmx without kiosk.js sends every click of a page with the page's seq: the later one is the choice.
  const changed = await answer(agent, 1, { seq: 5, choix: '2' }, true);
  t.match(changed.body, 'Réponse enregistrée.');
  t.equal(await chosen(), order[1], 'a later request with the same seq is the later choice');
  await answer(agent, 1, { seq: 5, choix: '1' }, true);
  t.equal(await chosen(), order[0]);
  await answer(agent, 1, { seq: 3, choix: '3' }, true);
  t.equal(await chosen(), order[0], 'a replay of an older seq changes nothing');
  await answer(agent, 1, { seq: 4, choix: 'nsp', aller: 'suivante' });
  t.equal(await chosen(), order[0], 'nor does an old no-JS post');

  // Out of order: the candidate chose 2 (seq 7) then 4 (seq 8); the network delivers 8 then 7.
  await answer(agent, 1, { seq: 8, choix: String(order.length) }, true);
  await answer(agent, 1, { seq: 7, choix: '2' }, true);
  t.equal(await chosen(), order[order.length - 1], 'the highest seq wins');
  t.equal((await item(room, examId, 1)).seq, 8);

  // Concurrent requests of a burst of clicks: whatever the arrival order, the highest seq wins.
  const burst = [9, 10, 11, 12, 13, 14].map((seq) => ({ seq, choix: String(((seq - 9) % order.length) + 1) }));
  await Promise.all([...burst].reverse().map((b) => answer(agent, 1, b, true)));
  t.equal(await chosen(), order[(14 - 9) % order.length], 'the choice of seq 14');
  t.equal((await item(room, examId, 1)).seq, 14);
  const page = await agent.get('/examen/question/1');
  t.equal(field(page.body, 'seq').value, '15', 'a reloaded page goes on from the last seq');
});

t.test('after the deadline answers are refused and the exam is finished at its deadline', async (t) => {
  const room = await kioskRoom(t);
  const { clock } = room;
  const { agent, examId } = await startCandidate(room);
  const { order, correctIndex } = await item(room, examId, 1);
  t.equal((await examRow(room, examId)).deadline_at, DEADLINE);

  clock.set(new Date(new Date(DEADLINE).getTime() - 1));
  await answer(agent, 1, { seq: 1, choix: String(correctIndex) }, true);
  t.equal((await item(room, examId, 1)).chosenAnswerId, order[correctIndex - 1], 'accepted one millisecond before the deadline');

  clock.set(DEADLINE);
  const late = await answer(agent, 1, { seq: 2, choix: correctIndex === 1 ? '2' : '1' }, true);
  t.equal(late.headers['hx-redirect'], '/examen/resultat?tardive=1', 'htmx is sent to the result, which will say the choice came too late');
  t.equal((await item(room, examId, 1)).chosenAnswerId, order[correctIndex - 1], 'refused at the deadline itself');
  clock.advance(7 * MINUTE);
  const later = await answer(agent, 2, { seq: 1, choix: '1', aller: 'suivante' });
  t.equal(later.statusCode, 303);
  t.equal(later.headers.location, '/examen/resultat?tardive=1', 'without JavaScript too');
  t.equal((await item(room, examId, 2)).chosenAnswerId, null);
  const told = visibleText((await agent.get(later.headers.location as string)).body);
  t.match(
    told,
    'Votre dernière réponse est arrivée après la fin du temps : elle n’a pas été prise en compte.',
    'the result says the late choice was not counted',
  );
  const nothingLate = await answer(agent, 3, { seq: 1, aller: 'suivante' });
  t.equal(nothingLate.headers.location, '/examen/resultat', 'a page sent late with no choice in it has nothing to report');

  const exam = await examRow(room, examId);
  t.equal(exam.finished_at, DEADLINE, 'finished at the deadline, not when it was noticed');
  t.equal(exam.finish_reason, 'delai');
  t.equal(exam.score, 2, 'scored with the answers given in time');
  t.equal((await agent.get('/examen/question/3')).headers.location, '/examen/resultat', 'no question page any more');
  t.equal((await agent.get('/examen/ensemble')).headers.location, '/examen/resultat');
  t.equal((await agent.get('/examen/terminer')).headers.location, '/examen/resultat');
  const result = await agent.get('/examen/resultat');
  t.match(
    visibleText(result.body),
    'Le temps imparti est écoulé : l’examen a été terminé automatiquement. Les réponses enregistrées avant la fin du temps sont comptées.',
  );
  t.notMatch(visibleText(result.body), 'dernière réponse', 'the plain result says nothing of a late choice');
});

t.test('a terminal that is gone: the exam is finished at its deadline by a page load or by the sweep', async (t) => {
  const room = await kioskRoom(t);
  const { clock, db } = room;
  const gone = await startCandidate(room, { ip: '10.6.0.1' });
  clock.advance(10 * MINUTE);
  const later = await startCandidate(room, { ip: '10.6.0.2' });
  await answer(gone.agent, 1, { seq: 1, choix: 'nsp' }, true);

  clock.advance(55 * MINUTE); // 10:05Z: the first exam is over, the second runs until 10:10Z.
  t.equal(await finishExpiredExams(db, clock), 1, 'the sweep finishes the exam that is over');
  const first = await examRow(room, gone.examId);
  t.equal(first.finished_at, DEADLINE, 'with its deadline as the end time');
  t.equal(first.finish_reason, 'delai');
  t.equal(first.score, 0);
  t.equal(first.passed, 0);
  t.equal((await examRow(room, later.examId)).finished_at, null, 'the other exam goes on');
  t.equal(await finishExpiredExams(db, clock), 0, 'nothing more to finish');

  clock.advance(60 * MINUTE);
  const page = await later.agent.get('/examen/question/1');
  t.equal(page.headers.location, '/examen/resultat', 'the page load finishes it');
  t.equal((await examRow(room, later.examId)).finished_at, '2026-11-29T10:10:00.000Z');
  t.equal((await gone.agent.get('/examen/resultat')).statusCode, 200, 'and the gone terminal, if it comes back, shows the result');
});

t.test('finishing is idempotent: two clicks, and the candidate racing the server, give one result', async (t) => {
  const room = await kioskRoom(t);
  const { clock, db } = room;
  const one = await startCandidate(room, { ip: '10.7.0.1' });
  await answer(one.agent, 1, { seq: 1, choix: '1' }, true);
  clock.advance(20 * MINUTE);
  const [a, b] = await Promise.all([one.agent.post('/examen/terminer', {}), one.agent.post('/examen/terminer', {})]);
  t.same([a.headers.location, b.headers.location], ['/examen/resultat', '/examen/resultat']);
  const finished = await examRow(room, one.examId);
  t.equal(finished.finished_at, '2026-11-29T09:20:00.000Z');
  t.equal(finished.finish_reason, 'candidat');
  clock.advance(MINUTE);
  await one.agent.post('/examen/terminer', {});
  await finishExam(db, clock, one.examId, 'delai');
  clock.advance(60 * MINUTE);
  await finishExpiredExams(db, clock);
  t.same(await examRow(room, one.examId), finished, 'later finishes change nothing');

  // At the deadline, the candidate's click and the sweep race.
  const two = await startCandidate(room, { ip: '10.7.0.2' });
  const twoRow = await examRow(room, two.examId);
  const { correctIndex } = await item(room, two.examId, 1);
  await answer(two.agent, 1, { seq: 1, choix: String(correctIndex) }, true);
  clock.set(new Date(new Date(twoRow.deadline_at).getTime() + 3_000));
  const [, swept, clicked] = await Promise.all([
    finishExam(db, clock, two.examId, 'candidat'),
    finishExpiredExams(db, clock),
    two.agent.post('/examen/terminer', {}),
  ]);
  t.ok(swept <= 1);
  t.equal(clicked.headers.location, '/examen/resultat');
  const raced = await examRow(room, two.examId);
  t.equal(raced.finished_at, twoRow.deadline_at, 'one end time: the deadline');
  t.equal(raced.finish_reason, 'delai');
  t.equal(raced.score, 2);
  t.same(JSON.parse(raced.result_detail!).total, 2, 'the stored detail agrees with the score');
});

/** Answers every question of an exam as `choose` says, through the no-JS form. */
async function answerAll(agent: Agent, items: ExamItem[], choose: (it: ExamItem) => string | null) {
  for (const it of items) {
    const choix = choose(it);
    if (choix === null) continue;
    const res = await answer(agent, it.position, { seq: 1, choix, aller: 'suivante' });
    if (res.statusCode !== 303) throw new Error(`save of ${it.position}: ${res.statusCode}`);
  }
}

const wrongIndex = (it: ExamItem) => String(it.correctIndex === 1 ? 2 : 1);

async function finishAndRead(agent: Agent) {
  await agent.get('/examen/terminer');
  const done = await agent.post('/examen/terminer', {});
  if (done.headers.location !== '/examen/resultat') throw new Error(`finish: ${done.statusCode}`);
  return agent.get('/examen/resultat');
}

function resultOf(html: string) {
  const score = /Note : <strong>(-?\d+)<\/strong> sur (\d+) \(seuil de réussite : (\d+)\)/.exec(html);
  const verdict = /<p class="k-verdict[^"]*">([^<]*)<\/p>/.exec(html)?.[1];
  return { score: Number(score?.[1]), maximum: Number(score?.[2]), passMark: Number(score?.[3]), verdict };
}

t.test('the result: score, maximum and verdict computed from the answers, never the correct answers', async (t) => {
  const room = await kioskRoom(t);

  // All right: the maximum.
  const best = await startCandidate(room, { ip: '10.8.0.1' });
  const bestItems = await examItems(room.db, best.examId);
  await answerAll(best.agent, bestItems, (it) => String(it.correctIndex));
  const bestPage = await finishAndRead(best.agent);
  t.same(resultOf(bestPage.body), { score: 60, maximum: 60, passMark: 36, verdict: 'Admis' });
  t.match(bestPage.body, 'k-verdict--passed');
  for (const it of bestItems) {
    for (const text of it.texts) t.notOk(bestPage.body.includes(escapeHtml(text)), 'no answer text on the result page');
    t.notOk(bestPage.body.includes(escapeHtml(it.statement)), 'no statement either');
  }
  t.notMatch(bestPage.body, /correct|bonne réponse/i);
  t.match(visibleText(bestPage.body), `${IDENTITY.prenom} ${IDENTITY.nom} — profil Opérateur`);

  // A known mix: one wrong, one wrong priority, one "Je ne sais pas", one left unanswered.
  const mixed = await startCandidate(room, { ip: '10.8.0.2' });
  const mixedItems = await examItems(room.db, mixed.examId);
  const wrong = mixedItems.find((i) => !i.priority)!;
  const wrongPriority = mixedItems.find((i) => i.priority)!;
  const dontKnow = mixedItems.find((i) => !i.priority && i !== wrong)!;
  const skipped = mixedItems.find((i) => i !== wrong && i !== wrongPriority && i !== dontKnow)!;
  await answerAll(mixed.agent, mixedItems, (it) =>
    it === wrong || it === wrongPriority ? wrongIndex(it) : it === dontKnow ? 'nsp' : it === skipped ? null : String(it.correctIndex),
  );
  t.same(resultOf((await finishAndRead(mixed.agent)).body), { score: 26 * 2 - 1 - 5 + 0 + 0, maximum: 60, passMark: 36, verdict: 'Admis' });

  // The pass mark: 36 passes, 35 does not.
  const exact = await startCandidate(room, { ip: '10.8.0.3' });
  const exactItems = await examItems(room.db, exact.examId);
  await answerAll(exact.agent, exactItems, (it) => (it.position <= 18 ? String(it.correctIndex) : 'nsp'));
  t.same(resultOf((await finishAndRead(exact.agent)).body), { score: 36, maximum: 60, passMark: 36, verdict: 'Admis' });
  const below = await startCandidate(room, { ip: '10.8.0.4' });
  const belowItems = await examItems(room.db, below.examId);
  const firstNonPriority = belowItems.find((i) => !i.priority && i.position > 18)!;
  await answerAll(below.agent, belowItems, (it) => (it.position <= 18 ? String(it.correctIndex) : it === firstNonPriority ? wrongIndex(it) : null));
  const belowPage = await finishAndRead(below.agent);
  t.same(resultOf(belowPage.body), { score: 35, maximum: 60, passMark: 36, verdict: 'Non admis' });
  t.match(belowPage.body, 'k-verdict--failed');

  // All wrong: a negative total.
  const worst = await startCandidate(room, { ip: '10.8.0.5' });
  const worstItems = await examItems(room.db, worst.examId);
  await answerAll(worst.agent, worstItems, wrongIndex);
  const expected = worstItems.reduce((s, it) => s + (it.priority ? -5 : -1), 0);
  t.equal(expected, -(22 + 8 * 5));
  t.same(resultOf((await finishAndRead(worst.agent)).body), { score: expected, maximum: 60, passMark: 36, verdict: 'Non admis' });
  const stored = await examRow(room, worst.examId);
  t.same([stored.score, stored.maximum, stored.pass_mark, stored.passed], [expected, 60, 36, 0]);
});

t.test('"Candidat suivant" returns to an empty entry form, and the old cookie reaches nothing', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  await answer(agent, 1, { seq: 1, choix: '1' }, true);
  const oldCookies = new Map(agent.cookies);
  const result = await finishAndRead(agent);
  t.equal(result.statusCode, 200);
  t.match(result.body, /<form method="post" action="\/examen\/suivant"[\s\S]*>Candidat suivant<\/button>/);
  const next = await agent.post('/examen/suivant', {});
  t.equal(next.statusCode, 303);
  t.equal(next.headers.location, '/examen');
  const entry = await agent.get('/examen');
  t.equal(entry.statusCode, 200);
  t.equal(field(entry.body, 'centre').value, '');
  t.equal(field(entry.body, 'jeton').value, '');
  t.notMatch(entry.body, new RegExp(IDENTITY.nom), 'nothing of the previous candidate');
  t.equal((await agent.get('/examen/resultat')).headers.location, '/examen', 'the result is gone from this terminal');

  const replay = new Agent(room.app, '10.0.0.1');
  replay.cookies = oldCookies;
  for (const url of ['/examen/resultat', '/examen/question/1', '/examen/ensemble', '/examen/terminer']) {
    const res = await replay.get(url);
    t.equal(res.statusCode, 303, `${url} with the old cookie`);
    t.equal(res.headers.location, '/examen', `${url} leads to the entry form`);
  }
  t.equal((await replay.get('/examen/images/1')).statusCode, 404);
  t.equal((await examRow(room, examId)).finished_at !== null, true);
});

t.test('the next candidate gets an empty entry form, not the result left on the terminal', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room);
  await candidate.agent.post('/examen/terminer', {});
  t.equal((await candidate.agent.get('/examen/resultat')).statusCode, 200, 'the result is shown to the candidate');
  const next = await candidate.agent.get('/examen');
  t.equal(next.statusCode, 200);
  t.match(next.body, 'name="jeton"', 'the entry form');
  t.notMatch(next.body, IDENTITY.nom, 'nothing of the previous candidate');
  t.equal((await candidate.agent.get('/examen/resultat')).headers.location, '/examen', 'the result is no longer reachable');
});
t.test('the cookie of the terminal before "Commencer" does not reach the exam (a fresh session id)', async (t) => {
  const room = await kioskRoom(t);
  const agent = new Agent(room.app, '10.0.0.9');
  await reachRules(agent, room.takeToken());
  const before = new Map(agent.cookies);
  const started = await agent.post('/examen/commencer', {});
  t.equal(started.headers.location, '/examen/question/1');
  t.notSame(agent.cookies.get('qcm_session'), before.get('qcm_session'), 'a new session cookie');
  const stale = new Agent(room.app, '10.0.0.9');
  stale.cookies = before;
  t.equal((await stale.get('/examen/question/1')).headers.location, '/examen');
  t.equal((await agent.get('/examen/question/1')).statusCode, 200);
});

t.test('resume on another terminal with the supervisor’s leave: birth date asked, a wrong one refused and counted, then the same exam', async (t) => {
  const room = await kioskRoom(t);
  const { clock, db } = room;
  const first = await startCandidate(room, { ip: '10.10.0.1' });
  const items = await examItems(db, first.examId);
  await answer(first.agent, 1, { seq: 1, choix: '2' }, true);
  await answer(first.agent, 2, { seq: 1, choix: 'nsp' }, true);
  await answer(first.agent, 3, { seq: 1, revoir: true }, true);
  clock.advance(12 * MINUTE + 30_000);

  const other = new RecordingAgent(room.app, '10.10.0.2');
  t.equal((await other.get('/examen/reprise')).headers.location, '/examen', 'nothing to resume before the entry');
  const entered = await enter(other, first.token.toLowerCase());
  t.equal(entered.statusCode, 303);
  t.equal(entered.headers.location, '/examen/reprise');
  const form = await other.get('/examen/reprise');
  t.equal(form.statusCode, 200);
  t.equal(field(form.body, 'date_naissance').value, '', 'the birth date is asked');
  t.notMatch(form.body, new RegExp(IDENTITY.nom), 'nothing of the candidate is shown before the date');
  t.equal((await other.get('/examen/question/1')).headers.location, '/examen', 'no question before the date');

  const wrong = await other.post('/examen/reprise', { date_naissance: '1985-04-24' });
  t.equal(wrong.statusCode, 400);
  t.equal(alertText(wrong.body), 'Cette date de naissance ne correspond pas à celle saisie au début de l’examen.');
  t.equal(field(wrong.body, 'date_naissance').value, '1985-04-24');
  const counted = await db.selectFrom('sign_in_throttle').select('failures').where('key', '=', 'kiosque:1:10.10.0.2').executeTakeFirst();
  t.equal(counted?.failures, 1, 'the wrong date counts as a failure of the (address, centre)');
  t.equal((await other.get('/examen/question/1')).headers.location, '/examen');
  // The supervisor lets the exam move to this terminal (the first one stays on its page, untouched so far).
  await allowResume(room, first.examId);

  // What the first terminal showed just before it crashed, at this same instant.
  const strip = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/"x-csrf-token": "[^"]*"/, '');
  const before = new Map<number, string>();
  for (const it of items) before.set(it.position, strip((await first.agent.get(`/examen/question/${it.position}`)).body));

  const right = await other.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(right.statusCode, 303);
  t.equal(right.headers.location, '/examen/question/3', 'back at the first unanswered question');
  const differences: string[] = [];
  for (const it of items) {
    const theirs = await other.get(`/examen/question/${it.position}`);
    if (!theirs.body.includes(`<legend class="k-statement">${escapeHtml(it.statement)}</legend>`)) differences.push(`question ${it.position} is not the same`);
    if (strip(theirs.body) !== before.get(it.position)) differences.push(`page ${it.position} differs from the one the first terminal showed`);
  }
  t.same(differences, [], `each of the ${items.length} pages is the one the first terminal showed: same order, same answers, same marks, same time`);
  const page1 = await other.get('/examen/question/1');
  t.equal(checkedChoice(page1.body), '2', 'the same answers');
  t.equal(checkedChoice((await other.get('/examen/question/2')).body), 'nsp');
  t.match((await other.get('/examen/question/3')).body, /name="revoir" value="oui" checked/, 'the same marks');
  t.equal(shownRemaining(page1.body), 3600 - 12 * 60 - 30, 'the same deadline');
  t.equal((await examRow(room, first.examId)).deadline_at, DEADLINE);
  t.equal(
    await db
      .selectFrom('exams')
      .select('id')
      .execute()
      .then((r) => r.length),
    1,
    'no second exam',
  );

  // Answering goes on from the new terminal.
  await answer(other, 3, { seq: 2, choix: '1' }, true);
  t.equal((await item(room, first.examId, 3)).chosenAnswerId, items[2]!.order[0]);
  for (const { url, res } of other.responses) t.equal(res.headers['cache-control'], 'no-store', `${url}: no-store`);
});

t.test('a crashed terminal resumes its exam even after the manager closed the session', async (t) => {
  const room = await kioskRoom(t);
  const candidate = await startCandidate(room);
  await answer(candidate.agent, 1, { seq: 1, choix: '1' }, true);
  const spare = new Agent(room.app, '10.0.0.3');
  await admit(spare);
  await room.db.updateTable('exam_sessions').set({ status: 'closed', closed_at: room.clock.now().toISOString() }).execute();

  // The terminal reboots: its browser session is gone, its admission stays.
  restartBrowser(candidate.agent);
  t.equal((await candidate.agent.get('/examen/question/1')).headers.location, '/examen', 'the exam is out of reach after the reboot');
  const entered = await enter(candidate.agent, candidate.token);
  t.equal(entered.headers.location, '/examen/reprise', 'the exam in progress is found again');
  await candidate.agent.get('/examen/reprise');
  const resumed = await candidate.agent.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(resumed.statusCode, 303);
  t.equal(resumed.headers.location, '/examen/question/2', 'back on the exam, at its first unanswered question');
  t.equal((await candidate.agent.get('/examen/question/1')).statusCode, 200);

  // A terminal admitted before the closing cannot start a new exam.
  const refused = await enter(spare, room.takeToken());
  t.equal(refused.statusCode, 400);
  t.equal(alertText(refused.body), ENTRY_MESSAGES.noOpenSession, 'a new exam still needs an open session');
});
t.test('wrong birth dates on the resume form are throttled per (address, centre); the right date still passes', async (t) => {
  const room = await kioskRoom(t);
  const { db } = room;
  const first = await startCandidate(room, { ip: '10.11.0.1' });
  // Another terminal of the room behind the same address, admitted before the lock.
  const neighbour = new Agent(room.app, '10.11.0.1');
  await admit(neighbour);
  // The terminal reboots; someone types wrong birth dates on its resume form.
  restartBrowser(first.agent);
  const { agent } = first;
  t.equal((await enter(agent, first.token)).headers.location, '/examen/reprise');
  await agent.get('/examen/reprise');
  for (let i = 0; i < KIOSK_ROOM_POLICY.maxFailures - 1; i++) {
    const date = `1990-01-${String((i % 28) + 1).padStart(2, '0')}`;
    const res = await agent.post('/examen/reprise', { date_naissance: date });
    if (res.statusCode !== 400) t.fail(`wrong date ${i + 1}: ${res.statusCode}`);
  }
  const locking = await agent.post('/examen/reprise', { date_naissance: '1990-02-01' });
  t.equal(locking.statusCode, 429);
  t.equal(
    alertText(locking.body),
    'Cette date de naissance ne correspond pas à celle saisie au début de l’examen. Trop de tentatives infructueuses depuis cette salle. Réessayez à 10 h 05 (dans 5 minutes).',
    'the failure that locks says why it failed and when to retry',
  );
  t.equal(field(locking.body, 'date_naissance').value, '1990-02-01', 'the date typed is kept');
  const key = 'kiosque:1:10.11.0.1';
  const count = async () => (await db.selectFrom('sign_in_throttle').select('failures').where('key', '=', key).executeTakeFirst())?.failures;
  t.equal(await count(), KIOSK_ROOM_POLICY.maxFailures);

  const lockedWrong = await agent.post('/examen/reprise', { date_naissance: '1990-02-02' });
  t.equal(lockedWrong.statusCode, 429, 'a wrong date during the lock is refused as locked');
  t.match(alertText(lockedWrong.body), /^Cette date de naissance ne correspond pas .* Réessayez à 10 h 05/);
  t.equal(await count(), KIOSK_ROOM_POLICY.maxFailures, 'and not counted again');
  // Entry and resume failures share the (address, centre) count.
  t.equal((await enter(neighbour, 'ABCD-EFGH-JKMN')).statusCode, 429, 'a wrong token from the same address is refused as locked too');
  const elsewhere = new Agent(room.app, '10.11.0.2');
  t.equal((await enter(elsewhere, 'ABCD-EFGH-JKMN')).statusCode, 400, 'another address is not locked');

  const right = await agent.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance });
  t.equal(right.statusCode, 303, 'the right date passes during the lock');
  t.equal(right.headers.location, '/examen/question/1');
  t.equal((await agent.get('/examen/question/1')).statusCode, 200, 'the exam goes on');
});

t.test('every /examen response of a whole flow says Cache-Control: no-store', async (t) => {
  const room = await kioskRoom(t);
  const agent = new RecordingAgent(room.app, '10.12.0.1');
  await agent.get('/examen.html');
  await agent.get('/examen');
  await agent.post('/examen', { centre: 'centre0001', jeton: 'ABCD-EFGH-JKMN' });
  await agent.post('/examen/poste', { centre: 'centre0001', code_session: 'ZZZZ-ZZZZ', poste: '' });
  await admit(agent);
  await agent.post('/examen', { centre: 'centre0001', jeton: 'ABCD-EFGH-JKMN' });
  await reachRules(agent, room.takeToken());
  await agent.post('/examen/commencer', {});
  await agent.get('/examen/question/1');
  await answer(agent, 1, { seq: 1, choix: '1', aller: 'suivante' });
  await answer(agent, 2, { seq: 1, choix: '1' }, true);
  await agent.get('/examen/images/1');
  await agent.get('/examen/ensemble');
  await agent.get('/examen/terminer');
  await agent.post('/examen/terminer', {});
  await agent.get('/examen/resultat');
  await agent.post('/examen/suivant', {});
  await agent.get('/examen');
  t.ok(agent.responses.length >= 22);
  t.same(
    agent.responses.slice(0, 7).map(({ res }) => res.statusCode),
    [301, 200, 303, 400, 200, 303, 200],
    'the admission form, a refused admission, the admission, and the entry form',
  );
  for (const { url, res } of agent.responses) t.equal(res.headers['cache-control'], 'no-store', `${url} (${res.statusCode}): no-store`);
  t.equal(START, room.clock.now().toISOString(), 'the clock did not move');
});

t.test('an exam whose time is over shows as finished on the centre’s pages too, before any sweep', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room, { ip: '10.13.0.1' });
  await answer(agent, 1, { seq: 1, choix: 'nsp' }, true);
  const manager = await managerAgent(room.testApp, { ip: '10.13.0.50' });
  t.match(visibleText((await manager.get('/centre')).body), '1 examen en cours.');
  const admissionId = agent.cookies.get(TERMINAL_COOKIE)!.split('.')[0]!;
  const running = visibleText((await manager.get(`/centre/examens/${examId}`)).body);
  t.match(running, `Examen en cours sur le poste n° ${admissionId}.`, 'the exam page says it runs, and on which terminal');
  t.match(running, 'Autoriser la reprise sur un autre poste');

  // The terminal is gone; the deadline passes; the 15-second sweep has not run yet.
  room.clock.advance(60 * MINUTE + 5_000);
  const later = await managerAgent(room.testApp, { ip: '10.13.0.50' });
  t.match(visibleText((await later.get('/centre')).body), '0 examen en cours.', 'the dashboard counts it as finished');
  const page = visibleText((await later.get(`/centre/examens/${examId}`)).body);
  t.notMatch(page, /Examen en cours/, 'the exam page does not say it is still running');
  t.notMatch(page, 'Autoriser la reprise', 'nor offers to move it');
  t.match(page, '(temps écoulé) — note 0 sur 60 (seuil 36) : Non admis', 'it shows the result, finished at the deadline');
});

t.test('after a resume elsewhere, the first terminal reaches the exam no more: no answer, no finish', async (t) => {
  const room = await kioskRoom(t);
  const first = await startCandidate(room, { ip: '10.14.0.1', token: await illustratedToken(room) });
  const { order } = await item(room, first.examId, 1);
  await answer(first.agent, 1, { seq: 1, choix: '1' }, true);
  // The first terminal's candidate had the finish page open.
  await first.agent.get('/examen/terminer');

  await allowResume(room, first.examId);
  const other = new Agent(room.app, '10.14.0.2');
  t.equal((await enter(other, first.token)).headers.location, '/examen/reprise');
  await other.get('/examen/reprise');
  t.equal((await other.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance })).statusCode, 303);

  const late = await first.agent.post('/examen/question/1', { seq: '2', choix: '2' }, { headers: { 'hx-request': 'true' } });
  t.not(late.body, '<span class="k-saved" data-repondue="1">Réponse enregistrée.</span>', 'an answer from the old terminal is not acknowledged');
  t.equal((await item(room, first.examId, 1)).chosenAnswerId, order[0], 'nor saved');

  const finish = await first.agent.post('/examen/terminer', {});
  t.not(finish.headers.location, '/examen/resultat', 'the old terminal is not sent to a result');
  t.equal((await examRow(room, first.examId)).finished_at, null, 'the old terminal cannot end the exam resumed elsewhere');

  const withImage = (await examItems(room.db, first.examId)).find((i) => i.hasImage)!;
  t.equal((await first.agent.get(`/examen/images/${withImage.position}`)).statusCode, 404, 'nor its images');
  t.equal((await first.agent.get('/examen/question/1')).headers.location, '/examen');
  t.equal((await other.get('/examen/question/1')).statusCode, 200, 'the new terminal goes on');
});

t.test('a double click on « Suivante » without JavaScript moves on, without a false notice', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const { order } = await item(room, examId, 1);
  // Both posts carry the same form (same seq): the browser shows the response to the second.
  const firstClick = await answer(agent, 1, { seq: 1, choix: '2', aller: 'suivante' });
  const secondClick = await answer(agent, 1, { seq: 1, choix: '2', aller: 'suivante' });
  t.equal(firstClick.headers.location, '/examen/question/2');
  t.equal((await item(room, examId, 1)).chosenAnswerId, order[1], 'the choice is saved once');
  t.equal(secondClick.headers.location, '/examen/question/2', 'the second click leads to the next question too');
  const shown = await agent.get(String(secondClick.headers.location));
  t.notMatch(shown.body, 'modifiée depuis un autre écran', 'no notice about another screen: there is none');
});

t.test('without JavaScript, a candidate who changes their mind during a slow submit keeps the last choice', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const { order } = await item(room, examId, 1);
  // The same page's form, sent twice with different choices (the browser shows the second response).
  const first = await answer(agent, 1, { seq: 1, choix: '1', aller: 'suivante' });
  const second = await answer(agent, 1, { seq: 1, choix: '2', aller: 'suivante' });
  t.equal(first.headers.location, '/examen/question/2');
  t.equal(second.headers.location, '/examen/question/2', 'the candidate moves on');
  t.equal((await item(room, examId, 1)).chosenAnswerId, order[1], 'the choice sent last is stored');
  const shown = await agent.get(String(second.headers.location));
  t.notMatch(shown.body, 'modifiée depuis un autre écran', 'no false notice about another screen');
  // An older page sent afterwards (the back button) still loses to the newer choice.
  await answer(agent, 1, { seq: 2, choix: 'nsp', aller: 'suivante' });
  const old = await answer(agent, 1, { seq: 1, choix: '3', aller: 'suivante' });
  t.equal(old.headers.location, '/examen/question/1?modifiee=1', 'an older page is shown the stored answer');
  t.equal((await item(room, examId, 1)).dontKnow, true, 'and does not overwrite it');
});

t.test('without JavaScript, a form the server cannot read keeps the candidate on the question, told why', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  await answer(agent, 1, { seq: 1, choix: 'nsp' });
  for (const fields of [
    { seq: 2, choix: '9' },
    { seq: 2, choix: 'abc' },
    { seq: 0, choix: '1' },
  ]) {
    const res = await answer(agent, 1, { ...fields, aller: 'suivante' });
    t.equal(res.headers.location, '/examen/question/1?invalide=1', `${JSON.stringify(fields)}: back to the question`);
  }
  const page = await agent.get('/examen/question/1?invalide=1');
  t.equal(alertText(page.body), 'Votre réponse n’a pas pu être enregistrée : voici la réponse enregistrée. Choisissez de nouveau.');
  t.equal(checkedChoice(page.body), 'nsp', 'the stored answer is shown');
  t.equal((await item(room, examId, 1)).dontKnow, true, 'and unchanged');
});

t.test('a delayed request from an earlier showing of a question loses to a choice made since', async (t) => {
  const room = await kioskRoom(t);
  const { agent, examId } = await startCandidate(room);
  const { order } = await item(room, examId, 1);
  room.clock.advance(MINUTE);
  const first = await agent.get('/examen/question/1');
  const earlierSeq = field(first.body, 'seq').value!;
  t.equal(earlierSeq, String(MINUTE), 'a showing starts from the milliseconds since the start');
  // Without JavaScript, the candidate picks 1; that request is held up in the network. They reload,
  // pick 2, and this one is saved. Then the held-up request arrives.
  room.clock.advance(20_000);
  const second = await agent.get('/examen/question/1');
  const laterSeq = field(second.body, 'seq').value!;
  t.ok(Number(laterSeq) > Number(earlierSeq), 'the new showing starts higher');
  t.equal((await answer(agent, 1, { seq: Number(laterSeq), choix: '2', aller: 'suivante' })).headers.location, '/examen/question/2');
  const late = await answer(agent, 1, { seq: Number(earlierSeq), choix: '1', aller: 'suivante' });
  t.equal(late.headers.location, '/examen/question/1?modifiee=1', 'the late one is not saved, and the page says so');
  t.equal((await item(room, examId, 1)).chosenAnswerId, order[1], 'the choice made since is kept');
});
