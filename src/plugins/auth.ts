import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/schema.js';
import { secondFactorRequired } from '../domain/second-factor.js';
import { findActiveAccount, type SignedInAccount } from '../services/accounts/queries.js';

/** How long a signed-in user may stay idle before signing in again. */
export const IDLE_LIMIT_MINUTES = 30;
export const IDLE_LIMIT_MS = IDLE_LIMIT_MINUTES * 60 * 1000;
/** Sent by what a page refreshes by itself (hx-headers in views/centre/sessions/room.eta): not user activity. */
export const BACKGROUND_REFRESH_HEADER = 'x-actualisation-auto';
/** lastSeenAt is rewritten at most this often, so that reading a page rarely costs a session write. */
const TOUCH_EVERY_MS = 60 * 1000;

declare module 'fastify' {
  interface Session {
    accountId?: number;
    /** What the sign-in was made with (credentialOf): a new password or second factor ends the sign-in. */
    credential?: string;
    lastSeenAt?: string;
  }
  interface FastifyRequest {
    /** The signed-in account, or null. Set for every request before the route's handlers. */
    account: SignedInAccount | null;
    /** True when this request found a sign-in that had been idle too long (and ended it). */
    sessionExpired: boolean;
  }
  interface FastifyInstance {
    /**
     * The one role guard: anonymous → sign-in page and back; wrong role → 403; a role that must have
     * a second factor and has none yet → the enrolment page (ENROLMENT_PATH).
     */
    requireRole(role: Role): onRequestAsyncHookHandler;
    /** The guard of /compte, where any signed-in account manages its own sign-in (and enrols). */
    requireSignIn(): onRequestAsyncHookHandler;
  }
}

/**
 * Only a path of this site may be a destination after sign-in. Browsers ignore tabs and newlines
 * in URLs (so `/\t/host` means `//host`), and a control character would break the Location
 * header: anything but a plain path is refused.
 */
export function safeNextPath(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 2000 || !next.startsWith('/')) return null;
  if (/[\u0000-\u0020\u007f\\]/.test(next) || next.startsWith('//')) return null;
  const base = 'http://qcm-aipr.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return null;
  }
  if (url.origin !== base) return null;
  if (url.pathname.startsWith('/connexion') || url.pathname.startsWith('/deconnexion')) return null;
  const path = url.pathname + url.search;
  // Checked again once normalised: dot segments turn `/.//host` into `//host`.
  if (path.startsWith('//') || path.startsWith('/\\')) return null;
  return path;
}

/** The home page of a role: where a sign-in leads by default. */
export function homeOf(role: Role): string {
  return role === 'admin' ? '/admin' : '/centre';
}

/** Where an account enrols its second factor (areas/account). */
export const ENROLMENT_PATH = '/compte/double-authentification';

export function signInRedirect(request: FastifyRequest): string {
  const params = new URLSearchParams({ suivant: request.url });
  if (request.sessionExpired) params.set('expiree', '1');
  return `/connexion?${params.toString()}`;
}

export default fp(
  async (app) => {
    app.decorateRequest('account', null);
    app.decorateRequest('sessionExpired', false);

    async function loadAccount(request: FastifyRequest, accountId: number): Promise<void> {
      const session = request.session;
      const now = app.clock.now();
      const lastSeen = session.lastSeenAt ? Date.parse(session.lastSeenAt) : 0;
      if (now.getTime() - lastSeen > IDLE_LIMIT_MS) {
        session.accountId = undefined;
        session.credential = undefined;
        session.lastSeenAt = undefined;
        request.sessionExpired = true;
        return;
      }
      const account = await findActiveAccount(app.db, accountId, session.credential);
      if (!account) {
        session.accountId = undefined;
        session.credential = undefined;
        return;
      }
      request.account = account;
      // A page refreshing itself (the session room view) is not the user at the keyboard: it must not
      // keep a sign-in alive on a shared computer left alone.
      const background = request.headers[BACKGROUND_REFRESH_HEADER] !== undefined;
      if (now.getTime() - lastSeen > TOUCH_EVERY_MS && !background) session.lastSeenAt = now.toISOString();
    }

    // Callback style so that the many anonymous requests (a candidate's every click) cost no promise.
    app.addHook('onRequest', (request, _reply, done) => {
      const accountId = request.session?.accountId;
      if (!accountId) return done();
      loadAccount(request, accountId).then(() => done(), done);
    });

    /** Anonymous: to the sign-in page, then back here. */
    function toSignIn(request: FastifyRequest, reply: FastifyReply) {
      if (request.method === 'GET' || request.method === 'HEAD') {
        // htmx would follow a redirect inside the page (into a refreshed table): the whole page
        // goes to the sign-in form instead, and what it showed leaves the screen.
        if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', signInRedirect(request)).send('');
        return reply.redirect(signInRedirect(request));
      }
      // A form posted after the sign-in ended: send the user to sign in, then back to the page the
      // form was on (what was typed cannot survive this: the sign-in is what protects it).
      const referer = request.headers.referer;
      let back: string | null = null;
      try {
        back = referer ? safeNextPath(new URL(referer).pathname) : null;
      } catch {
        back = null;
      }
      const params = new URLSearchParams({ expiree: '1', ...(back ? { suivant: back } : {}) });
      return reply.redirect(`/connexion?${params.toString()}`, 303);
    }

    app.decorate('requireRole', (role: Role): onRequestAsyncHookHandler => {
      return async function guard(request: FastifyRequest, reply: FastifyReply) {
        if (!request.account) return toSignIn(request, reply);
        if (request.account.role !== role) {
          throw Object.assign(new Error('Accès refusé'), { statusCode: 403 });
        }
        if (secondFactorRequired(role) && !request.account.secondFactor) {
          if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', ENROLMENT_PATH).send('');
          return reply.redirect(ENROLMENT_PATH, 303);
        }
      };
    });

    app.decorate('requireSignIn', (): onRequestAsyncHookHandler => {
      return async function guard(request: FastifyRequest, reply: FastifyReply) {
        if (!request.account) return toSignIn(request, reply);
      };
    });
  },
  { name: 'auth', dependencies: ['session'] },
);
