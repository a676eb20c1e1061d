/**
 * The candidate's identity as typed on the kiosk. Names are printed on the attestation, so they
 * are kept as typed (trimmed, inner spaces collapsed, NFC) — accents, hyphens, apostrophes and
 * spaces welcome — but anything that is not a letter of a name is refused. The birth date is
 * typed as a French person writes it (JJ/MM/AAAA) or as the kiosk contract documents it
 * (AAAA-MM-JJ), and kept as AAAA-MM-JJ.
 */
import { isValidDate } from './paris-time.js';

export interface IdentityInput {
  nom?: unknown;
  prenom?: unknown;
  date_naissance?: unknown;
  entreprise?: unknown;
  adresse_entreprise?: unknown;
}

export interface Identity {
  lastName: string;
  firstName: string;
  birthDate: string;
  company: string | null;
  /** At least a postcode and a town, printed after the company on the attestation. */
  companyAddress: string | null;
}

/** Who the messages speak to: the candidate at the kiosk, or the manager correcting an identity. */
export type Addressee = 'candidate' | 'manager';

export type IdentityResult =
  | { ok: true; identity: Identity; values: Record<keyof IdentityInput, string> }
  | { ok: false; errors: Partial<Record<keyof IdentityInput, string>>; values: Record<keyof IdentityInput, string> };

export const MIN_AGE = 14;
export const MAX_AGE = 100;
const NAME_MAX = 80;
const COMPANY_MAX = 120;
const ADDRESS_MAX = 200;
// « 23 / 04 / 1985 » is 14 characters: more is no date.
const BIRTH_DATE_MAX = 20;
// A French postcode then a word: « 12 rue des Lilas, 69003 Lyon », « 69003 Lyon ».
const POSTCODE_AND_TOWN = /(?:^|\D)\d{5} +\p{L}/u;

// Letters of any script, combining marks, and the separators names use: space, hyphen, apostrophes, dot.
const NAME_PATTERN = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
// « Marie- », « D’ »: a name does not end halfway through a compound (« St. » may end with its dot).
const NAME_CUT_SHORT = /[-'’]$/u;
// Company names as they are registered: « SARL “Les Bâtisseurs” », « TP N° 1 : réseaux & fils »,
// « Dupont — Fils » (the dashes a word processor or a phone types: ‐ ‑ ‒ – — and the minus −).
// What could be markup or is no text (< > { } \ ` emoji, controls) stays out.
const COMPANY_CHARACTER = /[\p{L}\p{M}\p{N} '’.,&()/+\-\u2010-\u2014\u2212«»"“”°:;!#@*_]/u;

function clean(value: unknown, max: number): string {
  // A form field is text; anything else (a field sent twice arrives as a list) counts as nothing typed.
  return (typeof value === 'string' ? value : '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max * 4);
}

type Field = 'nom' | 'prénom' | 'date de naissance';
const ARTICLES: Record<Field, string> = { nom: 'le', prénom: 'le', 'date de naissance': 'la' };

/** « votre nom » to the candidate, « le nom du candidat » to the manager. */
function theField(field: Field, to: Addressee): string {
  return to === 'candidate' ? `votre ${field}` : `${ARTICLES[field]} ${field} du candidat`;
}

function capitalised(text: string): string {
  return text.charAt(0).toLocaleUpperCase('fr-FR') + text.slice(1);
}

function nameProblem(value: string, field: Field, to: Addressee): string | null {
  const the = theField(field, to);
  if (!value) return `Saisissez ${the}.`;
  if ([...value].length > NAME_MAX) return `${capitalised(the)} ne doit pas dépasser ${NAME_MAX} caractères.`;
  if (!NAME_PATTERN.test(value)) return `${capitalised(the)} ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.`;
  if (NAME_CUT_SHORT.test(value)) return `${capitalised(the)} ne peut pas se terminer par un trait d’union ou une apostrophe.`;
  return null;
}

function refusedCharacters(value: string): string | null {
  const refused = [...new Set([...value].filter((c) => !COMPANY_CHARACTER.test(c)))];
  if (refused.length === 0) return null;
  // Named when they can be shown (an invisible control character cannot).
  const shown = refused.filter((c) => !/\p{C}/u.test(c)).slice(0, 5);
  return shown.length > 0 ? ` : ${shown.join(' ')}` : '.';
}

/** Why a typed date is not one: no date at all, a year not on 4 digits, no such month, no such day. */
export type TypedDateProblem = 'format' | 'year' | 'month' | 'day';

export type TypedDate = { ok: true; date: string } | { ok: false; problem: TypedDateProblem; date?: string };

// Between day, month and year: « / », « - » or « . » (spaces around allowed), or spaces alone.
const SEP = String.raw`\s*[/.-]\s*|\s+`;
// « 23/04/1985 », « 3/4/1985 », « 23.04.1985 », « 23 04 1985 »; the year's digits all caught, so that « 23/04/85 » is told apart.
const DAY_FIRST = new RegExp(String.raw`^(\d{1,2})(?:${SEP})(\d{1,2})(?:${SEP})(\d+)$`, 'u');
// « 1985-04-23 », the form of the kiosk contract (and « 1985-4-23 », which cannot be read otherwise).
const YEAR_FIRST = new RegExp(String.raw`^(\d{4})(?:${SEP})(\d{1,2})(?:${SEP})(\d{1,2})$`, 'u');

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A calendar day as a person types it — JJ/MM/AAAA (« 23/04/1985 », « 3/4/1985 », with « / »,
 * « - », « . » or spaces) or AAAA-MM-JJ (« 1985-04-23 ») — as `AAAA-MM-JJ`, or why it is none.
 * A refused real-looking date carries what was understood (`date`, `JJ/MM/AAAA`) to be shown back.
 */
export function parseTypedDate(text: string): TypedDate {
  const typed = text.trim();
  let parts: [string, string, string] | null = null;
  const yearFirst = YEAR_FIRST.exec(typed);
  if (yearFirst) parts = [yearFirst[1]!, yearFirst[2]!, yearFirst[3]!];
  const dayFirst = yearFirst ? null : DAY_FIRST.exec(typed);
  if (dayFirst) {
    if (dayFirst[3]!.length !== 4) return { ok: false, problem: 'year' };
    parts = [dayFirst[3]!, dayFirst[2]!, dayFirst[1]!];
  }
  if (!parts) return { ok: false, problem: 'format' };
  const [year, month, day] = parts.map(Number) as [number, number, number];
  if (year === 0) return { ok: false, problem: 'year' };
  if (month < 1 || month > 12) return { ok: false, problem: 'month' };
  const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
  if (!isValidDate(date)) return { ok: false, problem: 'day', date: `${pad(day)}/${pad(month)}/${pad(year, 4)}` };
  return { ok: true, date };
}

/** The hint shown with a birth-date field (its example is the one the date messages give). */
export const BIRTH_DATE_HINT = 'JJ/MM/AAAA, par exemple 23/04/1985';

/** What to say of a typed date that is none, to the candidate or to the manager. */
function typedDateMessage(reading: Extract<TypedDate, { ok: false }>, to: Addressee): string {
  switch (reading.problem) {
    case 'format':
      return `Saisissez ${theField('date de naissance', to)} sous la forme JJ/MM/AAAA, par exemple 23/04/1985.`;
    case 'year':
      return 'Saisissez l’année en entier, sur 4 chiffres : par exemple 23/04/1985, et non 23/04/85.';
    case 'month':
      return 'Le mois doit être compris entre 1 et 12 : saisissez le jour, puis le mois, puis l’année (JJ/MM/AAAA).';
    case 'day':
      return `Le ${reading.date ?? ''} n’existe pas : vérifiez le jour et le mois.`;
  }
}

/**
 * A birth date as typed in a form (the kiosk's identity or resume form, the manager's correction):
 * `AAAA-MM-JJ`, or the French message for the field. Says nothing of the age: see `readIdentity`.
 */
export function readBirthDate(value: unknown, to: Addressee = 'candidate'): { ok: true; date: string } | { ok: false; message: string } {
  const typed = clean(value, BIRTH_DATE_MAX);
  if (!typed) return { ok: false, message: `Saisissez ${theField('date de naissance', to)}.` };
  if ([...typed].length > BIRTH_DATE_MAX) return { ok: false, message: typedDateMessage({ ok: false, problem: 'format' }, to) };
  const reading = parseTypedDate(typed);
  return reading.ok ? reading : { ok: false, message: typedDateMessage(reading, to) };
}

/** Age in whole years at `today` (both `AAAA-MM-JJ`). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/**
 * Checks the identity form; `today` is the exam day in Europe/Paris (`AAAA-MM-JJ`). The messages
 * speak to the candidate at the kiosk, or to the manager who corrects an identity.
 */
export function readIdentity(input: IdentityInput, today: string, to: Addressee = 'candidate'): IdentityResult {
  const values = {
    nom: clean(input.nom, NAME_MAX),
    prenom: clean(input.prenom, NAME_MAX),
    date_naissance: clean(input.date_naissance, BIRTH_DATE_MAX),
    entreprise: clean(input.entreprise, COMPANY_MAX),
    adresse_entreprise: clean(input.adresse_entreprise, ADDRESS_MAX),
  };
  const errors: Partial<Record<keyof IdentityInput, string>> = {};
  const lastNameProblem = nameProblem(values.nom, 'nom', to);
  if (lastNameProblem) errors.nom = lastNameProblem;
  const firstNameProblem = nameProblem(values.prenom, 'prénom', to);
  if (firstNameProblem) errors.prenom = firstNameProblem;
  const birth = theField('date de naissance', to);
  const birthDate = readBirthDate(values.date_naissance, to);
  if (!birthDate.ok) errors.date_naissance = birthDate.message;
  else {
    const age = ageOn(birthDate.date, today);
    if (birthDate.date > today) errors.date_naissance = `${capitalised(birth)} ne peut pas être dans le futur.`;
    else if (age < MIN_AGE || age > MAX_AGE) errors.date_naissance = `Vérifiez ${birth} : l’âge calculé (${age} ans) n’est pas plausible.`;
  }
  if (values.entreprise) {
    const refused = refusedCharacters(values.entreprise);
    if ([...values.entreprise].length > COMPANY_MAX) errors.entreprise = `Le nom de l’entreprise ne doit pas dépasser ${COMPANY_MAX} caractères.`;
    else if (refused) errors.entreprise = `Le nom de l’entreprise contient des caractères non autorisés${refused}`;
  }
  if (values.adresse_entreprise) {
    const refused = refusedCharacters(values.adresse_entreprise);
    if (!values.entreprise) errors.entreprise = 'Saisissez le nom de l’entreprise dont l’adresse est indiquée.';
    if ([...values.adresse_entreprise].length > ADDRESS_MAX) errors.adresse_entreprise = `L’adresse ne doit pas dépasser ${ADDRESS_MAX} caractères.`;
    else if (refused) errors.adresse_entreprise = `L’adresse contient des caractères non autorisés${refused}`;
    else if (!POSTCODE_AND_TOWN.test(values.adresse_entreprise))
      errors.adresse_entreprise = 'Indiquez au moins le code postal et la ville de l’entreprise, par exemple « 69003 Lyon ».';
  }
  if (Object.keys(errors).length > 0 || !birthDate.ok) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    identity: {
      lastName: values.nom,
      firstName: values.prenom,
      birthDate: birthDate.date,
      company: values.entreprise || null,
      companyAddress: values.adresse_entreprise || null,
    },
  };
}
