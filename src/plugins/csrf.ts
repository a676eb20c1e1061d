import { createHmac, timingSafeEqual } from 'node:crypto';
import Tokens from '@fastify/csrf';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { PublicError } from '../services/public-error.js';

declare module 'fastify' {
  interface FastifyReply {
    /** A token for the page's forms (and htmx's header), bound to this visitor. */
    generateCsrf(): string;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The secret of a visitor who has no session (yet): in a signed cookie, so that no row is written for them. */
export const CSRF_COOKIE = 'qcm_csrf';
const FORM_EXPIRED = 'Ce formulaire a expiré ou ne vient pas de ce site. Revenez à la page précédente, rechargez-la et recommencez.';

/** The token of a form (urlencoded: a string; multipart: a field object) or of htmx's header. */
function tokenOf(request: FastifyRequest): string | undefined {
  const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
  if (typeof field === 'string') return field;
  if (field && typeof field === 'object' && 'value' in field && typeof field.value === 'string') return field.value;
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * Every state-changing request carries a token of its visitor: the `_csrf` field of a form, or the
 * `x-csrf-token` header that htmx sends (set once on <body> by the layouts). The token's secret is
 * kept in the session when the visitor has one (or gets one in this request); otherwise in a
 * signed cookie (double submit), so that a visitor who only reads pages — a 404, the sign-in page,
 * the kiosk's first form — costs no session row.
 */
export default fp(
  async (app, opts: { secret: string; secure: boolean }) => {
    const tokens = Tokens();
    // A key of its own, derived from the session secret: no CSRF cookie can pass for a session cookie.
    const key = createHmac('sha256', opts.secret).update('qcm-aipr csrf cookie').digest();
    const signatureOf = (value: string) => createHmac('sha256', key).update(value).digest('base64url');

    function cookieSecret(request: FastifyRequest): string | null {
      const value = request.cookies[CSRF_COOKIE];
      const dot = value?.lastIndexOf('.') ?? -1;
      if (!value || dot <= 0) return null;
      const secret = value.slice(0, dot);
      const given = Buffer.from(value.slice(dot + 1));
      const expected = Buffer.from(signatureOf(secret));
      return given.length === expected.length && timingSafeEqual(given, expected) ? secret : null;
    }

    app.decorateReply('generateCsrf', function (this: FastifyReply) {
      const request = this.request;
      const session = request.session;
      if (session._csrf) return tokens.create(session._csrf);
      if (request.sessionIsKept()) {
        session._csrf = tokens.secretSync();
        // From now on the session's secret alone counts: a form shown before (before a sign-in, say) is void.
        if (request.cookies[CSRF_COOKIE]) this.clearCookie(CSRF_COOKIE, { path: '/' });
        return tokens.create(session._csrf);
      }
      const known = cookieSecret(request);
      if (known) return tokens.create(known);
      const secret = tokens.secretSync();
      const value = `${secret}.${signatureOf(secret)}`;
      // Remembered for the rest of this request: a page may ask for a token more than once.
      request.cookies[CSRF_COOKIE] = value;
      this.setCookie(CSRF_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: opts.secure, path: '/' });
      return tokens.create(secret);
    });

    app.addHook('preHandler', (request, _reply, done) => {
      if (SAFE_METHODS.has(request.method)) return done();
      const token = tokenOf(request);
      // The cookie's secret counts only until the session has one of its own.
      const secret = request.session._csrf ?? cookieSecret(request);
      if (token && secret && tokens.verify(secret, token)) return done();
      done(new PublicError(403, FORM_EXPIRED));
    });
  },
  { name: 'csrf', dependencies: ['session'] },
);
