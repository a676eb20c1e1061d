import type { Queryable } from '../../db/schema.js';
import { addressPrefix } from '../../domain/address-prefix.js';
import { clearThrottle, clearThrottlesStartingWith } from '../throttle-store.js';

/**
 * The keys sign-in counts its failures under (areas/public/sign-in), shared with the one-time links
 * that lift them (accounts/links.ts).
 */
const normalized = (email: string) => email.trim().toLowerCase();

/** Failures on one account from one address prefix: they slow that place down. */
export const accountKey = (email: string, ip: string) => `compte:${normalized(email)}:${addressPrefix(ip)}`;
/** Failures on one account from anywhere: they alert the administrators. */
export const alertKey = (email: string) => `compte-alerte:${normalized(email)}`;
/** Failures from one address prefix, whatever the account: they lock that address. */
export const addressKey = (ip: string) => `adresse:${addressPrefix(ip)}`;

/** A password set through a one-time link ends every slow-down and alert window of the account. */
export async function liftSignInThrottles(db: Queryable, email: string): Promise<void> {
  await clearThrottlesStartingWith(db, `compte:${normalized(email)}:`);
  await clearThrottle(db, alertKey(email));
}
