import * as client from 'openid-client';
import type { OidcSettings } from '../../config.js';

/** What the browser's session keeps between the start of a sign-in and the provider's answer. */
export interface OidcPending {
  state: string;
  nonce: string;
  verifier: string;
}

/** Who the provider says signed in; `idToken` is kept for the provider's logout. */
export interface OidcIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean | null;
  idToken: string | null;
}

/** Why a sign-in through the provider failed, as the sign-in page explains it. */
export type OidcFailure = 'denied' | 'expired' | 'invalid' | 'unreachable';

export class OidcError extends Error {
  constructor(
    readonly failure: OidcFailure,
    cause: unknown,
  ) {
    super(`OpenID Connect sign-in failed (${failure})`, { cause });
  }
}

/** Seconds given to the provider for each request (discovery, token, user info). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/**
 * The platform's OpenID Connect client (authorization code flow with PKCE, state and nonce; a
 * confidential client by client_secret_basic, or a public one by PKCE alone), on `openid-client`,
 * which checks the ID token's signature, issuer, audience, expiry and nonce.
 */
export class OidcSignIn {
  #configuration: Promise<client.Configuration> | null = null;
  /** The provider's logout endpoint's origin, once its metadata has been read. */
  #endSessionOrigin: string | null = null;

  constructor(
    readonly settings: OidcSettings,
    readonly redirectUri: string,
    readonly postLogoutUri: string,
  ) {}

  /** The provider's metadata, fetched once; a failed discovery is tried again on the next sign-in. */
  configuration(): Promise<client.Configuration> {
    this.#configuration ??= this.#discover().then(
      (configuration) => {
        const endpoint = configuration.serverMetadata().end_session_endpoint;
        this.#endSessionOrigin = endpoint ? new URL(endpoint).origin : null;
        return configuration;
      },
      (err: unknown) => {
        this.#configuration = null;
        throw new OidcError('unreachable', err);
      },
    );
    return this.#configuration;
  }

  /** Null until the metadata has been read (the app reads it once started, in the background). */
  endSessionOrigin(): string | null {
    return this.#endSessionOrigin;
  }

  async #discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    // http is only accepted by the configuration on the loopback (a provider on this machine).
    const insecure = issuer.startsWith('http:');
    return client.discovery(
      new URL(issuer),
      clientId,
      { redirect_uris: [this.redirectUri], response_types: ['code'] },
      clientSecret ? client.ClientSecretBasic(clientSecret) : client.None(),
      // The ID token's signature is checked against the provider's published keys (openid-client
      // trusts the TLS channel alone unless told to: the issue asks for the signature).
      { execute: [client.enableNonRepudiationChecks, ...(insecure ? [client.allowInsecureRequests] : [])], timeout: PROVIDER_TIMEOUT_SECONDS },
    );
  }

  /** Where to send the browser, and what its session must keep to check the answer. */
  async start(): Promise<{ url: string; pending: OidcPending }> {
    const configuration = await this.configuration();
    const pending = { state: client.randomState(), nonce: client.randomNonce(), verifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /**
   * Checks the provider's answer (`callbackQuery`, the query string it sent the browser back with)
   * against what the session kept, exchanges the code, and reads the e-mail from the ID token or,
   * when the provider keeps it there, from the user info endpoint.
   */
  async finish(callbackQuery: string, pending: OidcPending): Promise<OidcIdentity> {
    const configuration = await this.configuration();
    const currentUrl = new URL(`${this.redirectUri}?${callbackQuery}`);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw new OidcError(failureOf(err), err);
    }
    const claims = tokens.claims();
    if (!claims) throw new OidcError('invalid', new Error('no ID token'));
    let email = typeof claims.email === 'string' ? claims.email : null;
    let verified = typeof claims.email_verified === 'boolean' ? claims.email_verified : null;
    if (email === null) {
      try {
        const info = await client.fetchUserInfo(configuration, tokens.access_token, claims.sub);
        email = typeof info.email === 'string' ? info.email : null;
        verified = typeof info.email_verified === 'boolean' ? info.email_verified : verified;
      } catch (err) {
        throw new OidcError(failureOf(err), err);
      }
    }
    return { subject: claims.sub, email, emailVerified: verified, idToken: tokens.id_token ?? null };
  }

  /** The provider's logout (RP-initiated), when it offers one; back to the sign-in page afterwards. */
  async logoutUrl(idToken: string | null): Promise<string | null> {
    const configuration = await this.configuration().catch(() => null);
    if (!configuration?.serverMetadata().end_session_endpoint) return null;
    const parameters: Record<string, string> = { post_logout_redirect_uri: this.postLogoutUri, client_id: this.settings.clientId };
    if (idToken) parameters.id_token_hint = idToken;
    return client.buildEndSessionUrl(configuration, parameters).href;
  }
}

function failureOf(err: unknown): OidcFailure {
  if (err instanceof client.AuthorizationResponseError) return err.error === 'access_denied' ? 'denied' : 'invalid';
  if (err instanceof client.ResponseBodyError) return err.error === 'invalid_grant' ? 'expired' : 'invalid';
  // A network failure or a timeout reaching the provider, not an answer it gave.
  if (err instanceof TypeError || (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError'))) return 'unreachable';
  return 'invalid';
}
