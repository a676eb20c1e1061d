/**
 * Reading an imported question bank (PRODUCT.md, "Questionnaire import format"), as JSON or as
 * CSV beside a JSON header. An import is all or nothing, so every error is collected — never
 * stopping at the first — each in French with where it is: a field path ('regles.points.bonne'),
 * a question ('question OP-012', or 'question n° 5' when its code is unusable), a CSV line
 * ('ligne 14', the header being line 1), or null for the file as a whole.
 *
 * Strictness is deliberate: unknown fields are errors (a misspelt optional "image" would
 * otherwise vanish silently) and nothing has a default. Text is trimmed and NFC-normalised, so
 * that a theme typed with a decomposed "é" is not a second theme.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { drawProblems } from './draw.js';
import { isProfile, PROFILES, type Profile } from './profiles.js';
import type { ExamRules } from './rules.js';

export type ImageMime = 'image/png' | 'image/jpeg' | 'image/svg+xml';
export interface BankImage {
  mime: ImageMime;
  data: Buffer;
}
export interface BankAnswer {
  text: string;
  correct: boolean;
}
export interface BankQuestion {
  code: string;
  theme: string;
  priority: boolean;
  statement: string;
  image: BankImage | null;
  answers: BankAnswer[];
}
export interface Bank {
  profile: Profile;
  version: string;
  title: string;
  rules: ExamRules;
  questions: BankQuestion[];
}
export interface BankError {
  where: string | null;
  message: string;
}
export type BankResult = { ok: true; bank: Bank } | { ok: false; errors: BankError[] };

export const MAX_IMAGE_BYTES = 1_048_576;
export const CSV_COLUMNS = [
  'code',
  'theme',
  'prioritaire',
  'enonce',
  'reponse_1',
  'reponse_2',
  'reponse_3',
  'reponse_4',
  'bonne_reponse',
] as const;

const MAX_LENGTH = { code: 32, theme: 120, statement: 2000, answer: 500, version: 32, title: 200 };
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const MIN_ANSWERS = 2;
const MAX_ANSWERS = 4;

export function describeBankError(e: BankError): string {
  return e.where === null ? e.message : `${e.where} : ${e.message}`;
}

export function parseJsonBank(text: string): BankResult {
  const errors: BankError[] = [];
  const root = parseJsonObject(text, null, 'Le fichier JSON', errors);
  if (root === undefined) return { ok: false, errors };
  const header = readHeader(root, errors, ['questions']);
  const drafts = readJsonQuestions(root, errors);
  return finish(header, drafts, errors);
}

/** `headerJsonText` is the JSON format without "questions": the CSV holds them. */
export function parseCsvBank(csvText: string, headerJsonText: string): BankResult {
  const errors: BankError[] = [];
  const root = parseJsonObject(headerJsonText, 'en-tête JSON', 'L’en-tête JSON', errors);
  let header: Header | undefined;
  if (root !== undefined) {
    if ('questions' in root) {
      errors.push({
        where: 'questions',
        message: 'L’en-tête JSON ne doit pas contenir « questions » : les questions viennent du fichier CSV.',
      });
    }
    header = readHeader(root, errors, ['questions']);
  }
  const drafts = readCsvQuestions(csvText, errors);
  return finish(header, drafts, errors);
}

// ——— Shared plumbing ———————————————————————————————————————————————————————

type Json = Record<string, unknown>;

/** What the header holds; a field is undefined when it was faulty (and reported). */
type Header = { [K in 'profile' | 'version' | 'title' | 'rules']: Bank[K] | undefined };

/** One question as read so far: `question` is null as soon as anything in it is wrong. */
interface Draft {
  question: BankQuestion | null;
  /** Kept even for a faulty question so that the bank-level counts stay meaningful. */
  priority: boolean | undefined;
}

/** Reports problems at one place. */
class Reporter {
  constructor(
    private readonly errors: BankError[],
    readonly where: string | null,
  ) {}
  count = 0;
  error(message: string): undefined {
    this.errors.push({ where: this.where, message });
    this.count++;
    return undefined;
  }
}

function finish(header: Header | undefined, drafts: Draft[] | undefined, errors: BankError[]): BankResult {
  if (header?.rules && drafts) {
    const drawable = drafts.flatMap((d, id) =>
      d.priority === undefined ? [] : [{ id, theme: '', priority: d.priority, answerIds: [] }],
    );
    for (const message of drawProblems(drawable, header.rules)) errors.push({ where: null, message });
  }
  if (errors.length > 0) return { ok: false, errors };
  const questions = drafts?.map((d) => d.question);
  const bank = complete<Bank>({
    profile: header?.profile,
    version: header?.version,
    title: header?.title,
    rules: header?.rules,
    questions: questions?.includes(null) ? undefined : (questions as BankQuestion[]),
  });
  if (bank === null) throw new Error('bank: incomplete bank without any error reported');
  return { ok: true, bank };
}

/** Null unless every field was read; a field left undefined has already been reported. */
function complete<T extends object>(fields: { [K in keyof T]: T[K] | undefined }): T | null {
  return Object.values(fields).some((v) => v === undefined) ? null : (fields as T);
}

function isJsonObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function missing(r: Reporter, label: string): undefined {
  return r.error(`Champ obligatoire ${label} manquant.`);
}

function checkKnownKeys(obj: Json, allowed: readonly string[], r: Reporter, prefix = ''): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const expected = allowed.map((k) => `« ${k} »`).join(', ');
      r.error(`Champ inconnu « ${prefix}${key} » : les champs possibles sont ${expected}.`);
    }
  }
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Trims, normalises and bounds a text that is present; `label` is already quoted. */
function checkText(raw: string, label: string, max: number, r: Reporter): string | undefined {
  const text = raw.normalize('NFC').trim();
  if (text === '') return r.error(`Le champ ${label} est vide.`);
  const length = codePointLength(text);
  if (length > max) return r.error(`Le champ ${label} dépasse ${max} caractères (${length}).`);
  return text;
}

function checkCode(raw: string, r: Reporter): string | undefined {
  const code = checkText(raw, '« code »', MAX_LENGTH.code, r);
  if (code === undefined) return undefined;
  if (!CODE_PATTERN.test(code)) {
    return r.error(
      `Le code « ${code} » ne doit contenir que des lettres sans accent, des chiffres, « - », « _ » ou « . », ` +
        'et commencer par une lettre ou un chiffre.',
    );
  }
  return code;
}

function jsonText(obj: Json, key: string, label: string, max: number, r: Reporter): string | undefined {
  if (!(key in obj)) return missing(r, label);
  const value = obj[key];
  if (typeof value !== 'string') return r.error(`Le champ ${label} doit être du texte entre guillemets.`);
  return checkText(value, label, max, r);
}

function jsonInteger(obj: Json, key: string, label: string, min: number, max: number, r: Reporter): number | undefined {
  if (!(key in obj)) return missing(r, label);
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const found = JSON.stringify(value);
    return r.error(`Le champ ${label} doit être un nombre entier entre ${min} et ${max} (trouvé : ${found}).`);
  }
  return value;
}

function jsonBoolean(obj: Json, key: string, label: string, r: Reporter): boolean | undefined {
  if (!(key in obj)) return missing(r, label);
  const value = obj[key];
  if (typeof value !== 'boolean') {
    const found = JSON.stringify(value);
    return r.error(`Le champ ${label} doit valoir true ou false, sans guillemets (trouvé : ${found}).`);
  }
  return value;
}

// ——— JSON syntax ————————————————————————————————————————————————————————————

const UNEXPECTED = 'caractère inattendu';

/** V8's JSON.parse messages, in French. */
const JSON_SYNTAX_HINTS: [RegExp, string][] = [
  [/Unexpected end of JSON input/i, 'le texte s’arrête avant la fin du JSON (accolade, crochet ou guillemet non refermé ?)'],
  [/Expected double-quoted property name/i, 'nom de champ entre guillemets doubles attendu (virgule en trop avant « } » ?)'],
  [/Expected property name/i, 'nom de champ entre guillemets doubles ou « } » attendu'],
  [/No number after minus|fractional number|Exponent part/i, 'nombre mal écrit'],
  [/Expected ',' or '}'/i, 'virgule ou « } » attendue après une valeur'],
  [/Expected ',' or '\]'/i, 'virgule ou « ] » attendue après un élément de liste'],
  [/Expected ':'/i, '« : » attendu après un nom de champ'],
  [/Unterminated string/i, 'texte entre guillemets jamais refermé'],
  [/Bad control character/i, 'retour à la ligne ou tabulation non échappé dans un texte (écrire \\n ou \\t)'],
  [/Bad (Unicode )?escape/i, 'séquence d’échappement « \\ » invalide dans un texte'],
  [/non-whitespace character after JSON/i, 'contenu en trop après la fin du JSON'],
  [/Unexpected token|Unexpected number|Unexpected string|is not valid JSON/i, UNEXPECTED],
];

function describeJsonSyntaxError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = JSON_SYNTAX_HINTS.find(([pattern]) => pattern.test(message))?.[1] ?? 'syntaxe invalide';
  const position = /at position (\d+)/.exec(message);
  // At the end of the text, a position tells nothing the hint does not.
  const index = position ? Number(position[1]) : hint === UNEXPECTED ? locateJsonError(text) : -1;
  if (index < 0) return hint;
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  const shown = hint === UNEXPECTED && index < text.length ? `${hint} « ${text.charAt(index)} »` : hint;
  return `ligne ${line}, colonne ${column} : ${shown}`;
}

/**
 * Where a JSON text stops being valid, or -1. Only used when V8 does not say: its
 * "Unexpected token" messages (a single quote, `True`, `NaN`…) carry no position.
 */
function locateJsonError(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const skipSpace = () => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (c: string) => (text.charAt(i) === c ? i++ : fail());
  const string = () => {
    expect('"');
    while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
    expect('"');
  };
  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const sequence = (close: string, item: () => void) => {
    i++;
    skipSpace();
    if (text.charAt(i) === close) return void i++;
    for (;;) {
      item();
      skipSpace();
      if (text.charAt(i) === close) return void i++;
      expect(',');
    }
  };
  const value = (): void => {
    skipSpace();
    const c = text.charAt(i);
    if (c === '{') {
      return sequence('}', () => {
        skipSpace();
        string();
        skipSpace();
        expect(':');
        value();
      });
    }
    if (c === '[') return sequence(']', value);
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null']) if (text.startsWith(word, i)) return void (i += word.length);
    numberPattern.lastIndex = i;
    if (numberPattern.test(text)) return void (i = numberPattern.lastIndex);
    fail();
  };
  try {
    value();
    skipSpace();
    return i < text.length ? i : -1;
  } catch (stop) {
    // A RangeError means nesting too deep to follow: no position then.
    return typeof stop === 'number' ? stop : -1;
  }
}

/** `subject` starts the French sentence: 'Le fichier JSON' or 'L’en-tête JSON'. */
function parseJsonObject(text: string, where: string | null, subject: string, errors: BankError[]): Json | undefined {
  const r = new Reporter(errors, where);
  const source = stripBom(text);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    return r.error(`${subject} est mal formé, ${describeJsonSyntaxError(error, source)}.`);
  }
  if (!isJsonObject(value)) return r.error(`${subject} doit contenir un objet entre accolades { … }.`);
  return value;
}

// ——— Header: profile, version, title, rules ——————————————————————————————

const RULES_KEYS = ['nombre_questions', 'questions_prioritaires', 'duree_minutes', 'seuil_pourcentage', 'points'];
const POINTS_KEYS = ['bonne', 'ne_sait_pas', 'fausse', 'fausse_prioritaire'];

function readHeader(root: Json, errors: BankError[], extraKeys: readonly string[]): Header {
  checkKnownKeys(root, ['profil', 'version', 'titre', 'regles', ...extraKeys], new Reporter(errors, null));
  return {
    profile: readProfile(root, new Reporter(errors, 'profil')),
    version: jsonText(root, 'version', '« version »', MAX_LENGTH.version, new Reporter(errors, 'version')),
    title: jsonText(root, 'titre', '« titre »', MAX_LENGTH.title, new Reporter(errors, 'titre')),
    rules: readRules(root, errors),
  };
}

function readProfile(root: Json, r: Reporter): Profile | undefined {
  if (!('profil' in root)) return missing(r, '« profil »');
  const value = root['profil'];
  if (isProfile(value)) return value;
  const shown = typeof value === 'string' ? `« ${value} »` : JSON.stringify(value);
  return r.error(`Profil inconnu ${shown} : les profils possibles sont ${PROFILES.join(', ')}.`);
}

function readRules(root: Json, errors: BankError[]): ExamRules | undefined {
  const at = (path: string) => new Reporter(errors, path);
  if (!('regles' in root)) return missing(at('regles'), '« regles »');
  const rules = root['regles'];
  if (!isJsonObject(rules)) {
    return at('regles').error('Le champ « regles » doit être un objet entre accolades { … }.');
  }
  checkKnownKeys(rules, RULES_KEYS, at('regles'), 'regles.');

  const int = (obj: Json, path: string, min: number, max: number) =>
    jsonInteger(obj, path.slice(path.lastIndexOf('.') + 1), `« ${path} »`, min, max, at(path));
  const questionCount = int(rules, 'regles.nombre_questions', 1, 200);
  const priorityCount = int(rules, 'regles.questions_prioritaires', 0, questionCount ?? 200);
  const durationMinutes = int(rules, 'regles.duree_minutes', 1, 600);
  const passPercentage = int(rules, 'regles.seuil_pourcentage', 1, 100);

  let points: ExamRules['points'] | undefined;
  if (!('points' in rules)) missing(at('regles.points'), '« regles.points »');
  else if (!isJsonObject(rules['points'])) {
    at('regles.points').error('Le champ « regles.points » doit être un objet entre accolades { … }.');
  } else {
    const raw = rules['points'];
    checkKnownKeys(raw, POINTS_KEYS, at('regles.points'), 'regles.points.');
    const right = int(raw, 'regles.points.bonne', 1, 100);
    const others = {
      dontKnow: int(raw, 'regles.points.ne_sait_pas', -100, 100),
      wrong: int(raw, 'regles.points.fausse', -100, 100),
      wrongPriority: int(raw, 'regles.points.fausse_prioritaire', -100, 100),
    };
    // Otherwise guessing, or giving up, would pay more than knowing.
    const names = { dontKnow: 'ne_sait_pas', wrong: 'fausse', wrongPriority: 'fausse_prioritaire' } as const;
    let consistent = true;
    for (const key of ['dontKnow', 'wrong', 'wrongPriority'] as const) {
      const value = others[key];
      if (right !== undefined && value !== undefined && value >= right) {
        consistent = false;
        const path = `regles.points.${names[key]}`;
        at(path).error(
          `Le champ « ${path} » (${value}) doit être inférieur aux points d’une bonne réponse (${right}).`,
        );
      }
    }
    if (consistent) points = complete<ExamRules['points']>({ right, ...others }) ?? undefined;
  }
  return complete<ExamRules>({ questionCount, priorityCount, durationMinutes, passPercentage, points }) ?? undefined;
}

// ——— JSON questions —————————————————————————————————————————————————————————

const QUESTION_KEYS = ['code', 'theme', 'prioritaire', 'enonce', 'image', 'reponses'];
const ANSWER_KEYS = ['texte', 'correcte'];

function readJsonQuestions(root: Json, errors: BankError[]): Draft[] | undefined {
  const r = new Reporter(errors, 'questions');
  if (!('questions' in root)) return missing(r, '« questions »');
  const list = root['questions'];
  if (!Array.isArray(list)) return r.error('Le champ « questions » doit être une liste [ … ] de questions.');

  // Lower-cased: codes differing only by case are surely a mistake and would confuse statistics.
  const firstIndex = new Map<string, number>();
  return list.map((raw: unknown, index) => {
    const number = index + 1;
    if (!isJsonObject(raw)) {
      new Reporter(errors, `question n° ${number}`).error('La question doit être un objet entre accolades { … }.');
      return { question: null, priority: undefined };
    }
    // The code names the question in every other message, so it is checked silently first.
    const rawCode = raw['code'];
    const code = typeof rawCode === 'string' ? checkCode(rawCode, new Reporter([], null)) : undefined;
    const q = new Reporter(errors, code === undefined ? `question n° ${number}` : `question ${code}`);
    if (code === undefined) {
      if (!('code' in raw)) missing(q, '« code »');
      else if (typeof rawCode !== 'string') q.error('Le champ « code » doit être du texte entre guillemets.');
      else checkCode(rawCode, q);
    } else {
      const key = code.toLowerCase();
      const first = firstIndex.get(key);
      if (first === undefined) firstIndex.set(key, number);
      else {
        q.error(
          `Le code « ${code} » est en double : la question n° ${number} reprend le code de la question n° ${first}.`,
        );
      }
    }
    checkKnownKeys(raw, QUESTION_KEYS, q);
    const theme = jsonText(raw, 'theme', '« theme »', MAX_LENGTH.theme, q);
    const priority = jsonBoolean(raw, 'prioritaire', '« prioritaire »', q);
    const statement = jsonText(raw, 'enonce', '« enonce »', MAX_LENGTH.statement, q);
    const image = readJsonImage(raw, q);
    const answers = readJsonAnswers(raw, q);
    const question = complete<BankQuestion>({ code, theme, priority, statement, image, answers });
    return { question: q.count > 0 ? null : question, priority };
  });
}

function readJsonImage(raw: Json, q: Reporter): BankImage | null | undefined {
  const value = raw['image'];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return q.error('Le champ « image » doit être du texte : une URI « data: ».');
  if (value.trim() === '') return q.error('Le champ « image » est vide : retirez-le si la question n’a pas d’image.');
  return decodeImage(value.trim(), q);
}

function readJsonAnswers(raw: Json, q: Reporter): BankAnswer[] | undefined {
  if (!('reponses' in raw)) return missing(q, '« reponses »');
  const list = raw['reponses'];
  if (!Array.isArray(list)) return q.error('Le champ « reponses » doit être une liste [ … ] de réponses.');
  const before = q.count;
  const answers = list.map((item: unknown, index): Partial<BankAnswer> => {
    const label = (field: string) => `« ${field} » de la réponse ${index + 1}`;
    if (!isJsonObject(item)) {
      q.error(`La réponse ${index + 1} doit être un objet { "texte": …, "correcte": … }.`);
      return {};
    }
    for (const key of Object.keys(item)) {
      if (!ANSWER_KEYS.includes(key)) {
        q.error(
          `Champ inconnu « ${key} » dans la réponse ${index + 1} : ` +
            'les champs possibles sont « texte », « correcte ».',
        );
      }
    }
    return {
      text: jsonText(item, 'texte', label('texte'), MAX_LENGTH.answer, q),
      correct: jsonBoolean(item, 'correcte', label('correcte'), q),
    };
  });
  checkAnswerSet(answers, q);
  if (q.count > before) return undefined;
  return answers as BankAnswer[];
}

/** Rules on the answers as a whole, shared by JSON and CSV. */
function checkAnswerSet(answers: readonly Partial<BankAnswer>[], q: Reporter): void {
  const n = answers.length;
  if (n === 0) q.error(`La question n’a aucune réponse : il en faut au moins ${MIN_ANSWERS}.`);
  else if (n < MIN_ANSWERS) q.error(`La question n’a qu’une réponse : il en faut au moins ${MIN_ANSWERS}.`);
  else if (n > MAX_ANSWERS) q.error(`La question a ${n} réponses : il en faut au plus ${MAX_ANSWERS}.`);

  const correct = answers.filter((a) => a.correct === true).length;
  const allFlagged = answers.every((a) => a.correct !== undefined);
  if (correct === 0 && allFlagged && n > 0) {
    q.error('Aucune réponse n’est marquée correcte : il en faut exactement une.');
  } else if (correct > 1) {
    q.error(`${correct} réponses sont marquées correctes : il en faut exactement une.`);
  }

  const seen = new Map<string, number>();
  answers.forEach((a, index) => {
    if (a.text === undefined) return;
    const key = a.text.toLocaleLowerCase('fr');
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index + 1);
    else q.error(`Les réponses ${first} et ${index + 1} sont identiques.`);
  });
}

// ——— Images ——————————————————————————————————————————————————————————————————

const IMAGE_KINDS: Record<ImageMime, { name: string; matches: (data: Buffer) => boolean }> = {
  'image/png': {
    name: 'PNG',
    matches: (d) => d.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  'image/jpeg': { name: 'JPEG', matches: (d) => d[0] === 0xff && d[1] === 0xd8 && d[2] === 0xff },
  'image/svg+xml': { name: 'SVG', matches: (d) => d.toString('utf8').toLowerCase().includes('<svg') },
};

function isImageMime(x: string): x is ImageMime {
  return Object.hasOwn(IMAGE_KINDS, x);
}

/** Digits grouped by non-breaking spaces, as French writes them. */
function formatInteger(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

function decodeImage(uri: string, q: Reporter): BankImage | undefined {
  const match = /^data:([^,]*),(.*)$/is.exec(uri);
  if (!match) {
    return q.error(
      'L’image doit être une URI « data: » PNG, JPEG ou SVG, par exemple « data:image/png;base64,… » ' +
        '(une adresse ou un chemin de fichier ne sont pas acceptés).',
    );
  }
  const [mediaType = '', ...parameters] = (match[1] ?? '').split(';').map((s) => s.trim().toLowerCase());
  const payload = match[2] ?? '';
  // "image/jpg" is a common misspelling that every browser accepts.
  const mime = mediaType === 'image/jpg' ? 'image/jpeg' : mediaType;
  if (!isImageMime(mime)) {
    return q.error(
      `Type d’image non accepté (« ${mediaType || 'aucun type'} ») : seuls PNG (image/png), JPEG (image/jpeg) ` +
        'et SVG (image/svg+xml) sont acceptés.',
    );
  }

  let data: Buffer;
  if (parameters.includes('base64')) {
    const compact = payload.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      return q.error('Le contenu de l’image n’est pas un base64 valide.');
    }
    data = Buffer.from(compact, 'base64');
  } else {
    try {
      data = Buffer.from(decodeURIComponent(payload), 'utf8');
    } catch {
      return q.error('Le contenu de l’image est mal encodé (séquence « % » invalide).');
    }
  }

  const kind = IMAGE_KINDS[mime];
  const before = q.count;
  if (data.length > MAX_IMAGE_BYTES) {
    q.error(
      `L’image pèse ${formatInteger(data.length)} octets une fois décodée : ` +
        `la limite est de 1 Mo (${formatInteger(MAX_IMAGE_BYTES)} octets).`,
    );
  }
  if (!kind.matches(data)) {
    q.error(`Le contenu de l’image n’est pas une image ${kind.name}, contrairement au type déclaré (${mime}).`);
  }
  return q.count > before ? undefined : { mime, data };
}

// ——— CSV questions ————————————————————————————————————————————————————————————

interface CsvRecord {
  fields: string[];
  line: number;
}

function readCsvRecords(csvText: string, errors: BankError[]): CsvRecord[] | undefined {
  // Excel's plain "CSV" is Windows-1252: decoded as UTF-8, its accented letters become U+FFFD.
  const garbled = csvText.indexOf('\uFFFD');
  if (garbled !== -1) {
    const line = csvText.slice(0, garbled).split('\n').length;
    errors.push({
      where: `ligne ${line}`,
      message:
        `Le fichier CSV n’est pas encodé en UTF-8 (caractère illisible ligne ${line}) : dans Excel, ` +
        'enregistrez-le au format « CSV UTF-8 (délimité par des points-virgules) ».',
    });
    return undefined;
  }
  const records: CsvRecord[] = [];
  let lastLine = 0;
  try {
    // Blank lines are kept (and skipped later) so that each record's first line is known.
    parseCsv(csvText, {
      delimiter: ';',
      bom: true,
      relax_column_count: true,
      on_record: (fields: string[], context) => {
        records.push({ fields, line: lastLine + 1 });
        lastLine = context.lines;
        return null;
      },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reported = (error as { lines?: unknown }).lines;
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      const line = lastLine + 1;
      errors.push({
        where: `ligne ${line}`,
        message: `Fichier CSV mal formé : le guillemet ouvert ligne ${line} n’est jamais refermé.`,
      });
    } else {
      const line = typeof reported === 'number' ? reported : undefined;
      const detail =
        code === 'INVALID_OPENING_QUOTE' || code === 'CSV_INVALID_CLOSING_QUOTE'
          ? 'guillemet mal placé (un champ contenant des guillemets doit être entièrement entre guillemets, ' +
            'ses propres guillemets étant doublés : "").'
          : 'le fichier ne peut pas être lu comme un CSV séparé par des points-virgules.';
      errors.push({
        where: line === undefined ? null : `ligne ${line}`,
        message: `Fichier CSV mal formé${line === undefined ? '' : ` ligne ${line}`} : ${detail}`,
      });
    }
    return undefined;
  }
  return records;
}

function readCsvQuestions(csvText: string, errors: BankError[]): Draft[] | undefined {
  const records = readCsvRecords(csvText, errors);
  if (records === undefined) return undefined;
  const expected = CSV_COLUMNS.join(';');
  const [header, ...rows] = records;
  if (records.every(({ fields }) => fields.every((f) => f.trim() === ''))) {
    errors.push({ where: null, message: `Le fichier CSV est vide : il doit commencer par la ligne d’en-tête « ${expected} ».` });
    return undefined;
  }
  const headerFields = (header?.fields ?? []).map((f) => f.trim().toLowerCase());
  while (headerFields.length > CSV_COLUMNS.length && headerFields.at(-1) === '') headerFields.pop();
  if (headerFields.join(';') !== expected) {
    const found = header?.fields.join(';') ?? '';
    const wrongSeparator = headerFields.length === 1 && /[,\t]/.test(found);
    errors.push({
      where: 'ligne 1',
      message:
        `La première ligne doit être l’en-tête « ${expected} » (trouvé : « ${found} »).` +
        (wrongSeparator ? ' Le séparateur doit être le point-virgule « ; ».' : ''),
    });
    // Without the expected columns, the rows cannot be interpreted.
    return undefined;
  }

  const firstLine = new Map<string, number>();
  const drafts: Draft[] = [];
  for (const { fields, line } of rows) {
    if (fields.every((f) => f.trim() === '')) continue;
    const q = new Reporter(errors, `ligne ${line}`);
    const extra = fields.slice(CSV_COLUMNS.length);
    if (fields.length < CSV_COLUMNS.length || extra.some((f) => f.trim() !== '')) {
      q.error(
        `La ligne a ${fields.length} colonnes au lieu de ${CSV_COLUMNS.length} : un texte contenant « ; » ` +
          'doit être entre guillemets.',
      );
      drafts.push({ question: null, priority: undefined });
      continue;
    }
    drafts.push(readCsvRow(fields, line, q, firstLine));
  }
  return drafts;
}

function readCsvRow(fields: string[], line: number, q: Reporter, firstLine: Map<string, number>): Draft {
  const cell = (column: (typeof CSV_COLUMNS)[number]) => fields[CSV_COLUMNS.indexOf(column)] ?? '';
  const text = (column: (typeof CSV_COLUMNS)[number], max: number) =>
    cell(column).trim() === '' ? missing(q, `« ${column} »`) : checkText(cell(column), `« ${column} »`, max, q);

  let code: string | undefined;
  if (cell('code').trim() === '') missing(q, '« code »');
  else code = checkCode(cell('code'), q);
  if (code !== undefined) {
    const key = code.toLowerCase();
    const first = firstLine.get(key);
    if (first === undefined) firstLine.set(key, line);
    else q.error(`Le code « ${code} » est en double : il est déjà utilisé ligne ${first}.`);
  }
  const theme = text('theme', MAX_LENGTH.theme);
  const priority = readYesNo(cell('prioritaire'), q);
  const statement = text('enonce', MAX_LENGTH.statement);
  const answers = readCsvAnswers(fields, q);
  const question = complete<BankQuestion>({ code, theme, priority, statement, image: null, answers });
  return { question: q.count > 0 ? null : question, priority };
}

function readYesNo(raw: string, q: Reporter): boolean | undefined {
  const value = raw.trim().toLowerCase();
  if (value === '') return missing(q, '« prioritaire »');
  if (value === 'oui') return true;
  if (value === 'non') return false;
  return q.error(`La colonne « prioritaire » doit valoir « oui » ou « non » (trouvé : « ${raw.trim()} »).`);
}

function readCsvAnswers(fields: string[], q: Reporter): BankAnswer[] | undefined {
  const before = q.count;
  const first = CSV_COLUMNS.indexOf('reponse_1');
  const cells = fields.slice(first, first + MAX_ANSWERS).map((f) => f.trim());
  while (cells.length > 0 && cells.at(-1) === '') cells.pop();
  const gap = cells.indexOf('');
  if (gap !== -1) {
    q.error(
      `La réponse ${gap + 1} est vide alors qu’une réponse suivante est remplie : les réponses doivent se suivre.`,
    );
  }

  const rawChoice = (fields[CSV_COLUMNS.indexOf('bonne_reponse')] ?? '').trim();
  let chosen: number[] = [];
  if (rawChoice === '') missing(q, '« bonne_reponse »');
  else if (/^[1-4](?:\s*(?:,|\+|\/|&|et)\s*[1-4])+$/i.test(rawChoice)) {
    // "1,3" means several right answers: report it as such rather than as a typo.
    chosen = [...new Set(rawChoice.match(/[1-4]/g)?.map(Number) ?? [])];
  } else if (/^[1-4]$/.test(rawChoice)) {
    chosen = [Number(rawChoice)];
  } else {
    q.error(
      `La colonne « bonne_reponse » doit être le numéro de la bonne réponse, de 1 à 4 (trouvé : « ${rawChoice} »).`,
    );
  }
  const pointingAtNothing = chosen.filter((n) => !cells[n - 1]);
  for (const n of pointingAtNothing) {
    q.error(`La colonne « bonne_reponse » vaut ${n} mais la réponse ${n} est vide.`);
  }
  // Already explained above; flagging no answer avoids a second, misleading "aucune correcte".
  if (pointingAtNothing.length > 0) chosen = [];

  const answers = cells.map((cell, index) => ({
    text: cell === '' ? undefined : checkText(cell, `« reponse_${index + 1} »`, MAX_LENGTH.answer, q),
    correct: chosen.length === 0 ? undefined : chosen.includes(index + 1),
  }));
  checkAnswerSet(answers, q);
  return q.count > before ? undefined : (answers as BankAnswer[]);
}
