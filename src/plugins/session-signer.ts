import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** How many signatures are remembered: the sessions of one instance's busiest seconds. */
const REMEMBERED = 4096;

/**
 * The session cookie's signer, as @fastify/session accepts one (`secret: { sign, unsign }`), in
 * @fastify/cookie's format (`<id>.<HMAC-SHA256, base64 without padding>`, so that cookies signed
 * before stay valid). The library signs again, for every request, the id whose signature it has
 * just checked; the kiosk saves answers thousands of times a second, so each id's signature is
 * remembered. A signature depends on the id and the secret only: remembering it decides nothing
 * (the cookie is still checked, and the session still read from its row, at every request).
 */
export class SessionCookieSigner {
  readonly #key: KeyObject;
  readonly #signed = new Map<string, string>();

  constructor(secret: string) {
    this.#key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  #mac(value: string): string {
    return createHmac('sha256', this.#key).update(value).digest('base64').replace(/=+$/, '');
  }

  #remember(value: string, signed: string): void {
    if (this.#signed.has(value)) return;
    if (this.#signed.size >= REMEMBERED) this.#signed.delete(this.#signed.keys().next().value!);
    this.#signed.set(value, signed);
  }

  sign(value: string): string {
    const known = this.#signed.get(value);
    if (known !== undefined) return known;
    const signed = `${value}.${this.#mac(value)}`;
    this.#remember(value, signed);
    return signed;
  }

  unsign(signed: string): { valid: boolean; renew: boolean; value: string | null } {
    const dot = signed.lastIndexOf('.');
    if (dot <= 0 || dot === signed.length - 1) return { valid: false, renew: false, value: null };
    const value = signed.slice(0, dot);
    const given = Buffer.from(signed.slice(dot + 1));
    const expected = Buffer.from(this.#mac(value));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { valid: false, renew: false, value: null };
    this.#remember(value, signed);
    return { valid: true, renew: false, value };
  }
}
