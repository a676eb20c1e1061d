import type { Page } from 'puppeteer';
import t from 'tap';
import { DEMO_ADMIN_EMAIL } from '../../src/operator/seed-demo.js';
import { createTestApp, type Teardown, DEMO_PASSWORD } from '../helpers/app.js';
import { freshTotp } from '../helpers/agents.js';
import { browserForFile, type LaunchedBrowser } from '../helpers/browser.js';
import { enrolInBrowser, signInInBrowser } from './sign-in-support.js';

// A real browser on a busy shared machine can be slow to start.
t.setTimeout(300_000);

interface PageWatch {
  /** securitypolicyviolation events, as "directive blocked-uri". */
  cspViolations: string[];
  /** Console errors that come from the Content-Security-Policy. */
  cspConsoleErrors: string[];
  /** Uncaught exceptions of the page's scripts. */
  pageErrors: string[];
}

/** Records what the policy blocks and what throws, across every navigation of the page. */
async function watch(page: Page): Promise<PageWatch> {
  const seen: PageWatch = { cspViolations: [], cspConsoleErrors: [], pageErrors: [] };
  await page.exposeFunction('__reportCspViolation', (v: string) => {
    seen.cspViolations.push(v);
  });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation(v: string): void }).__reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(text)) seen.cspConsoleErrors.push(text);
  });
  page.on('pageerror', (err) => {
    seen.pageErrors.push(err instanceof Error ? err.message : String(err));
  });
  return seen;
}

/** A page in a browser context of its own (its own cookies), on a desktop-sized screen. */
async function freshPage(t: Teardown, launched: LaunchedBrowser): Promise<Page> {
  const context = await launched.browser.createBrowserContext();
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  return page;
}

async function heading(page: Page): Promise<string> {
  return page.$eval('h1', (h) => (h.textContent ?? '').trim());
}

const launched = await browserForFile(t);

if (launched) {
  const browser = launched;
  const testApp = await createTestApp(t, { seed: true });
  const base = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const errorsSeen: string[] = [];

  t.test('an admin signs in through the sign-in form, sets up the second factor, and sees the admin dashboard', async (t) => {
    const page = await freshPage(t, browser);
    const seen = await watch(page);

    const res = await page.goto(`${base}/connexion`, { waitUntil: 'networkidle0' });
    t.equal(res?.status(), 200);
    t.equal(await heading(page), 'Connexion');

    await page.type('#email', DEMO_ADMIN_EMAIL);
    await page.type('#mot_de_passe', DEMO_PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion"] button[type="submit"]')]);
    t.equal(page.url(), `${base}/compte/double-authentification`, 'the first time, the administrator is asked to set up the second factor');
    t.ok(await page.$('.app-enrolment-qr svg'), 'the QR code is drawn');
    await enrolInBrowser(page, testApp.app);
    t.equal(await heading(page), 'Vos codes de secours');
    t.equal((await page.$$('.app-recovery-codes code')).length, 10, 'ten recovery codes are shown');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('.app-recovery-codes ~ p a')]);

    t.equal(page.url(), `${base}/admin`, 'the browser is on /admin');
    t.equal(await heading(page), 'Administration nationale');
    const text = await page.$eval('body', (b) => b.innerText);
    t.match(text, 'Administration (démo)', 'the name of the signed-in user is shown');

    // The sign-out button is a real form with its CSRF token: it must work in the browser too.
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/deconnexion"] button[type="submit"]')]);
    t.equal(new URL(page.url()).pathname, '/connexion', 'signed out, back on the sign-in page');
    await page.goto(`${base}/admin`, { waitUntil: 'networkidle0' });
    t.equal(page.url(), `${base}/connexion?suivant=%2Fadmin`, 'the admin area is closed again');

    // The next sign-in asks for the code after the password, and goes where the user was going.
    await page.type('#email', DEMO_ADMIN_EMAIL);
    await page.type('#mot_de_passe', DEMO_PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion"] button[type="submit"]')]);
    t.equal(page.url(), `${base}/connexion/code`, 'the code step follows the password');
    testApp.clock.advance(30_000);
    await page.type('#code', await freshTotp(testApp, DEMO_ADMIN_EMAIL));
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion/code"] button[type="submit"]')]);
    t.equal(page.url(), `${base}/admin`, 'signed in again, on /admin');

    t.same(seen.cspViolations, [], 'the Content-Security-Policy blocked nothing');
    t.same(seen.cspConsoleErrors, [], 'no CSP error in the console');
    errorsSeen.push(...seen.pageErrors);
  });

  t.test('a wrong password shows the French message in the browser', async (t) => {
    const page = await freshPage(t, browser);
    await page.goto(`${base}/connexion`, { waitUntil: 'networkidle0' });
    await page.type('#email', DEMO_ADMIN_EMAIL);
    await page.type('#mot_de_passe', 'pas-le-bon-mot-de-passe');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/connexion"] button[type="submit"]')]);
    const alert = await page.$eval('[role="alert"]', (a) => (a.textContent ?? '').trim());
    t.equal(alert, 'Adresse électronique ou mot de passe incorrect.');
    t.equal(await page.$eval('#email', (i) => (i as HTMLInputElement).value), DEMO_ADMIN_EMAIL, 'the email is still typed in');
  });

  t.test('on a tablet-sized screen the signed-in user can still reach « Se déconnecter »', async (t) => {
    // Centres use cheap tablets and small screens: the DSFR header hides its tool links below 992 px
    // and shows them in a menu opened by a button, which the layout must therefore provide.
    const page = await freshPage(t, browser);
    await page.setViewport({ width: 768, height: 1024 });
    await signInInBrowser(page, base, testApp.app, DEMO_ADMIN_EMAIL);
    t.equal(await heading(page), 'Administration nationale');

    const visibleSignOut = async () => {
      for (const button of await page.$$('form[action="/deconnexion"] button')) {
        if (await button.isVisible()) return button;
      }
      return null;
    };
    let signOut = await visibleSignOut();
    if (!signOut) {
      for (const menuButton of await page.$$('.fr-header button[aria-controls]')) {
        if (await menuButton.isVisible()) {
          await menuButton.click();
          await new Promise((resolve) => setTimeout(resolve, 500));
          break;
        }
      }
      signOut = await visibleSignOut();
    }
    t.ok(signOut, 'a visible « Se déconnecter » button, directly or through the menu button');
    if (signOut) {
      await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), signOut.click()]);
      t.equal(new URL(page.url()).pathname, '/connexion', 'and it signs out');
    }
  });

  t.test('the pages run without JavaScript errors', async (t) => {
    t.same(errorsSeen, [], 'no uncaught exception on the sign-in page nor on the dashboard');
  });
}
