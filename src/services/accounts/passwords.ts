import { createHash } from 'node:crypto';
import argon2 from 'argon2';
import { PublicError } from '../public-error.js';

/**
 * argon2 runs on libuv's thread pool (4 threads), which compression and file reads share, and takes
 * 64 MiB each: a burst of sign-ins must not starve the kiosk's pages nor fill the memory. At most
 * two hashes run at once; a few dozen wait their turn; beyond, the request is refused at once.
 */
const MAX_RUNNING_HASHES = 2;
const MAX_WAITING_HASHES = 32;
let running = 0;
const waiting: (() => void)[] = [];

export class PasswordCheckBusy extends PublicError {
  constructor() {
    super(503, 'Le service de connexion est très sollicité en ce moment. Réessayez dans quelques secondes.');
  }
}

/** How many argon2 computations run and wait now (for the tests of the cap). */
export function passwordWork(): { running: number; waiting: number } {
  return { running, waiting: waiting.length };
}

async function inHashSlot<T>(task: () => Promise<T>): Promise<T> {
  if (running < MAX_RUNNING_HASHES) running += 1;
  else if (waiting.length >= MAX_WAITING_HASHES) throw new PasswordCheckBusy();
  // A finishing hash hands its slot over to the first waiting one: `running` stays the same.
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await task();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

/** argon2id with the library's defaults (64 MiB, 3 passes): memory-hard, as the issue asks. */
export function hashPassword(password: string): Promise<string> {
  return inHashSlot(() => argon2.hash(password, { type: argon2.argon2id }));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return inHashSlot(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

/**
 * Verified when the account does not exist, so that a wrong email costs as long as a wrong password.
 * A fixed hash (of random bytes nobody kept, with the library's parameters): computing it at run time
 * would make the first unknown e-mail slower than the others, and a refusal of that computation
 * would be remembered.
 */
const DECOY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$PNur4wFeMoGbvhL2BHQ9IQ$dmUxBJxhwY47KrN1CcDRotQjN46DDQoWWAeTinDoKcQ';
export async function verifyAgainstDecoy(password: string): Promise<false> {
  await verifyPassword(DECOY_HASH, password);
  return false;
}

/**
 * What a sign-in was made with — the password, and the second factor as it stood — without keeping
 * the hash in the session: a sign-in whose credential no longer matches the account's has ended. A
 * new password ends every sign-in; so does a second factor set up, replaced or removed, so that a
 * session opened before the enrolment (which never gave a code) does not inherit it.
 */
export function credentialOf(passwordHash: string, secondFactorSince: string | null): string {
  return createHash('sha256')
    .update(`${passwordHash}|${secondFactorSince ?? ''}`)
    .digest('base64url')
    .slice(0, 22);
}

export const MIN_PASSWORD_LENGTH = 12;

/** The French reason a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return `Le mot de passe doit comporter au moins ${MIN_PASSWORD_LENGTH} caractères.`;
  }
  if (password.length > 200) return 'Le mot de passe ne doit pas dépasser 200 caractères.';
  return null;
}
