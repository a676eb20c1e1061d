/** An address that looks deliverable: something@domain.tld, no spaces, at most 254 characters. */
export function isPlausibleEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) && email.length <= 254;
}
