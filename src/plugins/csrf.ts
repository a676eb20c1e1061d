import fastifyCsrf from '@fastify/csrf-protection';
import fp from 'fastify-plugin';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every state-changing request carries the token of its session: the `_csrf` field of a form, or the
 * `x-csrf-token` header that htmx sends (set once on <body> by the layouts).
 */
export default fp(
  async (app) => {
    await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
    app.addHook('preHandler', (request, reply, done) => {
      if (SAFE_METHODS.has(request.method)) return done();
      app.csrfProtection(request, reply, done);
    });
  },
  { name: 'csrf', dependencies: ['session'] },
);
