import fastifyCsrf from '@fastify/csrf-protection';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token of a form (urlencoded: a string; multipart: a field object) or of htmx's header. */
function tokenOf(request: FastifyRequest): string | undefined {
  const field = (request.body as { _csrf?: unknown } | undefined)?._csrf;
  if (typeof field === 'string') return field;
  if (field && typeof field === 'object' && 'value' in field && typeof field.value === 'string') return field.value;
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * Every state-changing request carries the token of its session: the `_csrf` field of a form, or the
 * `x-csrf-token` header that htmx sends (set once on <body> by the layouts).
 */
export default fp(
  async (app) => {
    await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session', getToken: tokenOf });
    app.addHook('preHandler', (request, reply, done) => {
      if (SAFE_METHODS.has(request.method)) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'csrf', dependencies: ['session'] },
);
