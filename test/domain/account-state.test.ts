import t from 'tap';
import { accountState, signInMeans } from '../../src/domain/account-state.js';

t.test('accountState: disabled first, then a password or an identity provider makes an account active', async (t) => {
  const now = '2026-11-29T09:00:00.000Z';
  t.equal(accountState({ disabled_at: now, password_hash: 'h' }), 'désactivé');
  t.equal(accountState({ disabled_at: now, password_hash: null }, true), 'désactivé', 'a provider does not revive a disabled account');
  t.equal(accountState({ disabled_at: null, password_hash: 'h' }), 'actif');
  t.equal(accountState({ disabled_at: null, password_hash: null }), 'en attente d’activation', 'without a provider, a password is awaited');
  t.equal(accountState({ disabled_at: null, password_hash: null }, true), 'actif', 'with one, the holder signs in through it at once');
});

t.test('signInMeans: what the administrator reads of how an account signs in', async (t) => {
  const cases: [boolean, boolean, boolean, string][] = [
    [true, true, true, 'mot de passe et Cerbère'],
    [true, true, false, 'mot de passe et Cerbère'],
    [false, true, true, 'Cerbère'],
    [true, false, true, 'mot de passe (Cerbère pas encore utilisé)'],
    [true, false, false, 'mot de passe'],
    [false, false, true, 'Cerbère (pas encore utilisé)'],
    [false, false, false, 'mot de passe (à définir)'],
  ];
  for (const [hasPassword, linked, providers, expected] of cases) {
    t.equal(signInMeans({ hasPassword, linked }, providers), expected, `password ${hasPassword}, linked ${linked}, providers ${providers}`);
  }
});
