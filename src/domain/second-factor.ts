/**
 * The second factor of a sign-in: a six-digit code from an authenticator app (TOTP, RFC 6238, with
 * the apps' common settings: SHA-1, 30 seconds), or one of the recovery codes given at enrolment
 * for the day the phone is lost.
 *
 * Required of national administrators (they can change every centre), offered to managers.
 * Recovery codes use the tokens' alphabet and entry tolerance (token-code.ts): 10 symbols give
 * about 49 bits each, printed or written down by hand.
 */
import { compactEntry, drawSymbols, groupSymbols, TOKEN_ALPHABET, type RandomBytes } from './token-code.js';

export const TOTP_DIGITS = 6;
export const TOTP_PERIOD_SECONDS = 30;
/** A code of the step before or after is accepted too: a phone's clock is often off by a few seconds. */
export const TOTP_TOLERANCE_SECONDS = TOTP_PERIOD_SECONDS;
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_LENGTH = 10;
/** Below this many unused recovery codes, the account page and the sign-in say to renew them. */
export const FEW_RECOVERY_CODES = 3;
/** How long the code step of a sign-in waits after the right password before starting over. */
export const CODE_STEP_VALIDITY_MS = 5 * 60_000;
/** Wrong codes within one sign-in before it starts over at the password. */
export const CODE_STEP_MAX_FAILURES = 5;
/** How long a secret drawn for enrolment stays the one to confirm (the page can be reloaded meanwhile). */
export const ENROLMENT_VALIDITY_MS = 15 * 60_000;
/** The name authenticator apps show above the account's codes. */
export const TOTP_ISSUER = 'QCM-AIPR';

/** Whether this role must have a second factor before it may act. */
export function secondFactorRequired(role: 'admin' | 'manager'): boolean {
  return role === 'admin';
}

export type TypedCode = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string };

/**
 * What was typed in the code field: six digits (spaces allowed, as apps show « 123 456 »), or a
 * recovery code (case, spaces and dashes do not matter); null when it is neither.
 */
export function readTypedCode(input: string): TypedCode | null {
  const digits = input.replace(/\s/g, '');
  if (new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(digits)) return { kind: 'totp', code: digits };
  const compact = compactEntry(input);
  if (new RegExp(`^[${TOKEN_ALPHABET}]{${RECOVERY_CODE_LENGTH}}$`).test(compact)) return { kind: 'recovery', code: compact };
  return null;
}

export function generateRecoveryCodes(randomBytes?: RandomBytes): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(drawSymbols(RECOVERY_CODE_LENGTH, randomBytes));
  return [...codes];
}

/** `K7QF9-3MWX2`, as shown once at enrolment. */
export function formatRecoveryCode(canonical: string): string {
  return groupSymbols(canonical, RECOVERY_CODE_LENGTH / 2);
}

/** The secret in groups of four, for whoever types it into the app instead of scanning the QR code. */
export function formatTotpSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
