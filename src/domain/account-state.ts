/** How an account signed in: its password, or an identity provider (OpenID Connect, CAS). */
export type SignInMethod = 'mot de passe' | IdentityProvider;
export type IdentityProvider = 'oidc' | 'cas';

export type AccountState = 'actif' | 'en attente d’activation' | 'désactivé';

/**
 * Where an account stands: disabled, waiting for its holder to choose a password, or active. With
 * an identity provider configured (`providers`), an account without a password is active at once:
 * its holder signs in through the provider.
 */
export function accountState(account: { disabled_at: string | null; password_hash: string | null }, providers = false): AccountState {
  if (account.disabled_at) return 'désactivé';
  return account.password_hash || providers ? 'actif' : 'en attente d’activation';
}

/**
 * How an account signs in, as the administrator reads it: with its password, through the identity
 * provider (once it has been used: the account is then linked), or both.
 */
export function signInMeans(account: { hasPassword: boolean; linked: boolean }, providers: boolean): string {
  if (account.hasPassword && account.linked) return 'mot de passe et Cerbère';
  if (account.linked) return 'Cerbère';
  if (account.hasPassword) return providers ? 'mot de passe (Cerbère pas encore utilisé)' : 'mot de passe';
  return providers ? 'Cerbère (pas encore utilisé)' : 'mot de passe (à définir)';
}

export const SIGN_IN_METHOD_LABELS: Readonly<Record<SignInMethod, string>> = Object.freeze({
  'mot de passe': 'mot de passe',
  oidc: 'Cerbère',
  cas: 'Cerbère (CAS)',
});

/** Who may sign in with a password (LOCAL_SIGN_IN): everyone, the national administrators only, or nobody. */
export type LocalSignIn = 'on' | 'admins' | 'off';

/** Whether an account of this role may have, and use, a password on this platform. */
export function passwordAllowed(role: 'admin' | 'manager', localSignIn: LocalSignIn): boolean {
  return localSignIn === 'on' || (localSignIn === 'admins' && role === 'admin');
}
