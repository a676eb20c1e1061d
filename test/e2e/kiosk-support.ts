/**
 * Shared pieces of the kiosk end-to-end tests (kiosk-*.test.ts): one Chromium per test file, one
 * incognito context per scenario, the demo data of seedDemo, and what every kiosk page must not
 * do (console errors, uncaught exceptions, CSP violations, a response without no-store).
 */
import type { Browser, BrowserContext, Page } from 'puppeteer';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { formatTokenCode } from '../../src/domain/token-code.js';
import type { ExamRules } from '../../src/domain/rules.js';
import { seedDemo } from '../../src/operator/seed-demo.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { browserForFile } from '../helpers/browser.js';

export const CENTRE = 'centre0001';
/** Old terminals: the kiosk must be usable at this size. */
export const KIOSK_VIEWPORT = { width: 1024, height: 600 };

type Tap = {
  teardown(fn: () => unknown): void;
  fail(message: string): void;
};

export interface KioskWorld {
  testApp: TestApp;
  db: Kysely<Database>;
  base: string;
  browser: Browser;
}

/**
 * The app on a real port with the demo data, and one Chromium for the whole file. Fails the test
 * (never skips) when no browser can be found or launched; returns null then.
 */
export async function startKioskWorld(t: Tap): Promise<KioskWorld | null> {
  const launched = await browserForFile(t);
  if (!launched) return null;
  const testApp = await createTestApp();
  t.teardown(() => testApp.close());
  await seedDemo(testApp.db.kysely, testApp.clock);
  const base = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  return { testApp, db: testApp.db.kysely, base, browser: launched.browser };
}

const handedOut = new Set<string>();

/** A fresh available token of the centre for the profile, in its printed form (K7QF-93MW-XT4P). */
export async function takeToken(db: Kysely<Database>, profile: 'operateur' | 'encadrant' | 'concepteur' = 'operateur'): Promise<string> {
  const rows = await db
    .selectFrom('exam_tokens as t')
    .innerJoin('questionnaires as q', 'q.id', 't.questionnaire_id')
    .select('t.code')
    .where('t.centre_id', '=', 1)
    .where('t.status', '=', 'available')
    .where('q.status', '=', 'published')
    .where('q.profile', '=', profile)
    .orderBy('t.id')
    .execute();
  const row = rows.find((r) => !handedOut.has(r.code));
  if (!row) throw new Error(`no available ${profile} token left in the demo data`);
  handedOut.add(row.code);
  return formatTokenCode(row.code);
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
   * Kiosk pages answered with a 4xx status on purpose (a refused form: 400, 409, 429). Chromium logs
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
 * watched for errors from its first navigation on.
 */
export async function kioskPage(t: Tap, browser: Browser, options: { js?: boolean } = {}): Promise<KioskPage> {
  const context = await browser.createBrowserContext();
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
  return { context, page, seen };
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
  return ({ 400: 'Bad Request', 409: 'Conflict', 429: 'Too Many Requests' } as Record<number, string>)[status] ?? '';
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

export interface Identity {
  nom: string;
  prenom: string;
  date_naissance: string;
  entreprise: string;
}

export const ACCENTED_IDENTITY: Identity = {
  nom: 'Lefèvre-Dupré d’Aumale',
  prenom: 'Éloïse Anaïs',
  date_naissance: '1990-05-17',
  entreprise: 'Société Générale d’Électricité & Fils',
};

/** /examen → centre + token → identity → rules; stops on the rules page. */
export async function enterAndIdentify(page: Page, base: string, token: string, identity: Identity): Promise<void> {
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
export async function startExam(page: Page, base: string, token: string, identity: Identity = ACCENTED_IDENTITY): Promise<void> {
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
export async function toggleFlag(page: Page, js: boolean): Promise<void> {
  if (js) await clearSaveStatus(page);
  await page.click('form.k-question input[name="revoir"]');
  if (js) await waitForSaved(page);
}

export async function checkedChoice(page: Page): Promise<string | null> {
  return page.$eval('form.k-question', (form) => (form.querySelector('input[name="choix"]:checked') as HTMLInputElement | null)?.value ?? null);
}

export async function remainingOnPage(page: Page): Promise<number> {
  return page.$eval('.k-timer', (el) => Number(el.getAttribute('data-remaining')));
}

export async function examByToken(db: Kysely<Database>, printedToken: string) {
  const code = printedToken.replace(/-/g, '');
  return db
    .selectFrom('exams as e')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select([
      'e.id',
      'e.last_name',
      'e.first_name',
      'e.birth_date',
      'e.company',
      'e.started_at',
      'e.deadline_at',
      'e.finished_at',
      'e.finish_reason',
      'e.score',
      'e.maximum',
      'e.pass_mark',
      'e.passed',
      'q.rules',
      't.status as token_status',
    ])
    .where('t.code', '=', code)
    .executeTakeFirstOrThrow();
}

export interface StoredQuestion {
  position: number;
  /** 1–4 as the candidate saw it, 'nsp', or null when unanswered. */
  choice: number | 'nsp' | null;
  flagged: boolean;
  /** The 1-based index of the right answer in the candidate's order. */
  correctIndex: number;
  /** How many answers the question offers (3 or 4 in the demo banks), « Je ne sais pas » apart. */
  answerCount: number;
  priority: boolean;
}

/** What the database holds for each question of an exam, in the candidate's terms. */
export async function storedQuestions(db: Kysely<Database>, examId: number): Promise<StoredQuestion[]> {
  const rows = await db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .select(['eq.position', 'eq.answer_order', 'eq.chosen_answer_id', 'eq.dont_know', 'eq.flagged', 'q.priority'])
    .where('eq.exam_id', '=', examId)
    .orderBy('eq.position')
    .execute();
  const out: StoredQuestion[] = [];
  for (const r of rows) {
    const order = JSON.parse(r.answer_order) as number[];
    const answers = await db.selectFrom('answers').select(['id', 'correct']).where('id', 'in', order).execute();
    const correctId = answers.find((a) => a.correct === 1)?.id;
    out.push({
      position: r.position,
      choice: r.dont_know === 1 ? 'nsp' : r.chosen_answer_id === null ? null : order.indexOf(r.chosen_answer_id) + 1,
      flagged: r.flagged === 1,
      correctIndex: correctId === undefined ? -1 : order.indexOf(correctId) + 1,
      answerCount: order.length,
      priority: r.priority === 1,
    });
  }
  return out;
}

/** The total the rules give for these stored answers, computed here independently of src/domain/scoring.ts. */
export function expectedScore(questions: StoredQuestion[], rulesJson: string): number {
  const rules = JSON.parse(rulesJson) as ExamRules;
  let total = 0;
  for (const q of questions) {
    if (q.choice === null) continue;
    if (q.choice === 'nsp') total += rules.points.dontKnow;
    else if (q.choice === q.correctIndex) total += rules.points.right;
    else total += q.priority ? rules.points.wrongPriority : rules.points.wrong;
  }
  return total;
}
