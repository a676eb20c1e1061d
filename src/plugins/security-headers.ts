import type { IncomingMessage, ServerResponse } from 'node:http';
import fp from 'fastify-plugin';
import helmet from 'helmet';

/**
 * No inline script anywhere: every script is a file under /static, so the policy can say 'self' only.
 * helmet decides the headers; it is asked once what they are, since they do not depend on the
 * request: running its chain of twelve middlewares on every request was a visible share of a
 * candidate's answer save.
 */
function buildHeaders(https: boolean, formTargets: string): Record<string, string> {
  const setHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // A form's redirect is held to this list too: signing out sends the browser on to the
        // identity provider's logout, whose address is known once its metadata has been read.
        formAction: ["'self'", ...(formTargets ? [formTargets] : [])],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: https ? { maxAge: 31536000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
  });
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number) => (headers[name.toLowerCase()] = String(value)),
    // X-Powered-By, which Node's server never sets.
    removeHeader: () => undefined,
  };
  // helmet's middlewares are synchronous: if one ever failed, or left its chain unfinished, the
  // server must not start with part of its headers.
  let finished = false;
  setHeaders({} as IncomingMessage, response as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error('helmet refused its own configuration', { cause: err });
    finished = true;
  });
  if (!finished) throw new Error('helmet did not finish setting the security headers');
  return Object.freeze(headers);
}

export default fp(
  async (app, opts: { https: boolean; formTargets?: () => string[] }) => {
    // Asked of helmet again only when the form targets change (once, when the identity provider's
    // metadata is read).
    let built = { targets: '', headers: buildHeaders(opts.https, '') };
    app.addHook('onRequest', (_request, reply, done) => {
      const targets = opts.formTargets?.().join(' ') ?? '';
      if (targets !== built.targets) built = { targets, headers: buildHeaders(opts.https, targets) };
      reply.headers(built.headers);
      done();
    });
    // Pages hold personal data (candidates, accounts) and are used on shared centre computers: after
    // a sign-out, the back button must not show them again from the cache. Only what says otherwise
    // (static files, question images) is cached.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
  },
  { name: 'security-headers' },
);
