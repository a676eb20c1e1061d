import type { Page } from 'puppeteer';
import t from 'tap';
import { DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { createTestApp } from '../helpers/app.js';
import { browserForFile } from '../helpers/browser.js';
import { startCasServer } from '../helpers/cas-server.js';
import { startOidcProvider } from '../helpers/oidc-provider.js';
import { freePort } from '../helpers/ports.js';

// A real browser on a busy shared machine can be slow to start.
t.setTimeout(300_000);

async function submit(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(selector)]);
}

const launched = await browserForFile(t);

if (launched) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const provider = await startOidcProvider(t, {
    users: [
      { sub: 'cerbere-gestionnaire', email: DEMO_MANAGER_EMAIL, given_name: 'Gestionnaire', family_name: 'Démo' },
      { sub: 'cerbere-inconnu', email: 'inconnu@exemple.test' },
    ],
    clients: [
      {
        client_id: 'qcm-aipr',
        client_secret: 'un-secret-de-test-assez-long',
        redirect_uris: [`${base}/connexion/oidc/retour`],
        post_logout_redirect_uris: [`${base}/connexion`],
      },
    ],
  });
  const cas = await startCasServer(t, { users: [DEMO_MANAGER_EMAIL] });
  const testApp = await createTestApp(t, {
    seed: true,
    env: {
      PUBLIC_URL: base,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: 'qcm-aipr',
      OIDC_CLIENT_SECRET: 'un-secret-de-test-assez-long',
      CAS_URL: cas.url,
    },
  });
  await testApp.app.listen({ port, host: '127.0.0.1' });

  const freshPage = async () => {
    const context = await launched.browser.createBrowserContext();
    t.teardown(() => context.close());
    const page = await context.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    return { page, violations };
  };

  t.test('a manager signs in through Cerbère (OpenID Connect) in Chromium, lands on the centre, and signs out of both', async (t) => {
    const { page, violations } = await freshPage();
    await page.goto(`${base}/centre/sessions`, { waitUntil: 'networkidle0' });
    t.equal(new URL(page.url()).pathname, '/connexion', 'sent to sign in');
    const button = await page.$eval('a.fr-btn[href^="/connexion/oidc"]', (a) => ({ text: (a.textContent ?? '').trim(), href: a.getAttribute('href') }));
    t.same(button, { text: 'Se connecter avec Cerbère', href: '/connexion/oidc?suivant=%2Fcentre%2Fsessions' }, 'the button keeps the page asked for');
    await submit(page, 'a.fr-btn[href^="/connexion/oidc"]');
    t.equal(new URL(page.url()).origin, provider.issuer, 'on the provider’s sign-in page');
    await page.type('#login', 'cerbere-gestionnaire');
    await submit(page, 'form button[type="submit"]:not([name="refuser"])');
    t.equal(page.url(), `${base}/centre/sessions`, 'back on the page asked for, signed in');
    t.match(await page.$eval('body', (b) => b.innerText), 'Sessions d’examen');
    const row = await testApp.db.kysely
      .selectFrom('accounts')
      .select(['last_sign_in_method'])
      .where('email', '=', DEMO_MANAGER_EMAIL)
      .executeTakeFirstOrThrow();
    t.equal(row.last_sign_in_method, 'oidc');

    // Signing out ends the provider's sign-in too (RP-initiated logout), then comes back here.
    await submit(page, 'form[action="/deconnexion"] button[type="submit"]');
    t.equal(new URL(page.url()).origin, provider.issuer, 'the provider asks to confirm its logout');
    await submit(page, 'button[name="logout"]');
    t.equal(new URL(page.url()).href, `${base}/connexion`, 'back on the sign-in page');
    t.match(await page.$eval('body', (b) => b.innerText), 'Vous êtes déconnecté');
    await page.goto(`${base}/centre`, { waitUntil: 'networkidle0' });
    t.equal(new URL(page.url()).pathname, '/connexion', 'the centre is closed again');
    t.same(violations, [], 'the Content-Security-Policy blocked nothing (the logout redirect included)');
  });

  t.test('an e-mail linked to no centre reads the French page', async (t) => {
    const { page } = await freshPage();
    await page.goto(`${base}/connexion`, { waitUntil: 'networkidle0' });
    await submit(page, 'a.fr-btn[href^="/connexion/oidc"]');
    await page.type('#login', 'cerbere-inconnu');
    await submit(page, 'form button[type="submit"]:not([name="refuser"])');
    t.equal(await page.$eval('h1', (h) => (h.textContent ?? '').trim()), 'Compte non rattaché');
    t.match(
      await page.$eval('main', (m) => m.innerText),
      'Votre compte Cerbère inconnu@exemple.test n’est rattaché à aucun centre : communiquez cette adresse à l’administration nationale',
    );
  });

  t.test('a manager signs in through the CAS server in Chromium', async (t) => {
    const { page, violations } = await freshPage();
    await page.goto(`${base}/connexion`, { waitUntil: 'networkidle0' });
    await submit(page, 'a.fr-btn[href^="/connexion/cas"]');
    t.equal(new URL(page.url()).origin + new URL(page.url()).pathname, `${cas.url}/login`);
    await page.type('#username', DEMO_MANAGER_EMAIL);
    await submit(page, 'form button[type="submit"]');
    t.equal(page.url(), `${base}/centre`, 'signed in, on the centre’s dashboard');
    await submit(page, 'form[action="/deconnexion"] button[type="submit"]');
    t.match(await page.$eval('body', (b) => b.innerText), 'Vous êtes déconnecté', 'the CAS logout sent the browser back');
    t.same(cas.validations.length, 1, 'one ticket, validated once');
    t.same(violations, []);
  });
}
