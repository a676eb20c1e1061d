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
}

export interface Identity {
  lastName: string;
  firstName: string;
  birthDate: string;
  company: string | null;
}

export type IdentityResult =
  | { ok: true; identity: Identity; values: Record<keyof IdentityInput, string> }
  | { ok: false; errors: Partial<Record<keyof IdentityInput, string>>; values: Record<keyof IdentityInput, string> };

export const MIN_AGE = 14;
export const MAX_AGE = 100;
const NAME_MAX = 80;
const COMPANY_MAX = 120;

// Letters of any script, combining marks, and the separators names use: space, hyphen, apostrophes, dot.
const NAME_PATTERN = /^\p{L}[\p{L}\p{M} '’.-]*$/u;
// Company names as they are registered: « SARL “Les Bâtisseurs” », « TP N° 1 : réseaux & fils ».
// What could be markup or is no text (< > { } \ ` emoji, controls) stays out.
const COMPANY_CHARACTER = /[\p{L}\p{M}\p{N} '’.,&()/+\-«»"“”°:;!#@*_]/u;

function clean(value: unknown, max: number): string {
  // A form field is text; anything else (a field sent twice arrives as a list) counts as nothing typed.
  return (typeof value === 'string' ? value : '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, max * 4);
}

function nameProblem(value: string, label: string): string | null {
  if (!value) return `Saisissez votre ${label}.`;
  if ([...value].length > NAME_MAX) return `Votre ${label} ne doit pas dépasser ${NAME_MAX} caractères.`;
  if (!NAME_PATTERN.test(value)) return `Votre ${label} ne peut contenir que des lettres, des espaces, des traits d’union et des apostrophes.`;
  return null;
}

/** Age in whole years at `today` (both `AAAA-MM-JJ`). */
export function ageOn(birthDate: string, today: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

/** Checks the identity form; `today` is the exam day in Europe/Paris (`AAAA-MM-JJ`). */
export function readIdentity(input: IdentityInput, today: string): IdentityResult {
  const values = {
    nom: clean(input.nom, NAME_MAX),
    prenom: clean(input.prenom, NAME_MAX),
    date_naissance: clean(input.date_naissance, 10),
    entreprise: clean(input.entreprise, COMPANY_MAX),
  };
  const errors: Partial<Record<keyof IdentityInput, string>> = {};
  const lastNameProblem = nameProblem(values.nom, 'nom');
  if (lastNameProblem) errors.nom = lastNameProblem;
  const firstNameProblem = nameProblem(values.prenom, 'prénom');
  if (firstNameProblem) errors.prenom = firstNameProblem;
  if (!values.date_naissance) errors.date_naissance = 'Saisissez votre date de naissance.';
  else if (!isValidDate(values.date_naissance))
    errors.date_naissance = 'Saisissez une date de naissance réelle, au format AAAA-MM-JJ (par exemple 1985-04-23).';
  else {
    const age = ageOn(values.date_naissance, today);
    if (values.date_naissance > today) errors.date_naissance = 'Votre date de naissance ne peut pas être dans le futur.';
    else if (age < MIN_AGE || age > MAX_AGE) errors.date_naissance = `Vérifiez votre date de naissance : l’âge calculé (${age} ans) n’est pas plausible.`;
  }
  if (values.entreprise) {
    if ([...values.entreprise].length > COMPANY_MAX) errors.entreprise = `Le nom de l’entreprise ne doit pas dépasser ${COMPANY_MAX} caractères.`;
    else {
      const refused = [...new Set([...values.entreprise].filter((c) => !COMPANY_CHARACTER.test(c)))];
      // Named when they can be shown (an invisible control character cannot).
      const shown = refused.filter((c) => !/\p{C}/u.test(c)).slice(0, 5);
      if (refused.length > 0) {
        errors.entreprise = `Le nom de l’entreprise contient des caractères non autorisés${shown.length > 0 ? ` : ${shown.join(' ')}` : '.'}`;
      }
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors, values };
  return {
    ok: true,
    values,
    identity: { lastName: values.nom, firstName: values.prenom, birthDate: values.date_naissance, company: values.entreprise || null },
  };
}
