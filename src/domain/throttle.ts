/**
 * Throttling of failed attempts (sign-in, kiosk entry). A key (an account, or an address) collects failures within a
 * window; reaching the limit locks the key for a while. A success clears the account's key.
 */
import { plural } from './french.js';

export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date;
  lockedUntil: Date | null;
}

/**
 * Per (account, address prefix): after a few failures from one place, every further attempt on the
 * account from there is slowed down (SIGN_IN_SLOWDOWN_MS) for a while, never refused: whoever
 * guesses cannot lock the owner out, and the address limit below bounds what one place may try.
 */
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
export const SIGN_IN_SLOWDOWN_MS = 2_000;
/**
 * Per account, from anywhere: this many failures within the hour look like an attack on the
 * account, and the administrators are alerted (once per window). Nothing is refused.
 */
export const ACCOUNT_ALERT_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 60 * 60_000, lockMs: 60 * 60_000 };
/**
 * Wrong codes on one account, from anywhere: whoever types them already has the password, so past
 * this the code step of that account waits, and the administrators hear of it (the journal's
 * `compte.attaque_suspectee`). A million codes at a few per quarter hour are out of reach.
 */
export const SECOND_FACTOR_POLICY: ThrottlePolicy = { maxFailures: 10, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** Per address: more tries, since a whole centre may sit behind one address. */
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/** "Mot de passe oublié", per address: each request counts, so nobody floods a mailbox. */
export const FORGOTTEN_PASSWORD_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
/**
 * "Mot de passe oublié", per address asked for, whoever asks: many addresses together cannot flood
 * one mailbox either. Beyond it the page answers as usual (it must not reveal the account) and
 * sends nothing.
 */
export const FORGOTTEN_PASSWORD_ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 3, windowMs: 60 * 60_000, lockMs: 60 * 60_000 };
/**
 * The kiosk (admitting a terminal, entering a token, resuming), per (address prefix, centre): a
 * room's terminals often share one address (NAT), so the bar is a room's worth of typos, and the
 * lock is short. The lock only refuses failing attempts: a right code, token or birth date always
 * goes through, so that nobody outside the room can lock the room out (tokens carry 59 random bits
 * and admission codes 40 with an hour's validity: guessing is hopeless anyway).
 */
export const KIOSK_ROOM_POLICY: ThrottlePolicy = { maxFailures: 30, windowMs: 10 * 60_000, lockMs: 5 * 60_000 };

/**
 * Public verification of attestation numbers, per address: every lookup counts. An employer or an
 * inspector checks a few numbers; 74 random bits make guessing hopeless, and this bounds the cost.
 */
export const VERIFICATION_POLICY: ThrottlePolicy = { maxFailures: 60, windowMs: 10 * 60_000, lockMs: 10 * 60_000 };

/** When the key is locked at `now`, the end of the lock; otherwise null. */
export function lockedUntil(state: ThrottleState | null, now: Date): Date | null {
  if (!state?.lockedUntil) return null;
  return state.lockedUntil.getTime() > now.getTime() ? state.lockedUntil : null;
}

/** The state after one more failure. Failures during a lock are not counted: no attempt is made then. */
export function afterFailure(state: ThrottleState | null, now: Date, policy: ThrottlePolicy): ThrottleState {
  const fresh = state === null || state.lockedUntil !== null || now.getTime() - state.windowStartedAt.getTime() >= policy.windowMs;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  const locked = failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMs) : null;
  return { failures, windowStartedAt, lockedUntil: locked };
}

const timeFormat = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });

/** "Réessayez à 11:05 (dans 15 minutes)." — the French sentence telling when to retry. */
export function retryMessage(until: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  const at = timeFormat.format(until).replace(':', ' h ');
  return `Réessayez à ${at} (dans ${plural(minutes, 'minute')}).`;
}
