/**
 * Automated accessibility audit (axe-core, WCAG 2.0/2.1 levels A and AA) of every page of the
 * platform in real Chromium: the public pages, every page reachable by following links from /admin
 * and from /centre, and the kiosk, from the admission of the terminal through the candidate's flow — and at least one form of each kind in its error
 * state, where each error message must also be tied to its field (aria-describedby).
 *
 * A failure lists, per page, the rule id, its impact and the first targets, so that it reads on its own.
 */
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer';
import t from 'tap';
import type { Mail, Mailer } from '../../src/services/mailer.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { createAccount, TEST_PASSWORD } from '../helpers/agents.js';
import { DEMO_PASSWORD } from '../helpers/app.js';
import { allowResume } from '../helpers/kiosk.js';
import { ACCENTED_IDENTITY, CENTRE, examByToken, illustratedToken } from '../helpers/kiosk-room.js';
import { createTestApp } from '../helpers/app.js';
import { startOidcProvider } from '../helpers/oidc-provider.js';
import { freePort } from '../helpers/ports.js';
import { enrolInBrowser, signInInBrowser } from './sign-in-support.js';
import { admitTerminal, begin, enterAndIdentify, enterCentreAndToken, KIOSK_VIEWPORT, navigate, pathOf, startKioskWorld, text } from './kiosk-support.js';

// A real browser on a busy shared machine, some fifty pages each audited by axe: be generous.
t.setTimeout(900_000);

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
/**
 * Rules that axe files under "best practice" but that RGAA requires (theme 9, structure: a level-one
 * heading, headings in order, content inside landmarks), run alongside the WCAG rules.
 */
const STRUCTURE_RULES = [
  'page-has-heading-one',
  'heading-order',
  'empty-heading',
  'landmark-one-main',
  'landmark-no-duplicate-banner',
  'landmark-no-duplicate-contentinfo',
  'landmark-no-duplicate-main',
  'landmark-unique',
  'region',
  'skip-link',
];
const DESKTOP_VIEWPORT = { width: 1280, height: 900 };

/** What these helpers need of a tap test. */
interface Tap {
  ok(value: unknown, message: string): void;
  same(found: unknown, wanted: unknown, message: string): void;
  comment(message: string): void;
  teardown(fn: () => unknown): void;
}

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
  summary: string;
}

/** The violations in a form that reads in a test report. */
function describe(violations: Violation[]): string {
  return violations
    .map((v) => {
      const more = v.targets.length > 3 ? ` (+${v.targets.length - 3} autres)` : '';
      return `\n  - ${v.id} [${v.impact ?? '?'}] ${v.help}: ${v.targets.slice(0, 3).join(' | ')}${more}\n    ${v.summary.replace(/\n/g, ' ')}`;
    })
    .join('');
}

/**
 * Runs axe on the whole page as it is now and asserts that it finds no WCAG 2.1 A/AA violation nor
 * any of the structure rules above. No rule and no element is left out: none of the DSFR's markup
 * used here needed it.
 */
async function audit(t: Tap, page: Page, label: string): Promise<Violation[]> {
  const hasAxe = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ path: AXE_PATH });
  const violations = await page.evaluate(
    async (tags: string[], rules: string[]) => {
      type AxeNode = { target: unknown[]; failureSummary?: string };
      type AxeResult = { id: string; impact: string | null; help: string; nodes: AxeNode[] };
      const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeResult[] }> } }).axe;
      const wcag = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      const structure = await axe.run(document, { runOnly: { type: 'rule', values: rules }, resultTypes: ['violations'] });
      return [...wcag.violations, ...structure.violations].map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((n) => n.target.map(String).join(' ')),
        summary: v.nodes[0]?.failureSummary ?? '',
      }));
    },
    WCAG_TAGS,
    STRUCTURE_RULES,
  );
  t.ok(violations.length === 0, `${label} (${new URL(page.url()).pathname}): no WCAG 2.1 A/AA nor structure violation${describe(violations)}`);
  await assertRequiredFieldsStated(t, page, label);
  return violations;
}

const REQUIRED_MENTION = 'Sauf mention contraire, tous les champs sont obligatoires.';

/**
 * RGAA 11.10: every form with a required field says so in visible text at its top, before its
 * first field (the DSFR's « Sauf mention contraire, tous les champs sont obligatoires. », or the
 * kiosk's hint text), and each of its fields that is not required says « (facultatif) » in its
 * label — but a checkbox, a yes/no choice whose unchecked state is an answer. A form with no
 * required field (a search bar, a kiosk question, the header's centre switch) carries no mention.
 */
async function assertRequiredFieldsStated(t: Tap, page: Page, label: string): Promise<void> {
  const report = await page.evaluate((mention: string) => {
    const problems: string[] = [];
    let forms = 0;
    for (const form of document.querySelectorAll('form')) {
      const fields = [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')].filter(
        (el) => !(el instanceof HTMLInputElement && ['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)),
      );
      if (!fields.some((f) => f.required)) continue;
      forms += 1;
      const name = form.getAttribute('action') ?? '(form)';
      const hint = [...form.querySelectorAll<HTMLElement>('.fr-hint-text, .k-hint')].find((el) => (el.textContent ?? '').trim() === mention);
      if (!hint) {
        problems.push(`${name}: no « ${mention} »`);
      } else {
        const box = hint.getBoundingClientRect();
        if (box.width <= 1 || box.height <= 1 || getComputedStyle(hint).visibility === 'hidden') problems.push(`${name}: the mention is not visible`);
        if (!(hint.compareDocumentPosition(fields[0]!) & Node.DOCUMENT_POSITION_FOLLOWING)) problems.push(`${name}: the mention comes after the first field`);
      }
      for (const f of fields) {
        if (f.required || (f instanceof HTMLInputElement && f.type === 'checkbox')) continue;
        const text = [...(f.labels ?? [])].map((l) => l.textContent ?? '').join(' ');
        if (!text.includes('(facultatif)')) problems.push(`${name}: the optional field ${f.id || f.name} does not say « (facultatif) »`);
      }
    }
    return { forms, problems };
  }, REQUIRED_MENTION);
  if (report.forms > 0)
    t.same(report.problems, [], `${label}: each form with a required field says so at its top, and its optional fields say « (facultatif) » (RGAA 11.10)`);
}

/**
 * On a page showing a form in its error state: at least one error message, each one referenced by
 * the aria-describedby of a form field (or fieldset), and each field marked aria-invalid pointing at
 * an existing message.
 */
async function assertErrorsTied(t: Tap, page: Page, label: string): Promise<void> {
  const report = await page.evaluate(() => {
    const messages = [...document.querySelectorAll<HTMLElement>('.fr-error-text, .k-error, [role="alert"]')];
    const referenced = new Set<string>();
    for (const el of document.querySelectorAll('[aria-describedby]')) {
      for (const id of (el.getAttribute('aria-describedby') ?? '').split(/\s+/)) if (id) referenced.add(id);
    }
    const untied = messages
      .filter((m) => m.matches('.fr-error-text, .k-error'))
      .filter((m) => !m.id || !referenced.has(m.id))
      .map((m) => (m.textContent ?? '').trim());
    const brokenInvalid = [...document.querySelectorAll<HTMLElement>('[aria-invalid="true"]')]
      .filter((el) => {
        const ids = (el.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean);
        return ids.length === 0 || ids.some((id) => !document.getElementById(id));
      })
      .map((el) => el.id || el.getAttribute('name') || el.tagName);
    return { count: messages.length, untied, brokenInvalid };
  });
  t.ok(report.count > 0, `${label}: the page shows an error message`);
  t.same(report.untied, [], `${label}: every field error message is referenced by its field's aria-describedby`);
  t.same(report.brokenInvalid, [], `${label}: every field marked aria-invalid describes itself by an existing message`);
}

/** WCAG 1.4.10 (reflow): the page is no wider than the window; only a table may scroll, inside its own box. */
async function assertNoHorizontalScroll(t: Tap, page: Page, label: string): Promise<void> {
  const { scrollWidth, innerWidth, widest } = await page.evaluate(() => {
    const limit = window.innerWidth;
    let widest = '';
    let right = limit + 1;
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > right && !el.closest('.fr-table')) {
        right = box.right;
        widest = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (right edge ${Math.round(box.right)} px)`;
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: limit, widest };
  });
  t.ok(scrollWidth <= innerWidth, `${label}: no horizontal scrolling at ${innerWidth} px (page ${scrollWidth} px wide${widest ? `; widest: ${widest}` : ''})`);
}

/**
 * On a kiosk form refused as a whole (a general alert rather than a message per field): the alert
 * has an id and a message, and each of the fields named is marked invalid and described by it.
 */
async function assertRefusalTied(
  t: Tap & { equal(found: unknown, wanted: unknown, message: string): void },
  page: Page,
  label: string,
  ids: string[],
): Promise<void> {
  // (No function declared inside evaluate: the test runner's transform would name it with a helper the page lacks.)
  const refusal = await page.evaluate((fieldIds: string[]) => {
    const alert = document.querySelector<HTMLElement>('.k-alert[role="alert"]');
    const fields = fieldIds.map((id) => ({
      id,
      invalid: document.getElementById(id)?.getAttribute('aria-invalid') ?? null,
      describedBy: (document.getElementById(id)?.getAttribute('aria-describedby') ?? '').split(/\s+/).filter(Boolean),
    }));
    return { alertId: alert?.id ?? '', text: (alert?.textContent ?? '').trim(), fields };
  }, ids);
  t.ok(refusal.alertId !== '' && refusal.text !== '', `${label}: an alert with an id and a message`);
  for (const field of refusal.fields) {
    t.ok(field.describedBy.includes(refusal.alertId), `${label}: #${field.id} is described by the alert (aria-describedby ${field.describedBy.join(' ')})`);
    t.equal(field.invalid, 'true', `${label}: #${field.id} is marked aria-invalid`);
  }
}

async function go(page: Page, url: string): Promise<number | undefined> {
  const res = await page.goto(url, { waitUntil: 'networkidle0' });
  return res?.status();
}

/**
 * Submits a form without the browser's own checks (novalidate), its visible fields emptied unless
 * given a value in `values` (selector → value), to see the server's error state.
 */
async function submitInvalid(page: Page, formSelector: string, values: Record<string, string> = {}): Promise<void> {
  await page.$eval(formSelector, (form) => {
    (form as HTMLFormElement).noValidate = true;
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')) {
      if (el instanceof HTMLInputElement && ['hidden', 'checkbox', 'radio', 'file', 'submit'].includes(el.type)) continue;
      el.value = '';
    }
  });
  for (const [selector, value] of Object.entries(values)) {
    await page.$eval(
      `${formSelector} ${selector}`,
      (el, v) => {
        (el as HTMLInputElement).value = v;
      },
      value,
    );
  }
  await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.$eval(formSelector, (form) => (form as HTMLFormElement).requestSubmit())]);
}

/** /admin/centres/12 → /admin/centres/:id: one page of each kind is enough. */
function patternOf(pathname: string): string {
  return pathname.replace(/\/\d+(?=\/|$)/g, '/:id');
}

/**
 * Follows the links of the area from its start page, breadth first, visiting one page of each kind
 * (path with numbers taken as ids, query strings ignored), and audits each. Returns the kinds seen.
 */
async function crawl(t: Tap, page: Page, base: string, start: string, prefix: string, skip: RegExp): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const path = queue.shift()!;
    const pattern = patternOf(path);
    if (seen.has(pattern)) continue;
    seen.set(pattern, path);
    // A download (a CSV file…) is no page: leave it out.
    const type = await page.evaluate(async (url) => (await fetch(url)).headers.get('content-type') ?? '', `${base}${path}`);
    if (!type.startsWith('text/html')) {
      t.comment(`${path} is not a page (${type}): not audited`);
      continue;
    }
    const status = await go(page, `${base}${path}`);
    t.ok(status === 200, `${path} answers 200 (got ${status})`);
    await audit(t, page, `page ${pattern}`);
    await assertNoHorizontalScroll(t, page, `page ${pattern}`);
    const hrefs = await page.$$eval('a[href]', (links) => links.map((a) => a.href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== base) continue;
      if (url.pathname !== prefix && !url.pathname.startsWith(`${prefix}/`)) continue;
      if (skip.test(url.pathname)) continue;
      if (!seen.has(patternOf(url.pathname)) && !queue.some((q) => patternOf(q) === patternOf(url.pathname))) queue.push(url.pathname);
    }
  }
  return seen;
}

// A mailer that keeps what it sends: the forgotten-password page then shows its form, and the
// links sent to managers can be opened.
const mails: Mail[] = [];
const mailer: Mailer = {
  enabled: true,
  send: async (mail) => {
    mails.push(mail);
  },
};
const world = await startKioskWorld(t, { mailer });

if (world) {
  const { testApp, db, base, browser } = world;
  const signIn = (page: Page, at: string, email: string) => signInInBrowser(page, at, testApp.app, email);

  /** A page with a browser context of its own (its own cookies); axe is injected despite the CSP. */
  const freshPage = async (t: Tap, viewport = DESKTOP_VIEWPORT): Promise<Page> => {
    const context = await browser.createBrowserContext();
    t.teardown(() => context.close().catch(() => undefined));
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.setDefaultNavigationTimeout(60_000);
    // script-src 'self' refuses the inline script that addScriptTag adds: bypass the policy for the
    // audit only (test/plugins/security-headers.test.ts checks the policy itself).
    await page.setBypassCSP(true);
    await page.setViewport(viewport);
    return page;
  };

  /**
   * A page as a browser without JavaScript shows it: the page's own scripts are never loaded and
   * the <noscript> content applies (axe itself still needs a script engine, hence this emulation
   * rather than setJavaScriptEnabled(false)).
   */
  const noScriptPage = async (t: Tap, viewport: { width: number; height: number }): Promise<Page> => {
    const page = await freshPage(t, viewport);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.isInterceptResolutionHandled()) return;
      if (request.resourceType() === 'script') void request.abort('blockedbyclient');
      else void request.continue();
    });
    return page;
  };
  /** Loads a page in a noScriptPage and applies its <noscript> content as a browser without JavaScript would. */
  const goNoScript = async (page: Page, url: string): Promise<number | undefined> => {
    const status = await go(page, url);
    await page.evaluate(async () => {
      for (const el of [...document.querySelectorAll('noscript')]) {
        const holder = document.createElement('template');
        holder.innerHTML = el.textContent ?? '';
        el.replaceWith(holder.content);
      }
      await Promise.all(
        [...document.querySelectorAll<HTMLLinkElement>('link[rel="stylesheet"]')].map((link) =>
          link.sheet ? Promise.resolve() : new Promise((resolve) => link.addEventListener('load', resolve, { once: true })),
        ),
      );
    });
    return status;
  };

  let inProgressExamId: number | null = null;
  let inProgressToken = '';
  let secondCentrePath = '';
  let secondSessionId = 0;

  t.test('public pages', async (t) => {
    const page = await freshPage(t);

    t.equal(await go(page, `${base}/connexion`), 200);
    await audit(t, page, 'sign-in form');
    await submitInvalid(page, 'form[action="/connexion"]');
    await audit(t, page, 'sign-in form, submitted empty');
    await assertErrorsTied(t, page, 'sign-in form, submitted empty');
    await page.type('#email', DEMO_ADMIN_EMAIL);
    await page.type('#mot_de_passe', 'pas-le-bon-mot-de-passe');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion"] button[type="submit"]')]);
    await audit(t, page, 'sign-in form, wrong password');

    t.equal(await go(page, `${base}/mot-de-passe-oublie`), 200);
    await audit(t, page, 'forgotten password form');
    await submitInvalid(page, 'form[action="/mot-de-passe-oublie"]', { '#email': 'pas-une-adresse' });
    await audit(t, page, 'forgotten password form, invalid address');
    await assertErrorsTied(t, page, 'forgotten password form, invalid address');

    t.equal(await go(page, `${base}/aide`), 200);
    await audit(t, page, 'help page');

    t.equal(await go(page, `${base}/page-qui-n-existe-pas`), 404);
    await audit(t, page, '404 page');
  });

  t.test('sign-in through Cerbère: the buttons above the administrators’ form, a refusal, an e-mail linked to no account', async (t) => {
    const port = await freePort();
    const at = `http://127.0.0.1:${port}`;
    const provider = await startOidcProvider(t, {
      users: [{ sub: 'inconnu', email: 'inconnu@exemple.test' }],
      clients: [{ client_id: 'qcm-aipr', redirect_uris: [`${at}/connexion/oidc/retour`] }],
    });
    const sso = await createTestApp(t, {
      env: { PUBLIC_URL: at, OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: 'qcm-aipr', CAS_URL: 'http://127.0.0.1:9/cas', LOCAL_SIGN_IN: 'admins' },
    });
    await sso.app.listen({ port, host: '127.0.0.1' });
    const page = await freshPage(t);
    t.equal(await go(page, `${at}/connexion`), 200);
    await audit(t, page, 'sign-in page with two providers, password for administrators only');
    t.equal(await go(page, `${at}/connexion/oidc/retour?code=x&state=y`), 400);
    await audit(t, page, 'a provider’s answer that no sign-in started');
    await go(page, `${at}/connexion/oidc`);
    await page.type('#login', 'inconnu');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form button[type="submit"]:not([name="refuser"])')]);
    t.equal(new URL(page.url()).pathname, '/connexion/oidc/retour');
    await audit(t, page, 'an e-mail linked to no account');
  });

  t.test('terminal check', async (t) => {
    const page = await freshPage(t, KIOSK_VIEWPORT);
    t.equal(await go(page, `${base}/examen/diagnostic`), 200);
    await audit(t, page, 'terminal check');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form#diagnostic button[type="submit"]')]);
    t.equal(new URL(page.url()).pathname, '/examen/diagnostic/resultat');
    // The room's clock stands at the test day: the terminal's is « to fix », a state worth auditing too.
    await audit(t, page, 'terminal check, result');
  });

  t.test('kiosk flow', async (t) => {
    const page = await freshPage(t, KIOSK_VIEWPORT);

    // A terminal not yet admitted to a session: the admission form the supervisor fills in.
    t.equal(await go(page, `${base}/examen`), 200);
    t.equal(await text(page, 'h1'), 'Admission du poste', 'a terminal not admitted shows the admission form');
    await audit(t, page, 'kiosk admission form');
    await submitInvalid(page, 'form[action="/examen/poste"]', { '#centre': CENTRE, '#code_session': 'AAAA-BBBB' });
    t.equal(pathOf(page), '/examen/poste', 'a wrong session code is refused');
    await audit(t, page, 'kiosk admission form, wrong session code');
    await assertErrorsTied(t, page, 'kiosk admission form, wrong session code');
    // The refusal is a general alert about the centre and the code: each one is marked invalid and described by it.
    await assertRefusalTied(t, page, 'kiosk admission refusal', ['centre', 'code_session']);

    await admitTerminal(page, world, 'Poste 1');
    t.match(await text(page, '[role="status"]'), 'Le poste est admis', 'the terminal is admitted');
    await audit(t, page, 'kiosk entry form, just after the admission (success message)');

    t.equal(await go(page, `${base}/examen`), 200);
    t.ok(await page.$('#jeton'), 'the admitted terminal shows the entry form');
    await audit(t, page, 'kiosk entry form');
    await submitInvalid(page, 'form[action="/examen"]', { '#centre': CENTRE, '#jeton': 'AAAA-BBBB-CCCC' });
    await audit(t, page, 'kiosk entry form, unknown token');
    await assertErrorsTied(t, page, 'kiosk entry form, unknown token');
    // The refusal is a general alert about both fields: each one is marked invalid and described by it.
    await assertRefusalTied(t, page, 'kiosk entry refusal', ['centre', 'jeton']);

    const token = world.takeToken();
    await go(page, `${base}/examen`);
    await enterCentreAndToken(page, token);
    t.equal(pathOf(page), '/examen/identite');
    await audit(t, page, 'kiosk identity form');
    await submitInvalid(page, 'form[action="/examen/identite"]', { '#date_naissance': '17/05/1990' });
    await audit(t, page, 'kiosk identity form, submitted empty');
    await assertErrorsTied(t, page, 'kiosk identity form, submitted empty');

    for (const [name, value] of Object.entries(ACCENTED_IDENTITY)) {
      await page.$eval(`#${name}`, (el) => {
        (el as HTMLInputElement).value = '';
      });
      await page.type(`#${name}`, value);
    }
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/examen/identite"] button[type="submit"]')]);
    t.equal(pathOf(page), '/examen/consignes');
    await audit(t, page, 'kiosk rules');

    await begin(page);
    await page.waitForNetworkIdle();
    await audit(t, page, 'kiosk question 1');
    await page.click('form.k-question input[name="choix"][value="1"]');
    await page.click('form.k-question input[name="revoir"]');
    await page.waitForFunction(() => (document.getElementById('k-save-status')?.textContent ?? '').trim() !== '');
    await audit(t, page, 'kiosk question 1, answered and flagged (save status shown)');
    await navigate(page, 'suivante');
    await audit(t, page, 'kiosk question 2');

    await navigate(page, 'ensemble');
    t.equal(pathOf(page), '/examen/ensemble');
    await page.waitForNetworkIdle();
    await audit(t, page, 'kiosk overview');

    await go(page, `${base}/examen/terminer`);
    t.equal(pathOf(page), '/examen/terminer');
    await audit(t, page, 'kiosk finish confirmation');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/examen/terminer"] button[type="submit"]')]);
    t.equal(pathOf(page), '/examen/resultat');
    await audit(t, page, 'kiosk result');

    // A second exam, left in progress: the resume form on another terminal, and, below, the
    // centre's page of an exam in progress with its extra-time form.
    const second = world.takeToken();
    const other = await freshPage(t, KIOSK_VIEWPORT);
    await admitTerminal(other, world, 'Poste 2');
    await enterAndIdentify(other, base, second, { ...ACCENTED_IDENTITY, prenom: 'Paul' });
    await begin(other);
    inProgressExamId = (await examByToken(db, second)).id;
    inProgressToken = second;
    const third = await freshPage(t, KIOSK_VIEWPORT);
    await admitTerminal(third, world, 'Poste 3');
    await go(third, `${base}/examen`);
    await enterCentreAndToken(third, second);
    t.equal(pathOf(third), '/examen/reprise', 'the token of an exam in progress asks to resume it');
    await audit(t, third, 'kiosk resume form');
    await submitInvalid(third, 'form[action="/examen/reprise"]', { '#date_naissance': '2001-01-01' });
    await audit(t, third, 'kiosk resume form, wrong birth date');
    await assertErrorsTied(t, third, 'kiosk resume form, wrong birth date');
    // The right birth date, but the exam runs on another terminal and the supervisor gave no leave.
    await submitInvalid(third, 'form[action="/examen/reprise"]', { '#date_naissance': ACCENTED_IDENTITY.date_naissance });
    t.match(await text(third, '[role="alert"]'), 'Cet examen a commencé sur un autre poste', 'another terminal needs the supervisor’s leave');
    await audit(t, third, 'kiosk resume form, another terminal without leave');
    await assertErrorsTied(t, third, 'kiosk resume form, another terminal without leave');

    // A question with an illustration: a version in which some of every draw have one.
    const illustratedCode = await illustratedToken(world);
    const fourth = await freshPage(t, KIOSK_VIEWPORT);
    await admitTerminal(fourth, world);
    await enterAndIdentify(fourth, base, illustratedCode, ACCENTED_IDENTITY);
    await begin(fourth);
    const illustratedExam = (await examByToken(db, illustratedCode)).id;
    const illustrated = await db
      .selectFrom('exam_questions as eq')
      .innerJoin('questions as q', 'q.id', 'eq.question_id')
      .select('eq.position')
      .where('eq.exam_id', '=', illustratedExam)
      .where('q.image_data', 'is not', null)
      .orderBy('eq.position')
      .executeTakeFirstOrThrow();
    await go(fourth, `${base}/examen/question/${illustrated.position}`);
    t.ok(await fourth.$('img.k-image'), 'the question shows its illustration');
    await audit(t, fourth, 'kiosk question with an illustration');

    // The last minutes: the countdown turns to its warning colour.
    testApp.clock.advance(56 * 60_000);
    await go(other, `${base}/examen/question/1`);
    await other.waitForSelector('.k-timer.k-timer--warning');
    await audit(t, other, 'kiosk question, last minutes (timer warning)');
  });

  t.test('the second factor: enrolment, recovery codes, the account page and the code step', async (t) => {
    const email = 'admin-2fa@demo.test';
    await createAccount(testApp, { email, role: 'admin' });
    const page = await freshPage(t);
    await go(page, `${base}/connexion`);
    await page.type('#email', email);
    await page.type('#mot_de_passe', TEST_PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion"] button[type="submit"]')]);
    t.equal(pathOf(page), '/compte/double-authentification', 'an administrator without a second factor is asked to set it up');
    await audit(t, page, 'second factor enrolment');
    await submitInvalid(page, 'form[action="/compte/double-authentification"]', { '#code': '000000' });
    await audit(t, page, 'second factor enrolment, wrong code');
    await assertErrorsTied(t, page, 'second factor enrolment, wrong code');
    await enrolInBrowser(page, testApp.app);
    t.equal(await text(page, 'h1'), 'Vos codes de secours');
    await audit(t, page, 'recovery codes, shown once');
    t.equal(await go(page, `${base}/compte`), 200);
    await audit(t, page, 'account page, second factor active');

    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/deconnexion"] button[type="submit"]')]);
    await page.type('#email', email);
    await page.type('#mot_de_passe', TEST_PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion"] button[type="submit"]')]);
    t.equal(pathOf(page), '/connexion/code');
    await audit(t, page, 'sign-in, code step');
    await submitInvalid(page, 'form[action="/connexion/code"]', { '#code': '12' });
    await audit(t, page, 'sign-in, code step, unreadable code');
    await assertErrorsTied(t, page, 'sign-in, code step, unreadable code');
  });

  t.test('every admin page reachable from /admin', async (t) => {
    const page = await freshPage(t);
    await signIn(page, base, DEMO_ADMIN_EMAIL);
    t.equal(pathOf(page), '/admin');
    const seen = await crawl(t, page, base, '/admin', '/admin', /\/images\//);
    for (const kind of [
      '/admin',
      '/admin/centres',
      '/admin/centres/:id',
      '/admin/centres/nouveau',
      '/admin/gestionnaires',
      '/admin/gestionnaires/:id',
      '/admin/gestionnaires/nouveau',
      '/admin/questionnaires',
      '/admin/questionnaires/:id',
      '/admin/questionnaires/importer',
      '/admin/journal',
    ]) {
      t.ok(seen.has(kind), `${kind} is reachable by links from /admin and was audited`);
    }

    // Forms in their error state.
    await go(page, `${base}/admin/centres/nouveau`);
    await submitInvalid(page, 'form[action="/admin/centres"]');
    await audit(t, page, 'new centre form, submitted empty');
    await assertErrorsTied(t, page, 'new centre form, submitted empty');

    const centrePath = seen.get('/admin/centres/:id')!;
    await go(page, `${base}${centrePath}`);
    await submitInvalid(page, `form[action="${centrePath}"]`, {
      '#nom': 'Centre de démonstration AIPR',
      '#siret': '123',
      '#email': 'contact',
      '#adresse': '1 rue',
    });
    await audit(t, page, 'centre edit form, invalid SIRET and email');
    await assertErrorsTied(t, page, 'centre edit form, invalid SIRET and email');

    await go(page, `${base}/admin/gestionnaires/nouveau`);
    await submitInvalid(page, 'form[action="/admin/gestionnaires"]');
    await audit(t, page, 'new manager form, submitted empty');
    await assertErrorsTied(t, page, 'new manager form, submitted empty');

    await go(page, `${base}/admin/questionnaires/importer`);
    await submitInvalid(page, 'form[action="/admin/questionnaires/importer"]');
    await audit(t, page, 'questionnaire import form, submitted without a file');

    // Every questionnaire preview (some questions have an illustration).
    await go(page, `${base}/admin/questionnaires`);
    const previews = await page.$$eval('a[href]', (links) => [
      ...new Set(links.map((a) => new URL(a.href).pathname).filter((p) => /^\/admin\/questionnaires\/\d+$/.test(p))),
    ]);
    t.ok(previews.length >= 3, 'the demo questionnaires are listed');
    for (const preview of previews) {
      await go(page, `${base}${preview}`);
      await audit(t, page, `questionnaire preview ${preview}`);
    }

    // A second centre, recognised through the form (its success message), to which the demo
    // manager is then linked: the manager's header gets its centre switch.
    await go(page, `${base}/admin/centres/nouveau`);
    await page.type('#nom', 'Centre annexe de démonstration');
    await page.type('#adresse', '2 rue de l’Annexe, 69001 Lyon');
    await page.type('#siret', '44201453000012');
    await page.type('#email', 'annexe@demo.test');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/admin/centres"] button[type="submit"]')]);
    t.match(pathOf(page), /^\/admin\/centres\/\d+$/, 'the centre is recognised');
    await audit(t, page, 'centre page after recognition (success message)');
    secondCentrePath = pathOf(page);

    const managerPath = seen.get('/admin/gestionnaires/:id')!;
    await go(page, `${base}${managerPath}`);
    await page.select(`form[action="${managerPath}/centres"] select`, secondCentrePath.split('/').at(-1)!);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(`form[action="${managerPath}/centres"] button[type="submit"]`)]);
    await audit(t, page, 'manager page after linking a centre');

    // A password link for the demo manager: the set-password form, and its error state.
    await go(page, `${base}${managerPath}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(`form[action="${managerPath}/lien"] button[type="submit"]`)]);
    await audit(t, page, 'manager page with the confirmation message');
    const link = /https?:\/\/\S+\/compte\/mot-de-passe\/\S+/.exec(mails.at(-1)?.text ?? '')?.[0];
    t.ok(link, 'the link was sent');
    if (link) {
      const visitor = await freshPage(t);
      t.equal(await go(visitor, `${base}${new URL(link).pathname}`), 200);
      await audit(t, visitor, 'set-password form');
      await submitInvalid(visitor, 'form', { '#mot_de_passe': 'court' });
      await audit(t, visitor, 'set-password form, too short');
      await assertErrorsTied(t, visitor, 'set-password form, too short');
    }
  });

  t.test('every manager page reachable from /centre', async (t) => {
    const page = await freshPage(t);
    await signIn(page, base, DEMO_MANAGER_EMAIL);
    t.equal(pathOf(page), '/centre');
    // Files are no pages: images, and the PDFs a link downloads (the session report).
    const seen = await crawl(t, page, base, '/centre', '/centre', /\/images\/|\.pdf$/);
    for (const kind of [
      '/centre',
      '/centre/jetons',
      '/centre/jetons/nouvelle-table',
      '/centre/jetons/lots/:id',
      '/centre/jetons/lots/:id/impression',
      '/centre/sessions',
      '/centre/sessions/:id',
      '/centre/sessions/nouvelle',
      '/centre/examens/:id',
      '/centre/examens/:id/annulation',
      '/centre/resultats',
      '/centre/archives',
    ]) {
      t.ok(seen.has(kind), `${kind} is reachable by links from /centre and was audited`);
    }

    // The room view of today's session: its code and the terminals admitted by the kiosk test.
    const sessionPath = `/centre/sessions/${world.sessionId}`;
    t.equal(await go(page, `${base}${sessionPath}`), 200);
    t.equal(await text(page, '#postes h2'), 'Postes de la salle');
    t.match(await text(page, '#postes'), /Code de session : [2-9A-Z]{4}-[2-9A-Z]{4}/, 'the section shows the session code');
    t.ok((await page.$$('#postes tbody tr')).length >= 4, 'and lists the terminals admitted by the kiosk test');
    await audit(t, page, 'session page, « Postes de la salle » with admitted terminals');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(`form[action="${sessionPath}/code"] button[type="submit"]`)]);
    t.match(await text(page, '[role="status"]'), 'Nouveau code de session', 'a new code is drawn');
    await audit(t, page, 'session page after a new session code (success message)');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('#postes tbody tr:first-child a[href$="/retirer"]')]);
    t.match(await text(page, 'h1'), /^Retirer le poste n° \d+/, 'a confirmation first');
    await audit(t, page, 'confirmation of a terminal’s withdrawal');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action$="/retirer"] button[type="submit"]')]);
    t.match(await text(page, '#postes tbody tr:first-child'), 'Retiré à', 'the first terminal is withdrawn');
    await audit(t, page, 'session page after withdrawing a terminal (success message)');

    // Forms in their error state.
    await go(page, `${base}/centre/jetons/nouvelle-table`);
    await submitInvalid(page, 'form[action="/centre/jetons/nouvelle-table"]', { '#nombre': '0' });
    await audit(t, page, 'new token table form, submitted empty');
    await assertErrorsTied(t, page, 'new token table form, submitted empty');

    await go(page, `${base}/centre/jetons`);
    await submitInvalid(page, 'form[action="/centre/jetons/seuil"]', { '#seuil': '-5' });
    await audit(t, page, 'low-stock threshold form, invalid');
    await assertErrorsTied(t, page, 'low-stock threshold form, invalid');

    await go(page, `${base}/centre/sessions/nouvelle`);
    await submitInvalid(page, 'form[action="/centre/sessions/nouvelle"]');
    await audit(t, page, 'new session form, submitted empty');
    await assertErrorsTied(t, page, 'new session form, submitted empty');

    t.ok(secondCentrePath, 'the admin test linked the manager to a second centre');
    t.ok(await page.$('#centre-courant'), 'the header offers the centre switch');

    // A second session today, created and opened: the success messages, and below, the kiosk's
    // choice between open sessions.
    await go(page, `${base}/centre/sessions/nouvelle`);
    const today = await page.$eval('#date', (el) => (el as HTMLInputElement).min);
    await page.$eval(
      '#date',
      (el, v) => {
        (el as HTMLInputElement).value = v;
      },
      today,
    );
    await page.$eval('#heure_debut', (el) => {
      (el as HTMLInputElement).value = '14:00';
    });
    await page.type('#salle', 'Salle 2');
    await page.type('#surveillant', 'Camille Martin');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/centre/sessions/nouvelle"] button[type="submit"]')]);
    t.match(pathOf(page), /^\/centre\/sessions\/\d+$/, 'the session is created');
    secondSessionId = Number(pathOf(page).split('/').at(-1));
    await audit(t, page, 'session page after creation (success message)');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action$="/ouvrir"] button[type="submit"]')]);
    await audit(t, page, 'session page after opening it');

    t.ok(inProgressExamId, 'an exam was left in progress by the kiosk test');
    if (inProgressExamId) {
      const path = `/centre/examens/${inProgressExamId}`;
      t.equal(await go(page, `${base}${path}`), 200);
      t.equal(await text(page, '#reprise-autre-poste'), 'Reprise sur un autre poste');
      await audit(t, page, 'exam in progress, with its « Reprise sur un autre poste » section and its extra-time form');
      await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click(`form[action="${path}/reprise"] button[type="submit"]`)]);
      t.match(await text(page, '[role="status"]'), 'Reprise autorisée', 'the leave is given');
      await audit(t, page, 'exam in progress after allowing a resume on another terminal (success message)');
      await submitInvalid(page, `form[action="${path}/temps-supplementaire"]`, { '#minutes': '0' });
      await audit(t, page, 'extra-time form, invalid');
      await assertErrorsTied(t, page, 'extra-time form, invalid');
    }
  });

  t.test('kiosk: two open sessions, the terminal admitted to the second one', async (t) => {
    t.ok(secondSessionId, 'the manager test opened a second session today');
    const page = await freshPage(t, KIOSK_VIEWPORT);
    await go(page, `${base}/examen`);
    await page.type('#centre', CENTRE);
    await page.type('#code_session', await world.admissionCode(secondSessionId));
    await page.type('#poste', 'Salle 2, poste 1');
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/examen/poste"] button[type="submit"]')]);
    t.equal(pathOf(page), '/examen', 'admitted: the entry form');
    t.match(await text(page, 'main'), ', Salle 2.', 'which says the terminal is admitted to the second session (its room named once)');
    await audit(t, page, 'kiosk entry form, admitted to the second of two open sessions (success message)');
    const token = world.takeToken();
    await enterCentreAndToken(page, token);
    t.equal(pathOf(page), '/examen/identite', 'the admission decides the session: no choice to make');
    await audit(t, page, 'kiosk identity form, second session');
    for (const [name, value] of Object.entries(ACCENTED_IDENTITY)) await page.type(`#${name}`, value);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/examen/identite"] button[type="submit"]')]);
    await begin(page);
    const exam = await db
      .selectFrom('exams')
      .select('exam_session_id')
      .where('id', '=', (await examByToken(db, token)).id)
      .executeTakeFirstOrThrow();
    t.equal(exam.exam_session_id, secondSessionId, 'the exam belongs to the session the terminal is admitted to');
  });

  t.test('a suspended centre, as its manager sees it', async (t) => {
    const admin = await freshPage(t);
    await signIn(admin, base, DEMO_ADMIN_EMAIL);
    await go(admin, `${base}${secondCentrePath}`);
    await admin.type('#motif', 'Contrôle en cours');
    await Promise.all([
      admin.waitForNavigation({ waitUntil: 'networkidle0' }),
      admin.click(`form[action="${secondCentrePath}/suspendre"] button[type="submit"]`),
    ]);
    await audit(t, admin, 'suspension, confirmation page');
    await Promise.all([
      admin.waitForNavigation({ waitUntil: 'networkidle0' }),
      admin.click(`form[action="${secondCentrePath}/suspendre"] button[type="submit"]`),
    ]);
    await audit(t, admin, 'suspended centre, admin page');

    const page = await freshPage(t);
    await signIn(page, base, DEMO_MANAGER_EMAIL);
    await page.select('#centre-courant', secondCentrePath.split('/').at(-1)!);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/centre/changer"] button[type="submit"]')]);
    t.equal(pathOf(page), '/centre');
    await audit(t, page, 'suspended centre, manager dashboard (with the switch message)');
    for (const path of ['/centre/jetons', '/centre/jetons/nouvelle-table', '/centre/sessions', '/centre/sessions/nouvelle']) {
      await go(page, `${base}${path}`);
      await audit(t, page, `suspended centre, ${path}`);
    }
  });

  t.test('without JavaScript, on a tablet (768 px: the header menu is laid out in the page)', async (t) => {
    const tablet = { width: 768, height: 1024 };
    const page = await noScriptPage(t, tablet);
    await goNoScript(page, `${base}/connexion`);
    await audit(t, page, 'no JavaScript: sign-in form');
    await page.type('#email', DEMO_MANAGER_EMAIL);
    await page.type('#mot_de_passe', DEMO_PASSWORD);
    await Promise.all([page.waitForNavigation({ waitUntil: 'networkidle0' }), page.click('form[action="/connexion"] button[type="submit"]')]);
    for (const path of ['/centre', '/centre/jetons', '/centre/jetons/lots/1/impression', '/centre/sessions']) {
      await goNoScript(page, `${base}${path}`);
      await audit(t, page, `no JavaScript: ${path}`);
    }

    const admin = await noScriptPage(t, tablet);
    await signIn(admin, base, DEMO_ADMIN_EMAIL);
    for (const path of ['/admin', '/admin/questionnaires/importer', '/admin/journal']) {
      await goNoScript(admin, `${base}${path}`);
      await audit(t, admin, `no JavaScript: ${path}`);
    }

    const kiosk = await noScriptPage(t, KIOSK_VIEWPORT);
    await goNoScript(kiosk, `${base}/examen`);
    t.equal(await text(kiosk, 'h1'), 'Admission du poste', 'no JavaScript: a terminal not admitted shows the admission form');
    await audit(t, kiosk, 'no JavaScript: kiosk admission form');
    await admitTerminal(kiosk, world);
    await goNoScript(kiosk, `${base}/examen`);
    await audit(t, kiosk, 'no JavaScript: kiosk entry');
    // The exam in progress of the kiosk test, taken over on this terminal with the supervisor's leave.
    t.ok(inProgressExamId, 'an exam was left in progress by the kiosk test');
    if (inProgressExamId) await allowResume(world, inProgressExamId);
    await enterCentreAndToken(kiosk, inProgressToken);
    t.equal(pathOf(kiosk), '/examen/reprise');
    await kiosk.type('#date_naissance', ACCENTED_IDENTITY.date_naissance);
    await Promise.all([kiosk.waitForNavigation({ waitUntil: 'networkidle0' }), kiosk.click('form[action="/examen/reprise"] button[type="submit"]')]);
    t.match(pathOf(kiosk), /^\/examen\/question\/\d+$/, 'no JavaScript: the exam is resumed on this terminal');
    await goNoScript(kiosk, `${base}/examen/question/2`);
    await audit(t, kiosk, 'no JavaScript: kiosk question');
    await goNoScript(kiosk, `${base}/examen/ensemble`);
    await audit(t, kiosk, 'no JavaScript: kiosk overview');
  });

  t.test('with JavaScript on a 320 px wide screen (WCAG reflow), header menu opened', async (t) => {
    const phone = { width: 320, height: 640 };
    const page = await freshPage(t, phone);
    await go(page, `${base}/connexion`);
    await assertNoHorizontalScroll(t, page, 'phone: sign-in form');
    await signIn(page, base, DEMO_MANAGER_EMAIL);
    await audit(t, page, 'phone: manager dashboard, menu closed');
    await page.click('#bouton-menu');
    await page.waitForSelector('#modal-menu.fr-modal--opened', { visible: true });
    await new Promise((resolve) => setTimeout(resolve, 400));
    await audit(t, page, 'phone: manager dashboard, menu opened');
    await assertNoHorizontalScroll(t, page, 'phone: manager dashboard, menu opened');
    for (const path of [
      '/centre',
      '/centre/jetons',
      '/centre/jetons/lots/1',
      '/centre/jetons/lots/1/impression',
      '/centre/sessions',
      '/centre/sessions/1',
      '/centre/sessions/nouvelle',
      '/centre/resultats',
      '/centre/resultats?du=31/02/2026&recherche=a',
      '/centre/archives',
      '/aide',
    ]) {
      await go(page, `${base}${path}`);
      await assertNoHorizontalScroll(t, page, `phone: ${path}`);
    }
    // The results tables are laid out one candidate per block: Note and Résultat in view, not scrolled away.
    for (const width of [320, 375]) {
      await page.setViewport({ width, height: 640 });
      await go(page, `${base}/centre`);
      const cells = await page.$$eval('table.app-table-stack td', (tds) =>
        tds.map((td) => ({
          label: td.getAttribute('data-label'),
          right: Math.round(td.getBoundingClientRect().right),
          shown: getComputedStyle(td, '::before').content,
        })),
      );
      t.ok(
        cells.some((c) => c.label === 'Résultat'),
        `phone ${width} px: the dashboard lists results`,
      );
      t.same(
        cells.filter((c) => c.right > width).map((c) => `${c.label} (${c.right} px)`),
        [],
        `phone ${width} px: every cell of the latest results, Note and Résultat included, within the screen`,
      );
      t.ok(
        cells.every((c) => c.shown === `"${c.label}"`),
        `phone ${width} px: each value is shown beside its column's name`,
      );
    }
    await page.setViewport(phone);
    const admin = await freshPage(t, phone);
    await signIn(admin, base, DEMO_ADMIN_EMAIL);
    for (const path of [
      '/admin',
      '/admin/centres',
      '/admin/centres/1',
      '/admin/gestionnaires',
      '/admin/questionnaires',
      '/admin/questionnaires/3',
      '/admin/journal',
    ]) {
      await go(admin, `${base}${path}`);
      await assertNoHorizontalScroll(t, admin, `phone: ${path}`);
    }
    const kiosk = await freshPage(t, phone);
    await go(kiosk, `${base}/examen`);
    t.ok(await kiosk.$('#code_session'), 'phone: a terminal not admitted shows the admission form');
    await assertNoHorizontalScroll(t, kiosk, 'phone: kiosk admission form');
    await admitTerminal(kiosk, world);
    await go(kiosk, `${base}/examen`);
    await assertNoHorizontalScroll(t, kiosk, 'phone: kiosk entry');
    // The exam in progress, taken over on this terminal too with the supervisor's leave.
    if (inProgressExamId) await allowResume(world, inProgressExamId);
    await enterCentreAndToken(kiosk, inProgressToken);
    await kiosk.type('#date_naissance', ACCENTED_IDENTITY.date_naissance);
    await Promise.all([kiosk.waitForNavigation({ waitUntil: 'networkidle0' }), kiosk.click('form[action="/examen/reprise"] button[type="submit"]')]);
    t.match(pathOf(kiosk), /^\/examen\/question\/\d+$/, 'phone: the exam is resumed on this terminal');
    for (const path of ['/examen/question/1', '/examen/ensemble', '/examen/terminer']) {
      await go(kiosk, `${base}${path}`);
      await assertNoHorizontalScroll(t, kiosk, `phone: kiosk ${path}`);
    }
  });
}
