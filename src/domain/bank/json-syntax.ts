/**
 * A JSON text read into an object, or one French error saying where and why it is malformed:
 * V8's own messages are English and often without a position.
 */
import type { BankError } from './model.js';
import { isJsonObject, type Json } from './fields.js';
import { Reporter } from './report.js';

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

/** Thrown out of the scan below at the first character that cannot continue the JSON text. */
class InvalidAt extends Error {
  constructor(readonly index: number) {
    super(`invalid JSON at ${index}`);
  }
}

/**
 * Where a JSON text stops being valid, or -1. Only used when V8 does not say: its
 * "Unexpected token" messages (a single quote, `True`, `NaN`…) carry no position.
 */
function locateJsonError(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw new InvalidAt(i);
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
    return stop instanceof InvalidAt ? stop.index : -1;
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `subject` starts the French sentence: 'Le fichier JSON' or 'L’en-tête JSON'. */
export function parseJsonObject(text: string, where: string | null, subject: string, errors: BankError[]): Json | undefined {
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
