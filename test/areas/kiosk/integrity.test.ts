/**
 * Integrity of the kiosk: a candidate's cookie reaches that candidate's exam only, and no page
 * sent to a candidate says which answer is right (property test over random exams and actions).
 */
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import type { Profile } from '../../../src/domain/profiles.js';
import { managerAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { escapeHtml } from '../../helpers/html.js';
import { answer, choiceLabels, enter, reachRules, startCandidate } from '../../helpers/kiosk.js';
import { examItems, IDENTITY, kioskRoom, type Room } from '../../helpers/kiosk-room.js';

const ANSWER_IDS_FROM = 7_340_000;
const QUESTION_IDS_FROM = 5_120_000;
const START = '2026-11-29T09:00:00.000Z';

t.test('a candidate’s cookie reaches that candidate’s exam only', async (t) => {
  const room = await kioskRoom(t);
  const a = await startCandidate(room, { ip: '10.20.0.1' });
  const b = await startCandidate(room, { ip: '10.20.0.2', identity: { ...IDENTITY, nom: 'Martin', date_naissance: '1990-06-15' } });
  const itemsA = await examItems(room.db, a.examId);
  const itemsB = await examItems(room.db, b.examId);
  t.notSame(
    itemsA.map((i) => i.questionId),
    itemsB.map((i) => i.questionId),
    'two different draws',
  );

  const imagesOf = async (items: typeof itemsA) =>
    new Map(
      await Promise.all(
        items.map(async (i) => {
          const row = await room.db.selectFrom('questions').select('image_data').where('id', '=', i.questionId).executeTakeFirstOrThrow();
          return [i.position, row.image_data] as const;
        }),
      ),
    );
  const storedA = await imagesOf(itemsA);
  for (const [who, cand, items, images] of [
    ['A', a, itemsA, storedA],
    ['B', b, itemsB, await imagesOf(itemsB)],
  ] as const) {
    const strangers: string[] = [];
    for (const it of items) {
      const page = await cand.agent.get(`/examen/question/${it.position}`);
      if (!page.body.includes(`<legend class="k-statement">${escapeHtml(it.statement)}</legend>`))
        strangers.push(`${who} sees another statement at ${it.position}`);
      const image = await cand.agent.get(`/examen/images/${it.position}`);
      const own = images.get(it.position);
      if (own) {
        if (image.statusCode !== 200 || !image.rawPayload.equals(own)) strangers.push(`${who} gets another image at ${it.position}`);
      } else if (image.statusCode !== 404) strangers.push(`${who} gets an image at ${it.position} where its question has none`);
    }
    t.same(strangers, [], `${who} sees its own questions and images at all ${items.length} positions`);
  }

  // Whatever a request says, it lands on the exam of the cookie.
  const before = await examItems(room.db, b.examId);
  await a.agent.post(
    '/examen/question/1?exam=' + b.examId,
    { seq: '1', choix: '1', examId: String(b.examId), exam_id: String(b.examId) },
    { headers: { 'hx-request': 'true' } },
  );
  t.same(await examItems(room.db, b.examId), before, 'B’s exam is untouched by A’s requests');
  t.equal((await examItems(room.db, a.examId))[0]!.chosenAnswerId, itemsA[0]!.order[0], 'A’s own answer is saved');

  // Without a cookie, nothing.
  const stranger = new Agent(room.app, '10.20.0.9');
  t.equal((await stranger.get('/examen/question/1')).headers.location, '/examen');
  t.equal((await stranger.get('/examen/images/1')).statusCode, 404);
  t.equal((await stranger.get('/examen/resultat')).headers.location, '/examen');
  const blind = await stranger.post('/examen/question/1', { seq: '2', choix: '2' }, { csrf: null, headers: { 'hx-request': 'true' } });
  t.not(blind.statusCode, 200, 'a post without a session saves nothing');
  t.same(await examItems(room.db, b.examId), before);

  // Another terminal entering B's token must know B's birth date: A's is refused.
  const thief = new Agent(room.app, '10.20.0.10');
  t.equal((await enter(thief, b.token)).headers.location, '/examen/reprise');
  await thief.get('/examen/reprise');
  t.equal((await thief.post('/examen/reprise', { date_naissance: IDENTITY.date_naissance })).statusCode, 400);
  t.equal((await thief.get('/examen/question/1')).headers.location, '/examen');

  // A manager's session is not a candidate's: it reaches no exam either.
  const manager = await managerAgent(room.testApp, { ip: '10.20.0.11' });
  t.equal((await manager.get('/examen/question/1')).headers.location, '/examen');
});

type Action =
  | { kind: 'answer'; position: number; choix: string | null; revoir: boolean; htmx: boolean; aller: string }
  | { kind: 'view'; page: 'question' | 'ensemble' | 'terminer'; position: number }
  | { kind: 'wait'; minutes: number }
  | { kind: 'reload' };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      position: fc.integer({ min: 1, max: 40 }),
      choix: fc.constantFrom('1', '2', '3', '4', 'nsp', null),
      revoir: fc.boolean(),
      htmx: fc.boolean(),
      aller: fc.constantFrom('suivante', 'precedente', 'ensemble', 'terminer'),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('view' as const),
      page: fc.constantFrom('question' as const, 'ensemble' as const, 'terminer' as const),
      position: fc.integer({ min: 1, max: 40 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reload' as const) }) },
);

interface Bank {
  answerIds: Set<string>;
  questionIds: Set<string>;
  /** Every statement and answer text as a page shows it, longest first. */
  texts: string[];
}

async function loadBank(room: Room): Promise<Bank> {
  const answers = await room.db.selectFrom('answers').select(['id', 'text']).execute();
  const questions = await room.db.selectFrom('questions').select(['id', 'statement']).execute();
  const texts = [...new Set([...answers.map((a) => escapeHtml(a.text)), ...questions.map((q) => escapeHtml(q.statement))])].sort((x, y) => y.length - x.length);
  return { answerIds: new Set(answers.map((a) => String(a.id))), questionIds: new Set(questions.map((q) => String(q.id))), texts };
}

/** Why this page reveals something it should not; null when it reveals nothing. */
async function leak(
  room: Room,
  bank: Bank,
  examId: number,
  url: string,
  res: LightMyRequestResponse,
  opts: { scoringExplained: boolean },
): Promise<string | null> {
  const html = res.body;
  // The CSRF token is random text: it may hold any digits.
  const withoutSecrets = html.replace(/name="_csrf" value="[^"]*"/g, '').replace(/"x-csrf-token": "[^"]*"/g, '');
  for (const n of withoutSecrets.match(/\d+/g) ?? []) {
    if (bank.answerIds.has(n)) return `${url}: answer id ${n} in the page`;
    if (bank.questionIds.has(n)) return `${url}: question id ${n} in the page`;
  }
  let chrome = withoutSecrets;
  for (const text of bank.texts) chrome = chrome.split(text).join(' ');
  if (/correct/i.test(chrome)) return `${url}: the word "correct" outside the bank's texts`;
  if (!opts.scoringExplained && /bonne r[ée]ponse/i.test(chrome)) return `${url}: "bonne réponse" outside the bank's texts`;
  // The timer's, and the answered count's (how many questions have an answer, whether this one has: never which answer).
  if (/data-(?!remaining=|deadline=|count=|this=|repondue=)[a-z-]+=/.test(chrome)) return `${url}: an unexpected data attribute`;

  const question = /^GET \/examen\/question\/(\d+)(?:\?[^ ]*)?$/.exec(url);
  if (question && res.statusCode === 200) {
    const position = Number(question[1]);
    const it = (await examItems(room.db, examId))[position - 1]!;
    const labels = choiceLabels(html);
    const answers = labels.slice(0, -1);
    if (answers.length !== it.texts.length) return `${url}: ${answers.length} answers shown, ${it.texts.length} drawn`;
    for (const [i, label] of answers.entries()) {
      if (!label.includes(`<span>${escapeHtml(it.texts[i]!)}</span>`)) return `${url}: answer ${i + 1} is not the drawn one`;
    }
    // The right answer's label is built exactly like the others: same tags, attributes and classes.
    const shape = (label: string, i: number) =>
      label
        .replace(`<span>${escapeHtml(it.texts[i]!)}</span>`, '<span>TEXT</span>')
        .replace(`value="${i + 1}"`, 'value="N"')
        .replace(' checked', '');
    const shapes = answers.map(shape);
    const right = shapes[it.correctIndex - 1]!;
    if (shapes.some((s) => s !== right)) return `${url}: the right answer's label differs from the others: ${JSON.stringify(shapes)}`;
    if (/checked/.test(shapes.join(''))) return `${url}: unexpected "checked"`;
    const checked = answers.map((l, i) => (l.includes(' checked') ? i + 1 : null)).filter((x) => x !== null);
    const expected = it.chosenAnswerId === null ? [] : [it.order.indexOf(it.chosenAnswerId) + 1];
    if (JSON.stringify(checked) !== JSON.stringify(expected)) return `${url}: checked ${JSON.stringify(checked)}, chosen ${JSON.stringify(expected)}`;
  }
  return null;
}

t.test('property: no page sent to a candidate reveals a correct answer', async (t) => {
  const room = await kioskRoom(t, { answerIdsFrom: ANSWER_IDS_FROM, questionIdsFrom: QUESTION_IDS_FROM });
  const bank = await loadBank(room);
  t.ok(
    [...bank.answerIds].every((id) => Number(id) > ANSWER_IDS_FROM),
    'answer ids are large, unmistakable numbers',
  );
  let ip = 0;
  let pagesChecked = 0;

  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<Profile>('operateur', 'encadrant', 'concepteur'),
      fc.array(actionArb, { minLength: 1, maxLength: 14 }),
      fc.boolean(),
      async (profile, actions, finish) => {
        room.clock.set(START);
        ip++;
        const agent = new Agent(room.app, `10.30.${Math.floor(ip / 250)}.${(ip % 250) + 1}`);
        const token = room.takeToken(profile);
        const check = async (url: string, res: LightMyRequestResponse, opts = { scoringExplained: false }) => {
          pagesChecked++;
          const problem = await leak(room, bank, examId, url, res, opts);
          if (problem) throw new Error(problem);
        };
        let examId = -1;
        const rules = await reachRules(agent, token);
        await check('GET /examen/consignes', rules, { scoringExplained: true });
        const started = await agent.post('/examen/commencer', {});
        if (started.statusCode !== 303) throw new Error(`start: ${started.statusCode}`);
        examId = (await room.db.selectFrom('exams').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
        await check('GET /examen/question/1', await agent.get('/examen/question/1'));
        const seqs = new Map<number, number>();
        for (const action of actions) {
          if (action.kind === 'answer') {
            const seq = (seqs.get(action.position) ?? 0) + 1;
            seqs.set(action.position, seq);
            const res = await answer(
              agent,
              action.position,
              { seq, choix: action.choix ?? undefined, revoir: action.revoir, aller: action.aller },
              action.htmx,
            );
            await check(`POST /examen/question/${action.position}`, res);
            if (res.statusCode === 303 && res.headers.location) {
              const url = String(res.headers.location);
              await check(`GET ${url}`, await agent.get(url));
            }
          } else if (action.kind === 'view') {
            const url = action.page === 'question' ? `/examen/question/${action.position}` : `/examen/${action.page}`;
            await check(`GET ${url}`, await agent.get(url));
          } else if (action.kind === 'wait') {
            room.clock.advance(action.minutes * 60_000);
          } else {
            await check('GET /examen', await agent.get('/examen'));
          }
        }
        if (finish) await agent.post('/examen/terminer', {});
        await check('GET /examen/resultat', await agent.get('/examen/resultat'));
        await check('GET /examen/ensemble', await agent.get('/examen/ensemble'));
      },
    ),
    { numRuns: 30, endOnFailure: true },
  );
  // Each run checks the rules page, question 1, the result and the overview at least.
  t.ok(pagesChecked >= 30 * 4, `no leak in ${pagesChecked} pages`);
});

t.test('the leak detector itself sees a marked right answer, an answer id and the word "correct"', async (t) => {
  const room = await kioskRoom(t, { answerIdsFrom: ANSWER_IDS_FROM, questionIdsFrom: QUESTION_IDS_FROM });
  const bank = await loadBank(room);
  const { agent, examId } = await startCandidate(room);
  const it = (await examItems(room.db, examId))[0]!;
  const res = await agent.get('/examen/question/1');
  const url = 'GET /examen/question/1';
  t.equal(await leak(room, bank, examId, url, res, { scoringExplained: false }), null, 'the real page is clean');
  const tampered = (body: string) => ({ ...res, body }) as LightMyRequestResponse;
  const rightLabel = choiceLabels(res.body)[it.correctIndex - 1]!;
  const cases: [string, string][] = [
    ['a class on the right answer', res.body.replace(rightLabel, rightLabel.replace('class="k-choice"', 'class="k-choice k-ok"'))],
    ['an attribute on the right answer', res.body.replace(rightLabel, rightLabel.replace('type="radio"', 'type="radio" data-x="1"'))],
    ['the answer id as the value', res.body.replace(rightLabel, rightLabel.replace(`value="${it.correctIndex}"`, `value="${it.order[it.correctIndex - 1]}"`))],
    ['the word', res.body.replace('</main>', '<!-- correct: 2 --></main>')],
    [
      'the answers reordered',
      it.correctIndex === 1
        ? res.body.replace(rightLabel, '').replace('<label class="k-choice k-choice--dont-know">', `${rightLabel}<label class="k-choice k-choice--dont-know">`)
        : res.body.replace(rightLabel, '').replace(choiceLabels(res.body)[0]!, `${rightLabel}${choiceLabels(res.body)[0]!}`),
    ],
  ];
  for (const [label, body] of cases) t.not(await leak(room, bank, examId, url, tampered(body), { scoringExplained: false }), null, label);
});
