/**
 * SIRET of an exam centre's establishment: 14 digits, the 9-digit SIREN of the company followed
 * by the 5-digit NIC of the establishment, with a Luhn key over the 14 digits.
 *
 * Exception: La Poste registers all its establishments under SIREN 356000000, too many for the
 * NIC to carry a Luhn key; INSEE instead makes the sum of their 14 digits a multiple of 5. Its
 * head office, 35600000000048, predates the rule and keeps an ordinary Luhn key (its digit sum
 * is 26). Same rule as python-stdnum's `fr.siret`.
 */

import { formatCentreId } from './centre-id.js';
import { listInFrench } from './french.js';

const LA_POSTE_SIREN = '356000000';
const LA_POSTE_HEAD_OFFICE = '35600000000048';

export const SIRET_LENGTH_MESSAGE = 'Le SIRET doit comporter 14 chiffres.';
export const SIRET_CHECKSUM_MESSAGE = 'Ce numéro SIRET n’est pas valide (clé de contrôle incorrecte).';

// Whitespace only: SIRETs are written "732 829 320 00074", often with no-break spaces from a
// word processor. Other punctuation is not a usual way of writing one, so it is refused.
function stripSpaces(input: string): string {
  return input.replace(/\s/g, '');
}

function hasFourteenDigits(value: string): boolean {
  return /^[0-9]{14}$/.test(value);
}

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    // Doubling starts from the second digit counting from the right.
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function digitSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) sum += digits.charCodeAt(i) - 48;
  return sum;
}

function checksumValid(siret: string): boolean {
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== LA_POSTE_HEAD_OFFICE) {
    return digitSum(siret) % 5 === 0;
  }
  return luhnValid(siret);
}

/** The 14 digits without spaces, or null when the input is not a valid SIRET. */
export function normalizeSiret(input: string): string | null {
  const compact = stripSpaces(input);
  return hasFourteenDigits(compact) && checksumValid(compact) ? compact : null;
}

export function isValidSiret(input: string): boolean {
  return normalizeSiret(input) !== null;
}

/** The French message to show beside the field, or null when the SIRET is valid. */
export function siretError(input: string): string | null {
  const compact = stripSpaces(input);
  if (!hasFourteenDigits(compact)) return SIRET_LENGTH_MESSAGE;
  if (!checksumValid(compact)) return SIRET_CHECKSUM_MESSAGE;
  return null;
}

/** The box an administrator ticks to give a centre the SIRET of one already recognised. */
export const SHARED_SIRET_LABEL = 'Autre site de la même entreprise';

/**
 * The message at the SIRET field when other centres already have this SIRET, naming each of them
 * (`centreXXXX — name`): a second centre for the same SIRET is most often a duplicate, but may be
 * another site of the same company, which the administrator then says with a reason.
 */
export function sharedSiretMessage(centres: readonly { id: number; name: string }[]): string {
  const named = centres.map((c) => `${formatCentreId(c.id)} — ${c.name}`);
  const whose = named.length > 1 ? `des centres ${listInFrench(named)}` : `du centre ${named.join('')}`;
  return `Ce SIRET est déjà celui ${whose}. S’il s’agit d’un autre site de la même entreprise, cochez « ${SHARED_SIRET_LABEL} » et indiquez pourquoi.`;
}
