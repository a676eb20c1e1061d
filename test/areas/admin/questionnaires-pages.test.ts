/**
 * The questionnaire pages of the national administrator (issue 3): publish and retire, the
 * database freeze of published banks, the preview, the image route, and who may see all this.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import t from 'tap';
import { importQuestionnaire, publishQuestionnaire, retireQuestionnaire } from '../../../src/areas/admin/questionnaires/lifecycle.js';
import type { Db } from '../../../src/db/connection.js';
import { describeBankError } from '../../../src/domain/bank/index.js';
import { PROFILES } from '../../../src/domain/profiles.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, type TestApp } from '../../helpers/app.js';
import { escapeHtml, flashes, h1, visibleText } from '../../helpers/html.js';

// ——— Fixtures ——————————————————————————————————————————————————————————————————

const ADMIN_EMAIL = 'admin@aipr.test';
const MANAGER_EMAIL = 'gestionnaire-sans-centre@aipr.test';
const ACTOR = { actor: { accountId: null, label: 'test' } };
const HOUR = 3_600_000;

const demoText = (profile: string) => readFileSync(fileURLToPath(new URL(`../../../demo/questionnaires/${profile}.json`, import.meta.url)), 'utf8');

interface DemoQuestion {
  code: string;
  theme: string;
  prioritaire: boolean;
  enonce: string;
  image?: string;
  reponses: { texte: string; correcte: boolean }[];
}

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('IHDR-and-the-rest')]);
const SVG_WITH_SCRIPT =
  '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><script>document.title = "piraté"</script><rect width="10" height="10"/></svg>';

/** A small valid bank (4 questions per exam, 1 priority; 6 held, 2 priority); question 1 has a PNG, question 2 an SVG with a script. */
function smallBankText(version = '2022'): string {
  const questions: DemoQuestion[] = [1, 2, 3, 4, 5, 6].map((n) => ({
    code: `OP-${String(n).padStart(3, '0')}`,
    theme: n % 2 === 0 ? 'Réglementation' : 'Réseaux',
    prioritaire: n <= 2,
    enonce: `Question ${n} : l’exploitant d’un réseau « sensible » doit-il répondre ? <b>${n}</b> & 'guillemets'`,
    reponses: [
      { texte: `Oui (${n})`, correcte: n % 3 !== 0 },
      { texte: `Non (${n})`, correcte: n % 3 === 0 },
      { texte: `Je ne sais pas vraiment (${n})`, correcte: false },
    ],
  }));
  questions[0]!.image = `data:image/png;base64,${PNG.toString('base64')}`;
  questions[1]!.image = `data:image/svg+xml;base64,${Buffer.from(SVG_WITH_SCRIPT).toString('base64')}`;
  return JSON.stringify({
    profil: 'operateur',
    version,
    titre: `QCM Opérateur ${version}`,
    regles: {
      nombre_questions: 4,
      questions_prioritaires: 1,
      duree_minutes: 60,
      seuil_pourcentage: 60,
      points: { bonne: 2, ne_sait_pas: 0, fausse: -1, fausse_prioritaire: -5 },
    },
    questions,
  });
}

// ——— Helpers ——————————————————————————————————————————————————————————————————

async function importBank(testApp: TestApp, text: string, publish = false): Promise<number> {
  const outcome = await importQuestionnaire(testApp.db.kysely, testApp.clock, { format: 'json', text }, { publish, ...ACTOR });
  if (!outcome.ok) throw new Error(outcome.errors.map(describeBankError).join(' | '));
  return outcome.questionnaireId;
}

/** An app without the demo data: the banks and accounts are the test's own. */
const adminOf = (testApp: TestApp) => accountAgent(testApp, { email: ADMIN_EMAIL, role: 'admin' });
/** A manager linked to no centre. */
const managerOf = (testApp: TestApp) => accountAgent(testApp, { email: MANAGER_EMAIL, role: 'manager' });

async function questionnaireRow(testApp: TestApp, id: number) {
  return testApp.db.kysely.selectFrom('questionnaires').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function auditOf(testApp: TestApp, id: number) {
  return testApp.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'at', 'actor_label', 'details'])
    .where('target_type', '=', 'questionnaire')
    .where('target_id', '=', String(id))
    .orderBy('id')
    .execute();
}

/** The preview's questions, each as the HTML of its <li>. */
function previewBlocks(body: string): string[] {
  return body.split('<li class="app-preview-question"').slice(1);
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/** The answers of a preview block, as read: "texte (bonne réponse)" for the marked one. */
function previewAnswers(block: string): string[] {
  const list = /<ul class="app-preview-answers">([\s\S]*?)<\/ul>/.exec(block)?.[1] ?? '';
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => visibleText(m[1]!));
}

// ——— Publish and retire ——————————————————————————————————————————————————————————

t.test('a draft is published, then retired, each step dated and written in the audit log', async (t) => {
  const testApp = await createTestApp(t);
  const id = await importBank(testApp, smallBankText());
  let row = await questionnaireRow(testApp, id);
  t.equal(row.status, 'draft', 'an import without publish gives a draft');
  t.equal(row.published_at, null);

  testApp.clock.advance(HOUR);
  const publishedAt = testApp.clock.now().toISOString();
  t.same(await publishQuestionnaire(testApp.db.kysely, testApp.clock, id, { actor: { accountId: null, label: 'Mme Admin', ip: '10.0.0.1' } }), { ok: true });
  row = await questionnaireRow(testApp, id);
  t.equal(row.status, 'published');
  t.equal(row.published_at, publishedAt, 'published_at is the time of publication');
  t.equal(row.retired_at, null);

  testApp.clock.advance(HOUR);
  const retiredAt = testApp.clock.now().toISOString();
  t.same(await retireQuestionnaire(testApp.db.kysely, testApp.clock, id, { actor: { accountId: null, label: 'Mme Admin' } }), { ok: true });
  row = await questionnaireRow(testApp, id);
  t.equal(row.status, 'retired');
  t.equal(row.retired_at, retiredAt, 'retired_at is the time of retirement');
  t.equal(row.published_at, publishedAt, 'the publication date is kept');

  const audit = await auditOf(testApp, id);
  t.same(
    audit.map((a) => [a.action, a.at, a.actor_label]),
    [
      ['questionnaire.importe', '2026-11-29T09:00:00.000Z', 'test'],
      ['questionnaire.publie', publishedAt, 'Mme Admin'],
      ['questionnaire.retire', retiredAt, 'Mme Admin'],
    ],
  );
  t.same(JSON.parse(audit[1]!.details ?? 'null'), { profil: 'operateur', version: '2022' }, 'the publication names profile and version');
});

t.test('publishing twice, retiring a draft or changing a missing questionnaire is refused', async (t) => {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  const draft = await importBank(testApp, smallBankText('draft'));
  t.same(await retireQuestionnaire(db, testApp.clock, draft, ACTOR), { ok: false, reasons: ['Seul un questionnaire publié peut être retiré.'] });
  t.equal((await questionnaireRow(testApp, draft)).status, 'draft');

  t.same(await publishQuestionnaire(db, testApp.clock, draft, ACTOR), { ok: true });
  const auditBefore = (await auditOf(testApp, draft)).length;
  t.same(await publishQuestionnaire(db, testApp.clock, draft, ACTOR), { ok: false, reasons: ['Seul un questionnaire en brouillon peut être publié.'] });
  t.equal((await auditOf(testApp, draft)).length, auditBefore, 'no second publication in the audit log');

  t.same(await retireQuestionnaire(db, testApp.clock, draft, ACTOR), { ok: true });
  t.same(
    await publishQuestionnaire(db, testApp.clock, draft, ACTOR),
    { ok: false, reasons: ['Seul un questionnaire en brouillon peut être publié.'] },
    'a retired version is not published again',
  );
  t.same(await retireQuestionnaire(db, testApp.clock, draft, ACTOR), { ok: false, reasons: ['Seul un questionnaire publié peut être retiré.'] });

  t.same(await publishQuestionnaire(db, testApp.clock, 999, ACTOR), { ok: false, reasons: ['Ce questionnaire n’existe pas.'] });
  t.same(await retireQuestionnaire(db, testApp.clock, 999, ACTOR), { ok: false, reasons: ['Ce questionnaire n’existe pas.'] });
});

t.test('publishing through the pages needs the confirmation form: GET asks, POST does it', async (t) => {
  const testApp = await createTestApp(t);
  const id = await importBank(testApp, smallBankText());
  const agent = await adminOf(testApp);

  const preview = await agent.get(`/admin/questionnaires/${id}`);
  t.match(preview.body, `href="/admin/questionnaires/${id}/publier"`, 'the draft preview links to the publish page');

  const confirm = await agent.get(`/admin/questionnaires/${id}/publier`);
  t.equal(confirm.statusCode, 200);
  t.equal(h1(confirm.body), 'Publier le questionnaire Opérateur 2022 ?');
  t.match(confirm.body, 'Une fois publiée, cette version ne pourra plus être modifiée');
  t.match(confirm.body, `<form method="post" action="/admin/questionnaires/${id}/publier">`);
  t.match(confirm.body, 'Confirmer la publication');
  t.equal((await questionnaireRow(testApp, id)).status, 'draft', 'showing the confirmation page publishes nothing');

  const forged = await agent.post(`/admin/questionnaires/${id}/publier`, {}, { csrf: null });
  t.equal(forged.statusCode, 403, 'a post without the CSRF token is refused');
  t.equal((await questionnaireRow(testApp, id)).status, 'draft');

  await agent.get(`/admin/questionnaires/${id}/publier`);
  // Less than the 30 minutes after which an idle sign-in ends.
  testApp.clock.advance(10 * 60_000);
  const done = await agent.post(`/admin/questionnaires/${id}/publier`, {});
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, `/admin/questionnaires/${id}`);
  const row = await questionnaireRow(testApp, id);
  t.equal(row.status, 'published');
  t.equal(row.published_at, testApp.clock.now().toISOString());
  const audit = await auditOf(testApp, id);
  t.same(audit.at(-1)?.action, 'questionnaire.publie');
  t.same(audit.at(-1)?.actor_label, ADMIN_EMAIL, 'the administrator is the actor');

  const after = await agent.get(`/admin/questionnaires/${id}`);
  t.same(flashes(after.body), [{ type: 'success', text: 'Le questionnaire est publié : les centres peuvent générer des jetons.' }]);
  t.match(after.body, 'Publiée', 'the status badge says published');
  t.match(after.body, `href="/admin/questionnaires/${id}/retirer"`, 'and offers to retire it');
  t.notMatch(after.body, `href="/admin/questionnaires/${id}/publier"`);

  // Publishing again (a stale page, a double click) is refused with a message.
  await agent.get(`/admin/questionnaires/${id}/publier`);
  const again = await agent.post(`/admin/questionnaires/${id}/publier`, {});
  t.equal(again.statusCode, 303);
  const refused = await agent.get(String(again.headers.location));
  t.same(flashes(refused.body), [{ type: 'error', text: 'Seul un questionnaire en brouillon peut être publié.' }]);
  t.equal((await auditOf(testApp, id)).filter((a) => a.action === 'questionnaire.publie').length, 1, 'published once only');

  // Retiring goes through its own confirmation page.
  const retireConfirm = await agent.get(`/admin/questionnaires/${id}/retirer`);
  t.equal(h1(retireConfirm.body), 'Retirer le questionnaire Opérateur 2022 ?');
  t.match(retireConfirm.body, 'Confirmer le retrait');
  t.equal((await questionnaireRow(testApp, id)).status, 'published');
  const retired = await agent.post(`/admin/questionnaires/${id}/retirer`, {});
  t.equal(retired.statusCode, 303);
  t.equal((await questionnaireRow(testApp, id)).status, 'retired');
  t.equal((await auditOf(testApp, id)).at(-1)?.action, 'questionnaire.retire');
  const retiredPage = await agent.get(`/admin/questionnaires/${id}`);
  t.same(flashes(retiredPage.body), [{ type: 'success', text: 'Le questionnaire est retiré : aucun nouvel examen ne peut commencer sur cette version.' }]);

  t.equal((await agent.get('/admin/questionnaires/999/publier')).statusCode, 404, 'an unknown questionnaire is a 404');
  t.equal((await agent.get('/admin/questionnaires/abc')).statusCode, 404);
});

t.test('the list page shows every version with its status', async (t) => {
  const testApp = await createTestApp(t);
  const published = await importBank(testApp, demoText('concepteur'), true);
  const draft = await importBank(testApp, smallBankText('2022-brouillon'));
  const agent = await adminOf(testApp);
  const res = await agent.get('/admin/questionnaires');
  t.equal(res.statusCode, 200);
  t.equal(h1(res.body), 'Questionnaires');
  for (const label of ['Profil Concepteur', 'Profil Encadrant', 'Profil Opérateur']) t.match(res.body, label);
  t.match(res.body, `<a href="/admin/questionnaires/${published}">2026</a>`);
  t.match(res.body, `<a href="/admin/questionnaires/${draft}">2022-brouillon</a>`);
  t.match(res.body, 'Publiée');
  t.match(res.body, 'Brouillon');
  t.match(res.body, 'Aucune version importée pour ce profil.', 'the encadrant profile has none');
});

// ——— The database freeze ——————————————————————————————————————————————————————————

const FROZEN = /questionnaire publié : modification interdite/;

/**
 * SQL sent through the database's own driver, beneath the app's Kysely: better-sqlite3, or the
 * PostgreSQL pool (the answer writer's way in). Parameters are written `?`, numbered for PostgreSQL.
 */
function driverOf(db: Db) {
  const all = async (text: string, ...params: unknown[]): Promise<Record<string, unknown>[]> => {
    if (db.kind === 'sqlite') return db.sqlite.prepare(text).all(...params) as Record<string, unknown>[];
    let n = 0;
    return (
      await db.pool.query(
        text.replace(/\?/g, () => `$${++n}`),
        params,
      )
    ).rows as Record<string, unknown>[];
  };
  return {
    all,
    /** The first row's first column. */
    value: async (text: string, ...params: unknown[]) => Object.values((await all(text, ...params))[0] ?? {})[0],
    run: async (text: string, ...params: unknown[]): Promise<void> => {
      if (db.kind === 'sqlite') db.sqlite.prepare(text).run(...params);
      else await all(text, ...params);
    },
  };
}

t.test('the database refuses any UPDATE or DELETE of questions and answers of a published or retired questionnaire', async (t) => {
  const testApp = await createTestApp(t);
  const { kysely } = testApp.db;
  const driver = driverOf(testApp.db);
  const draftId = await importBank(testApp, smallBankText('draft'));
  const publishedId = await importBank(testApp, smallBankText('published'), true);
  const retiredId = await importBank(testApp, smallBankText('retired'), true);
  t.same(await retireQuestionnaire(kysely, testApp.clock, retiredId, ACTOR), { ok: true });

  const firstQuestion = async (qid: number) => Number(await driver.value('select id from questions where questionnaire_id = ? order by position limit 1', qid));
  const firstAnswer = async (qid: number) =>
    Number(await driver.value('select a.id from answers a join questions q on q.id = a.question_id where q.questionnaire_id = ? order by a.id limit 1', qid));
  const snapshot = async () => ({
    questions: await driver.all('select * from questions order by id'),
    answers: await driver.all('select * from answers order by id'),
  });

  for (const [label, id] of [
    ['published', publishedId],
    ['retired', retiredId],
  ] as const) {
    const question = await firstQuestion(id);
    const answer = await firstAnswer(id);
    const before = await snapshot();

    // Through Kysely…
    await t.rejects(
      kysely.updateTable('questions').set({ statement: 'Énoncé corrigé en douce' }).where('id', '=', question).execute(),
      FROZEN,
      `${label}: kysely UPDATE questions`,
    );
    await t.rejects(kysely.deleteFrom('questions').where('id', '=', question).execute(), FROZEN, `${label}: kysely DELETE questions`);
    await t.rejects(kysely.updateTable('answers').set({ correct: 0 }).where('id', '=', answer).execute(), FROZEN, `${label}: kysely UPDATE answers`);
    await t.rejects(kysely.deleteFrom('answers').where('id', '=', answer).execute(), FROZEN, `${label}: kysely DELETE answers`);
    await t.rejects(sql`update answers set text = 'autre' where question_id = ${question}`.execute(kysely), FROZEN, `${label}: raw SQL through kysely`);
    // …and through the driver beneath it.
    await t.rejects(driver.run('update questions set priority = 1 - priority where questionnaire_id = ?', id), FROZEN, `${label}: driver UPDATE questions`);
    await t.rejects(driver.run('delete from questions where questionnaire_id = ?', id), FROZEN, `${label}: driver DELETE questions`);
    await t.rejects(driver.run('update answers set correct = 1 - correct where id = ?', answer), FROZEN, `${label}: driver UPDATE answers`);
    await t.rejects(driver.run('delete from answers where id = ?', answer), FROZEN, `${label}: driver DELETE answers`);
    await t.rejects(driver.run("update questionnaires set title = 'Autre titre' where id = ?", id), FROZEN, `${label}: driver UPDATE of the title`);
    await t.rejects(driver.run("update questionnaires set rules = '{}' where id = ?", id), FROZEN, `${label}: driver UPDATE of the rules`);
    // The columns added since (migrations/0017) are frozen alike.
    await t.rejects(
      kysely.updateTable('questions').set({ reference: 'R554-21' }).where('id', '=', question).execute(),
      FROZEN,
      `${label}: kysely UPDATE of a reference`,
    );
    await t.rejects(
      driver.run("update questions set image_description = 'Une autre image' where questionnaire_id = ?", id),
      FROZEN,
      `${label}: driver UPDATE of an image description`,
    );
    t.same(await snapshot(), before, `${label}: nothing changed`);
  }

  // The freeze is about published banks only: a draft can still be corrected.
  const draftQuestion = await firstQuestion(draftId);
  await kysely.updateTable('questions').set({ statement: 'Énoncé corrigé' }).where('id', '=', draftQuestion).execute();
  t.equal(await driver.value('select statement from questions where id = ?', draftQuestion), 'Énoncé corrigé', 'a draft question can be updated');
  await driver.run("update questions set reference = 'R554-21' where id = ?", draftQuestion);
  t.equal(await driver.value('select reference from questions where id = ?', draftQuestion), 'R554-21', 'its reference too');
  await t.resolves(driver.run('delete from answers where id = ?', await firstAnswer(draftId)), 'a draft answer can be deleted');
});

/*
 * The freeze must leave no way around it: each statement below changes a bank that candidates
 * may have sat. The triggers of migrations/0002 only look at OLD rows of UPDATE/DELETE on
 * questions and answers, so INSERTs, moves into a published bank, a status put back to draft and
 * the cascade of a DELETE on questionnaires all get through.
 */
t.test('the freeze of a published questionnaire has no way around it', async (t) => {
  const testApp = await createTestApp(t);
  const driver = driverOf(testApp.db);
  const countOf = async (table: string) => Number(await driver.value(`select count(*) as n from ${table}`));
  const firstQuestion = async (qid: number) => Number(await driver.value('select id from questions where questionnaire_id = ? order by position limit 1', qid));
  /** A published questionnaire of its own for each case, and its first question. */
  const published = async (version: string) => {
    const id = await importBank(testApp, smallBankText(version), true);
    return { id, question: await firstQuestion(id) };
  };

  t.test('no new answer can be added to a published question', async (t) => {
    const { question } = await published('insert-answer');
    await t.rejects(driver.run("insert into answers (question_id, position, text, correct) values (?, 9, 'Réponse ajoutée', 1)", question), FROZEN);
  });
  t.test('no new question can be added to a published questionnaire', async (t) => {
    const { id } = await published('insert-question');
    await t.rejects(
      driver.run(
        "insert into questions (questionnaire_id, position, code, theme, priority, statement) values (?, 99, 'OP-099', 'Réseaux', 1, 'Question ajoutée')",
        id,
      ),
      FROZEN,
    );
  });
  t.test('no answer or question of a draft can be moved into a published questionnaire', async (t) => {
    const { id, question } = await published('move-into');
    const draftId = await importBank(testApp, smallBankText('move-from-draft'));
    const draftQuestion = await firstQuestion(draftId);
    const draftAnswer = Number(await driver.value('select id from answers where question_id = ? order by position limit 1', draftQuestion));
    await t.rejects(driver.run('update answers set question_id = ? where id = ?', question, draftAnswer), FROZEN, 'an answer moved into a published question');
    await t.rejects(
      driver.run("update questions set questionnaire_id = ?, code = 'OP-777' where id = ?", id, draftQuestion),
      FROZEN,
      'a question moved into a published questionnaire',
    );
  });
  t.test('a published questionnaire cannot be put back to draft to be edited', async (t) => {
    const { id } = await published('back-to-draft');
    await t.rejects(driver.run("update questionnaires set status = 'draft' where id = ?", id), FROZEN);
  });
  t.test('a published questionnaire cannot be deleted with its questions', async (t) => {
    const { id } = await published('delete');
    const before = { questionnaires: await countOf('questionnaires'), questions: await countOf('questions'), answers: await countOf('answers') };
    await t.rejects(driver.run('delete from questionnaires where id = ?', id), FROZEN);
    t.same(
      { questionnaires: await countOf('questionnaires'), questions: await countOf('questions'), answers: await countOf('answers') },
      before,
      'the questionnaire, its questions and answers are still there',
    );
  });
});

// ——— Preview ——————————————————————————————————————————————————————————————————

t.test('the preview shows every question of the bank, "Je ne sais pas", and marks the right answer exactly once', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  for (const profile of PROFILES) {
    const bank = JSON.parse(demoText(profile)) as { titre: string; questions: DemoQuestion[] };
    const id = await importBank(testApp, demoText(profile), profile !== 'encadrant');
    const res = await agent.get(`/admin/questionnaires/${id}`);
    t.equal(res.statusCode, 200, `${profile}: 200`);
    t.equal(h1(res.body), bank.titre, `${profile}: the title`);

    const blocks = previewBlocks(res.body);
    t.equal(blocks.length, bank.questions.length, `${profile}: one block per question of the bank`);
    let wrong = 0;
    bank.questions.forEach((question, i) => {
      const block = blocks[i] ?? '';
      const ok =
        block.includes(escapeHtml(question.enonce)) &&
        block.includes(`${question.code} · ${escapeHtml(question.theme)}`) &&
        occurrences(block, '(bonne réponse)') === 1 &&
        occurrences(block, 'Je ne sais pas') === 1 &&
        occurrences(block, 'Prioritaire') === (question.prioritaire ? 1 : 0) &&
        JSON.stringify(previewAnswers(block)) ===
          JSON.stringify([...question.reponses.map((r) => (r.correcte ? `${r.texte} (bonne réponse)` : r.texte)), 'Je ne sais pas']);
      if (!ok) {
        wrong++;
        t.fail(`${profile}: question ${question.code} is not shown as in the bank`, { found: previewAnswers(block), block });
      }
    });
    t.equal(wrong, 0, `${profile}: every statement, every answer, the right one marked once, "Je ne sais pas" once`);
    t.equal(occurrences(res.body, '(bonne réponse)'), bank.questions.length, `${profile}: "(bonne réponse)" once per question in the page`);
    t.equal(
      occurrences(res.body, `src="/admin/questionnaires/${id}/images/`),
      bank.questions.filter((x) => x.image !== undefined).length,
      `${profile}: an <img> for each question with an image`,
    );
  }
});

t.test('the preview escapes the text of the bank', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const id = await importBank(testApp, smallBankText());
  const res = await agent.get(`/admin/questionnaires/${id}`);
  t.notMatch(res.body, '<b>1</b>', 'markup in a statement is not interpreted');
  t.match(res.body, 'doit-il répondre ? &lt;b&gt;1&lt;/b&gt; &amp; &#39;guillemets&#39;');
  const blocks = previewBlocks(res.body);
  t.equal(blocks.length, 6);
  t.same(previewAnswers(blocks[2]!), ['Oui (3)', 'Non (3) (bonne réponse)', 'Je ne sais pas vraiment (3)', 'Je ne sais pas']);
});

t.test('the preview shows each question’s regulatory reference, and its image’s description as the text alternative', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const description = 'Plan « A » & tracé "B" du réseau';
  const bank = JSON.parse(smallBankText()) as { questions: (DemoQuestion & { description_image?: string; reference?: string })[] };
  Object.assign(bank.questions[0]!, { description_image: description, reference: ' R554-21 ' });
  Object.assign(bank.questions[2]!, { reference: 'Code du travail, R4534-108' });
  const id = await importBank(testApp, JSON.stringify(bank));
  const res = await agent.get(`/admin/questionnaires/${id}`);
  const blocks = previewBlocks(res.body);
  const headings = blocks.map((block) => visibleText(/<p[^>]*>([\s\S]*?)<\/p>/.exec(block)?.[1] ?? ''));
  t.same(
    headings,
    [
      'OP-001 · Réseaux · Prioritaire · Référence : R554-21',
      'OP-002 · Réglementation · Prioritaire',
      'OP-003 · Réseaux · Référence : Code du travail, R4534-108',
      'OP-004 · Réglementation',
      'OP-005 · Réseaux',
      'OP-006 · Réglementation',
    ],
    'the reference beside the code and theme, only where the bank gives one',
  );
  t.match(blocks[0], `alt="${escapeHtml(description)}"`, 'a described image has its description as alt');
  t.match(blocks[1], 'alt="Illustration de la question OP-002"', 'an image without description keeps the generic alt');
});

// ——— Images ——————————————————————————————————————————————————————————————————————

t.test('the image route serves each image with its type and a sandboxing policy', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const id = await importBank(testApp, demoText('operateur'), true);
  const demo = JSON.parse(demoText('operateur')) as { questions: DemoQuestion[] };
  const withImage = await testApp.db.kysely
    .selectFrom('questions')
    .select(['id', 'code'])
    .where('questionnaire_id', '=', id)
    .where('image_data', 'is not', null)
    .orderBy('position')
    .execute();
  t.equal(withImage.length, demo.questions.filter((x) => x.image).length);
  for (const { id: questionId, code } of withImage) {
    const res = await agent.get(`/admin/questionnaires/${id}/images/${questionId}`);
    t.equal(res.statusCode, 200, `${code}: 200`);
    t.equal(res.headers['content-type'], 'image/svg+xml', `${code}: its content type`);
    const csp = String(res.headers['content-security-policy']);
    t.match(csp, /(^|;\s*)sandbox(\s*;|$)/, `${code}: the policy sandboxes it`);
    t.match(csp, /default-src 'none'/, `${code}: and allows nothing else`);
    const uri = demo.questions.find((x) => x.code === code)!.image!;
    t.same(res.rawPayload, Buffer.from(uri.slice(uri.indexOf(',') + 1), 'base64'), `${code}: the bytes of the bank`);
  }

  const noImage = await testApp.db.kysely
    .selectFrom('questions')
    .select('id')
    .where('questionnaire_id', '=', id)
    .where('image_data', 'is', null)
    .executeTakeFirstOrThrow();
  t.equal((await agent.get(`/admin/questionnaires/${id}/images/${noImage.id}`)).statusCode, 404, 'a question without image: 404');
  const otherId = await importBank(testApp, smallBankText());
  t.equal((await agent.get(`/admin/questionnaires/${otherId}/images/${withImage[0]!.id}`)).statusCode, 404, 'an image through another questionnaire: 404');
});

t.test('a PNG is served as image/png, and an SVG with a <script> is stored but served sandboxed', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const id = await importBank(testApp, smallBankText());
  const rows = await testApp.db.kysely
    .selectFrom('questions')
    .select(['id', 'code', 'image_mime', 'image_data'])
    .where('questionnaire_id', '=', id)
    .orderBy('position')
    .limit(2)
    .execute();
  const [png, svg] = rows;

  t.equal(png?.image_mime, 'image/png');
  const pngRes = await agent.get(`/admin/questionnaires/${id}/images/${png!.id}`);
  t.equal(pngRes.statusCode, 200);
  t.equal(pngRes.headers['content-type'], 'image/png');
  t.same(pngRes.rawPayload, PNG);
  t.match(String(pngRes.headers['content-security-policy']), /(^|;\s*)sandbox(\s*;|$)/);

  t.equal(svg?.image_mime, 'image/svg+xml');
  t.equal(svg?.image_data?.toString('utf8'), SVG_WITH_SCRIPT, 'the SVG is stored as imported, script included');
  const svgRes = await agent.get(`/admin/questionnaires/${id}/images/${svg!.id}`);
  t.equal(svgRes.statusCode, 200);
  t.equal(svgRes.headers['content-type'], 'image/svg+xml');
  t.equal(svgRes.body, SVG_WITH_SCRIPT);
  const csp = String(svgRes.headers['content-security-policy']);
  t.match(csp, /(^|;\s*)sandbox(\s*;|$)/, 'opened on its own, the SVG is sandboxed');
  t.match(csp, /default-src 'none'/, 'and may load nothing');
  t.notMatch(csp, /script-src/, 'no script source is allowed');
  t.notMatch(csp, /allow-scripts/, 'the sandbox does not allow scripts');
  t.equal(svgRes.headers['x-content-type-options'], 'nosniff');

  const preview = await agent.get(`/admin/questionnaires/${id}`);
  t.match(
    preview.body,
    `<img class="app-preview-image" src="/admin/questionnaires/${id}/images/${svg!.id}"`,
    'the preview shows it through <img>, which never runs script',
  );
  t.notMatch(preview.body, '<script>document.title', 'the SVG is never inlined in the page');
});

// ——— Access ——————————————————————————————————————————————————————————————————————

t.test('a manager gets 403 on every questionnaire page and cannot publish', async (t) => {
  const testApp = await createTestApp(t);
  const id = await importBank(testApp, smallBankText());
  const agent = await managerOf(testApp);
  const linked = await testApp.db.kysely.selectFrom('account_centres').selectAll().execute();
  t.same(linked, [], 'the manager is linked to no centre');

  for (const url of [
    '/admin/questionnaires',
    `/admin/questionnaires/${id}`,
    '/admin/questionnaires/importer',
    `/admin/questionnaires/${id}/publier`,
    `/admin/questionnaires/${id}/retirer`,
    `/admin/questionnaires/${id}/images/1`,
  ]) {
    const res = await agent.get(url);
    t.equal(res.statusCode, 403, `GET ${url}: 403`);
    t.equal(h1(res.body), 'Accès refusé', `GET ${url}: the French page`);
    t.notMatch(res.body, 'Question 1', `GET ${url}: no question shown`);
  }

  // The manager's own, valid CSRF token: only the role stops the post.
  t.ok(agent.csrfToken, 'the manager has a CSRF token from the pages it saw');
  const publish = await agent.post(`/admin/questionnaires/${id}/publier`, {});
  t.equal(publish.statusCode, 403, 'POST publier: 403');
  const row = await questionnaireRow(testApp, id);
  t.equal(row.status, 'draft', 'still a draft');
  t.same(
    (await auditOf(testApp, id)).map((a) => a.action),
    ['questionnaire.importe'],
    'no publication recorded',
  );
});

t.test('anonymous visitors are sent to the sign-in page', async (t) => {
  const testApp = await createTestApp(t);
  const id = await importBank(testApp, smallBankText());
  const agent = new Agent(testApp.app);
  for (const url of [
    '/admin/questionnaires',
    `/admin/questionnaires/${id}`,
    '/admin/questionnaires/importer',
    `/admin/questionnaires/${id}/publier`,
    `/admin/questionnaires/${id}/images/1`,
  ]) {
    const res = await agent.get(url);
    t.equal(res.statusCode, 302, `GET ${url}: redirected`);
    t.equal(res.headers.location, `/connexion?${new URLSearchParams({ suivant: url }).toString()}`, `GET ${url}: to the sign-in page, then back`);
  }
  // A post with a valid session token but no sign-in: sent to sign in, nothing published.
  await agent.get('/connexion');
  const post = await agent.post(`/admin/questionnaires/${id}/publier`, {});
  t.equal(post.statusCode, 303);
  t.match(String(post.headers.location), /^\/connexion\b/);
  t.equal((await questionnaireRow(testApp, id)).status, 'draft');
});

t.test('a manager cannot import a bank through the upload form', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await managerOf(testApp);
  await agent.get('/admin/questionnaires/importer');
  const res = await agent.postMultipart('/admin/questionnaires/importer', {
    banque: { name: 'banque.json', content: smallBankText('intrus') },
    publier: 'oui',
  });
  t.equal(res.statusCode, 403);
  const count = await testApp.db.kysely
    .selectFrom('questionnaires')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 0, 'nothing imported');
});
