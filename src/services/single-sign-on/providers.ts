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

/** The origins a sign-out may send the browser on to (the Content-Security-Policy's form-action). */
export function logoutOrigins(providers: IdentityProviders): string[] {
  const origins = new Set<string>();
  if (providers.cas) origins.add(new URL(providers.cas.settings.url).origin);
  if (providers.oidc) origins.add(new URL(providers.oidc.settings.issuer).origin);
  const endSession = providers.oidc?.endSessionOrigin();
  if (endSession) origins.add(endSession);
  return [...origins];
}
