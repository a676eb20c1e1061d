/**
 * The administrator's item statistics page of a questionnaire version and its CSV (issue 15): the
 * cached figures written the French way, the flags, the links to the preview, the empty states and
 * who may see them. The computation is tested in test/services/item-statistics.test.ts: here the
 * cache holds a hand-computed analysis.
 */
import t from 'tap';
import { analyseItems, type ExamResponses, type ItemResponse } from '../../../src/domain/item-analysis.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, type Teardown, type TestApp } from '../../helpers/app.js';
import { publishDemoQuestionnaire } from '../../helpers/exam-fixtures.js';
import { h1, visibleText } from '../../helpers/html.js';

interface BankQuestion {
  id: number;
  code: string;
  right: number;
  wrong: number;
}

async function bankQuestion(testApp: TestApp, questionnaireId: number, priority: 0 | 1): Promise<BankQuestion> {
  const db = testApp.db.kysely;
  const q = await db
    .selectFrom('questions')
    .select(['id', 'code'])
    .where('questionnaire_id', '=', questionnaireId)
    .where('priority', '=', priority)
    .orderBy('position')
    .executeTakeFirstOrThrow();
  const answers = await db.selectFrom('answers').select(['id', 'correct']).where('question_id', '=', q.id).orderBy('position').execute();
  return { ...q, right: answers.find((a) => a.correct === 1)!.id, wrong: answers.find((a) => a.correct === 0)!.id };
}

/**
 * The hand-computed set of test/domain/item-analysis.test.ts on two questions of the demo bank,
 * four times over (20 exams): the ordinary question has a facility of 8/15 (53,3 %) and a
 * discrimination of 0.8395; the priority one 19/35 (54,3 %) and −0.8834, with both flags of a
 * distractor chosen by the best candidates.
 */
function handSet(ordinary: BankQuestion, priority: BankQuestion): ExamResponses[] {
  const item = (q: BankQuestion, min: number, outcome: 'right' | 'wrong' | 'nsp' | 'none'): ItemResponse => {
    const base = { questionId: q.id, minScore: min, maxScore: 2 };
    if (outcome === 'right') return { ...base, score: 2, choice: q.right, right: true };
    if (outcome === 'wrong') return { ...base, score: min, choice: q.wrong, right: false };
    return { ...base, score: 0, choice: outcome === 'nsp' ? 'nsp' : null, right: false };
  };
  const five: ExamResponses[] = [
    { total: 30, items: [item(ordinary, -1, 'right'), item(priority, -5, 'wrong')] },
    { total: 20, items: [item(ordinary, -1, 'right'), item(priority, -5, 'wrong')] },
    { total: 16, items: [item(ordinary, -1, 'nsp'), item(priority, -5, 'right')] },
    { total: 9, items: [item(ordinary, -1, 'wrong'), item(priority, -5, 'nsp')] },
    { total: 12, items: [item(ordinary, -1, 'none'), item(priority, -5, 'right')] },
  ];
  return [...five, ...five, ...five, ...five];
}

async function setup(t: Teardown) {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  const id = await publishDemoQuestionnaire(db, testApp.clock);
  const admin = await accountAgent(testApp, { email: 'admin@aipr.test', role: 'admin' });
  const ordinary = await bankQuestion(testApp, id, 0);
  const priority = await bankQuestion(testApp, id, 1);
  const cache = async (examsCount: number, exams: ExamResponses[]) =>
    db
      .insertInto('item_statistics')
      .values({
        questionnaire_id: id,
        computed_at: '2026-11-29T08:15:00.000Z',
        exams_count: examsCount,
        last_finished_at: '2026-11-28T10:00:00.000Z',
        payload: JSON.stringify(analyseItems(exams)),
      })
      .onConflict((oc) => oc.column('questionnaire_id').doUpdateSet({ exams_count: examsCount, payload: JSON.stringify(analyseItems(exams)) }))
      .execute();
  return { testApp, id, admin, ordinary, priority, cache };
}

t.test('nothing computed yet: the page says so, no CSV', async (t) => {
  const { id, admin } = await setup(t);
  const show = await admin.get(`/admin/questionnaires/${id}`);
  t.match(show.body, `href="/admin/questionnaires/${id}/statistiques"`, 'linked from the questionnaire’s page');
  const res = await admin.get(`/admin/questionnaires/${id}/statistiques`);
  t.equal(res.statusCode, 200);
  t.equal(h1(res.body), 'Statistiques des questions');
  t.match(visibleText(res.body), 'n’ont pas encore été calculées');
  t.notMatch(res.body, '<table', 'no table');
  t.notMatch(res.body, 'statistiques.csv', 'no download offered');
  t.equal((await admin.get(`/admin/questionnaires/${id}/statistiques.csv`)).statusCode, 404);
  t.equal((await admin.get('/admin/questionnaires/999/statistiques')).statusCode, 404, 'an unknown version');
});

t.test('the figures, French style, the flags and the links to the preview', async (t) => {
  const { id, admin, ordinary, priority, cache } = await setup(t);
  await cache(20, handSet(ordinary, priority));
  const res = await admin.get(`/admin/questionnaires/${id}/statistiques`);
  t.equal(res.statusCode, 200);
  const text = visibleText(res.body);
  t.match(text, /Calculées le 29\/11\/2026 à 09\s?h\s?15 sur 20 examens terminés/u, 'the date of the computation, Paris time');
  t.notMatch(text, 'seulement indicatifs', 'enough exams for flags');
  t.match(res.body, /<caption>Statistiques par question/);
  t.match(res.body, '<th scope="col">Facilité</th>');

  const rowOf = (q: BankQuestion) => {
    const match = new RegExp(`<tr>\\s*<th scope="row"><a href="/admin/questionnaires/${id}#q-${q.id}"[^>]*>${q.code}</a>[\\s\\S]*?</tr>`).exec(res.body);
    if (!match) throw new Error(`no row for ${q.code}`);
    return visibleText(match[0]);
  };
  const first = rowOf(ordinary);
  t.match(first, /^OP-\d+ 20 53,3\s%\s0,84 20\s%/u, `the ordinary question: drawn 20 times, facility, discrimination, « Je ne sais pas » (${first})`);
  t.match(first, /: 40\s%\s\(bonne réponse\)/u, 'the right answer’s share, marked');
  t.match(first, /: 20\s%/u, 'the distractor’s share');
  t.match(first, /: 0\s%/u, 'an answer nobody chose');
  t.match(first, /—$/u, 'no flag');

  const second = rowOf(priority);
  t.match(second, /\(prioritaire\) 20 54,3\s%\s[-−]0,88 20\s%/u, `the priority question (${second})`);
  t.match(second, 'discrimination négative, distracteur choisi par les meilleurs', 'its flags in French');
  t.match(second, '(choisie par les meilleurs)', 'the distractor named');
  t.match(res.body, `<a href="/admin/questionnaires/${id}#q-${priority.id}">voir la question ${priority.code}</a>`, 'the flagged question opens its preview');
  const preview = await admin.get(`/admin/questionnaires/${id}`);
  t.match(preview.body, `id="q-${priority.id}"`, 'where the preview has its anchor');
  t.match(text, /OP-\d+ 0 — — — — —/u, 'a question never drawn: no figures');
});

t.test('fewer exams than the flags need: said plainly', async (t) => {
  const { id, admin, ordinary, priority, cache } = await setup(t);
  await cache(5, handSet(ordinary, priority).slice(0, 5));
  const text = visibleText((await admin.get(`/admin/questionnaires/${id}/statistiques`)).body);
  t.match(text, 'Il faut au moins 20 examens terminés pour qu’une question soit signalée : avec 5 examens terminés');
  t.notMatch(text, 'discrimination négative,', 'no flag');
});

t.test('the CSV export', async (t) => {
  const { id, admin, ordinary, priority, cache } = await setup(t);
  await cache(20, handSet(ordinary, priority));
  const res = await admin.get(`/admin/questionnaires/${id}/statistiques.csv`);
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.equal(res.headers['content-disposition'], 'attachment; filename="statistiques-questions-operateur-2026.csv"');
  t.ok(res.body.startsWith('\uFEFF'), 'a byte order mark, as every export');
  const lines = res.body.slice(1).split('\r\n');
  t.equal(
    lines[0],
    'Code;Thème;Prioritaire;Tirages;Facilité (%);Discrimination;Bonnes réponses (%);« Je ne sais pas » (%);Sans réponse (%);Bonne réponse;' +
      'Réponse 1 choisie (%);Réponse 2 choisie (%);Réponse 3 choisie (%);Réponse 4 choisie (%);Signalements',
  );
  const row = lines.find((l) => l.startsWith(`${priority.code};`));
  t.ok(row, 'a row per question');
  const cells = row!.split(';');
  t.same(cells.slice(2, 9), ['oui', '20', '54,3', '-0,883', '40', '20', '0'], 'comma decimals, a negative figure kept a number');
  t.equal(cells.at(-1), 'discrimination négative, distracteur choisi par les meilleurs');
  t.equal(lines.at(-1), '', 'every row ends with CRLF');
});

t.test('only the administrator: a manager is refused, an anonymous visitor sent to sign in', async (t) => {
  const { testApp, id } = await setup(t);
  const manager = await accountAgent(testApp, { email: 'gestionnaire@aipr.test', role: 'manager' });
  const anonymous = new Agent(testApp.app);
  for (const url of [`/admin/questionnaires/${id}/statistiques`, `/admin/questionnaires/${id}/statistiques.csv`]) {
    const refused = await manager.get(url);
    t.equal(refused.statusCode, 403, `manager, ${url}: 403`);
    t.equal(h1(refused.body), 'Accès refusé');
    const sent = await anonymous.get(url);
    t.equal(sent.statusCode, 302, `anonymous, ${url}: redirected`);
    t.equal(sent.headers.location, `/connexion?${new URLSearchParams({ suivant: url }).toString()}`);
  }
});
