/**
 * The CSV form: one question per line, beside a JSON header holding everything else. Written
 * for what Excel saves: `;`-separated, UTF-8 with or without a byte order mark, quoted fields.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { listInFrench } from '../french.js';
import { finish } from './assemble.js';
import { checkCode, checkText, MAX_LENGTH } from './fields.js';
import { readHeader, type Header } from './header.js';
import { parseJsonObject } from './json-syntax.js';
import type { BankAnswer, BankError, BankQuestion, BankResult } from './model.js';
import { checkAnswerSet, MAX_ANSWERS, type Draft } from './question-checks.js';
import { complete, missing, Reporter } from './report.js';

export const CSV_COLUMNS = ['code', 'theme', 'prioritaire', 'enonce', 'reponse_1', 'reponse_2', 'reponse_3', 'reponse_4', 'bonne_reponse'] as const;
/** Columns a file may add after CSV_COLUMNS, in any order, so that a bank written before them still reads. */
export const CSV_OPTIONAL_COLUMNS = ['description_image', 'reference'] as const;
type OptionalColumn = (typeof CSV_OPTIONAL_COLUMNS)[number];
type CsvColumn = (typeof CSV_COLUMNS)[number] | OptionalColumn;
const isOptionalColumn = (name: string): name is OptionalColumn => (CSV_OPTIONAL_COLUMNS as readonly string[]).includes(name);

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
          ? 'guillemet mal placé (un champ contenant des guillemets doit être entièrement entre guillemets, ' + 'ses propres guillemets étant doublés : "").'
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
  const added = headerFields.slice(CSV_COLUMNS.length);
  if (headerFields.slice(0, CSV_COLUMNS.length).join(';') !== expected || !added.every((name, i) => isOptionalColumn(name) && added.indexOf(name) === i)) {
    const found = header?.fields.join(';') ?? '';
    const wrongSeparator = headerFields.length === 1 && /[,\t]/.test(found);
    const optional = listInFrench(CSV_OPTIONAL_COLUMNS.map((name) => `« ${name} »`));
    errors.push({
      where: 'ligne 1',
      message:
        `La première ligne doit être l’en-tête « ${expected} », suivi s’il y a lieu des colonnes facultatives ${optional} ` +
        `(trouvé : « ${found} »).` +
        (wrongSeparator ? ' Le séparateur doit être le point-virgule « ; ».' : ''),
    });
    // Without the expected columns, the rows cannot be interpreted.
    return undefined;
  }
  const columns: readonly CsvColumn[] = [...CSV_COLUMNS, ...added.filter(isOptionalColumn)];

  const firstLine = new Map<string, number>();
  const drafts: Draft[] = [];
  for (const { fields, line } of rows) {
    if (fields.every((f) => f.trim() === '')) continue;
    const q = new Reporter(errors, `ligne ${line}`);
    const extra = fields.slice(columns.length);
    if (fields.length < columns.length || extra.some((f) => f.trim() !== '')) {
      q.error(`La ligne a ${fields.length} colonnes au lieu de ${columns.length} : un texte contenant « ; » ` + 'doit être entre guillemets.');
      drafts.push({ question: null, priority: undefined });
      continue;
    }
    drafts.push(readCsvRow(fields, columns, line, q, firstLine));
  }
  return drafts;
}

function readCsvRow(fields: string[], columns: readonly CsvColumn[], line: number, q: Reporter, firstLine: Map<string, number>): Draft {
  // A column the file leaves out reads as an empty cell.
  const cell = (column: CsvColumn) => fields[columns.indexOf(column)] ?? '';
  const text = (column: CsvColumn, max: number) =>
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
  // The CSV form carries no image, so a description here would describe nothing.
  const imageDescription =
    cell('description_image').trim() === ''
      ? null
      : q.error('La colonne « description_image » est remplie mais le format CSV ne porte pas d’image : une question illustrée s’importe au format JSON.');
  const reference = cell('reference').trim() === '' ? null : checkText(cell('reference'), '« reference »', MAX_LENGTH.reference, q);
  const answers = readCsvAnswers(fields, q);
  const question = complete<BankQuestion>({ code, theme, priority, statement, image: null, imageDescription, reference, answers });
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
    q.error(`La réponse ${gap + 1} est vide alors qu’une réponse suivante est remplie : les réponses doivent se suivre.`);
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
    q.error(`La colonne « bonne_reponse » doit être le numéro de la bonne réponse, de 1 à 4 (trouvé : « ${rawChoice} »).`);
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
