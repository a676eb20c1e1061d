export type AccountState = 'actif' | 'en attente d’activation' | 'désactivé';

/** Where an account stands: disabled, waiting for its holder to choose a password, or active. */
export function accountState(account: { disabled_at: string | null; password_hash: string | null }): AccountState {
  if (account.disabled_at) return 'désactivé';
  return account.password_hash ? 'actif' : 'en attente d’activation';
}
