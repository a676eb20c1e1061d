import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { adminAgent, managerAgent } from '../helpers/agents.js';
import { Agent, createTestApp, DEMO_PASSWORD } from '../helpers/app.js';
import { decodeEntities } from '../helpers/html.js';

/** The directives of a Content-Security-Policy header, by name. */
function cspDirectives(header: unknown): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of (typeof header === 'string' ? header : '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values);
  }
  return directives;
}

interface SetCookie {
  name: string;
  value: string;
  httpOnly?: boolean;
  secure?: boolean;
  sameSite?: string;
  path?: string;
}

function sessionCookie(res: LightMyRequestResponse): SetCookie | undefined {
  return (res.cookies as SetCookie[]).find((c) => c.name === 'qcm_session');
}

/** The CSRF secret of a visitor without a session (plugins/csrf.ts). */
function csrfCookie(res: LightMyRequestResponse): SetCookie | undefined {
  return (res.cookies as SetCookie[]).find((c) => c.name === 'qcm_csrf');
}

/** Everything in a page that the policy "script-src 'self'" (and "style-src 'self'") would block or that hides code. */
function inlineCodeProblems(html: string): string[] {
  const problems: string[] = [];
  const opening = html.match(/<script\b/gi)?.length ?? 0;
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)];
  if (scripts.length !== opening) problems.push(`${opening - scripts.length} <script> tag(s) without a closing tag`);
  for (const [, attrs = '', body = ''] of scripts) {
    if (!/\ssrc\s*=\s*("[^"]+"|'[^']+'|[^\s>]+)/i.test(` ${attrs}`)) problems.push(`<script${attrs}> has no src`);
    if (body.trim() !== '') problems.push(`<script${attrs}> has an inline body: ${body.trim().slice(0, 80)}`);
  }
  for (const [tag] of html.matchAll(/<[a-z][a-z0-9-]*\b[^>]*?\son[a-z]+\s*=[^>]*>/gi)) problems.push(`event handler attribute: ${tag.slice(0, 120)}`);
  for (const [tag] of html.matchAll(/<[^>]*\shx-on[:-][^>]*>/gi)) problems.push(`hx-on attribute (inline code): ${tag.slice(0, 120)}`);
  for (const [match] of html.matchAll(/(href|src|action)\s*=\s*["']?\s*javascript:/gi)) problems.push(`javascript: URL: ${match}`);
  for (const [tag] of html.matchAll(/<style\b[^>]*>/gi)) problems.push(`inline <style> (blocked by style-src 'self'): ${tag}`);
  for (const [tag] of html.matchAll(/<[a-z][a-z0-9-]*\b[^>]*\sstyle\s*=[^>]*>/gi))
    problems.push(`style attribute (blocked by style-src 'self'): ${tag.slice(0, 120)}`);
  return problems;
}

/** The local links of a page, as a browser would follow them. */
function localLinks(html: string): string[] {
  const links: string[] = [];
  for (const [, raw = ''] of html.matchAll(/\shref="([^"]*)"/g)) {
    const href = decodeEntities(raw).split('#')[0] ?? '';
    if (!href.startsWith('/') || href.startsWith('//') || href.startsWith('/static/')) continue;
    links.push(href);
  }
  return links;
}

/**
 * Every page reachable from `starts` by following the links of the pages (GET only, so nothing
 * is changed), with its response. Redirects are followed when local.
 */
async function crawl(agent: Agent, starts: string[], limit = 80): Promise<Map<string, LightMyRequestResponse>> {
  const pages = new Map<string, LightMyRequestResponse>();
  const queue = [...starts];
  const seen = new Set<string>();
  while (queue.length > 0 && seen.size < limit) {
    const url = queue.shift()!;
    if (seen.has(url)) continue;
    seen.add(url);
    const res = await agent.get(url);
    if (res.statusCode >= 300 && res.statusCode < 400) {
      const location = String(res.headers.location ?? '');
      if (location.startsWith('/') && !location.startsWith('//')) queue.push(location);
      continue;
    }
    if (!String(res.headers['content-type'] ?? '').startsWith('text/html')) continue;
    pages.set(url, res);
    queue.push(...localLinks(res.body));
  }
  return pages;
}

t.test('security headers on the sign-in page', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const res = await new Agent(app).get('/connexion');
  t.equal(res.statusCode, 200);

  const csp = cspDirectives(res.headers['content-security-policy']);
  t.ok(csp.size > 0, 'a Content-Security-Policy is sent');
  const scriptSrc = csp.get('script-src') ?? csp.get('default-src') ?? [];
  t.ok(scriptSrc.includes("'self'"), "script-src allows 'self'");
  t.notOk(scriptSrc.includes("'unsafe-inline'"), "script-src has no 'unsafe-inline'");
  t.notOk(scriptSrc.includes("'unsafe-eval'"), "script-src has no 'unsafe-eval'");
  t.notOk(
    scriptSrc.some((s) => s === '*' || s.startsWith('http') || s === 'data:'),
    'scripts come from this server only',
  );
  t.notMatch(String(res.headers['content-security-policy']), 'unsafe-inline', "no 'unsafe-inline' in any directive");
  t.same(csp.get('object-src'), ["'none'"]);

  t.equal(res.headers['x-content-type-options'], 'nosniff');
  const frameAncestors = csp.get('frame-ancestors');
  const xfo = String(res.headers['x-frame-options'] ?? '').toUpperCase();
  t.ok(
    (frameAncestors && (frameAncestors.includes("'none'") || frameAncestors.includes("'self'"))) || xfo === 'DENY' || xfo === 'SAMEORIGIN',
    'the page cannot be framed by another site (clickjacking)',
  );
  const referrer = String(res.headers['referrer-policy'] ?? '');
  t.ok(referrer, 'a Referrer-Policy is sent');
  t.notOk(['unsafe-url', 'no-referrer-when-downgrade'].includes(referrer), `the referrer policy (${referrer}) does not leak URLs to other sites`);
  t.notOk(res.headers['strict-transport-security'], 'no HSTS on plain http');
  t.notOk(res.headers['x-powered-by']);
});

t.test('the headers are on error pages too', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  for (const res of [await new Agent(app).get('/inexistante'), await new Agent(app).post('/connexion', {}, { csrf: null })]) {
    t.ok(res.statusCode >= 400);
    t.ok(cspDirectives(res.headers['content-security-policy']).get('script-src')?.includes("'self'"), `${res.statusCode}: CSP sent`);
    t.equal(res.headers['x-content-type-options'], 'nosniff');
  }
});

t.test('the cookies are HttpOnly and SameSite=Lax, not Secure on http', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  const page = await agent.get('/connexion');
  t.notOk(sessionCookie(page), 'the sign-in page opens no session');
  const cookie = csrfCookie(page);
  t.ok(cookie, 'it sets the CSRF cookie of its form');
  t.equal(cookie?.httpOnly, true, 'HttpOnly');
  t.equal(cookie?.sameSite?.toLowerCase(), 'lax', 'SameSite=Lax');
  t.notOk(cookie?.secure, 'not Secure over plain http, or the browser would drop it');
  t.equal(cookie?.path, '/');

  const signedIn = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD });
  const after = sessionCookie(signedIn);
  t.ok(after, 'the new session cookie is set at sign-in');
  t.equal(after?.httpOnly, true);
  t.equal(after?.sameSite?.toLowerCase(), 'lax');
});

t.test('with PUBLIC_URL=https (behind a trusted proxy) the cookies are Secure and HSTS is sent', async (t) => {
  const { app } = await createTestApp(t, { seed: true, env: { PUBLIC_URL: 'https://aipr.example.fr', TRUST_PROXY: 'loopback' } });
  const agent = new Agent(app);
  const proxied = { 'x-forwarded-proto': 'https' };
  const page = await agent.get('/connexion', proxied);
  const cookie = csrfCookie(page);
  t.ok(cookie, 'the CSRF cookie is set');
  t.equal(cookie?.secure, true, 'Secure');
  t.equal(cookie?.httpOnly, true);
  t.match(String(page.headers['strict-transport-security']), /max-age=\d{7,}/, 'HSTS of at least months');
  t.ok(cspDirectives(page.headers['content-security-policy']).has('upgrade-insecure-requests'));

  const signedIn = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD }, { headers: proxied });
  t.equal(signedIn.statusCode, 303);
  t.equal(sessionCookie(signedIn)?.secure, true, 'the signed-in cookie is Secure too');
});

t.test('no inline script in any page', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const checked = new Map<string, LightMyRequestResponse>();
  const named: string[] = [];
  const expectPage = (label: string, res: LightMyRequestResponse | undefined, status: number, heading: string) => {
    t.ok(res, `${label}: reached`);
    if (!res) return;
    t.equal(res.statusCode, status, `${label}: status ${status}`);
    t.match(res.body, new RegExp(`<h1[^>]*>\\s*${heading}`), `${label}: shows "${heading}"`);
    checked.set(label, res);
    named.push(label);
  };

  // Anonymous pages.
  const visitor = new Agent(app);
  const anonymous = await crawl(visitor, ['/', '/connexion', '/connexion?expiree=1&suivant=%2Fadmin', '/aide', '/page-inexistante']);
  expectPage('sign-in page', anonymous.get('/connexion'), 200, 'Connexion');
  expectPage('sign-in page after expiry', anonymous.get('/connexion?expiree=1&suivant=%2Fadmin'), 200, 'Connexion');
  expectPage('help (anonymous)', anonymous.get('/aide'), 200, 'Aide');
  expectPage('404 page', anonymous.get('/page-inexistante'), 404, 'Page introuvable');
  for (const [url, res] of anonymous) checked.set(`anonymous ${url}`, res);
  await visitor.get('/connexion');
  expectPage('failed sign-in', await visitor.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: 'mauvais-mot-de-passe' }), 401, 'Connexion');
  expectPage('form without token', await visitor.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: 'x' }, { csrf: null }), 403, 'Accès refusé');

  // Each signed-in area, every page reachable from its links, and the other area (403).
  const admin = await adminAgent({ app });
  const adminPages = await crawl(admin, ['/admin', '/aide', '/centre', '/admin/inexistante']);
  expectPage('admin dashboard', adminPages.get('/admin'), 200, 'Administration nationale');
  expectPage('help (admin)', adminPages.get('/aide'), 200, 'Aide');
  expectPage('403 page (admin on /centre)', adminPages.get('/centre'), 403, 'Accès refusé');
  expectPage('404 page (signed in)', adminPages.get('/admin/inexistante'), 404, 'Page introuvable');
  for (const [url, res] of adminPages) checked.set(`admin ${url}`, res);

  const manager = await managerAgent({ app });
  const managerPages = await crawl(manager, ['/centre', '/aide', '/admin']);
  expectPage('centre dashboard', managerPages.get('/centre'), 200, 'Tableau de bord du centre');
  expectPage('403 page (manager on /admin)', managerPages.get('/admin'), 403, 'Accès refusé');
  for (const [url, res] of managerPages) checked.set(`manager ${url}`, res);

  t.ok(checked.size >= 12, `${checked.size} pages checked`);
  for (const label of named) {
    t.match(checked.get(label)?.body ?? '', /<script\b[^>]*\ssrc=/, `${label}: the page loads its scripts from files (the check is not vacuous)`);
  }
  for (const [label, res] of checked) {
    // A printable document (the session report's preview) is sent with its own policy, which allows
    // no script at all and only its inline styles (the PDF is made from the same self-contained HTML).
    const documentPolicy = String(res.headers['content-security-policy'] ?? '').startsWith("default-src 'none'");
    const problems = inlineCodeProblems(res.body).filter((p) => !(documentPolicy && p.startsWith('inline <style>')));
    t.same(problems, [], `${label}: no inline script, event handler or inline style${documentPolicy ? ' (a document: its <style> allowed)' : ''}`);
    if (documentPolicy) t.notMatch(res.body, /<script\b/i, `${label}: a document carries no script at all`);
  }
});

t.test('pages are not kept in the cache (shared computers); static files are', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  for (const url of ['/connexion', '/aide', '/page-inconnue', '/examen']) {
    t.equal((await agent.get(url)).headers['cache-control'], 'no-store', `${url}: no-store`);
  }
  await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  for (const url of ['/centre', '/centre/jetons', '/centre/sessions']) {
    t.equal((await agent.get(url)).headers['cache-control'], 'no-store', `${url} (signed in): no-store`);
  }
  const css = await agent.get('/static/css/app.css');
  t.equal(css.statusCode, 200);
  t.match(String(css.headers['cache-control']), /max-age=\d+/, 'a style sheet is cached');
});
