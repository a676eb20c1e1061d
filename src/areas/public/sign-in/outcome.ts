import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../../config.js';
import type { Role, SignInMethod } from '../../../db/schema.js';
import { homeOf } from '../../../plugins/auth.js';
import type { ProviderIdentity } from './lifecycle.js';

// What every way of signing in (a password, an identity provider) answers with: the sign-in page,
// and the session it opens.

/**
 * The sign-in page: the identity providers' buttons (each keeps `suivant`), above the password
 * form — for everyone, for the national administrators only, or absent (LOCAL_SIGN_IN).
 */
/** The providers' buttons, named as the page shows them: « Se connecter avec Cerbère » (ou « … »). */
export function providerButtonNames(config: Pick<Config, 'oidc' | 'cas'>): string {
  const labels = [config.oidc?.label, config.cas?.label].filter((label): label is string => Boolean(label));
  return labels.map((label) => `« ${label} »`).join(' ou ');
}

export function renderForm(reply: FastifyReply, values: { email: string; suivant: string }, extra: Record<string, unknown> = {}, status = 200) {
  const { config } = reply.server;
  const query = values.suivant ? `?${new URLSearchParams({ suivant: values.suivant }).toString()}` : '';
  const providers = [
    ...(config.oidc ? [{ href: `/connexion/oidc${query}`, label: config.oidc.label }] : []),
    ...(config.cas ? [{ href: `/connexion/cas${query}`, label: config.cas.label }] : []),
  ];
  return reply.render('public/sign-in/sign-in', { values, providers, localSignIn: config.localSignIn, ...extra }, { title: 'Connexion', status });
}

/**
 * What every way of signing in ends with, once the account is known: a new session id (an id planted
 * before sign-in is worth nothing after), then the code step when the account has a second factor,
 * else the signed-in session and the page asked for.
 */
export async function openSignedInSession(
  request: FastifyRequest,
  reply: FastifyReply,
  account: { accountId: number; role: Role; credential: string; secondFactor: boolean },
  suivant: string,
  how: { method: SignInMethod; idToken?: string | null; identity?: ProviderIdentity | null },
) {
  const { method } = how;
  const idToken = how.idToken ?? null;
  const now = request.server.clock.now().toISOString();
  await request.session.regenerate();
  if (account.secondFactor) {
    const { accountId, credential, role } = account;
    const identity = how.identity ?? null;
    request.session.pendingSignIn = { accountId, credential, role, since: now, suivant, failures: 0, method, idToken, identity };
    return reply.redirect('/connexion/code', 303);
  }
  request.session.accountId = account.accountId;
  request.session.credential = account.credential;
  request.session.lastSeenAt = now;
  request.session.signedInWith = { method, idToken };
  return reply.redirect(suivant || homeOf(account.role), 303);
}

