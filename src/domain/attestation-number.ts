import { TOKEN_ALPHABET, compactEntry, drawSymbols, groupSymbols, type RandomBytes } from './token-code.js';

/**
 * Attestation numbers, printed on certificates and checked by anyone at /verifier:
 * `AIPR-2026-XXXX-XXXX-XXXX-XXXX`, the year of the exam then 16 symbols.
 *
 * - 15 random symbols from the token alphabet (15 · log2(31) ≈ 74.3 bits): /verifier is public,
 *   so the numbers must not be guessable or enumerable. 12 symbols would have stayed under
 *   60 bits, and four groups of four keep the printed form regular.
 * - 1 check symbol, last, so that a typo is reported as such ("numéro mal saisi") instead of
 *   looking like a forged certificate, and without a database lookup.
 *
 * Check rule: with v₁…v₁₉ the values of the year digits (0–9) then of the random symbols (their
 * index in the alphabet, 0–30) and v₂₀ the check symbol's, Σ i·vᵢ ≡ 0 (mod 31).
 * 31 is prime and the weights 1…20 are distinct and non-zero modulo 31, hence:
 * - a single substitution changes the sum by i·(a−b) ≢ 0: always detected;
 * - swapping two adjacent symbols changes it by (i−(i+1))·(a−b) = (b−a) ≢ 0: always detected.
 * The check symbol can take all 31 values because the alphabet has exactly 31 symbols.
 */

export const ATTESTATION_PREFIX = 'AIPR';
export const ATTESTATION_RANDOM_LENGTH = 15;
export const ATTESTATION_ENTROPY_BITS = ATTESTATION_RANDOM_LENGTH * Math.log2(TOKEN_ALPHABET.length);
export const ATTESTATION_YEAR_MIN = 1000;
export const ATTESTATION_YEAR_MAX = 9999;

const MODULUS = TOKEN_ALPHABET.length;

function weightedSum(values: readonly number[]): number {
  let sum = 0;
  values.forEach((v, i) => {
    sum = (sum + (i + 1) * v) % MODULUS;
  });
  return sum;
}

function modInverse(a: number): number {
  for (let x = 1; x < MODULUS; x += 1) if ((a * x) % MODULUS === 1) return x;
  throw new RangeError(`${a} has no inverse modulo ${MODULUS}`);
}

function payloadValues(year: string, random: string): number[] {
  return [...[...year].map(Number), ...[...random].map((s) => TOKEN_ALPHABET.indexOf(s))];
}

function checkSymbol(year: string, random: string): string {
  const values = payloadValues(year, random);
  const checkWeight = values.length + 1;
  const value = ((MODULUS - weightedSum(values)) * modInverse(checkWeight)) % MODULUS;
  return TOKEN_ALPHABET[value] as string;
}

function format(year: string, body: string): string {
  return `${ATTESTATION_PREFIX}-${year}-${groupSymbols(body)}`;
}

export function generateAttestationNumber(year: number, randomBytes?: RandomBytes): string {
  if (!Number.isInteger(year) || year < ATTESTATION_YEAR_MIN || year > ATTESTATION_YEAR_MAX) {
    throw new RangeError(`attestation year must have four digits: ${year}`);
  }
  const yearText = String(year);
  const random = drawSymbols(ATTESTATION_RANDOM_LENGTH, randomBytes);
  return format(yearText, random + checkSymbol(yearText, random));
}

const COMPACT_ATTESTATION = new RegExp(`^(?:${ATTESTATION_PREFIX})?([1-9][0-9]{3})([${TOKEN_ALPHABET}]{${ATTESTATION_RANDOM_LENGTH}})([${TOKEN_ALPHABET}])$`);

/**
 * What someone typed at /verifier → the printed form `AIPR-2026-XXXX-XXXX-XXXX-XXXX`, or null
 * when it cannot be an attestation number (wrong shape or check symbol). Case, spaces, dashes
 * and underscores are ignored, and the `AIPR` prefix may be left out since it carries no
 * information. Look-alikes (0, O, 1, I, L) are refused as for tokens.
 */
export function normalizeAttestationNumber(input: string): string | null {
  const match = COMPACT_ATTESTATION.exec(compactEntry(input));
  if (match === null) return null;
  const [, year, random, check] = match as unknown as [string, string, string, string];
  if (checkSymbol(year, random) !== check) return null;
  return format(year, random + check);
}
