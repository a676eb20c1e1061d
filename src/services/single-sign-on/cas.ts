import { XMLParser } from 'fast-xml-parser';
import type { CasSettings } from '../../config.js';

export type CasValidation = { ok: true; user: string } | { ok: false; failure: 'invalid' | 'unreachable'; code: string };

/** Seconds given to the CAS server to validate a ticket. */
const VALIDATION_TIMEOUT_MS = 10_000;
// No entity of a DOCTYPE is expanded: the answer is the configured server's, but an XML bomb from a
// server taken over must not take this one down with it.
const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  trimValues: true,
  processEntities: false,
});

/**
 * The two requests of CAS 2.0 (no maintained CAS client library fits): the browser is sent to
 * /login with the service URL, and the ticket it brings back is checked once with /serviceValidate
 * for that exact service URL. The user id is the e-mail address. CAS has no `state`: each sign-in's
 * service URL carries a random value of its own (`flux`), kept in the browser's session, so that a
 * ticket obtained by someone else (for their own start) is refused by the CAS server itself — no
 * page can sign a visitor in to another person's account.
 */
export class CasSignIn {
  constructor(
    readonly settings: CasSettings,
    readonly returnUrl: string,
    readonly afterLogoutUrl: string,
  ) {}

  /** The service URL of one sign-in. */
  serviceUrl(flow: string): string {
    return `${this.returnUrl}?${new URLSearchParams({ flux: flow }).toString()}`;
  }

  loginUrl(flow: string): string {
    return `${this.settings.url}/login?${new URLSearchParams({ service: this.serviceUrl(flow) }).toString()}`;
  }

  logoutUrl(): string {
    return `${this.settings.url}/logout?${new URLSearchParams({ service: this.afterLogoutUrl }).toString()}`;
  }

  async validate(ticket: string, flow: string): Promise<CasValidation> {
    const url = `${this.settings.url}/serviceValidate?${new URLSearchParams({ service: this.serviceUrl(flow), ticket }).toString()}`;
    let body: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS), redirect: 'error' });
      if (!response.ok) return { ok: false, failure: 'unreachable', code: `HTTP ${response.status}` };
      body = await response.text();
    } catch {
      return { ok: false, failure: 'unreachable', code: 'NETWORK' };
    }
    return readValidation(body);
  }
}

/** The CAS 2.0 serviceResponse: the user on success, the failure's code otherwise. */
export function readValidation(xml: string): CasValidation {
  if (/<!DOCTYPE/i.test(xml)) return { ok: false, failure: 'invalid', code: 'DOCTYPE' };
  let document: unknown;
  try {
    document = parser.parse(xml, true);
  } catch {
    return { ok: false, failure: 'invalid', code: 'MALFORMED' };
  }
  const response = (document as { serviceResponse?: Record<string, unknown> } | null)?.serviceResponse;
  const success = response?.authenticationSuccess as { user?: unknown } | undefined;
  if (success && typeof success.user === 'string' && success.user.trim()) return { ok: true, user: success.user.trim() };
  const failure = response?.authenticationFailure as { code?: unknown } | string | undefined;
  const code = typeof failure === 'object' && typeof failure.code === 'string' ? failure.code : 'MALFORMED';
  return { ok: false, failure: 'invalid', code };
}
