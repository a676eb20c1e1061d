import type { Config } from '../../config.js';
import { CasSignIn } from './cas.js';
import { OidcSignIn } from './oidc.js';

/** The identity providers this platform is configured with (either, both, or none). */
export interface IdentityProviders {
  oidc: OidcSignIn | null;
  cas: CasSignIn | null;
}

/** The URLs the providers send the browser back to are fixed by PUBLIC_URL: registered once with them. */
export function identityProvidersOf(config: Config): IdentityProviders {
  const signInPage = `${config.publicUrl}/connexion`;
  return {
    oidc: config.oidc ? new OidcSignIn(config.oidc, `${signInPage}/oidc/retour`, signInPage) : null,
    cas: config.cas ? new CasSignIn(config.cas, `${signInPage}/cas/retour`, signInPage) : null,
  };
}

/**
 * The origins a sign-out may send the browser on to (the Content-Security-Policy's form-action), as
 * a function asked at every request: the configured ones are read once, only the OpenID provider's
 * logout address changes (known once its metadata has been read).
 */
export function logoutOrigins(providers: IdentityProviders): () => string[] {
  const configured = [providers.cas?.settings.url, providers.oidc?.settings.issuer].filter((url) => url !== undefined);
  const fixed = [...new Set(configured.map((url) => new URL(url).origin))];
  return () => {
    const endSession = providers.oidc?.endSessionOrigin();
    return endSession && !fixed.includes(endSession) ? [...fixed, endSession] : fixed;
  };
}
