/**
 * Checks on single fields, shared by the JSON and CSV readers: text is trimmed, NFC-normalised
 * and bounded; JSON values must have the type the format gives them, and nothing has a default.
 */
import { missing, type Reporter } from './report.js';

export type Json = Record<string, unknown>;

export const MAX_LENGTH = { code: 32, theme: 120, statement: 2000, imageDescription: 300, reference: 60, answer: 500, version: 32, title: 200 };
const CODE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function isJsonObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function checkKnownKeys(obj: Json, allowed: readonly string[], r: Reporter, prefix = ''): void {
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
export function checkText(raw: string, label: string, max: number, r: Reporter): string | undefined {
  const text = raw.normalize('NFC').trim();
  if (text === '') return r.error(`Le champ ${label} est vide.`);
  const length = codePointLength(text);
  if (length > max) return r.error(`Le champ ${label} dépasse ${max} caractères (${length}).`);
  return text;
}

export function checkCode(raw: string, r: Reporter): string | undefined {
  const code = checkText(raw, '« code »', MAX_LENGTH.code, r);
  if (code === undefined) return undefined;
  if (!CODE_PATTERN.test(code)) {
    return r.error(
      `Le code « ${code} » ne doit contenir que des lettres sans accent, des chiffres, « - », « _ » ou « . », ` + 'et commencer par une lettre ou un chiffre.',
    );
  }
  return code;
}

export function jsonText(obj: Json, key: string, label: string, max: number, r: Reporter): string | undefined {
  if (!(key in obj)) return missing(r, label);
  const value = obj[key];
  if (typeof value !== 'string') return r.error(`Le champ ${label} doit être du texte entre guillemets.`);
  return checkText(value, label, max, r);
}

/** An optional text: left out or null means none, but an empty text is refused like any other. */
export function jsonOptionalText(obj: Json, key: string, label: string, max: number, r: Reporter): string | null | undefined {
  if (obj[key] === undefined || obj[key] === null) return null;
  return jsonText(obj, key, label, max, r);
}

export function jsonInteger(obj: Json, key: string, label: string, min: number, max: number, r: Reporter): number | undefined {
  if (!(key in obj)) return missing(r, label);
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const found = JSON.stringify(value);
    return r.error(`Le champ ${label} doit être un nombre entier entre ${min} et ${max} (trouvé : ${found}).`);
  }
  return value;
}

export function jsonBoolean(obj: Json, key: string, label: string, r: Reporter): boolean | undefined {
  if (!(key in obj)) return missing(r, label);
  const value = obj[key];
  if (typeof value !== 'boolean') {
    const found = JSON.stringify(value);
    return r.error(`Le champ ${label} doit valoir true ou false, sans guillemets (trouvé : ${found}).`);
  }
  return value;
}
