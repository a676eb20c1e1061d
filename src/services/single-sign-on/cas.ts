import { XMLParser } from 'fast-xml-parser';
import type { CasSettings } from '../../config.js';

export type CasValidation = { ok: true; user: string } | { ok: false; failure: 'invalid' | 'unreachable'; code: string };

/** Seconds given to the CAS server to validate a ticket. */
const VALIDATION_TIMEOUT_MS = 10_000;
/** A validation answer is a few hundred bytes: anything much larger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: false, attributeNamePrefix: '', parseTagValue: false, trimValues: true });

/**
 * The two requests of CAS 2.0 (no maintained CAS client library fits): the browser is sent to
 * /login with the service URL, and the ticket it brings back is checked once with /serviceValidate
 * for that exact service URL. The user id is the e-mail address.
 */
export class CasSignIn {
  constructor(
    readonly settings: CasSettings,
    readonly serviceUrl: string,
    readonly afterLogoutUrl: string,
  ) {}

  loginUrl(): string {
    return `${this.settings.url}/login?${new URLSearchParams({ service: this.serviceUrl }).toString()}`;
  }

  logoutUrl(): string {
    return `${this.settings.url}/logout?${new URLSearchParams({ service: this.afterLogoutUrl }).toString()}`;
  }

  async validate(ticket: string): Promise<CasValidation> {
    const url = `${this.settings.url}/serviceValidate?${new URLSearchParams({ service: this.serviceUrl, ticket }).toString()}`;
    let body: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS), redirect: 'error' });
      body = await response.text();
      if (!response.ok) return { ok: false, failure: 'unreachable', code: `HTTP ${response.status}` };
    } catch {
      return { ok: false, failure: 'unreachable', code: 'NETWORK' };
    }
    if (body.length > MAX_RESPONSE_BYTES) return { ok: false, failure: 'invalid', code: 'TOO_LARGE' };
    return readValidation(body);
  }
}

/** The CAS 2.0 serviceResponse: the user on success, the failure's code otherwise. */
export function readValidation(xml: string): CasValidation {
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
