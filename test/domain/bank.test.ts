import t from 'tap';
import { MAX_IMAGE_BYTES, describeBankError, parseCsvBank, parseJsonBank, type BankError, type BankResult } from '../../src/domain/bank/index.js';

// ——— Fixtures —————————————————————————————————————————————————————————————————

type JsonQuestion = Record<string, unknown> & { reponses?: unknown };
type JsonBank = Record<string, unknown> & { regles: Record<string, unknown>; questions: JsonQuestion[] };

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(24)]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>';
const dataUri = (mime: string, data: Buffer) => `data:${mime};base64,${data.toString('base64')}`;

function question(n: number, priority: boolean, theme = n % 2 === 0 ? 'Réglementation' : 'Réseaux'): JsonQuestion {
  return {
    code: `OP-${String(n).padStart(3, '0')}`,
    theme,
    prioritaire: priority,
    enonce: `Question ${n} ?`,
    reponses: [
      { texte: 'Réponse A', correcte: true },
      { texte: 'Réponse B', correcte: false },
      { texte: 'Réponse C', correcte: false },
    ],
  };
}

/** 4 questions per exam, 1 of them priority; the bank holds 6, 2 of them priority. */
function validBank(): JsonBank {
  return {
    profil: 'operateur',
    version: '2022',
    titre: 'QCM Opérateur 2022',
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

function header(): string {
  const { questions: _questions, ...rest } = validBank();
  return JSON.stringify(rest);
}

const CSV_HEADER = 'code;theme;prioritaire;enonce;reponse_1;reponse_2;reponse_3;reponse_4;bonne_reponse';
/** What the reader says of a first line that is not the header, `found` being the line as written. */
const wrongHeader = (found: string) =>
  `La première ligne doit être l’en-tête « ${CSV_HEADER} », suivi s’il y a lieu des colonnes facultatives « description_image » et « reference » ` +
  `(trouvé : « ${found} »).`;
const CSV_ROWS = [
  'OP-001;Réseaux;oui;Que faire avant de creuser ?;Une DT-DICT;Rien;;;1',
  'OP-002;Réglementation;oui;Qui répond à la DICT ?;L’exploitant;Le voisin;Le maire;Personne;1',
  'OP-003;Réseaux;non;Couleur du gaz ?;Jaune;Bleu;Vert;;1',
  'OP-004;Réglementation;non;Distance ?;1 m;2 m;;;2',
  'OP-005;Réseaux;non;Que signifie AIPR ?;Autorisation d’intervention;Autre chose;;;1',
  'OP-006;Réglementation;non;Question 6 ?;Oui;Non;;;2',
];
const csvOf = (...rows: string[]) => [CSV_HEADER, ...rows].join('\n') + '\n';

function errorsOf(result: BankResult): BankError[] {
  if (result.ok) throw new Error('expected the bank to be refused');
  return result.errors;
}

function json(bank: unknown): BankResult {
  return parseJsonBank(JSON.stringify(bank, null, 2));
}

/** Every error must be exactly as expected, no more: an import shows them all to the admin. */
function assertOnly(t: Tap, result: BankResult, expected: BankError[], name = 'exactly these errors'): void {
  t.same(errorsOf(result), expected, name);
}
type Tap = Pick<typeof t, 'same' | 'pass'>;

// ——— Valid banks ——————————————————————————————————————————————————————————————

t.test('a valid JSON bank parses into the domain shape', async (t) => {
  const bank = validBank();
  bank.questions[0] = { ...question(1, true), image: dataUri('image/png', PNG) };
  bank.questions[1] = { ...question(2, true), image: dataUri('image/jpeg', JPEG) };
  bank.questions[2] = { ...question(3, false), image: `data:image/svg+xml;base64,${Buffer.from(SVG).toString('base64')}` };
  bank.questions[3] = { ...question(4, false), image: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(SVG)}` };
  bank.questions[4] = { ...question(5, false), image: null };
  const result = json(bank);
  if (!result.ok) return t.fail(result.errors.map(describeBankError).join('\n'));
  const b = result.bank;
  t.equal(b.profile, 'operateur');
  t.equal(b.version, '2022');
  t.equal(b.title, 'QCM Opérateur 2022');
  t.same(b.rules, {
    questionCount: 4,
    priorityCount: 1,
    durationMinutes: 60,
    passPercentage: 60,
    points: { right: 2, dontKnow: 0, wrong: -1, wrongPriority: -5 },
  });
  t.equal(b.questions.length, 6);
  t.same(b.questions[0], {
    code: 'OP-001',
    theme: 'Réseaux',
    priority: true,
    statement: 'Question 1 ?',
    image: { mime: 'image/png', data: PNG },
    imageDescription: null,
    reference: null,
    answers: [
      { text: 'Réponse A', correct: true },
      { text: 'Réponse B', correct: false },
      { text: 'Réponse C', correct: false },
    ],
  });
  t.same(b.questions[1]?.image, { mime: 'image/jpeg', data: JPEG });
  t.equal(b.questions[2]?.image?.mime, 'image/svg+xml');
  t.equal(b.questions[2]?.image?.data.toString('utf8'), SVG);
  t.equal(b.questions[3]?.image?.data.toString('utf8'), SVG, 'percent-encoded SVG is decoded');
  t.equal(b.questions[4]?.image, null);
  t.equal(b.questions[5]?.image, null, 'no "image" field means no image');
  t.ok(Buffer.isBuffer(b.questions[0]?.image?.data));
});

t.test('JSON: BOM accepted, text trimmed and NFC-normalised, "image/jpg" read as JPEG', async (t) => {
  const bank = validBank();
  bank['titre'] = '  QCM Opérateur 2022\n';
  bank.questions[0] = { ...question(1, true), theme: ' Re\u0301glementation ', image: dataUri('image/jpg', JPEG) };
  const result = parseJsonBank('\uFEFF' + JSON.stringify(bank));
  if (!result.ok) return t.fail(result.errors.map(describeBankError).join('\n'));
  t.equal(result.bank.title, 'QCM Opérateur 2022');
  t.equal(result.bank.questions[0]?.theme, 'Réglementation', 'same string as the composed form');
  t.equal(result.bank.questions[0]?.theme, result.bank.questions[1]?.theme);
  t.equal(result.bank.questions[0]?.image?.mime, 'image/jpeg');
});

t.test('the PRODUCT.md example rules parse with the sign of the penalties kept', async (t) => {
  const bank = validBank();
  bank.regles = {
    nombre_questions: 30,
    questions_prioritaires: 8,
    duree_minutes: 60,
    seuil_pourcentage: 60,
    points: { bonne: 2, ne_sait_pas: 0, fausse: -1, fausse_prioritaire: -5 },
  };
  bank.questions = Array.from({ length: 40 }, (_, i) => question(i + 1, i < 10));
  const result = json(bank);
  if (!result.ok) return t.fail(result.errors.map(describeBankError).join('\n'));
  t.same(result.bank.rules.points, { right: 2, dontKnow: 0, wrong: -1, wrongPriority: -5 });
});

t.test('a valid CSV bank parses, without BOM', async (t) => {
  const result = parseCsvBank(csvOf(...CSV_ROWS), header());
  if (!result.ok) return t.fail(result.errors.map(describeBankError).join('\n'));
  const b = result.bank;
  t.equal(b.profile, 'operateur');
  t.equal(b.rules.questionCount, 4);
  t.equal(b.questions.length, 6);
  t.same(b.questions[0], {
    code: 'OP-001',
    theme: 'Réseaux',
    priority: true,
    statement: 'Que faire avant de creuser ?',
    image: null,
    imageDescription: null,
    reference: null,
    answers: [
      { text: 'Une DT-DICT', correct: true },
      { text: 'Rien', correct: false },
    ],
  });
  t.equal(b.questions[1]?.answers.length, 4);
  t.equal(b.questions[2]?.answers.length, 3, 'an empty trailing answer column means fewer answers');
  t.same(
    b.questions[3]?.answers.map((a) => a.correct),
    [false, true],
  );
  t.same(
    b.questions.map((q) => q.priority),
    [true, true, false, false, false, false],
  );
});

t.test('a valid CSV bank parses with a BOM, CRLF, quoted fields and a relaxed header', async (t) => {
  const rows = [
    ' Code ; THEME;Prioritaire;enonce;reponse_1;reponse_2;reponse_3;reponse_4;Bonne_Reponse ',
    'OP-001;Réseaux;OUI;"Avant de creuser; que faut-il ?";"Une DT; puis une DICT";Rien;;;1',
    'OP-002;Réglementation;Oui;"Énoncé sur',
    'deux lignes, avec des ""guillemets"""; A ;B;;;2',
    '',
    ...CSV_ROWS.slice(2),
    ';;;;;;;;',
  ];
  const result = parseCsvBank('\uFEFF' + rows.join('\r\n') + '\r\n', '\uFEFF' + header());
  if (!result.ok) return t.fail(result.errors.map(describeBankError).join('\n'));
  const [first, second] = result.bank.questions;
  t.equal(first?.statement, 'Avant de creuser; que faut-il ?');
  t.equal(first?.answers[0]?.text, 'Une DT; puis une DICT');
  t.equal(first?.code, 'OP-001', 'the BOM is not part of the first code');
  t.equal(second?.statement, 'Énoncé sur\r\ndeux lignes, avec des "guillemets"');
  t.same(second?.answers, [
    { text: 'A', correct: false },
    { text: 'B', correct: true },
  ]);
  t.equal(result.bank.questions.length, 6, 'blank lines are skipped');
});

t.test('CSV line numbers count the header as line 1 and follow multi-line fields', async (t) => {
  const rows = ['OP-001;Réseaux;oui;"Sur', 'deux lignes";A;B;;;1', '', 'OP-002;Réseaux;peut-être;Q;A;B;;;1'];
  const errors = errorsOf(parseCsvBank(csvOf(...rows, ...CSV_ROWS.slice(2)), header()));
  t.same(errors[0], {
    where: 'ligne 5',
    message: 'La colonne « prioritaire » doit valoir « oui » ou « non » (trouvé : « peut-être »).',
  });
});

// ——— One bad bank per error kind ————————————————————————————————————————————————

t.test('malformed JSON: one error for the whole file, with line and column', async (t) => {
  assertOnly(t, parseJsonBank('{\n  "profil": "operateur",\n}'), [
    {
      where: null,
      message: 'Le fichier JSON est mal formé, ligne 3, colonne 1 : nom de champ entre guillemets doubles attendu ' + '(virgule en trop avant « } » ?).',
    },
  ]);
  assertOnly(t, parseJsonBank('{"profil": "operateur" "version": "2022"}'), [
    { where: null, message: 'Le fichier JSON est mal formé, ligne 1, colonne 24 : virgule ou « } » attendue après une valeur.' },
  ]);
  assertOnly(t, parseJsonBank('{"profil": '), [
    {
      where: null,
      message: 'Le fichier JSON est mal formé, le texte s’arrête avant la fin du JSON (accolade, crochet ou guillemet non refermé ?).',
    },
  ]);
  assertOnly(t, parseJsonBank(''), [
    {
      where: null,
      message: 'Le fichier JSON est mal formé, le texte s’arrête avant la fin du JSON (accolade, crochet ou guillemet non refermé ?).',
    },
  ]);
  assertOnly(t, parseJsonBank('{\n  "profil": \'operateur\'\n}'), [
    { where: null, message: "Le fichier JSON est mal formé, ligne 2, colonne 13 : caractère inattendu « ' »." },
  ]);
  assertOnly(t, parseJsonBank('{"questions": [1, 2,, 3]}'), [
    { where: null, message: 'Le fichier JSON est mal formé, ligne 1, colonne 21 : caractère inattendu « , ».' },
  ]);
  assertOnly(t, parseJsonBank('{"titre": "deux\nlignes"}'), [
    {
      where: null,
      message: 'Le fichier JSON est mal formé, ligne 1, colonne 16 : retour à la ligne ou tabulation non échappé dans un texte ' + '(écrire \\n ou \\t).',
    },
  ]);
  assertOnly(t, parseJsonBank('[1, 2]'), [{ where: null, message: 'Le fichier JSON doit contenir un objet entre accolades { … }.' }]);
});

t.test('malformed CSV: one clear error with the line', async (t) => {
  assertOnly(t, parseCsvBank(csvOf(CSV_ROWS[0] ?? '', 'OP-002;Réseaux;oui;"Jamais fermé;A;B;;;1', CSV_ROWS[2] ?? ''), header()), [
    { where: 'ligne 3', message: 'Fichier CSV mal formé : le guillemet ouvert ligne 3 n’est jamais refermé.' },
  ]);
  assertOnly(t, parseCsvBank(csvOf(CSV_ROWS[0] ?? '', 'OP-002;Réseaux;oui;Le "bon" choix;A;B;;;1'), header()), [
    {
      where: 'ligne 3',
      message:
        'Fichier CSV mal formé ligne 3 : guillemet mal placé (un champ contenant des guillemets doit être ' +
        'entièrement entre guillemets, ses propres guillemets étant doublés : "").',
    },
  ]);
});

t.test('unknown profile: the valid ones are listed', async (t) => {
  const bank = validBank();
  bank['profil'] = 'Opérateur';
  assertOnly(t, json(bank), [{ where: 'profil', message: 'Profil inconnu « Opérateur » : les profils possibles sont concepteur, encadrant, operateur.' }]);
  bank['profil'] = 3;
  assertOnly(t, json(bank), [{ where: 'profil', message: 'Profil inconnu 3 : les profils possibles sont concepteur, encadrant, operateur.' }]);
});

t.test('missing field: named, in the header, the rules, a question, an answer, a CSV cell', async (t) => {
  const noVersion = validBank();
  delete noVersion['version'];
  assertOnly(t, json(noVersion), [{ where: 'version', message: 'Champ obligatoire « version » manquant.' }]);

  const noRight = validBank();
  delete (noRight.regles['points'] as Record<string, unknown>)['bonne'];
  assertOnly(t, json(noRight), [{ where: 'regles.points.bonne', message: 'Champ obligatoire « regles.points.bonne » manquant.' }]);

  const noDuration = validBank();
  delete noDuration.regles['duree_minutes'];
  assertOnly(t, json(noDuration), [{ where: 'regles.duree_minutes', message: 'Champ obligatoire « regles.duree_minutes » manquant.' }]);

  const noRules = validBank() as Partial<JsonBank>;
  delete noRules.regles;
  assertOnly(t, json(noRules), [{ where: 'regles', message: 'Champ obligatoire « regles » manquant.' }]);

  const noStatement = validBank();
  delete noStatement.questions[0]?.['enonce'];
  assertOnly(t, json(noStatement), [{ where: 'question OP-001', message: 'Champ obligatoire « enonce » manquant.' }]);

  const noCode = validBank();
  delete noCode.questions[2]?.['code'];
  assertOnly(t, json(noCode), [{ where: 'question n° 3', message: 'Champ obligatoire « code » manquant.' }]);

  const noFlag = validBank();
  (noFlag.questions[0]?.reponses as Record<string, unknown>[])[1] = { texte: 'Réponse B' };
  assertOnly(t, json(noFlag), [{ where: 'question OP-001', message: 'Champ obligatoire « correcte » de la réponse 2 manquant.' }]);

  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS.slice(0, 3), 'OP-004;Réseaux;non;   ;A;B;;;1', ...CSV_ROWS.slice(4)), header()), [
    { where: 'ligne 5', message: 'Champ obligatoire « enonce » manquant.' },
  ]);
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS.slice(0, 5), 'OP-006;Réseaux;non;Q;A;B;;;'), header()), [
    { where: 'ligne 7', message: 'Champ obligatoire « bonne_reponse » manquant.' },
  ]);
});

t.test('duplicate code: named, with where it first appeared', async (t) => {
  const bank = validBank();
  bank.questions[4] = { ...question(5, false), code: 'op-002' };
  assertOnly(t, json(bank), [
    {
      where: 'question op-002',
      message: 'Le code « op-002 » est en double : la question n° 5 reprend le code de la question n° 2.',
    },
  ]);
  const rows = [...CSV_ROWS];
  rows[4] = rows[4]?.replace('OP-005', 'OP-002') ?? '';
  assertOnly(t, parseCsvBank(csvOf(...rows), header()), [{ where: 'ligne 6', message: 'Le code « OP-002 » est en double : il est déjà utilisé ligne 3.' }]);
});

t.test('fewer than 2 or more than 4 answers', async (t) => {
  const bank = validBank();
  bank.questions[0] = { ...question(1, true), reponses: [{ texte: 'Seule', correcte: true }] };
  bank.questions[1] = {
    ...question(2, true),
    reponses: ['A', 'B', 'C', 'D', 'E'].map((texte, i) => ({ texte, correcte: i === 0 })),
  };
  bank.questions[2] = { ...question(3, false), reponses: [] };
  assertOnly(t, json(bank), [
    { where: 'question OP-001', message: 'La question n’a qu’une réponse : il en faut au moins 2.' },
    { where: 'question OP-002', message: 'La question a 5 réponses : il en faut au plus 4.' },
    { where: 'question OP-003', message: 'La question n’a aucune réponse : il en faut au moins 2.' },
  ]);
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS.slice(0, 5), 'OP-006;Réseaux;non;Q;Seule;;;;1'), header()), [
    { where: 'ligne 7', message: 'La question n’a qu’une réponse : il en faut au moins 2.' },
  ]);
});

t.test('zero correct answers', async (t) => {
  const bank = validBank();
  bank.questions[3] = {
    ...question(4, false),
    reponses: [
      { texte: 'A', correcte: false },
      { texte: 'B', correcte: false },
    ],
  };
  assertOnly(t, json(bank), [{ where: 'question OP-004', message: 'Aucune réponse n’est marquée correcte : il en faut exactement une.' }]);
});

t.test('several correct answers', async (t) => {
  const bank = validBank();
  bank.questions[3] = {
    ...question(4, false),
    reponses: [
      { texte: 'A', correcte: true },
      { texte: 'B', correcte: false },
      { texte: 'C', correcte: true },
    ],
  };
  assertOnly(t, json(bank), [{ where: 'question OP-004', message: '2 réponses sont marquées correctes : il en faut exactement une.' }]);
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS.slice(0, 5), 'OP-006;Réseaux;non;Q;A;B;C;;1,3'), header()), [
    { where: 'ligne 7', message: '2 réponses sont marquées correctes : il en faut exactement une.' },
  ]);
});

t.test('image of a wrong type: not a data URI, another type, or bytes that lie', async (t) => {
  const cases: [string, string][] = [
    [
      'https://example.org/plan.png',
      'L’image doit être une URI « data: » PNG, JPEG ou SVG, par exemple « data:image/png;base64,… » ' +
        '(une adresse ou un chemin de fichier ne sont pas acceptés).',
    ],
    [
      dataUri('image/gif', Buffer.from('GIF89a')),
      'Type d’image non accepté (« image/gif ») : seuls PNG (image/png), JPEG (image/jpeg) et SVG (image/svg+xml) sont acceptés.',
    ],
    [dataUri('image/png', JPEG), 'Le contenu de l’image n’est pas une image PNG, contrairement au type déclaré (image/png).'],
    [dataUri('image/jpeg', PNG), 'Le contenu de l’image n’est pas une image JPEG, contrairement au type déclaré (image/jpeg).'],
    [
      dataUri('image/svg+xml', Buffer.from('<html><body>pas une image</body></html>')),
      'Le contenu de l’image n’est pas une image SVG, contrairement au type déclaré (image/svg+xml).',
    ],
    ['data:image/png;base64,iVBO%%%', 'Le contenu de l’image n’est pas un base64 valide.'],
  ];
  for (const [image, message] of cases) {
    const bank = validBank();
    bank.questions[0] = { ...question(1, true), image };
    assertOnly(t, json(bank), [{ where: 'question OP-001', message }], image.slice(0, 30));
  }
});

t.test('image over 1 MB (1 048 576 decoded bytes); exactly 1 MB is accepted', async (t) => {
  const atLimit = Buffer.concat([PNG, Buffer.alloc(MAX_IMAGE_BYTES - PNG.length)]);
  const overLimit = Buffer.concat([atLimit, Buffer.alloc(1)]);
  t.equal(MAX_IMAGE_BYTES, 1_048_576);

  const ok = validBank();
  ok.questions[0] = { ...question(1, true), image: dataUri('image/png', atLimit) };
  t.ok(json(ok).ok, 'exactly 1 048 576 bytes');

  const tooBig = validBank();
  tooBig.questions[0] = { ...question(1, true), image: dataUri('image/png', overLimit) };
  assertOnly(t, json(tooBig), [
    {
      where: 'question OP-001',
      message: 'L’image pèse 1\u00a0048\u00a0577 octets une fois décodée : la limite est de 1 Mo (1\u00a0048\u00a0576 octets).',
    },
  ]);
});

t.test('more priority questions per exam than the bank holds', async (t) => {
  const bank = validBank();
  bank.regles['questions_prioritaires'] = 3;
  assertOnly(t, json(bank), [{ where: null, message: 'La banque contient 2 questions prioritaires alors que chaque examen en tire 3.' }]);
});

t.test('fewer questions in the bank than nombre_questions', async (t) => {
  const bank = validBank();
  bank.regles['nombre_questions'] = 7;
  bank.regles['questions_prioritaires'] = 0;
  assertOnly(t, json(bank), [
    { where: null, message: 'La banque contient 6 questions alors que chaque examen en tire 7.' },
    {
      where: null,
      message: 'La banque contient 4 questions non prioritaires alors que chaque examen en tire 7 (7 questions dont 0 prioritaires).',
    },
  ]);
});

t.test('fewer non-priority questions than nombre_questions − questions_prioritaires', async (t) => {
  const bank = validBank();
  bank.regles['nombre_questions'] = 6;
  assertOnly(t, json(bank), [
    {
      where: null,
      message: 'La banque contient 4 questions non prioritaires alors que chaque examen en tire 5 (6 questions dont 1 prioritaires).',
    },
  ]);
});

t.test('each error kind has its own message', async (t) => {
  const kinds = [
    'Le fichier JSON est mal formé',
    'Fichier CSV mal formé',
    'Profil inconnu',
    'Champ obligatoire',
    'est en double',
    'il en faut au moins 2',
    'il en faut au plus 4',
    'Aucune réponse n’est marquée correcte',
    'réponses sont marquées correctes',
    'Type d’image non accepté',
    'la limite est de 1 Mo',
    'questions prioritaires alors que',
    'questions alors que',
    'questions non prioritaires alors que',
  ];
  t.equal(new Set(kinds).size, kinds.length);
});

// ——— Other checks ——————————————————————————————————————————————————————————————

t.test('rules: integers in sensible ranges', async (t) => {
  const bank = validBank();
  bank.regles = {
    nombre_questions: 0,
    questions_prioritaires: -1,
    duree_minutes: 60.5,
    seuil_pourcentage: '60',
    points: { bonne: 0, ne_sait_pas: 0, fausse: -101, fausse_prioritaire: null },
  };
  assertOnly(t, json(bank), [
    {
      where: 'regles.nombre_questions',
      message: 'Le champ « regles.nombre_questions » doit être un nombre entier entre 1 et 200 (trouvé : 0).',
    },
    {
      where: 'regles.questions_prioritaires',
      message: 'Le champ « regles.questions_prioritaires » doit être un nombre entier entre 0 et 200 (trouvé : -1).',
    },
    {
      where: 'regles.duree_minutes',
      message: 'Le champ « regles.duree_minutes » doit être un nombre entier entre 1 et 600 (trouvé : 60.5).',
    },
    {
      where: 'regles.seuil_pourcentage',
      message: 'Le champ « regles.seuil_pourcentage » doit être un nombre entier entre 1 et 100 (trouvé : "60").',
    },
    {
      where: 'regles.points.bonne',
      message: 'Le champ « regles.points.bonne » doit être un nombre entier entre 1 et 100 (trouvé : 0).',
    },
    {
      where: 'regles.points.fausse',
      message: 'Le champ « regles.points.fausse » doit être un nombre entier entre -100 et 100 (trouvé : -101).',
    },
    {
      where: 'regles.points.fausse_prioritaire',
      message: 'Le champ « regles.points.fausse_prioritaire » doit être un nombre entier entre -100 et 100 (trouvé : null).',
    },
  ]);
});

t.test('rules: questions_prioritaires cannot exceed nombre_questions', async (t) => {
  const bank = validBank();
  bank.regles['questions_prioritaires'] = 5;
  assertOnly(t, json(bank), [
    {
      where: 'regles.questions_prioritaires',
      message: 'Le champ « regles.questions_prioritaires » doit être un nombre entier entre 0 et 4 (trouvé : 5).',
    },
  ]);
});

t.test('rules: a right answer must pay more than any other outcome', async (t) => {
  const bank = validBank();
  bank.regles['points'] = { bonne: 2, ne_sait_pas: 2, fausse: 3, fausse_prioritaire: -5 };
  assertOnly(t, json(bank), [
    {
      where: 'regles.points.ne_sait_pas',
      message: 'Le champ « regles.points.ne_sait_pas » (2) doit être inférieur aux points d’une bonne réponse (2).',
    },
    {
      where: 'regles.points.fausse',
      message: 'Le champ « regles.points.fausse » (3) doit être inférieur aux points d’une bonne réponse (2).',
    },
  ]);
});

t.test('unknown fields are refused rather than silently dropped', async (t) => {
  const bank = validBank();
  bank['auteur'] = 'moi';
  bank.regles['duree'] = 60;
  (bank.regles['points'] as Record<string, unknown>)['bonus'] = 1;
  bank.questions[0] = { ...question(1, true), imgae: dataUri('image/png', PNG) };
  (bank.questions[1]?.reponses as Record<string, unknown>[])[0] = { texte: 'A', correcte: true, note: 'x' };
  const fields = (keys: string[]) => keys.map((k) => `« ${k} »`).join(', ');
  assertOnly(t, json(bank), [
    {
      where: null,
      message: `Champ inconnu « auteur » : les champs possibles sont ${fields(['profil', 'version', 'titre', 'regles', 'questions'])}.`,
    },
    {
      where: 'regles',
      message: `Champ inconnu « regles.duree » : les champs possibles sont ${fields([
        'nombre_questions',
        'questions_prioritaires',
        'duree_minutes',
        'seuil_pourcentage',
        'points',
      ])}.`,
    },
    {
      where: 'regles.points',
      message: `Champ inconnu « regles.points.bonus » : les champs possibles sont ${fields(['bonne', 'ne_sait_pas', 'fausse', 'fausse_prioritaire'])}.`,
    },
    {
      where: 'question OP-001',
      message: `Champ inconnu « imgae » : les champs possibles sont ${fields([
        'code',
        'theme',
        'prioritaire',
        'enonce',
        'image',
        'description_image',
        'reference',
        'reponses',
      ])}.`,
    },
    {
      where: 'question OP-002',
      message: 'Champ inconnu « note » dans la réponse 1 : les champs possibles sont « texte », « correcte ».',
    },
  ]);
});

t.test('text fields: type, emptiness, length, code pattern', async (t) => {
  const bank = validBank();
  bank['version'] = 2022;
  bank['titre'] = 'T'.repeat(201);
  bank.questions[0] = { ...question(1, true), code: 'OP 001' };
  bank.questions[1] = { ...question(2, true), code: 'É'.repeat(3) };
  bank.questions[2] = { ...question(3, false), code: 'A'.repeat(33) };
  bank.questions[3] = { ...question(4, false), theme: '   ', enonce: 'é'.repeat(2001) };
  bank.questions[4] = { ...question(5, false), prioritaire: 'non', code: 42 };
  bank.questions[5] = {
    ...question(6, false),
    reponses: [
      { texte: 'x'.repeat(501), correcte: true },
      { texte: '', correcte: false },
    ],
  };
  const pattern = 'ne doit contenir que des lettres sans accent, des chiffres, « - », « _ » ou « . », et commencer par une lettre ou un chiffre.';
  assertOnly(t, json(bank), [
    { where: 'version', message: 'Le champ « version » doit être du texte entre guillemets.' },
    { where: 'titre', message: 'Le champ « titre » dépasse 200 caractères (201).' },
    { where: 'question n° 1', message: `Le code « OP 001 » ${pattern}` },
    { where: 'question n° 2', message: `Le code « ÉÉÉ » ${pattern}` },
    { where: 'question n° 3', message: 'Le champ « code » dépasse 32 caractères (33).' },
    { where: 'question OP-004', message: 'Le champ « theme » est vide.' },
    { where: 'question OP-004', message: 'Le champ « enonce » dépasse 2000 caractères (2001).' },
    { where: 'question n° 5', message: 'Le champ « code » doit être du texte entre guillemets.' },
    {
      where: 'question n° 5',
      message: 'Le champ « prioritaire » doit valoir true ou false, sans guillemets (trouvé : "non").',
    },
    { where: 'question OP-006', message: 'Le champ « texte » de la réponse 1 dépasse 500 caractères (501).' },
    { where: 'question OP-006', message: 'Le champ « texte » de la réponse 2 est vide.' },
  ]);
});

t.test('identical answers within a question are refused', async (t) => {
  const bank = validBank();
  bank.questions[0] = {
    ...question(1, true),
    reponses: [
      { texte: 'Oui', correcte: true },
      { texte: 'Non', correcte: false },
      { texte: ' oui ', correcte: false },
    ],
  };
  assertOnly(t, json(bank), [{ where: 'question OP-001', message: 'Les réponses 1 et 3 sont identiques.' }]);
});

t.test('image field: empty string, wrong JSON type', async (t) => {
  const bank = validBank();
  bank.questions[0] = { ...question(1, true), image: '' };
  bank.questions[1] = { ...question(2, true), image: { src: 'x.png' } };
  assertOnly(t, json(bank), [
    { where: 'question OP-001', message: 'Le champ « image » est vide : retirez-le si la question n’a pas d’image.' },
    { where: 'question OP-002', message: 'Le champ « image » doit être du texte : une URI « data: ».' },
  ]);
});

t.test('structure: questions and answers of the wrong JSON type', async (t) => {
  const notList = validBank() as Record<string, unknown>;
  notList['questions'] = { code: 'OP-001' };
  assertOnly(t, json(notList), [{ where: 'questions', message: 'Le champ « questions » doit être une liste [ … ] de questions.' }]);
  const noQuestions = validBank() as Record<string, unknown>;
  delete noQuestions['questions'];
  assertOnly(t, json(noQuestions), [{ where: 'questions', message: 'Champ obligatoire « questions » manquant.' }]);

  const bank = validBank();
  const questions: unknown[] = bank.questions;
  questions[5] = 'OP-006';
  bank.questions[2] = { ...question(3, false), reponses: 'A' };
  bank.questions[3] = { ...question(4, false), reponses: ['A', { texte: 'B', correcte: true }] };
  bank.questions.push(question(7, false));
  assertOnly(t, json(bank), [
    { where: 'question OP-003', message: 'Le champ « reponses » doit être une liste [ … ] de réponses.' },
    { where: 'question OP-004', message: 'La réponse 1 doit être un objet { "texte": …, "correcte": … }.' },
    { where: 'question n° 6', message: 'La question doit être un objet entre accolades { … }.' },
  ]);
});

t.test('CSV: header line, separator, column count, prioritaire, bonne_reponse, gaps', async (t) => {
  assertOnly(t, parseCsvBank('code;theme;enonce\nOP-001;R;Q\n', header()), [{ where: 'ligne 1', message: wrongHeader('code;theme;enonce') }]);
  assertOnly(t, parseCsvBank(CSV_HEADER.replaceAll(';', ',') + '\n', header()), [
    {
      where: 'ligne 1',
      message: wrongHeader(CSV_HEADER.replaceAll(';', ',')) + ' Le séparateur doit être le point-virgule « ; ».',
    },
  ]);
  for (const empty of ['', '\uFEFF', '\n\n', ';;;\r\n']) {
    assertOnly(
      t,
      parseCsvBank(empty, header()),
      [{ where: null, message: `Le fichier CSV est vide : il doit commencer par la ligne d’en-tête « ${CSV_HEADER} ».` }],
      JSON.stringify(empty),
    );
  }
  assertOnly(t, parseCsvBank('\n' + csvOf(...CSV_ROWS), header()), [{ where: 'ligne 1', message: wrongHeader('') }]);

  const bad = [
    'OP-001;Réseaux;oui;Creuser; que faire ?;A;B;;;1',
    'OP-002;Réseaux;oui;Q;A;B;;',
    'OP-003;Réseaux;non;Q;A;B;;;5',
    'OP-004;Réseaux;non;Q;A;B;;;3',
    'OP-005;Réseaux;non;Q;A;;C;;1',
    'OP-006;Réseaux;;Q;A;B;;;1',
    'OP-007;Réseaux;non;Q;A;B;;;1;;',
  ];
  assertOnly(t, parseCsvBank(csvOf(...bad, ...CSV_ROWS.slice(0, 3).map((r) => r.replace('OP-0', 'OP-1'))), header()), [
    {
      where: 'ligne 2',
      message: 'La ligne a 10 colonnes au lieu de 9 : un texte contenant « ; » doit être entre guillemets.',
    },
    {
      where: 'ligne 3',
      message: 'La ligne a 8 colonnes au lieu de 9 : un texte contenant « ; » doit être entre guillemets.',
    },
    {
      where: 'ligne 4',
      message: 'La colonne « bonne_reponse » doit être le numéro de la bonne réponse, de 1 à 4 (trouvé : « 5 »).',
    },
    { where: 'ligne 5', message: 'La colonne « bonne_reponse » vaut 3 mais la réponse 3 est vide.' },
    {
      where: 'ligne 6',
      message: 'La réponse 2 est vide alors qu’une réponse suivante est remplie : les réponses doivent se suivre.',
    },
    { where: 'ligne 7', message: 'Champ obligatoire « prioritaire » manquant.' },
  ]);
});

t.test('CSV not in UTF-8 (Excel’s Windows-1252 “CSV”): one error naming the line', async (t) => {
  const latin1 = Buffer.from(csvOf(...CSV_ROWS), 'latin1');
  const decoded = new TextDecoder('utf-8').decode(latin1);
  assertOnly(t, parseCsvBank(decoded, header()), [
    {
      where: 'ligne 2',
      message:
        'Le fichier CSV n’est pas encodé en UTF-8 (caractère illisible ligne 2) : dans Excel, ' +
        'enregistrez-le au format « CSV UTF-8 (délimité par des points-virgules) ».',
    },
  ]);
});

t.test('CSV header JSON: malformed, or holding questions', async (t) => {
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS), '{"profil": "operateur",'), [
    {
      where: 'en-tête JSON',
      message: 'L’en-tête JSON est mal formé, ligne 1, colonne 24 : nom de champ entre guillemets doubles attendu ' + '(virgule en trop avant « } » ?).',
    },
  ]);
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS), '"operateur"'), [
    { where: 'en-tête JSON', message: 'L’en-tête JSON doit contenir un objet entre accolades { … }.' },
  ]);
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS), JSON.stringify(validBank())), [
    {
      where: 'questions',
      message: 'L’en-tête JSON ne doit pas contenir « questions » : les questions viennent du fichier CSV.',
    },
  ]);
});

t.test('CSV: header and rows errors are reported together', async (t) => {
  const headerJson = JSON.parse(header()) as Record<string, unknown>;
  headerJson['profil'] = 'chef';
  const rows = [...CSV_ROWS];
  rows[1] = 'OP-001;Réseaux;oui;Q;A;B;;;1';
  const errors = errorsOf(parseCsvBank(csvOf(...rows), JSON.stringify(headerJson)));
  t.same(
    errors.map((e) => e.where),
    ['profil', 'ligne 3'],
  );
});

t.test('multiple errors are all reported at once, in file order', async (t) => {
  const bank = validBank();
  bank['profil'] = 'inconnu';
  delete (bank.regles['points'] as Record<string, unknown>)['fausse'];
  bank.questions[1] = { ...question(2, true), enonce: '' };
  bank.questions[2] = { ...question(3, false), code: 'OP-001', image: dataUri('image/gif', Buffer.from('GIF89a')) };
  bank.questions[3] = {
    ...question(4, false),
    reponses: [
      { texte: 'A', correcte: false },
      { texte: 'B', correcte: false },
    ],
  };
  const errors = errorsOf(json(bank));
  t.same(errors.map(describeBankError), [
    'profil : Profil inconnu « inconnu » : les profils possibles sont concepteur, encadrant, operateur.',
    'regles.points.fausse : Champ obligatoire « regles.points.fausse » manquant.',
    'question OP-002 : Le champ « enonce » est vide.',
    'question OP-001 : Le code « OP-001 » est en double : la question n° 3 reprend le code de la question n° 1.',
    'question OP-001 : Type d’image non accepté (« image/gif ») : seuls PNG (image/png), JPEG (image/jpeg) et SVG (image/svg+xml) sont acceptés.',
    'question OP-004 : Aucune réponse n’est marquée correcte : il en faut exactement une.',
  ]);
});

t.test('bank-level counts are checked even when questions have errors', async (t) => {
  const bank = validBank();
  bank.questions = bank.questions.slice(0, 3);
  bank.questions[2] = { ...question(3, false), enonce: '' };
  t.same(errorsOf(json(bank)).map(describeBankError), [
    'question OP-003 : Le champ « enonce » est vide.',
    'La banque contient 3 questions alors que chaque examen en tire 4.',
    'La banque contient 1 question non prioritaire alors que chaque examen en tire 3 (4 questions dont 1 prioritaires).',
  ]);
});

t.test('describeBankError puts the place first, French style', async (t) => {
  t.equal(describeBankError({ where: 'question OP-012', message: 'Le champ « theme » est vide.' }), 'question OP-012 : Le champ « theme » est vide.');
  t.equal(describeBankError({ where: null, message: 'Le fichier JSON est mal formé.' }), 'Le fichier JSON est mal formé.');
});

// ——— Image descriptions and regulatory references (issue 15) ——————————————————————

t.test('JSON: an image description and a reference are read, trimmed and normalised; left out or null, there are none', async (t) => {
  const bank = validBank();
  bank.questions[0] = {
    ...question(1, true),
    image: dataUri('image/png', PNG),
    description_image: '  Coupe d’une tranche\u0301e : un grillage jaune au-dessus d’un tuyau.\n',
    reference: ' R554-21 ',
  };
  bank.questions[1] = { ...question(2, true), image: dataUri('image/png', PNG), description_image: null, reference: null };
  bank.questions[2] = { ...question(3, false), reference: 'Code de l’environnement, R554-1 et suivants' };
  bank.questions[3] = { ...question(4, false), image: dataUri('image/png', PNG) };
  const result = json(bank);
  if (!result.ok) return t.fail(result.errors.map(describeBankError).join('\n'));
  const described = result.bank.questions.map((q) => ({ imageDescription: q.imageDescription, reference: q.reference }));
  t.same(described, [
    { imageDescription: 'Coupe d’une tranchée : un grillage jaune au-dessus d’un tuyau.', reference: 'R554-21' },
    { imageDescription: null, reference: null },
    { imageDescription: null, reference: 'Code de l’environnement, R554-1 et suivants' },
    { imageDescription: null, reference: null },
    { imageDescription: null, reference: null },
    { imageDescription: null, reference: null },
  ]);
});

t.test('JSON: an image description without an image, too long, empty or not text is refused at its question', async (t) => {
  const bank = validBank();
  bank.questions[0] = { ...question(1, true), description_image: 'Un plan du chantier.' };
  bank.questions[1] = { ...question(2, true), image: null, description_image: 'Un plan du chantier.' };
  bank.questions[2] = { ...question(3, false), image: dataUri('image/png', PNG), description_image: 'é'.repeat(301) };
  bank.questions[3] = { ...question(4, false), image: dataUri('image/png', PNG), description_image: '  ' };
  bank.questions[4] = { ...question(5, false), image: dataUri('image/png', PNG), description_image: ['un plan'] };
  // A faulty image is reported once, without blaming its description for it.
  bank.questions[5] = { ...question(6, false), image: dataUri('image/gif', Buffer.from('GIF89a')), description_image: 'Un plan.' };
  const noImage = 'Le champ « description_image » est rempli mais la question n’a pas d’image : ajoutez son « image » ou retirez la description.';
  assertOnly(t, json(bank), [
    { where: 'question OP-001', message: noImage },
    { where: 'question OP-002', message: noImage },
    { where: 'question OP-003', message: 'Le champ « description_image » dépasse 300 caractères (301).' },
    { where: 'question OP-004', message: 'Le champ « description_image » est vide.' },
    { where: 'question OP-005', message: 'Le champ « description_image » doit être du texte entre guillemets.' },
    {
      where: 'question OP-006',
      message: 'Type d’image non accepté (« image/gif ») : seuls PNG (image/png), JPEG (image/jpeg) et SVG (image/svg+xml) sont acceptés.',
    },
  ]);

  const atLimit = validBank();
  atLimit.questions[0] = { ...question(1, true), image: dataUri('image/png', PNG), description_image: 'é'.repeat(300) };
  t.ok(json(atLimit).ok, 'a description of exactly 300 characters is accepted');
});

t.test('JSON: a reference too long, empty or not text is refused at its question', async (t) => {
  const bank = validBank();
  bank.questions[0] = { ...question(1, true), reference: 'R'.repeat(61) };
  bank.questions[1] = { ...question(2, true), reference: '' };
  bank.questions[2] = { ...question(3, false), reference: 554 };
  assertOnly(t, json(bank), [
    { where: 'question OP-001', message: 'Le champ « reference » dépasse 60 caractères (61).' },
    { where: 'question OP-002', message: 'Le champ « reference » est vide.' },
    { where: 'question OP-003', message: 'Le champ « reference » doit être du texte entre guillemets.' },
  ]);
  const atLimit = validBank();
  atLimit.questions[0] = { ...question(1, true), reference: 'R'.repeat(60) };
  t.ok(json(atLimit).ok, 'a reference of exactly 60 characters is accepted');
});

t.test('CSV: the optional columns come after the others, in either order; without them, no reference', async (t) => {
  const referenceOf = (result: BankResult) => {
    if (!result.ok) throw new Error(result.errors.map(describeBankError).join('\n'));
    return result.bank.questions.map((q) => [q.reference, q.imageDescription]);
  };
  const plain = referenceOf(parseCsvBank(csvOf(...CSV_ROWS), header()));
  t.same(
    plain,
    CSV_ROWS.map(() => [null, null]),
    'a file without the optional columns still reads',
  );

  const withReference = [`${CSV_HEADER};reference`, ...CSV_ROWS.map((row, i) => `${row};${i === 1 ? ' R554-21 ' : ''}`)];
  t.same(
    referenceOf(parseCsvBank(withReference.join('\n') + '\n', header())),
    CSV_ROWS.map((_, i) => [i === 1 ? 'R554-21' : null, null]),
    'the reference column alone, trimmed, an empty cell meaning none',
  );

  const bothColumns = [` ${CSV_HEADER};Reference ; DESCRIPTION_IMAGE`, ...CSV_ROWS.map((row, i) => `${row};${i === 0 ? '"Code du travail; R4534-108"' : ''};`)];
  t.same(
    referenceOf(parseCsvBank('\uFEFF' + bothColumns.join('\r\n') + '\r\n', header())),
    CSV_ROWS.map((_, i) => [i === 0 ? 'Code du travail; R4534-108' : null, null]),
    'both columns, the other way round, with an empty description cell',
  );
});

t.test('CSV: a description (the CSV carries no image), a reference too long, a wrong or repeated optional column are refused', async (t) => {
  const rows = [
    `${CSV_HEADER};description_image;reference`,
    `${CSV_ROWS[0]};Un grillage jaune;`,
    `${CSV_ROWS[1]};;${'R'.repeat(61)}`,
    `${CSV_ROWS[2]};;R554-21`,
    `${CSV_ROWS[3]};;`,
    `${CSV_ROWS[4]};;`,
    `${CSV_ROWS[5]}`,
  ];
  assertOnly(t, parseCsvBank(rows.join('\n') + '\n', header()), [
    {
      where: 'ligne 2',
      message: 'La colonne « description_image » est remplie mais le format CSV ne porte pas d’image : une question illustrée s’importe au format JSON.',
    },
    { where: 'ligne 3', message: 'Le champ « reference » dépasse 60 caractères (61).' },
    { where: 'ligne 7', message: 'La ligne a 9 colonnes au lieu de 11 : un texte contenant « ; » doit être entre guillemets.' },
  ]);

  for (const added of ['reference;reference', 'references', 'reference;description']) {
    assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS).replace(CSV_HEADER, `${CSV_HEADER};${added}`), header()), [
      { where: 'ligne 1', message: wrongHeader(`${CSV_HEADER};${added}`) },
    ]);
  }
  assertOnly(t, parseCsvBank(csvOf(...CSV_ROWS).replace(CSV_HEADER, `reference;${CSV_HEADER}`), header()), [
    { where: 'ligne 1', message: wrongHeader(`reference;${CSV_HEADER}`) },
  ]);
});
