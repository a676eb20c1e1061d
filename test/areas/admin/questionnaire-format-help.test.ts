/**
 * Issue 16, item 5: the import page describes the JSON and CSV formats field by field — held here
 * to what the bank reader itself accepts, through its own error messages — and offers templates to
 * download (a JSON bank, a CSV bank and its JSON header), each of which imports through the real
 * form; the manual's « Questionnaires » section leads to the description. Only administrators get
 * the templates.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseCsvBank, parseJsonBank } from '../../../src/domain/bank/index.js';
import { DEMO_DIR } from '../../../src/paths.js';
import { accountAgent, adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, type TestApp } from '../../helpers/app.js';
import { decodeEntities, flashes, visibleText } from '../../helpers/html.js';

const IMPORT_PAGE = '/admin/questionnaires/importer';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

const TEMPLATES = [
  { url: '/admin/questionnaires/modeles/modele-banque.json', fileName: 'modele-banque.json', type: 'application/json; charset=utf-8', bom: false },
  { url: '/admin/questionnaires/modeles/modele-banque.csv', fileName: 'modele-banque.csv', type: 'text/csv; charset=utf-8', bom: true },
  { url: '/admin/questionnaires/modeles/modele-entete.json', fileName: 'modele-entete.json', type: 'application/json; charset=utf-8', bom: false },
];

const storedTemplate = (fileName: string) => readFileSync(join(DEMO_DIR, 'modeles', fileName));
/** The JSON template, as a starting point for banks with one thing wrong. */
const jsonTemplate = () => JSON.parse(storedTemplate('modele-banque.json').toString('utf8')) as JsonBank;

interface JsonBank {
  [field: string]: unknown;
  regles: Record<string, unknown> & { points: Record<string, unknown> };
  questions: (Record<string, unknown> & { reponses: Record<string, unknown>[] })[];
}

// ——— Reading the page ——————————————————————————————————————————————————————————————

/** The rows of a table of the format description: the field's name → the rest of its row, as read. */
function documentedFields(body: string, tableId: string): Map<string, string> {
  const table = new RegExp(`<table[^>]*id="${tableId}"[^>]*>([\\s\\S]*?)</table>`).exec(body)?.[1];
  const rows = new Map<string, string>();
  if (table === undefined) return rows;
  for (const m of table.matchAll(/<tr><th scope="row"><code>([^<]+)<\/code><\/th>([\s\S]*?)<\/tr>/g)) rows.set(decodeEntities(m[1]!), visibleText(m[2]!));
  return rows;
}

/** The names listed by the reader's « Champ inconnu » message for a bank with an unknown field. */
function fieldsTheReaderAllows(bankText: string, prefix = ''): string[] {
  const result = parseJsonBank(bankText);
  const message = result.ok ? undefined : result.errors.find((e) => e.message.startsWith('Champ inconnu « '))?.message;
  const list = message === undefined ? undefined : /les champs possibles sont (.*)\.$/.exec(message)?.[1];
  if (list === undefined) throw new Error(`no unknown-field message for ${bankText}`);
  return [...list.matchAll(/« ([^»]+) »/g)].map((m) => `${prefix}${m[1]}`);
}

/** The reader's messages for a bank: the template with one change. */
function messagesFor(change: (bank: JsonBank) => void): string[] {
  const bank = jsonTemplate();
  change(bank);
  const result = parseJsonBank(JSON.stringify(bank));
  return result.ok ? [] : result.errors.map((e) => e.message);
}

const sorted = (names: Iterable<string>) => [...names].sort();

// ——— The description ——————————————————————————————————————————————————————————————

t.test('the import page describes both formats, field by field, as the reader accepts them, and links to the templates', async (t) => {
  const testApp = await createTestApp(t);
  const admin = await accountAgent(testApp, { email: 'admin@aipr.test', role: 'admin' });
  const page = await admin.get(IMPORT_PAGE);
  t.equal(page.statusCode, 200, 'the import page answers');
  const body = page.body;

  t.match(body, '<a href="#formats">', 'the top of the page leads to the description');
  t.match(body, /<h2 id="formats"[^>]*>Formats des fichiers<\/h2>/, 'a section describes the formats');
  t.match(body, /<details[^>]*id="format-json"/, 'the JSON format is in a disclosure that opens without JavaScript');
  t.match(body, /<details[^>]*id="format-csv"/, 'so is the CSV format');
  t.notMatch(body, 'fr-collapse', 'no DSFR collapse, which stays shut without JavaScript');
  for (const { url, fileName } of TEMPLATES) {
    t.match(body, new RegExp(`<a [^>]*href="${url}" download>[^<]+<span class="fr-link__detail">${fileName}</span></a>`), `a link to download ${fileName}`);
  }

  // Every field the reader allows is described, and nothing else.
  const header = documentedFields(body, 'champs-entete');
  const question = documentedFields(body, 'champs-question');
  const answer = documentedFields(body, 'champs-reponse');
  t.same(
    sorted(header.keys()),
    sorted([
      ...fieldsTheReaderAllows('{"inconnu": 1}'),
      ...fieldsTheReaderAllows('{"regles": {"inconnu": 1}}', 'regles.'),
      ...fieldsTheReaderAllows('{"regles": {"points": {"inconnu": 1}}}', 'regles.points.'),
    ]),
    'the header fields, rules and points included',
  );
  t.same(sorted(question.keys()), sorted(fieldsTheReaderAllows('{"questions": [{"inconnu": 1}]}')), 'the fields of a question');
  t.same(sorted(answer.keys()), sorted(fieldsTheReaderAllows('{"questions": [{"reponses": [{"inconnu": 1}]}]}')), 'the fields of an answer');
  const optionalFields = ['image', 'description_image', 'reference'];
  for (const name of optionalFields) t.match(question.get(name), /^facultatif /, `${name} is said to be optional`);
  for (const [name, row] of [...header, ...question, ...answer]) {
    if (!optionalFields.includes(name)) t.match(row, /^oui /, `${name} is said to be required`);
  }

  // The profiles, as the reader names them.
  const profileMessage = messagesFor((b) => (b['profil'] = 'pilote'))[0] ?? '';
  const profiles = /les profils possibles sont (.*)\.$/.exec(profileMessage)?.[1]?.split(', ') ?? [];
  t.equal(profiles.length, 3, 'the reader lists the profiles');
  for (const profile of profiles) t.match(header.get('profil'), `« ${profile} »`, `profil: « ${profile} » is described`);

  // The limits of the texts, as the reader counts them.
  const long = 'x'.repeat(5000);
  const textLimits: [string, Map<string, string>, (bank: JsonBank) => void][] = [
    ['version', header, (b) => (b['version'] = long)],
    ['titre', header, (b) => (b['titre'] = long)],
    ['code', question, (b) => (b.questions[0]!['code'] = long)],
    ['theme', question, (b) => (b.questions[0]!['theme'] = long)],
    ['enonce', question, (b) => (b.questions[0]!['enonce'] = long)],
    ['description_image', question, (b) => (b.questions[1]!['description_image'] = long)],
    ['reference', question, (b) => (b.questions[0]!['reference'] = long)],
    ['texte', answer, (b) => (b.questions[0]!.reponses[0]!['texte'] = long)],
  ];
  for (const [name, rows, change] of textLimits) {
    const max = messagesFor(change)
      .map((m) => /dépasse (\d+) caractères/.exec(m)?.[1])
      .find(Boolean);
    t.ok(max, `${name}: the reader refuses a text of 5000 characters`);
    t.match(rows.get(name), `texte, ${max} caractères au plus`, `${name}: the page gives the reader's limit, ${max} characters`);
  }

  // The bounds of the rules, as the reader checks them.
  for (const path of [
    'nombre_questions',
    'questions_prioritaires',
    'duree_minutes',
    'seuil_pourcentage',
    'points.bonne',
    'points.ne_sait_pas',
    'points.fausse',
    'points.fausse_prioritaire',
  ]) {
    const [group, key] = path.split('.') as [string, string | undefined];
    const bounds = messagesFor((b) => {
      if (key === undefined) b.regles[group] = 'x';
      else b.regles.points[key] = 'x';
    })
      .map((m) => /doit être un nombre entier entre (-?\d+) et (-?\d+)/.exec(m))
      .find(Boolean);
    t.ok(bounds, `regles.${path}: the reader gives its bounds`);
    const row = header.get(`regles.${path}`);
    if (path === 'questions_prioritaires')
      t.match(row, `nombre entier de ${bounds?.[1]} à « regles.nombre_questions »`, `regles.${path}: bounded by the question count`);
    else t.match(row, `nombre entier de ${bounds?.[1]} à ${bounds?.[2]}`, `regles.${path}: from ${bounds?.[1]} to ${bounds?.[2]}, as the reader checks`);
  }

  // The number of answers, as the reader counts them.
  const fewest = messagesFor((b) => (b.questions[0]!.reponses = b.questions[0]!.reponses.slice(0, 1)))
    .map((m) => /au moins (\d+)/.exec(m)?.[1])
    .find(Boolean);
  const most = messagesFor((b) => {
    const answers = b.questions[0]!.reponses;
    for (let n = answers.length; n < 9; n++) answers.push({ texte: `Réponse ${n}`, correcte: false });
  })
    .map((m) => /au plus (\d+)/.exec(m)?.[1])
    .find(Boolean);
  t.match(question.get('reponses'), `liste [ … ] de ${fewest} à ${most} réponses`, `from ${fewest} to ${most} answers`);

  // The CSV: its columns in the reader's order, then the optional ones it names.
  const csvRefusal = parseCsvBank('a;b\n', storedTemplate('modele-entete.json').toString('utf8'));
  const refusal = csvRefusal.ok ? '' : (csvRefusal.errors[0]?.message ?? '');
  const firstLine = /doit être l’en-tête « ([^»]+) »/.exec(refusal)?.[1] ?? '';
  const optionalColumns = [...(/colonnes facultatives (.*) \(trouvé/.exec(refusal)?.[1]?.matchAll(/« ([^»]+) »/g) ?? [])].map((m) => m[1]!);
  t.ok(firstLine.startsWith('code;'), 'the reader names the first line it expects');
  t.same(optionalColumns, ['description_image', 'reference'], 'and the optional columns that may follow it');
  const csvColumns = documentedFields(body, 'colonnes-csv');
  t.equal(
    [...csvColumns.keys()].join(';'),
    [firstLine, ...optionalColumns].join(';'),
    'the CSV columns are described in the order of the file, the optional ones last',
  );
  for (const name of optionalColumns) t.match(csvColumns.get(name), /^facultatif /, `the ${name} column is said to be optional`);
  const shownLine = /<code id="csv-premiere-ligne">([\s\S]*?)<\/code>/.exec(body)?.[1] ?? '';
  t.equal(decodeEntities(shownLine.replace(/<[^>]+>/g, '')), firstLine, 'the first line is shown as it must be written');
  const csvPart = visibleText(/<details[^>]*id="format-csv"[^>]*>([\s\S]*?)<\/details>/.exec(body)?.[1] ?? '');
  t.match(csvPart, /suivis s’il y a lieu des colonnes facultatives description_image et reference ?, dans l’ordre de votre choix/, 'the optional columns');
  t.match(csvPart, 'Le séparateur est le point-virgule « ; »', 'the separator');
  t.match(csvPart, 'UTF-8, avec ou sans BOM', 'the encoding');
  t.match(csvPart, 'l’en-tête JSON, à choisir dans le champ « En-tête JSON » du formulaire', 'the JSON header that goes with it');
  t.match(documentedFields(body, 'colonnes-csv').get('prioritaire'), '« oui » ou « non »');
  t.match(documentedFields(body, 'colonnes-csv').get('reponse_3'), /^facultatif /, 'the third answer may be left empty');
});

t.test('the manual’s « Questionnaires » section leads to the description of the formats', async (t) => {
  const testApp = await createTestApp(t);
  const help = await new Agent(testApp.app).get('/aide');
  const section = /<h2 id="admin-questionnaires">[\s\S]*?(?=<h2 )/.exec(help.body)?.[0] ?? '';
  t.match(section, '<a href="/admin/questionnaires/importer#formats">', 'a link to the formats on the import page');
  t.match(visibleText(section), 'propose des modèles à télécharger');
});

// ——— The templates —————————————————————————————————————————————————————————————————

interface StoredQuestion {
  code: string;
  theme: string;
  priority: number;
  statement: string;
  image_mime: string | null;
  image_description: string | null;
  reference: string | null;
  answers: string;
}

/** The operateur bank `version` as stored: its questions in order, each with its answers in order (« ✓ » on the right one). */
async function questionsOf(testApp: TestApp, version: string): Promise<StoredQuestion[]> {
  const bank = testApp.db.kysely
    .selectFrom('questions as q')
    .innerJoin('questionnaires as s', 's.id', 'q.questionnaire_id')
    .where('s.profile', '=', 'operateur')
    .where('s.version', '=', version);
  const questions = await bank
    .select(['q.id', 'q.code', 'q.theme', 'q.priority', 'q.statement', 'q.image_mime', 'q.image_description', 'q.reference'])
    .orderBy('q.position')
    .execute();
  const answers = await bank
    .innerJoin('answers as a', 'a.question_id', 'q.id')
    .select(['a.question_id', 'a.text', 'a.correct'])
    .orderBy('a.position')
    .execute();
  return questions.map(({ id, ...question }) => ({
    ...question,
    answers: answers
      .filter((a) => a.question_id === id)
      .map((a) => a.text + (a.correct === 1 ? ' ✓' : ''))
      .join(' | '),
  }));
}

t.test('each template downloads as a file and imports through the form, beside the published demo banks', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const files = new Map<string, Buffer>();
  for (const { url, fileName, type, bom } of TEMPLATES) {
    const res = await admin.get(url);
    t.equal(res.statusCode, 200, `${fileName}: 200`);
    t.equal(res.headers['content-type'], type, `${fileName}: ${type}`);
    t.equal(res.headers['content-disposition'], `attachment; filename="${fileName}"`, `${fileName}: saved as a file`);
    const stored = storedTemplate(fileName);
    t.ok(res.rawPayload.equals(bom ? Buffer.concat([BOM, stored]) : stored), `${fileName}: the file of demo/modeles/${bom ? ', after a byte order mark' : ''}`);
    files.set(fileName, res.rawPayload);
  }
  t.ok(files.get('modele-banque.csv')?.subarray(0, 3).equals(BOM), 'the CSV starts with a BOM, as the platform’s CSV exports do');

  const demoVersions = await testApp.db.kysely.selectFrom('questionnaires').select(['profile', 'version', 'status']).execute();
  t.equal(demoVersions.filter((q) => q.status === 'published').length, 3, 'the three demo banks are published');

  await admin.get(IMPORT_PAGE);
  const viaJson = await admin.postMultipart(IMPORT_PAGE, { banque: { name: 'modele-banque.json', content: files.get('modele-banque.json')! } });
  t.equal(viaJson.statusCode, 303, 'the JSON template is accepted');
  const jsonPage = await admin.get(String(viaJson.headers.location));
  t.same(flashes(jsonPage.body), [{ type: 'success', text: 'La banque a été importée en brouillon. Vérifiez-la avant de la publier.' }]);

  await admin.get(IMPORT_PAGE);
  const viaCsv = await admin.postMultipart(IMPORT_PAGE, {
    banque: { name: 'modele-banque.csv', content: files.get('modele-banque.csv')! },
    entete: { name: 'modele-entete.json', content: files.get('modele-entete.json')! },
  });
  t.equal(viaCsv.statusCode, 303, 'the CSV template and its header are accepted');
  const csvPage = await admin.get(String(viaCsv.headers.location));
  t.same(flashes(csvPage.body), [{ type: 'success', text: 'La banque a été importée en brouillon. Vérifiez-la avant de la publier.' }]);

  const imported = await testApp.db.kysely
    .selectFrom('questionnaires')
    .select(['profile', 'version', 'status'])
    .where('version', 'in', ['modele-json', 'modele-csv'])
    .orderBy('id')
    .execute();
  t.same(
    imported,
    [
      { profile: 'operateur', version: 'modele-json', status: 'draft' },
      { profile: 'operateur', version: 'modele-csv', status: 'draft' },
    ],
    'two drafts, under versions of their own',
  );

  const fromJson = await questionsOf(testApp, 'modele-json');
  const fromCsv = await questionsOf(testApp, 'modele-csv');
  t.equal(fromJson.length, 4, 'four questions');
  t.equal(fromJson.filter((q) => q.priority === 1).length, 1, 'one of them priority');
  t.same(
    fromJson.map((q) => q.image_mime),
    [null, 'image/svg+xml', null, null],
    'the JSON template shows an illustrated question',
  );
  t.same(
    fromJson.map((q) => q.image_description !== null),
    [false, true, false, false],
    'whose image is described',
  );
  t.same(
    fromJson.map((q) => q.reference !== null),
    [false, false, true, false],
    'and a question with a regulatory reference',
  );
  t.same(
    fromJson.map((q) => q.answers.split(' | ').length),
    [3, 4, 2, 4],
    'from 2 to 4 answers',
  );
  t.same(
    fromCsv,
    fromJson.map((q) => ({ ...q, image_mime: null, image_description: null })),
    'the CSV template holds the same questions, without the image and its description',
  );
});

t.test('a manager cannot download the templates, and an anonymous visitor is sent to sign in', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const manager = await managerAgent(testApp);
  const anonymous = new Agent(testApp.app, '127.0.0.9');
  for (const { url } of TEMPLATES) {
    const refused = await manager.get(url);
    t.equal(refused.statusCode, 403, `manager: GET ${url} is 403`);
    t.notMatch(refused.headers['content-disposition'] ?? '', 'attachment', 'no file');
    const redirected = await anonymous.get(url);
    t.equal(redirected.statusCode, 302, `anonymous: GET ${url} is redirected`);
    t.equal(redirected.headers.location, `/connexion?${new URLSearchParams({ suivant: url }).toString()}`, 'to the sign-in page, then back');
  }
});
