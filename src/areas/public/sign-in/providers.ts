import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IdentityProvider } from '../../../db/schema.js';
import { homeOf, safeNextPath } from '../../../plugins/auth.js';
import { OidcError, type OidcFailure, type OidcPending } from '../../../services/single-sign-on/oidc.js';
import { signInThroughProvider } from './lifecycle.js';
import { openSignedInSession, renderForm } from './outcome.js';

declare module 'fastify' {
  interface Session {
    /** A sign-in sent to an identity provider, until the browser comes back: used once. */
    providerSignIn?: { provider: IdentityProvider; since: string; suivant: string; oidc?: OidcPending; casFlow?: string };
  }
}

/** Time a visitor has at the provider (typing a password, a second factor) before the start is void. */
const PROVIDER_STEP_VALIDITY_MS = 15 * 60_000;
/** CAS 2.0: a service ticket is at most 256 characters (section 3.7); anything else is not one. */
const TICKET = /^[\x21-\x7e]{1,256}$/;

const OIDC_MESSAGES: Readonly<Record<OidcFailure, { text: string; status: number }>> = {
  denied: { text: 'La connexion a été annulée sur Cerbère : vous n’êtes pas connecté.', status: 401 },
  expired: { text: 'Le code de connexion transmis par Cerbère a expiré ou a déjà servi : recommencez la connexion.', status: 401 },
  invalid: {
    text: 'Cerbère n’a pas pu confirmer votre identité (réponse non conforme) : recommencez la connexion ; si le problème persiste, prévenez l’administration nationale.',
    status: 401,
  },
  unreachable: { text: 'Cerbère ne répond pas pour le moment : réessayez dans quelques minutes.', status: 503 },
};
const FLOW_OVER = 'Cette connexion par Cerbère a expiré ou a déjà servi : recommencez en cliquant sur le bouton de connexion.';
const CAS_INVALID = 'Le ticket de connexion transmis par Cerbère est invalide, expiré ou déjà utilisé : recommencez la connexion.';
const NO_EMAIL =
  'Cerbère n’a pas transmis d’adresse électronique, ou l’a indiquée comme non vérifiée : votre compte ne peut pas être retrouvé. Prévenez l’administration nationale.';
const DISABLED = 'Votre compte est désactivé : vous ne pouvez plus vous connecter. Adressez-vous à l’administration nationale.';
const TAKEN =
  'Ce compte Cerbère est déjà lié à un autre compte de la plateforme (son adresse électronique a changé ?) : adressez-vous à l’administration nationale.';

/**
 * Sign-in through the ministry's identity service: OpenID Connect (`/connexion/oidc`) and CAS 2.0
 * (`/connexion/cas`), each only when configured. The provider's answer is accepted once, in the
 * browser session that started it; the account is then found by its e-mail, and the session opens
 * as after a password (second factor included).
 */
export default async function providerSignInRoutes(app: FastifyInstance) {
  const { oidc, cas } = app.identityProviders;

  /** The sign-in page with the reason; `providerLogout`: the provider's sign-in, still open, can be ended from it. */
  function refuse(reply: FastifyReply, text: string, status: number, more: { suivant?: string; providerLogout?: string | null } = {}) {
    return renderForm(reply, { email: '', suivant: more.suivant ?? '' }, { failure: text, providerLogout: more.providerLogout ?? null }, status);
  }

  /** Where to end the provider's own sign-in, when ours was refused: on a shared computer, the next person must not inherit it. */
  async function providerLogoutOf(provider: IdentityProvider, idToken: string | null): Promise<string | null> {
    if (provider === 'oidc') return oidc ? oidc.logoutUrl(idToken) : null;
    return cas ? cas.logoutUrl() : null;
  }

  /** Where the sign-in is going (`suivant`), or the answer already given to a visitor signed in. */
  function begin(request: FastifyRequest<{ Querystring: { suivant?: string } }>, reply: FastifyReply) {
    const suivant = safeNextPath(request.query.suivant) ?? '';
    if (request.account) return { done: reply.redirect(suivant || homeOf(request.account.role)) };
    return { suivant };
  }

  /** The sign-in this browser started with `provider`, taken out of its session: a second use finds nothing. */
  function takePending(request: FastifyRequest, provider: IdentityProvider) {
    const pending = request.session.providerSignIn;
    request.session.providerSignIn = undefined;
    if (!pending || pending.provider !== provider) return null;
    if (app.clock.now().getTime() - Date.parse(pending.since) > PROVIDER_STEP_VALIDITY_MS) return null;
    return pending;
  }

  async function finish(
    request: FastifyRequest,
    reply: FastifyReply,
    signIn: { provider: IdentityProvider; email: string; subject: string; suivant: string; idToken: string | null },
  ) {
    const outcome = await signInThroughProvider(app.db, app.clock, { provider: signIn.provider, email: signIn.email, subject: signIn.subject, ip: request.ip });
    if (!outcome.ok) {
      const providerLogout = await providerLogoutOf(signIn.provider, signIn.idToken);
      if (outcome.reason !== 'unknown') return refuse(reply, outcome.reason === 'disabled' ? DISABLED : TAKEN, 403, { providerLogout });
      return reply.render('public/sign-in/unknown-account', { email: signIn.email.trim(), providerLogout }, { title: 'Compte non rattaché', status: 403 });
    }
    return openSignedInSession(request, reply, outcome, signIn.suivant, {
      method: signIn.provider,
      idToken: signIn.idToken,
      identity: { provider: signIn.provider, subject: signIn.subject },
    });
  }

  if (oidc) {
    app.get('/connexion/oidc', async (request: FastifyRequest<{ Querystring: { suivant?: string } }>, reply) => {
      const begun = begin(request, reply);
      if ('done' in begun) return begun.done;
      let started: Awaited<ReturnType<typeof oidc.start>>;
      try {
        started = await oidc.start();
      } catch (err) {
        request.log.warn({ err }, 'the OpenID Connect provider could not be reached');
        return refuse(reply, OIDC_MESSAGES.unreachable.text, OIDC_MESSAGES.unreachable.status);
      }
      request.session.providerSignIn = { provider: 'oidc', since: app.clock.now().toISOString(), suivant: begun.suivant, oidc: started.pending };
      return reply.redirect(started.url, 303);
    });

    app.get('/connexion/oidc/retour', async (request, reply) => {
      const pending = takePending(request, 'oidc');
      if (!pending?.oidc) return refuse(reply, FLOW_OVER, 400);
      const query = request.url.includes('?') ? request.url.slice(request.url.indexOf('?') + 1) : '';
      let identity: Awaited<ReturnType<typeof oidc.finish>>;
      try {
        identity = await oidc.finish(query, pending.oidc);
      } catch (err) {
        const failure = err instanceof OidcError ? err.failure : 'invalid';
        // What the provider or the checks said is for the operator; the visitor reads the French line.
        request.log.warn({ err: err instanceof OidcError ? err.cause : err, failure }, 'OpenID Connect sign-in refused');
        return refuse(reply, OIDC_MESSAGES[failure].text, OIDC_MESSAGES[failure].status, { suivant: pending.suivant });
      }
      if (!identity.email || identity.emailVerified === false) {
        return refuse(reply, NO_EMAIL, 401, { suivant: pending.suivant, providerLogout: await providerLogoutOf('oidc', identity.idToken) });
      }
      return finish(request, reply, { provider: 'oidc', email: identity.email, subject: identity.subject, suivant: pending.suivant, idToken: identity.idToken });
    });
  }

  if (cas) {
    app.get('/connexion/cas', async (request: FastifyRequest<{ Querystring: { suivant?: string } }>, reply) => {
      const begun = begin(request, reply);
      if ('done' in begun) return begun.done;
      const flow = randomBytes(32).toString('base64url');
      request.session.providerSignIn = { provider: 'cas', since: app.clock.now().toISOString(), suivant: begun.suivant, casFlow: flow };
      return reply.redirect(cas.loginUrl(flow), 303);
    });

    app.get('/connexion/cas/retour', async (request: FastifyRequest<{ Querystring: { ticket?: unknown; flux?: unknown } }>, reply) => {
      const pending = takePending(request, 'cas');
      // Another start's return (a link planted by someone else) is no return of this browser's.
      if (!pending?.casFlow || request.query.flux !== pending.casFlow) return refuse(reply, FLOW_OVER, 400);
      const ticket = request.query.ticket;
      if (typeof ticket !== 'string' || !TICKET.test(ticket)) return refuse(reply, CAS_INVALID, 400, { suivant: pending.suivant });
      const validation = await cas.validate(ticket, pending.casFlow);
      if (!validation.ok) {
        request.log.warn({ code: validation.code }, 'CAS ticket refused');
        const suivant = pending.suivant;
        return validation.failure === 'unreachable' ? refuse(reply, OIDC_MESSAGES.unreachable.text, 503, { suivant }) : refuse(reply, CAS_INVALID, 401, { suivant });
      }
      return finish(request, reply, { provider: 'cas', email: validation.user, subject: validation.user, suivant: pending.suivant, idToken: null });
    });
  }
}
