import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { NODE_MODULES_DIR, PUBLIC_DIR } from '../paths.js';

/** Everything the browser loads comes from this server: no CDN, so that closed networks work. */
export default fp(
  async (app) => {
    const maxAge = 60 * 60 * 1000;
    await app.register(fastifyStatic, { root: PUBLIC_DIR, prefix: '/static/', maxAge });
    await app.register(fastifyStatic, {
      root: join(NODE_MODULES_DIR, '@gouvfr', 'dsfr', 'dist'),
      prefix: '/static/dsfr/',
      decorateReply: false,
      maxAge,
    });
    await app.register(fastifyStatic, {
      root: join(NODE_MODULES_DIR, 'htmx.org', 'dist'),
      prefix: '/static/htmx/',
      decorateReply: false,
      allowedPath: (path) => path === '/htmx.min.js',
      maxAge,
    });
  },
  { name: 'static-files' },
);
