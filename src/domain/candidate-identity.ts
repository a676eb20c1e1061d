/**
 * The candidate's identity as typed on the kiosk. Names are printed on the attestation, so they
 * are kept as typed (trimmed, inner spaces collapsed, NFC) — accents, hyphens, apostrophes and
 * spaces welcome — but anything that is not a letter of a name is refused.
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
// A French postcode then a word: « 12 rue des Lilas, 69003 Lyon », « 69003 Lyon ».
const POSTCODE_AND_TOWN = /(?:^|\D)\d{5} +\p{L}/u;

// Letters of any script, combining marks, and the separators names use: space, hyphen, apostrophes, dot.
const NAME_PATTERN = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
// Company names as they are registered: « SARL “Les Bâtisseurs” », « TP N° 1 : réseaux & fils ».
// What could be markup or is no text (< > { } \ ` emoji, controls) stays out.
const COMPANY_CHARACTER = /[\p{L}\p{M}\p{N} '’.,&()/+\-–«»"“”°:;!#@*_]/u;

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
  return null;
}

function refusedCharacters(value: string): string | null {
  const refused = [...new Set([...value].filter((c) => !COMPANY_CHARACTER.test(c)))];
  if (refused.length === 0) return null;
  // Named when they can be shown (an invisible control character cannot).
  const shown = refused.filter((c) => !/\p{C}/u.test(c)).slice(0, 5);
  return shown.length > 0 ? ` : ${shown.join(' ')}` : '.';
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
    date_naissance: clean(input.date_naissance, 10),
    entreprise: clean(input.entreprise, COMPANY_MAX),
    adresse_entreprise: clean(input.adresse_entreprise, ADDRESS_MAX),
  };
  const errors: Partial<Record<keyof IdentityInput, string>> = {};
  const lastNameProblem = nameProblem(values.nom, 'nom', to);
  if (lastNameProblem) errors.nom = lastNameProblem;
  const firstNameProblem = nameProblem(values.prenom, 'prénom', to);
  if (firstNameProblem) errors.prenom = firstNameProblem;
  const birth = theField('date de naissance', to);
  if (!values.date_naissance) errors.date_naissance = `Saisissez ${birth}.`;
  else if (!isValidDate(values.date_naissance))
    errors.date_naissance = 'Saisissez une date de naissance réelle, au format AAAA-MM-JJ (par exemple 1985-04-23).';
  else {
    const age = ageOn(values.date_naissance, today);
    if (values.date_naissance > today) errors.date_naissance = `${capitalised(birth)} ne peut pas être dans le futur.`;
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
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    identity: {
      lastName: values.nom,
      firstName: values.prenom,
      birthDate: values.date_naissance,
      company: values.entreprise || null,
      companyAddress: values.adresse_entreprise || null,
    },
  };
}
