/**
 * What the kiosk end-to-end tests (kiosk-*.test.ts, accessibility.test.ts) add to the exam room of
 * test/helpers/kiosk-room.ts: one Chromium per test file, one incognito context per scenario, the
 * candidate's steps in the browser, and what every kiosk page must not do (console errors, uncaught
 * exceptions, CSP violations, a response without no-store).
 */
import type { Browser, BrowserContext, Page } from 'puppeteer';
import type { Teardown, TestAppOptions } from '../helpers/app.js';
import { browserForFile } from '../helpers/browser.js';
import { ACCENTED_IDENTITY, CENTRE, kioskRoom, type IdentityFields, type Room } from '../helpers/kiosk-room.js';

/** Old terminals: the kiosk must be usable at this size. */
export const KIOSK_VIEWPORT = { width: 1024, height: 600 };

type Tap = Teardown & { fail(message: string): void };

/** The exam room served on a real port, and the file's browser. */
export interface KioskWorld extends Room {
  base: string;
  browser: Browser;
}

/**
 * The exam room on a real port, and one Chromium for the whole file. Fails the test (never skips)
 * when no browser can be found or launched; returns null then.
 */
export async function startKioskWorld(t: Tap, options: Omit<TestAppOptions, 'seed'> = {}): Promise<KioskWorld | null> {
  const launched = await browserForFile(t);
  if (!launched) return null;
  const room = await kioskRoom(t, options);
  const base = await room.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...room, base, browser: launched.browser };
}

export interface PageWatch {
  /** Every console message of type error (CSP refusals included). */
  consoleErrors: string[];
  /** Uncaught exceptions of the page's scripts. */
  pageErrors: string[];
  /** securitypolicyviolation events (only seen when JavaScript runs). */
  cspViolations: string[];
  /** Kiosk responses (documents, redirects, htmx fragments) sent without Cache-Control: no-store. */
  cacheableKioskResponses: string[];
  /** Requests of the page that failed, other than navigations the page itself abandoned. */
  failedRequests: string[];
  /**
   * Kiosk pages answered with a 4xx status on purpose (a refused form: 400, 403, 409, 429). Chromium logs
   * each as "Failed to load resource" in the console; assertClean does not count those as errors.
   */
  refusalPages: string[];
}

export interface KioskPage {
  context: BrowserContext;
  page: Page;
  seen: PageWatch;
}

/**
 * A page in an incognito context of its own (its own cookies: another terminal), at 1024×600,
 * watched for errors from its first navigation on; admitted to the room's session through the
 * admission form, as the supervisor does, unless `admitted` is false.
 */
export async function kioskPage(t: Tap, world: KioskWorld, options: { js?: boolean; admitted?: boolean } = {}): Promise<KioskPage> {
  const context = await world.browser.createBrowserContext();
  t.teardown(() => context.close().catch(() => undefined));
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.setDefaultNavigationTimeout(60_000);
  await page.setViewport(KIOSK_VIEWPORT);
  if (options.js === false) await page.setJavaScriptEnabled(false);
  const seen: PageWatch = { consoleErrors: [], pageErrors: [], cspViolations: [], cacheableKioskResponses: [], failedRequests: [], refusalPages: [] };
  await page.exposeFunction('__reportCspViolation', (v: string) => {
    seen.cspViolations.push(v);
  });
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCspViolation(v: string): void }).__reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') seen.consoleErrors.push(`${message.text()} (${message.location().url ?? page.url()})`);
  });
  page.on('pageerror', (err) => {
    seen.pageErrors.push(err instanceof Error ? err.message : String(err));
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (!url.pathname.startsWith('/examen')) return;
    if (response.request().resourceType() === 'document' && response.status() >= 400 && response.status() < 500) {
      seen.refusalPages.push(`${response.status()} ${response.url()}`);
    }
    if (!/\bno-store\b/.test(response.headers()['cache-control'] ?? '')) {
      seen.cacheableKioskResponses.push(`${response.request().method()} ${url.pathname} ${response.status()}`);
    }
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '';
    // A navigation started while a fetch runs aborts it: the browser's doing, not an error.
    if (reason === 'net::ERR_ABORTED') return;
    seen.failedRequests.push(`${request.method()} ${request.url()} ${reason}`);
  });
  if (options.admitted !== false) await admitTerminal(page, world);
  return { context, page, seen };
}

/** On a terminal not yet admitted: the supervisor types the centre and the session code; the entry form follows. */
export async function admitTerminal(page: Page, world: KioskWorld, label = ''): Promise<void> {
  await page.goto(`${world.base}/examen`, { waitUntil: 'load' });
  await page.type('#centre', CENTRE);
  await page.type('#code_session', await world.admissionCode());
  if (label) await page.type('#poste', label);
  await clickAndLoad(page, 'form[action="/examen/poste"] button[type="submit"]');
  if (pathOf(page) !== '/examen' || !(await page.$('#jeton'))) throw new Error(`after the admission form: ${page.url()} — ${await bodyText(page)}`);
}

/** Asserts that the page met none of the problems watched for. */
export function assertClean(t: { same(a: unknown, b: unknown, m: string): void }, seen: PageWatch, where: string): void {
  t.same(seen.pageErrors, [], `${where}: no uncaught JavaScript exception`);
  const logOfRefusal = (message: string) =>
    seen.refusalPages.some((r) => {
      const [status, url] = r.split(' ');
      return message === `Failed to load resource: the server responded with a status of ${status} (${statusText(Number(status))}) (${url})`;
    });
  t.same(
    seen.consoleErrors.filter((m) => !logOfRefusal(m)),
    [],
    `${where}: no console error (other than Chromium's log line for a form refused on purpose with a 4xx page)`,
  );
  t.same(seen.cspViolations, [], `${where}: the Content-Security-Policy blocked nothing`);
  t.same(seen.failedRequests, [], `${where}: no failed request`);
  t.same(seen.cacheableKioskResponses, [], `${where}: every kiosk response says Cache-Control: no-store`);
}

function statusText(status: number): string {
  return ({ 400: 'Bad Request', 403: 'Forbidden', 409: 'Conflict', 429: 'Too Many Requests' } as Record<number, string>)[status] ?? '';
}

export async function text(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => ((el as HTMLElement).innerText ?? el.textContent ?? '').replace(/\s+/g, ' ').trim());
}

export async function bodyText(page: Page): Promise<string> {
  return text(page, 'body');
}

export function pathOf(page: Page): string {
  return new URL(page.url()).pathname;
}

/** Clicks what leads to another page (a link or a plain form submit) and waits for it to load. */
export async function clickAndLoad(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

/** The question page's navigation buttons (a plain form submit with `aller`). */
export async function navigate(page: Page, where: 'precedente' | 'suivante' | 'ensemble' | 'terminer'): Promise<void> {
  await clickAndLoad(page, `form.k-question button[name="aller"][value="${where}"]`);
}

/** /examen → centre + token → identity → rules; stops on the rules page. */
export async function enterAndIdentify(page: Page, base: string, token: string, identity: IdentityFields): Promise<void> {
  await page.goto(`${base}/examen`, { waitUntil: 'load' });
  await enterCentreAndToken(page, token);
  if (pathOf(page) !== '/examen/identite') throw new Error(`after the entry form: ${page.url()} — ${await bodyText(page)}`);
  for (const [name, value] of Object.entries(identity)) await page.type(`#${name}`, value);
  await clickAndLoad(page, 'form[action="/examen/identite"] button[type="submit"]');
  if (pathOf(page) !== '/examen/consignes') throw new Error(`after the identity form: ${page.url()} — ${await bodyText(page)}`);
}

/** On the entry form: types the centre and the token and submits. */
export async function enterCentreAndToken(page: Page, token: string): Promise<void> {
  await page.type('#centre', CENTRE);
  await page.type('#jeton', token);
  await clickAndLoad(page, 'form[action="/examen"] button[type="submit"]');
}

/** On the rules page: "Commencer", which lands on question 1. */
export async function begin(page: Page): Promise<void> {
  await clickAndLoad(page, 'form[action="/examen/commencer"] button[type="submit"]');
  if (pathOf(page) !== '/examen/question/1') throw new Error(`after Commencer: ${page.url()} — ${await bodyText(page)}`);
}

/** Everything up to question 1 of a fresh exam. */
export async function startExam(page: Page, base: string, token: string, identity: IdentityFields = ACCENTED_IDENTITY): Promise<void> {
  await enterAndIdentify(page, base, token, identity);
  await begin(page);
}

/** Counts the htmx saves answered by the server, so that a test can wait for the last of several. */
export function htmxSaves(page: Page): { count(): number; waitFor(n: number, timeoutMs?: number): Promise<void> } {
  let count = 0;
  page.on('response', (response) => {
    const request = response.request();
    if (request.method() === 'POST' && request.headers()['hx-request'] === 'true' && /\/examen\/question\/\d+$/.test(response.url())) count++;
  });
  return {
    count: () => count,
    async waitFor(n, timeoutMs = 60_000) {
      const until = Date.now() + timeoutMs;
      while (count < n) {
        if (Date.now() > until) throw new Error(`only ${count} htmx saves answered, ${n} expected`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** Empties the save status so that the next "Réponse enregistrée." is the answer to the next save. */
export async function clearSaveStatus(page: Page): Promise<void> {
  await page.$eval('#k-save-status', (el) => {
    el.textContent = '';
  });
}

export async function waitForSaved(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.getElementById('k-save-status')?.textContent ?? '').includes('Réponse enregistrée'), {
    timeout: 60_000,
  });
}

/** Clicks a choice (1–3 or 1–4, or 'nsp'); with JavaScript, waits for htmx's "Réponse enregistrée.". */
export async function choose(page: Page, choice: number | 'nsp', js: boolean): Promise<void> {
  if (js) await clearSaveStatus(page);
  await page.click(`form.k-question input[name="choix"][value="${choice}"]`);
  if (js) await waitForSaved(page);
}

/** Ticks (or unticks) "à revoir"; with JavaScript, waits for the save. */
/** Waits for the server's acknowledgement of a save, whatever kiosk.js words it as (a choice, or the « à revoir » mark). */
export async function waitForAck(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector('#k-save-status .k-saved[data-repondue]') !== null, { timeout: 60_000 });
}

/** Ticks or unticks « à revoir »; with JavaScript, waits for the acknowledgement. */
export async function toggleFlag(page: Page, js: boolean): Promise<void> {
  if (js) await clearSaveStatus(page);
  await page.click('form.k-question input[name="revoir"]');
  if (js) await waitForAck(page);
}

export async function checkedChoice(page: Page): Promise<string | null> {
  return page.$eval('form.k-question', (form) => form.querySelector<HTMLInputElement>('input[name="choix"]:checked')?.value ?? null);
}

export async function remainingOnPage(page: Page): Promise<number> {
  return page.$eval('.k-timer', (el) => Number(el.getAttribute('data-remaining')));
}
