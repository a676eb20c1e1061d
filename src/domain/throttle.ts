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

/** Per account: few tries, to stop password guessing on one account. */
export const ACCOUNT_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000 };
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
 * Kiosk entry, per terminal address. A room's terminals often share one address (NAT), so the bar
 * is a room's worth of typos, not one candidate's; the lock is short.
 */
export const KIOSK_TERMINAL_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 10 * 60_000, lockMs: 5 * 60_000 };
/**
 * Kiosk entry, per centre, across addresses: only a sustained guessing campaign reaches it (tokens
 * carry 59 random bits; this bounds what many addresses together may try).
 */
export const KIOSK_CENTRE_POLICY: ThrottlePolicy = { maxFailures: 200, windowMs: 10 * 60_000, lockMs: 5 * 60_000 };

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
