/**
 * Importing question banks (issue 3): through importQuestionnaire (lifecycle.ts) and through the
 * admin upload form POST /admin/questionnaires/importer. Every refused bank must give its French
 * message and leave the database exactly as it was (all or nothing).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { importQuestionnaire, type BankSource } from '../../../src/areas/admin/questionnaires/lifecycle.js';
import { describeBankError, MAX_IMAGE_BYTES, type BankError } from '../../../src/domain/bank/index.js';
import { PROFILES } from '../../../src/domain/profiles.js';
import { MAX_UPLOAD_BYTES } from '../../../src/plugins/uploads.js';
import { accountAgent } from '../../helpers/agents.js';
import { createTestApp, type Agent, type TestApp, type UploadFile } from '../../helpers/app.js';
import { decodeEntities, flashes, h1 } from '../../helpers/html.js';

// ——— Fixtures ——————————————————————————————————————————————————————————————————

const ADMIN_EMAIL = 'admin@aipr.test';
const CLI_ACTOR = { actor: { accountId: null, label: 'test' } };

const demoPath = (profile: string) => fileURLToPath(new URL(`../../../demo/questionnaires/${profile}.json`, import.meta.url));
const fixturePath = (name: string) => fileURLToPath(new URL(`../../fixtures/banks/${name}`, import.meta.url));
const demoText = (profile: string) => readFileSync(demoPath(profile), 'utf8');

interface DemoBank {
  profil: string;
  version: string;
  titre: string;
  questions: { code: string; prioritaire: boolean; enonce: string; image?: string; reponses: { texte: string; correcte: boolean }[] }[];
}
const demoBank = (profile: string) => JSON.parse(demoText(profile)) as DemoBank;

type JsonQuestion = Record<string, unknown> & { reponses: Record<string, unknown>[] };
type JsonBank = Record<string, unknown> & { regles: Record<string, unknown>; questions: JsonQuestion[] };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const NBSP = '\u00a0';

function question(n: number, priority: boolean): JsonQuestion {
  return {
    code: `OP-${String(n).padStart(3, '0')}`,
    theme: n % 2 === 0 ? 'Réglementation' : 'Réseaux',
    prioritaire: priority,
    enonce: `Question ${n} ?`,
    reponses: [
      { texte: 'Réponse A', correcte: true },
      { texte: 'Réponse B', correcte: false },
      { texte: 'Réponse C', correcte: false },
    ],
  };
}

/** A valid bank: 4 questions per exam, 1 of them priority; the bank holds 6, 2 of them priority. */
function smallBank(version = '2022'): JsonBank {
  return {
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
    questions: [1, 2, 3, 4, 5, 6].map((n) => question(n, n <= 2)),
  };
}

function withBank(change: (bank: JsonBank) => void): string {
  const bank = smallBank();
  change(bank);
  return JSON.stringify(bank, null, 2);
}

const q = (bank: JsonBank, index: number): JsonQuestion => bank.questions[index]!;

const SMALL_CSV_HEADER = 'code;theme;prioritaire;enonce;reponse_1;reponse_2;reponse_3;reponse_4;bonne_reponse';
const csvHeaderJson = () => {
  const { questions: _questions, ...header } = smallBank();
  return JSON.stringify(header);
};

/** One bad bank per kind of error, with the exact errors it must give. */
interface BadCase {
  name: string;
  source: BankSource;
  /** The file name used for the upload form. */
  fileName: string;
  errors: BankError[];
}

const BAD_CASES: BadCase[] = [
  {
    name: 'malformed JSON',
    source: { format: 'json', text: '{\n  "profil": "operateur",\n  "version": "2022",\n}\n' },
    fileName: 'banque.json',
    errors: [
      {
        where: null,
        message: 'Le fichier JSON est mal formé, ligne 4, colonne 1 : nom de champ entre guillemets doubles attendu (virgule en trop avant « } » ?).',
      },
    ],
  },
  {
    name: 'malformed CSV (a quote never closed)',
    source: {
      format: 'csv',
      csv: [
        SMALL_CSV_HEADER,
        'OP-001;Réseaux;oui;Question 1 ?;A;B;;;1',
        'OP-002;Réseaux;oui;"Question 2 ?;A;B;;;1',
        'OP-003;Réseaux;non;Question 3 ?;A;B;;;1',
        '',
      ].join('\n'),
      header: csvHeaderJson(),
    },
    fileName: 'banque.csv',
    errors: [{ where: 'ligne 3', message: 'Fichier CSV mal formé : le guillemet ouvert ligne 3 n’est jamais refermé.' }],
  },
  {
    name: 'unknown profile',
    source: { format: 'json', text: withBank((b) => (b.profil = 'pilote')) },
    fileName: 'banque.json',
    errors: [{ where: 'profil', message: 'Profil inconnu « pilote » : les profils possibles sont concepteur, encadrant, operateur.' }],
  },
  {
    name: 'missing field',
    source: { format: 'json', text: withBank((b) => delete q(b, 2).enonce) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-003', message: 'Champ obligatoire « enonce » manquant.' }],
  },
  {
    name: 'duplicate code',
    source: { format: 'json', text: withBank((b) => (q(b, 3).code = 'OP-002')) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-002', message: 'Le code « OP-002 » est en double : la question n° 4 reprend le code de la question n° 2.' }],
  },
  {
    name: 'fewer than 2 answers',
    source: { format: 'json', text: withBank((b) => (q(b, 0).reponses = [{ texte: 'Seule réponse', correcte: true }])) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-001', message: 'La question n’a qu’une réponse : il en faut au moins 2.' }],
  },
  {
    name: 'more than 4 answers',
    source: {
      format: 'json',
      text: withBank((b) => (q(b, 0).reponses = ['A', 'B', 'C', 'D', 'E'].map((texte, i) => ({ texte, correcte: i === 0 })))),
    },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-001', message: 'La question a 5 réponses : il en faut au plus 4.' }],
  },
  {
    name: 'zero correct answers',
    source: { format: 'json', text: withBank((b) => q(b, 4).reponses.forEach((r) => (r.correcte = false))) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-005', message: 'Aucune réponse n’est marquée correcte : il en faut exactement une.' }],
  },
  {
    name: 'several correct answers',
    source: { format: 'json', text: withBank((b) => (q(b, 4).reponses[2]!.correcte = true)) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-005', message: '2 réponses sont marquées correctes : il en faut exactement une.' }],
  },
  {
    name: 'image of a type that is not accepted (GIF)',
    source: { format: 'json', text: withBank((b) => (q(b, 1).image = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=')) },
    fileName: 'banque.json',
    errors: [
      {
        where: 'question OP-002',
        message: 'Type d’image non accepté (« image/gif ») : seuls PNG (image/png), JPEG (image/jpeg) et SVG (image/svg+xml) sont acceptés.',
      },
    ],
  },
  {
    name: 'PNG data URI whose bytes are not a PNG',
    source: { format: 'json', text: withBank((b) => (q(b, 1).image = `data:image/png;base64,${Buffer.from('GIF89a, pas un PNG').toString('base64')}`)) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-002', message: 'Le contenu de l’image n’est pas une image PNG, contrairement au type déclaré (image/png).' }],
  },
  {
    name: 'image over 1 MB',
    source: {
      format: 'json',
      text: withBank((b) => {
        const png = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(MAX_IMAGE_BYTES + 1 - PNG_SIGNATURE.length)]);
        q(b, 1).image = `data:image/png;base64,${png.toString('base64')}`;
      }),
    },
    fileName: 'banque.json',
    errors: [
      {
        where: 'question OP-002',
        message: `L’image pèse 1${NBSP}048${NBSP}577 octets une fois décodée : la limite est de 1 Mo (1${NBSP}048${NBSP}576 octets).`,
      },
    ],
  },
  {
    name: 'image description without an image',
    source: { format: 'json', text: withBank((b) => (q(b, 2).description_image = 'Plan du chantier, la tranchée en pointillés.')) },
    fileName: 'banque.json',
    errors: [
      {
        where: 'question OP-003',
        message: 'Le champ « description_image » est rempli mais la question n’a pas d’image : ajoutez son « image » ou retirez la description.',
      },
    ],
  },
  {
    name: 'image description in a CSV bank, which carries no image',
    source: {
      format: 'csv',
      csv: [
        `${SMALL_CSV_HEADER};description_image`,
        'OP-001;Réseaux;oui;Question 1 ?;A;B;;;1;',
        'OP-002;Réseaux;oui;Question 2 ?;A;B;;;1;Plan du chantier',
        'OP-003;Réseaux;non;Question 3 ?;A;B;;;1;',
        'OP-004;Réseaux;non;Question 4 ?;A;B;;;1;',
        'OP-005;Réseaux;non;Question 5 ?;A;B;;;1;',
        '',
      ].join('\n'),
      header: csvHeaderJson(),
    },
    fileName: 'banque.csv',
    errors: [
      {
        where: 'ligne 3',
        message: 'La colonne « description_image » est remplie mais le format CSV ne porte pas d’image : une question illustrée s’importe au format JSON.',
      },
    ],
  },
  {
    name: 'reference over 60 characters',
    source: { format: 'json', text: withBank((b) => (q(b, 0).reference = `Code de l’environnement, articles ${'R554-1, '.repeat(4)}etc.`)) },
    fileName: 'banque.json',
    errors: [{ where: 'question OP-001', message: 'Le champ « reference » dépasse 60 caractères (70).' }],
  },
  {
    name: 'more priority questions per exam than the bank holds',
    source: { format: 'json', text: withBank((b) => (b.regles.questions_prioritaires = 3)) },
    fileName: 'banque.json',
    errors: [{ where: null, message: 'La banque contient 2 questions prioritaires alors que chaque examen en tire 3.' }],
  },
  {
    name: 'fewer questions than nombre_questions',
    source: { format: 'json', text: withBank((b) => (b.regles.nombre_questions = 7)) },
    fileName: 'banque.json',
    errors: [
      { where: null, message: 'La banque contient 6 questions alors que chaque examen en tire 7.' },
      { where: null, message: 'La banque contient 4 questions non prioritaires alors que chaque examen en tire 6 (7 questions dont 1 prioritaires).' },
    ],
  },
];

/** The bank of test/fixtures/banks/several-errors.json: five errors, all of which must be listed. */
const SEVERAL_ERRORS: BankError[] = [
  { where: 'profil', message: 'Profil inconnu « pilote » : les profils possibles sont concepteur, encadrant, operateur.' },
  { where: 'question ER-002', message: 'Aucune réponse n’est marquée correcte : il en faut exactement une.' },
  {
    where: 'question ER-003',
    message: 'Type d’image non accepté (« image/gif ») : seuls PNG (image/png), JPEG (image/jpeg) et SVG (image/svg+xml) sont acceptés.',
  },
  { where: 'question ER-002', message: 'Le code « ER-002 » est en double : la question n° 4 reprend le code de la question n° 2.' },
  { where: 'question ER-005', message: 'Champ obligatoire « enonce » manquant.' },
];

// ——— Helpers ——————————————————————————————————————————————————————————————————

/** A national administrator of the test's own: the app has no demo data, to count rows from zero. */
const adminOf = (testApp: TestApp) => accountAgent(testApp, { email: ADMIN_EMAIL, role: 'admin' });

type Counts = Record<'questionnaires' | 'questions' | 'answers' | 'audit_log', number>;

async function counts(testApp: TestApp): Promise<Counts> {
  const count = async (table: keyof Counts) =>
    (
      await testApp.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;
  return {
    questionnaires: await count('questionnaires'),
    questions: await count('questions'),
    answers: await count('answers'),
    audit_log: await count('audit_log'),
  };
}

/** Posts the import form as a browser would: multipart, with the session cookie and the form's CSRF token. */
function upload(
  agent: Agent,
  files: { banque?: UploadFile; entete?: UploadFile },
  options: { publish?: boolean; csrf?: string | null } = {},
): Promise<LightMyRequestResponse> {
  return agent.postMultipart('/admin/questionnaires/importer', { ...files, ...(options.publish ? { publier: 'oui' } : {}) }, { csrf: options.csrf });
}

function uploadFilesOf(c: BadCase): { banque: UploadFile; entete?: UploadFile } {
  return c.source.format === 'json'
    ? { banque: { name: c.fileName, content: c.source.text } }
    : { banque: { name: c.fileName, content: c.source.csv }, entete: { name: 'entete.json', content: c.source.header } };
}

/** The errors listed in the red box of the import page, as the administrator reads them. */
function listedErrors(body: string): string[] | null {
  const box = /<div class="fr-alert fr-alert--error[^"]*"[^>]*id="erreurs-import"[^>]*>([\s\S]*?)<\/div>/.exec(body)?.[1];
  if (box === undefined) return null;
  return [...box.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => decodeEntities(m[1]!.trim()));
}

function alertTitle(body: string): string | null {
  const title = /<h2 class="fr-alert__title">([\s\S]*?)<\/h2>/.exec(body)?.[1];
  return title === undefined ? null : decodeEntities(title.trim());
}

const refusedTitle = (n: number) => `La banque est refusée : ${n} erreur${n > 1 ? 's' : ''}`;

// ——— The demo banks ——————————————————————————————————————————————————————————

t.test('the three demo banks import and publish through importQuestionnaire, stored question by question', async (t) => {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  for (const profile of PROFILES) {
    const demo = demoBank(profile);
    const outcome = await importQuestionnaire(db, testApp.clock, { format: 'json', text: demoText(profile) }, { publish: true, ...CLI_ACTOR });
    if (!outcome.ok) {
      t.fail(`${profile}: refused: ${outcome.errors.map(describeBankError).join(' | ')}`);
      continue;
    }
    t.equal(outcome.published, true, `${profile}: reported as published`);
    const row = await db.selectFrom('questionnaires').selectAll().where('id', '=', outcome.questionnaireId).executeTakeFirstOrThrow();
    t.equal(row.profile, profile);
    t.equal(row.version, demo.version);
    t.equal(row.title, demo.titre);
    t.equal(row.status, 'published', `${profile}: status published`);
    t.equal(row.published_at, testApp.clock.now().toISOString(), `${profile}: published_at is the clock's time`);

    const questions = await db
      .selectFrom('questions')
      .select(['id', 'code', 'priority', 'statement', 'image_mime', 'position'])
      .where('questionnaire_id', '=', outcome.questionnaireId)
      .orderBy('position')
      .execute();
    t.equal(questions.length, demo.questions.length, `${profile}: every question stored`);
    t.same(
      questions.map((x) => x.code),
      demo.questions.map((x) => x.code),
      `${profile}: questions kept in the order of the file`,
    );
    t.equal(questions.filter((x) => x.priority === 1).length, demo.questions.filter((x) => x.prioritaire).length, `${profile}: priority flags kept`);
    t.equal(
      questions.filter((x) => x.image_mime === 'image/svg+xml').length,
      demo.questions.filter((x) => x.image !== undefined).length,
      `${profile}: images kept`,
    );
    const answers = await db
      .selectFrom('answers')
      .innerJoin('questions', 'questions.id', 'answers.question_id')
      .select(['questions.code', 'answers.text', 'answers.correct', 'answers.position'])
      .where('questions.questionnaire_id', '=', outcome.questionnaireId)
      .orderBy('questions.position')
      .orderBy('answers.position')
      .execute();
    t.same(
      answers.map((a) => [a.code, a.text, a.correct]),
      demo.questions.flatMap((x) => x.reponses.map((r) => [x.code, r.texte, r.correcte ? 1 : 0])),
      `${profile}: answers stored in order, with the right one marked`,
    );

    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_label'])
      .where('target_type', '=', 'questionnaire')
      .where('target_id', '=', String(outcome.questionnaireId))
      .orderBy('id')
      .execute();
    t.same(
      audit.map((a) => a.action),
      ['questionnaire.importe', 'questionnaire.publie'],
      `${profile}: import and publication are both in the audit log`,
    );
  }
  const all = await db.selectFrom('questionnaires').select(['profile', 'status']).orderBy('profile').execute();
  t.same(
    all,
    PROFILES.map((profile) => ({ profile, status: 'published' })),
    'one published version per profile',
  );
});

t.test('a demo bank uploaded through the admin form with "publier" is imported and published', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);

  const form = await agent.get('/admin/questionnaires/importer');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Importer une banque de questions');
  t.match(form.body, 'enctype="multipart/form-data"', 'the form sends files');

  const res = await upload(agent, { banque: { name: 'encadrant.json', content: readFileSync(demoPath('encadrant')) } }, { publish: true });
  t.equal(res.statusCode, 303, 'redirected after a successful import');
  const row = await testApp.db.kysely.selectFrom('questionnaires').selectAll().executeTakeFirstOrThrow();
  t.equal(res.headers.location, `/admin/questionnaires/${row.id}`, 'to the preview of the new version');
  t.equal(row.profile, 'encadrant');
  t.equal(row.status, 'published');

  const page = await agent.get(String(res.headers.location));
  t.equal(page.statusCode, 200);
  t.same(flashes(page.body), [{ type: 'success', text: 'La banque a été importée et publiée.' }], 'the administrator is told it is published');
  t.equal(h1(page.body), demoBank('encadrant').titre);

  const audit = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'actor_label', 'actor_account_id'])
    .where('action', 'like', 'questionnaire.%')
    .orderBy('id')
    .execute();
  t.same(
    audit.map((a) => [a.action, a.actor_label]),
    [
      ['questionnaire.importe', ADMIN_EMAIL],
      ['questionnaire.publie', ADMIN_EMAIL],
    ],
    'the audit log names the administrator',
  );
  t.ok(
    audit.every((a) => a.actor_account_id !== null),
    'with their account id',
  );
});

t.test('an upload without "publier" stays a draft', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const res = await upload(agent, { banque: { name: 'Operateur.JSON', content: readFileSync(demoPath('operateur')) } });
  t.equal(res.statusCode, 303);
  const row = await testApp.db.kysely.selectFrom('questionnaires').selectAll().executeTakeFirstOrThrow();
  t.equal(row.status, 'draft');
  t.equal(row.published_at, null);
  const page = await agent.get(String(res.headers.location));
  t.same(flashes(page.body), [{ type: 'success', text: 'La banque a été importée en brouillon. Vérifiez-la avant de la publier.' }]);
  t.match(page.body, 'Publier cette version', 'the preview offers to publish it');
});

t.test('image descriptions and references are stored with their questions, from JSON and from CSV; without them, null', async (t) => {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  const png = `data:image/png;base64,${Buffer.concat([PNG_SIGNATURE, Buffer.alloc(16)]).toString('base64')}`;
  const json = withBank((b) => {
    Object.assign(q(b, 0), { image: png, description_image: ' Plan : la tranchée croise le réseau. ', reference: 'R554-21' });
    Object.assign(q(b, 1), { image: png });
    Object.assign(q(b, 2), { reference: 'Code du travail, R4534-108' });
  });
  const csv = [
    `${SMALL_CSV_HEADER};reference;description_image`,
    ...[1, 2, 3, 4, 5, 6].map((n) => `OP-00${n};Réseaux;${n <= 2 ? 'oui' : 'non'};Question ${n} ?;A;B;;;1;${n === 3 ? 'R554-21' : ''};`),
    '',
  ].join('\n');
  const stored = async (source: BankSource) => {
    const outcome = await importQuestionnaire(db, testApp.clock, source, { publish: false, ...CLI_ACTOR });
    if (!outcome.ok) throw new Error(outcome.errors.map(describeBankError).join(' | '));
    return db
      .selectFrom('questions')
      .select(['code', 'image_mime', 'image_description', 'reference'])
      .where('questionnaire_id', '=', outcome.questionnaireId)
      .orderBy('position')
      .execute();
  };
  t.same(
    await stored({ format: 'json', text: json }),
    [
      { code: 'OP-001', image_mime: 'image/png', image_description: 'Plan : la tranchée croise le réseau.', reference: 'R554-21' },
      { code: 'OP-002', image_mime: 'image/png', image_description: null, reference: null },
      { code: 'OP-003', image_mime: null, image_description: null, reference: 'Code du travail, R4534-108' },
      { code: 'OP-004', image_mime: null, image_description: null, reference: null },
      { code: 'OP-005', image_mime: null, image_description: null, reference: null },
      { code: 'OP-006', image_mime: null, image_description: null, reference: null },
    ],
    'JSON: the description with its image, the references where given',
  );
  t.same(
    await stored({ format: 'csv', csv, header: JSON.stringify({ ...JSON.parse(csvHeaderJson()), version: '2022-csv' }) }),
    [1, 2, 3, 4, 5, 6].map((n) => ({ code: `OP-00${n}`, image_mime: null, image_description: null, reference: n === 3 ? 'R554-21' : null })),
    'CSV: the reference column read, the empty description column ignored',
  );
});

// ——— One bad bank per kind of error ————————————————————————————————————————————————

t.test('each kind of bad bank is refused by importQuestionnaire with its French message, and nothing is stored', async (t) => {
  const testApp = await createTestApp(t);
  // Something already there, so that "unchanged" is not just "still empty".
  const seeded = await importQuestionnaire(
    testApp.db.kysely,
    testApp.clock,
    { format: 'json', text: JSON.stringify(smallBank('2021')) },
    { publish: false, ...CLI_ACTOR },
  );
  t.ok(seeded.ok, 'a first valid bank is imported');
  for (const c of BAD_CASES) {
    const before = await counts(testApp);
    for (const publish of [false, true]) {
      const outcome = await importQuestionnaire(testApp.db.kysely, testApp.clock, c.source, { publish, ...CLI_ACTOR });
      t.same(outcome, { ok: false, errors: c.errors }, `${c.name}${publish ? ' (with publish)' : ''}: refused with its message`);
    }
    t.same(await counts(testApp), before, `${c.name}: database unchanged`);
  }
});

t.test('each kind of bad bank uploaded through the admin form re-renders the form with its French message (400), nothing stored', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  for (const c of BAD_CASES) {
    const before = await counts(testApp);
    const res = await upload(agent, uploadFilesOf(c), { publish: true });
    t.equal(res.statusCode, 400, `${c.name}: 400`);
    t.equal(h1(res.body), 'Importer une banque de questions', `${c.name}: the import form again`);
    t.equal(alertTitle(res.body), refusedTitle(c.errors.length), `${c.name}: the number of errors`);
    t.same(listedErrors(res.body), c.errors.map(describeBankError), `${c.name}: the French message`);
    t.match(res.body, /<input type="checkbox" id="publier" name="publier" value="oui" checked>/, `${c.name}: "publier" stays ticked`);
    t.same(await counts(testApp), before, `${c.name}: database unchanged`);
  }
});

t.test('a bank with several errors lists every one of them', async (t) => {
  const testApp = await createTestApp(t);
  const text = readFileSync(fixturePath('several-errors.json'), 'utf8');
  const before = await counts(testApp);
  const outcome = await importQuestionnaire(testApp.db.kysely, testApp.clock, { format: 'json', text }, { publish: true, ...CLI_ACTOR });
  t.same(outcome, { ok: false, errors: SEVERAL_ERRORS });
  t.same(await counts(testApp), before, 'nothing stored');

  const agent = await adminOf(testApp);
  const beforeUpload = await counts(testApp);
  const res = await upload(agent, { banque: { name: 'several-errors.json', content: text } });
  t.equal(res.statusCode, 400);
  t.equal(alertTitle(res.body), refusedTitle(5));
  t.same(listedErrors(res.body), SEVERAL_ERRORS.map(describeBankError), 'the page lists all five, in order');
  t.match(res.body, 'Rien n’a été enregistré.');
  t.same(await counts(testApp), beforeUpload, 'nothing stored by the upload either');
});

t.test('re-importing an existing profile and version is refused, whatever its status', async (t) => {
  const testApp = await createTestApp(t);
  const db = testApp.db.kysely;
  const refusal: BankError = {
    where: 'version',
    message: 'La version « 2026 » du questionnaire Opérateur existe déjà. Une correction se publie sous un nouveau numéro de version.',
  };
  const first = await importQuestionnaire(db, testApp.clock, { format: 'json', text: demoText('operateur') }, { publish: false, ...CLI_ACTOR });
  t.ok(first.ok);
  const before = await counts(testApp);
  t.same(
    await importQuestionnaire(db, testApp.clock, { format: 'json', text: demoText('operateur') }, { publish: true, ...CLI_ACTOR }),
    { ok: false, errors: [refusal] },
    'the draft version cannot be imported again',
  );
  t.same(await counts(testApp), before, 'nothing stored');

  // Same version number under another profile is a different questionnaire.
  const concepteur = await importQuestionnaire(db, testApp.clock, { format: 'json', text: demoText('concepteur') }, { publish: true, ...CLI_ACTOR });
  t.ok(concepteur.ok, 'the same version number is fine for another profile');

  const agent = await adminOf(testApp);
  const beforeUpload = await counts(testApp);
  const res = await upload(agent, { banque: { name: 'operateur.json', content: demoText('operateur') } }, { publish: true });
  t.equal(res.statusCode, 400);
  t.same(listedErrors(res.body), [describeBankError(refusal)]);
  t.same(await counts(testApp), beforeUpload, 'nothing stored by the upload');
  const status = await db.selectFrom('questionnaires').select('status').where('profile', '=', 'operateur').executeTakeFirstOrThrow();
  t.equal(status.status, 'draft', 'the existing version is not published by the refused upload');
});

// ——— CSV ——————————————————————————————————————————————————————————————————————

const CSV_EXPECTED = {
  profile: 'operateur',
  version: '2025-csv',
  title: 'QCM Opérateur (CSV)',
  questions: [
    { code: 'CSV-001', priority: 1, statement: 'Que faire avant de creuser ?', answers: ['Une DT-DICT', 'Rien'], correct: 0 },
    { code: 'CSV-002', priority: 1, statement: 'Qui répond à la DICT ?', answers: ['L’exploitant', 'Le voisin', 'Le maire', 'Personne'], correct: 0 },
    { code: 'CSV-003', priority: 0, statement: 'Grillage avertisseur ; de quelle couleur pour le gaz ?', answers: ['Rouge', 'Jaune', 'Bleu'], correct: 1 },
    { code: 'CSV-004', priority: 0, statement: 'Que signale un piquet ?', answers: ['Un réseau', 'Un arbre'], correct: 0 },
    { code: 'CSV-005', priority: 0, statement: 'Durée de validité de l’AIPR ?', answers: ['1 an', '5 ans', '10 ans'], correct: 1 },
    { code: 'CSV-006', priority: 0, statement: 'Distance d’approche ?', answers: ['Variable, selon le "réseau"', 'Aucune'], correct: 0 },
  ],
};

async function storedBank(testApp: TestApp, id: number) {
  const db = testApp.db.kysely;
  const row = await db.selectFrom('questionnaires').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const questions = await db.selectFrom('questions').selectAll().where('questionnaire_id', '=', id).orderBy('position').execute();
  const result = [];
  for (const question of questions) {
    const answers = await db.selectFrom('answers').selectAll().where('question_id', '=', question.id).orderBy('position').execute();
    result.push({
      code: question.code,
      priority: question.priority,
      statement: question.statement,
      answers: answers.map((a) => a.text),
      correct: answers.findIndex((a) => a.correct === 1),
    });
  }
  return { profile: row.profile, version: row.version, title: row.title, rules: JSON.parse(row.rules) as unknown, questions: result };
}

const CSV_RULES = {
  questionCount: 4,
  priorityCount: 1,
  durationMinutes: 45,
  passPercentage: 60,
  points: { right: 2, dontKnow: 0, wrong: -1, wrongPriority: -5 },
};

t.test('a CSV bank with its JSON header (both with a BOM) imports through importQuestionnaire', async (t) => {
  const testApp = await createTestApp(t);
  const csv = readFileSync(fixturePath('operateur-csv.csv'), 'utf8');
  const header = readFileSync(fixturePath('operateur-csv-entete.json'), 'utf8');
  t.equal(csv.charCodeAt(0), 0xfeff, 'the CSV fixture starts with a BOM');
  t.equal(header.charCodeAt(0), 0xfeff, 'the header fixture starts with a BOM');
  const outcome = await importQuestionnaire(testApp.db.kysely, testApp.clock, { format: 'csv', csv, header }, { publish: true, ...CLI_ACTOR });
  if (!outcome.ok) return t.fail(outcome.errors.map(describeBankError).join(' | '));
  t.same(await storedBank(testApp, outcome.questionnaireId), { ...CSV_EXPECTED, rules: CSV_RULES });
  const status = await testApp.db.kysely.selectFrom('questionnaires').select('status').executeTakeFirstOrThrow();
  t.equal(status.status, 'published');
});

t.test('a CSV bank with its JSON header (both with a BOM) imports through the upload form', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const res = await upload(agent, {
    banque: { name: 'banque.CSV', content: readFileSync(fixturePath('operateur-csv.csv')) },
    entete: { name: 'entete.json', content: readFileSync(fixturePath('operateur-csv-entete.json')) },
  });
  t.equal(res.statusCode, 303, listedErrors(res.body)?.join(' | ') ?? 'imported');
  const row = await testApp.db.kysely.selectFrom('questionnaires').select(['id', 'status']).executeTakeFirstOrThrow();
  t.equal(row.status, 'draft');
  t.same(await storedBank(testApp, row.id), { ...CSV_EXPECTED, rules: CSV_RULES });
});

t.test('a CSV bank uploaded without its header file is refused with its message', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const before = await counts(testApp);
  const res = await upload(agent, { banque: { name: 'banque.csv', content: readFileSync(fixturePath('operateur-csv.csv')) } });
  t.equal(res.statusCode, 400);
  t.same(listedErrors(res.body), [
    'entete : Une banque au format CSV s’importe avec son en-tête JSON (profil, version, titre, règles) : choisissez ce fichier.',
  ]);
  t.same(await counts(testApp), before);
});

// ——— The upload form itself ——————————————————————————————————————————————————————

t.test('the upload form without a file re-renders with the French error and status 400', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const expected = ['banque : Choisissez le fichier de la banque de questions (.json ou .csv).'];
  const before = await counts(testApp);

  const noPart = await upload(agent, {});
  t.equal(noPart.statusCode, 400, 'no file part at all');
  t.equal(h1(noPart.body), 'Importer une banque de questions');
  t.same(listedErrors(noPart.body), expected);

  // What a browser sends when the file input is left empty: a file part with no name and no bytes.
  const emptyInput = await upload(agent, { banque: { name: '', content: '' } });
  t.equal(emptyInput.statusCode, 400, 'an empty file input');
  t.same(listedErrors(emptyInput.body), expected);

  const wrongKind = await upload(agent, { banque: { name: 'banque.xlsx', content: 'PK...' } });
  t.equal(wrongKind.statusCode, 400, 'neither .json nor .csv');
  t.same(listedErrors(wrongKind.body), ['banque : Le fichier doit être au format JSON (.json) ou CSV (.csv).']);
  t.same(await counts(testApp), before);
});

t.test('an upload over the size limit gets a 413 French page and nothing is stored', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const before = await counts(testApp);
  const res = await upload(agent, { banque: { name: 'enorme.json', content: Buffer.alloc(MAX_UPLOAD_BYTES + 1, 0x20) } });
  t.equal(res.statusCode, 413);
  t.match(String(res.headers['content-type']), 'text/html');
  t.equal(h1(res.body), 'Fichier trop volumineux');
  t.match(res.body, `Le fichier envoyé dépasse la taille autorisée (${MAX_UPLOAD_BYTES / 1024 / 1024} Mo). Rien n’a été enregistré.`);
  t.same(await counts(testApp), before);
});

t.test('a bank of more than 1 MB (the JSON body limit) but under the upload limit is accepted', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  // Two images of 700 kB: the file is about 1.9 MB once in base64.
  const text = withBank((b) => {
    for (const i of [0, 1]) {
      const png = Buffer.concat([PNG_SIGNATURE, Buffer.alloc(700_000, i)]);
      q(b, i).image = `data:image/png;base64,${png.toString('base64')}`;
    }
  });
  t.ok(Buffer.byteLength(text) > 1024 * 1024, 'the file is over 1 MB');
  const res = await upload(agent, { banque: { name: 'images.json', content: text } });
  t.equal(res.statusCode, 303, listedErrors(res.body)?.join(' | ') ?? `status ${res.statusCode}`);
  const images = await testApp.db.kysely.selectFrom('questions').select(['image_mime', 'image_data']).where('image_data', 'is not', null).execute();
  t.equal(images.length, 2);
  t.ok(
    images.every((i) => i.image_mime === 'image/png' && i.image_data?.length === PNG_SIGNATURE.length + 700_000),
    'stored byte for byte',
  );
});

t.test('the upload form refuses a post without the CSRF token, storing nothing', async (t) => {
  const testApp = await createTestApp(t);
  const agent = await adminOf(testApp);
  const before = await counts(testApp);
  const res = await upload(agent, { banque: { name: 'operateur.json', content: demoText('operateur') } }, { csrf: null });
  t.equal(res.statusCode, 403);
  t.same(await counts(testApp), before);
});

// ——— With JavaScript ———————————————————————————————————————————————————————————————

/*
 * The main layout loads htmx, whose default configuration swaps in no 4xx answer: were the form
 * posted by htmx, a refused bank's 400 page and its list of errors would never be seen. The form
 * is therefore a plain one, which the browser posts and whose answer it shows, whatever its status.
 */
t.test(
  'with JavaScript too, the browser posts the import form itself: the administrator sees the errors of a refused bank and the preview of an imported one',
  async (t) => {
    const testApp = await createTestApp(t);
    const agent = await adminOf(testApp);
    const formPage = await agent.get('/admin/questionnaires/importer');
    const formTag = /<form[^>]*action="\/admin\/questionnaires\/importer"[^>]*>/.exec(formPage.body)?.[0];
    t.ok(formTag, 'the page has the import form');
    t.notMatch(formTag ?? '', /\shx-[a-z-]+=/, 'no htmx attribute on the form');
    t.notMatch(formPage.body, /\shx-boost=/, 'and no htmx boost around it');

    const refused = BAD_CASES.find((c) => c.name === 'unknown profile')!;
    const bad = await upload(agent, uploadFilesOf(refused));
    t.equal(bad.statusCode, 400);
    t.match(bad.body, /^\s*<!doctype html>/i, 'the answer is a whole page, which the browser shows');
    t.same(listedErrors(bad.body), refused.errors.map(describeBankError), 'the answer lists the errors');

    const ok = await upload(agent, { banque: { name: 'banque.json', content: JSON.stringify(smallBank('2023')) } });
    t.equal(ok.statusCode, 303);
    const preview = await agent.get(String(ok.headers.location));
    t.equal(preview.statusCode, 200);
    t.match(preview.body, 'QCM Opérateur 2023', 'the preview is answered');
    t.same(
      flashes(preview.body),
      [{ type: 'success', text: 'La banque a été importée en brouillon. Vérifiez-la avant de la publier.' }],
      'with the message of the import',
    );
  },
);
