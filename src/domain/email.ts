/**
 * An address that looks deliverable: something@domain.tld, no spaces, at most 254 characters. The
 * length comes first: the pattern backtracks, and 50 kB of text took it seconds.
 */
export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
}
