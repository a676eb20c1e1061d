/**
 * The session code that admits a terminal to an exam session: the room view shows it, the
 * supervisor types it once on each terminal of the room (kiosk fields `centre` and `code_session`).
 *
 * Same alphabet and entry tolerance as the tokens (token-code.ts): the supervisor reads it off a
 * screen and types it by hand. 8 symbols give about 39.6 bits: with the code valid for an hour and
 * failures counted per (address prefix, centre), guessing it is out of reach; a code seen by
 * someone who should not have it stops working at its expiry, or at once when the supervisor asks
 * for a new one.
 */
import { compactEntry, drawSymbols, groupSymbols, TOKEN_ALPHABET, type RandomBytes } from './token-code.js';

export const ADMISSION_CODE_LENGTH = 8;
export const ADMISSION_CODE_VALIDITY_MS = 60 * 60_000;
/** How long the supervisor's leave to take an exam over on another admitted terminal lasts (one move). */
export const RESUME_LEAVE_MS = 15 * 60_000;

const CANONICAL = new RegExp(`^[${TOKEN_ALPHABET}]{${ADMISSION_CODE_LENGTH}}$`);

export function generateAdmissionCode(randomBytes?: RandomBytes): string {
  return drawSymbols(ADMISSION_CODE_LENGTH, randomBytes);
}

/** `K7QF-93MW`, as the room view shows it. */
export function formatAdmissionCode(canonical: string): string {
  if (!CANONICAL.test(canonical)) throw new TypeError(`not a canonical admission code: ${JSON.stringify(canonical)}`);
  return groupSymbols(canonical);
}

/** What the supervisor typed → the canonical code, or null (case, spaces and dashes do not matter). */
export function normalizeAdmissionCode(input: string): string | null {
  const compact = compactEntry(input);
  return CANONICAL.test(compact) ? compact : null;
}

/** When a code drawn at `now` stops admitting terminals. */
export function admissionCodeExpiry(now: Date): Date {
  return new Date(now.getTime() + ADMISSION_CODE_VALIDITY_MS);
}
