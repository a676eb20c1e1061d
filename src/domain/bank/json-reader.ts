/** The JSON import format (PRODUCT.md): the header and the questions in one object. */
import { finish } from './assemble.js';
import { checkCode, checkKnownKeys, isJsonObject, jsonBoolean, jsonOptionalText, jsonText, MAX_LENGTH, type Json } from './fields.js';
import { readHeader } from './header.js';
import { decodeImage } from './image.js';
import { parseJsonObject } from './json-syntax.js';
import type { BankAnswer, BankError, BankImage, BankQuestion, BankResult } from './model.js';
import { checkAnswerSet, type Draft } from './question-checks.js';
import { complete, missing, Reporter } from './report.js';

export function parseJsonBank(text: string): BankResult {
  const errors: BankError[] = [];
  const root = parseJsonObject(text, null, 'Le fichier JSON', errors);
  if (root === undefined) return { ok: false, errors };
  const header = readHeader(root, errors, ['questions']);
  const drafts = readJsonQuestions(root, errors);
  return finish(header, drafts, errors);
}

const QUESTION_KEYS = ['code', 'theme', 'prioritaire', 'enonce', 'image', 'description_image', 'reference', 'reponses'];
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
        q.error(`Le code « ${code} » est en double : la question n° ${number} reprend le code de la question n° ${first}.`);
      }
    }
    checkKnownKeys(raw, QUESTION_KEYS, q);
    const theme = jsonText(raw, 'theme', '« theme »', MAX_LENGTH.theme, q);
    const priority = jsonBoolean(raw, 'prioritaire', '« prioritaire »', q);
    const statement = jsonText(raw, 'enonce', '« enonce »', MAX_LENGTH.statement, q);
    const image = readJsonImage(raw, q);
    const imageDescription = readJsonImageDescription(raw, image, q);
    const reference = jsonOptionalText(raw, 'reference', '« reference »', MAX_LENGTH.reference, q);
    const answers = readJsonAnswers(raw, q);
    const question = complete<BankQuestion>({ code, theme, priority, statement, image, imageDescription, reference, answers });
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

/** Only a question without any image is blamed: a faulty image (undefined) was reported already. */
function readJsonImageDescription(raw: Json, image: BankImage | null | undefined, q: Reporter): string | null | undefined {
  const description = jsonOptionalText(raw, 'description_image', '« description_image »', MAX_LENGTH.imageDescription, q);
  if (typeof description !== 'string' || image !== null) return description;
  return q.error('Le champ « description_image » est rempli mais la question n’a pas d’image : ajoutez son « image » ou retirez la description.');
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
        q.error(`Champ inconnu « ${key} » dans la réponse ${index + 1} : ` + 'les champs possibles sont « texte », « correcte ».');
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
