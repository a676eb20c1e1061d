import { randomBytes as cryptoRandomBytes } from 'node:crypto';

/**
 * Single-use exam token codes (jetons).
 *
 * A centre manager prints a table of codes; a candidate copies one by hand on a kiosk
 * terminal. The alphabet is therefore chosen for reading and typing, not for density.
 *
 * Alphabet: `23456789ABCDEFGHJKMNPQRSTUVWXYZ` (31 symbols).
 * - Every member of the look-alike groups 0/O and 1/I/L is left out, not just one of them, so
 *   a candidate who hesitates never has to choose: whatever they read there, it is not in the
 *   code. D is kept: with 0 and O gone nothing remains to confuse it with.
 * - U/V, 5/S, 2/Z, 8/B are kept: they are distinct in print, and the codes are always printed,
 *   never handwritten. Dropping them would cost entropy and lengthen the code.
 * - 31 is prime, which the attestation number's check character relies on (a weighted sum
 *   modulo a prime detects every single substitution and every adjacent transposition).
 *
 * 12 symbols give 12 · log2(31) ≈ 59.4 bits, far out of reach of guessing at a kiosk.
 */
export const TOKEN_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const TOKEN_LENGTH = 12;
export const TOKEN_GROUP_SIZE = 4;
export const TOKEN_ENTROPY_BITS = TOKEN_LENGTH * Math.log2(TOKEN_ALPHABET.length);

/** Anything that hands out `size` uniformly random bytes (node:crypto's randomBytes fits). */
export type RandomBytes = (size: number) => Uint8Array;

const defaultRandomBytes: RandomBytes = (size) => cryptoRandomBytes(size);

// With a real random source, a round yields nothing with probability (8/256)^n; 32 empty rounds
// in a row only happen with a broken source, which must fail loudly rather than spin forever.
const MAX_EMPTY_ROUNDS = 32;

/**
 * Draws `count` uniformly distributed symbols of `alphabet` by rejection sampling.
 * Asks the source for exactly the number of symbols still missing, so that no byte is ever
 * drawn and thrown away: the output is a pure function of the byte stream, which keeps the
 * sampling testable with a scripted source.
 */
export function drawSymbols(count: number, randomBytes: RandomBytes = defaultRandomBytes, alphabet: string = TOKEN_ALPHABET): string {
  if (alphabet.length < 2 || alphabet.length > 256) {
    throw new RangeError('alphabet must have between 2 and 256 symbols');
  }
  // Bytes at or above the largest multiple of the alphabet size are rejected: for 31 symbols,
  // taking `byte % 31` over all 256 values would make the first 256 % 31 = 8 symbols more likely.
  const bound = 256 - (256 % alphabet.length);
  let out = '';
  let emptyRounds = 0;
  while (out.length < count) {
    const bytes = randomBytes(count - out.length);
    const before = out.length;
    for (const byte of bytes) {
      if (out.length === count) break;
      if (byte < bound) out += alphabet[byte % alphabet.length];
    }
    if (out.length === before) {
      emptyRounds += 1;
      if (emptyRounds >= MAX_EMPTY_ROUNDS) {
        throw new Error('random source keeps returning unusable bytes');
      }
    } else {
      emptyRounds = 0;
    }
  }
  return out;
}

/** A new token code in canonical form: 12 uppercase symbols, no separators. */
export function generateTokenCode(randomBytes: RandomBytes = defaultRandomBytes): string {
  return drawSymbols(TOKEN_LENGTH, randomBytes);
}

const CANONICAL_TOKEN = new RegExp(`^[${TOKEN_ALPHABET}]{${TOKEN_LENGTH}}$`);

export function isTokenCode(value: string): boolean {
  return CANONICAL_TOKEN.test(value);
}

/** Splits `value` into groups of `size` joined by '-'. */
export function groupSymbols(value: string, size: number = TOKEN_GROUP_SIZE): string {
  const groups: string[] = [];
  for (let i = 0; i < value.length; i += size) groups.push(value.slice(i, i + size));
  return groups.join('-');
}

/**
 * Printed form `K7QF-93MW-XT4P`. Throws on a non-canonical code: printing a wrong code on a
 * token table would hand a candidate a code that can never work.
 */
export function formatTokenCode(canonical: string): string {
  if (!isTokenCode(canonical)) {
    throw new TypeError(`not a canonical token code: ${JSON.stringify(canonical)}`);
  }
  return groupSymbols(canonical);
}

// Whitespace (\s covers the no-break spaces U+00A0, U+202F, U+2007 that word processors and
// copy-paste bring), underscore, and every dash a keyboard or an autocorrect may produce:
// hyphen-minus, hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar,
// minus sign, small and full-width hyphen-minus.
const ENTRY_SEPARATORS = /[\s_\u002D\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE63\uFF0D]/g;

/**
 * Removes separators and upper-cases ASCII letters only. `toUpperCase()` on the whole string
 * would turn 'ß' into 'SS' or the 'ﬀ' ligature into 'FF', accepting characters that were never
 * printed on a code.
 */
export function compactEntry(input: string): string {
  return input.replace(ENTRY_SEPARATORS, '').replace(/[a-z]/g, (c) => c.toUpperCase());
}

/**
 * What a candidate typed → the canonical code, or null.
 *
 * Tolerant of presentation (case, spaces, dashes, underscores), strict on content: the
 * look-alikes 0, O, 1, I, L are refused rather than mapped, because their partners are not in
 * the alphabet either, so there is no symbol they could have been meant for. Any other
 * character, full-width or accented letters included, is refused too.
 */
export function normalizeTokenEntry(input: string): string | null {
  const compact = compactEntry(input);
  return isTokenCode(compact) ? compact : null;
}
