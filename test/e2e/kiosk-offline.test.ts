/**
 * A slow or lost network on a kiosk with JavaScript (issue 16, items 8 and 7): « Enregistrement… »
 * while a save is on its way; offline, a warning that says the connection is lost, in view at
 * 1024×600 and unlike the success message; the choice resent by itself when the network returns;
 * « Suivante » while offline keeps the candidate on the page with a French message; and the
 * countdown reaching zero offline never puts the browser's error page in place of the exam.
 */
import type { Page } from 'puppeteer';
import t from 'tap';
import { examByToken, examItems } from '../helpers/kiosk-room.js';
import { choose, kioskPage, pathOf, startExam, startKioskWorld, text, type PageWatch } from './kiosk-support.js';

// A real browser on a busy shared machine: be generous.
t.setTimeout(600_000);

const world = await startKioskWorld(t);

const SAVED_GREEN = 'rgb(24, 117, 60)';

/** Polls `read` until `ok` holds of its value, or fails after `timeoutMs`. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The connection warning as the candidate sees it. */
async function connectionWarning(page: Page) {
  return page.evaluate(() => {
    const alerts = [...document.querySelectorAll<HTMLElement>('[role="alert"]')].filter((el) => /connexion/i.test(el.textContent ?? ''));
    const el = alerts[0];
    if (!el) return null;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
      text: (el.textContent ?? '').replace(/\s+/g, ' ').trim(),
      inView: box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight && box.left >= 0 && box.right <= window.innerWidth,
      color: style.color,
      background: style.backgroundColor,
    };
  });
}

/**
 * Clicks a choice as a candidate does with a warning fixed at the bottom of the screen: scrolled to
 * the middle of the screen first, so that the warning does not cover it.
 */
async function clickChoice(page: Page, value: number): Promise<void> {
  const selector = `form.k-question input[name="choix"][value="${value}"]`;
  await page.$eval(selector, (el) => el.scrollIntoView({ block: 'center' }));
  await page.click(selector);
}

/** Nothing a kiosk page must not do besides the requests the lost network failed. */
function assertNoScriptFault(t: { same(a: unknown, b: unknown, m: string): void }, seen: PageWatch, where: string) {
  t.same(seen.pageErrors, [], `${where}: no uncaught JavaScript exception`);
  t.same(seen.cspViolations, [], `${where}: the Content-Security-Policy blocked nothing`);
  t.same(seen.cacheableKioskResponses, [], `${where}: every kiosk response says Cache-Control: no-store`);
}

if (world) {
  const { db, base, takeToken, clock } = world;

  t.test('« Enregistrement… » while a slow save is on its way', async (t) => {
    const { page, seen } = await kioskPage(t, world, { js: true });
    const token = takeToken();
    await startExam(page, base, token);
    const exam = await examByToken(db, token);

    // The saves take 2.5 s, as on the slow 3G of the report.
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.headers()['hx-request'] === 'true') setTimeout(() => void request.continue(), 2500);
      else void request.continue();
    });
    await page.click('form.k-question input[name="choix"][value="2"]');
    const during = await eventually(
      () => text(page, '#k-save-status'),
      (v) => v !== '',
      2000,
    );
    t.equal(during, 'Enregistrement…', 'the save in flight is shown at once');
    t.equal(await page.$eval('#k-save-status', (el) => el.getAttribute('aria-live')), 'polite', 'in a region read out politely');
    t.equal(await page.$eval('#k-save-status', (el) => el.getAttribute('role')), 'status', 'a status region');
    t.equal((await examItems(db, exam.id))[0]!.choice, null, 'not stored yet');
    const after = await eventually(
      () => text(page, '#k-save-status'),
      (v) => v !== 'Enregistrement…',
      20_000,
    );
    t.equal(after, 'Réponse enregistrée.', 'then « Réponse enregistrée. »');
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'and stored');
    assertNoScriptFault(t, seen, 'slow save');
  });

  t.test('offline: the warning says so, the choice is resent when the network returns, « Suivante » keeps the page', async (t) => {
    const { page, seen } = await kioskPage(t, world, { js: true });
    const token = takeToken();
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    await choose(page, 1, true);

    await page.setOfflineMode(true);
    t.match(
      (
        await eventually(
          () => connectionWarning(page),
          (w) => w !== null,
        )
      )?.text ?? '',
      'Connexion perdue',
      'going offline is told at once',
    );
    await clickChoice(page, 2);
    const warning = await eventually(
      () => connectionWarning(page),
      (w) => w !== null && /pas encore enregistrée/.test(w.text),
    );
    t.ok(warning, 'a warning in a role="alert" region mentions the connection');
    t.match(warning?.text ?? '', /connexion (est )?perdue/i, `it says the connection is lost (« ${warning?.text} »)`);
    t.match(warning?.text ?? '', /pas (encore )?enregistrée/, 'and that the answer is not saved yet');
    t.equal(warning?.inView, true, 'in view at 1024×600, without scrolling');
    t.not(warning?.color, SAVED_GREEN, `not in the green of « Réponse enregistrée. » (${warning?.color} on ${warning?.background})`);
    t.equal((await examItems(db, exam.id))[0]!.choice, 1, 'the server still has answer 1');

    // « Suivante » while offline: the candidate stays on the question, told why, in French.
    const next = 'form.k-question button[name="aller"][value="suivante"]';
    await page.$eval(next, (el) => el.scrollIntoView({ block: 'center' }));
    await page.click(next);
    await new Promise((r) => setTimeout(r, 3000));
    t.equal(page.url(), `${base}/examen/question/1`, 'still on question 1 (not the browser’s error page)');
    const blocked = await connectionWarning(page);
    t.match(blocked?.text ?? '', /Restez sur cette page/, `a French message says what to do (« ${blocked?.text} »)`);
    t.equal(blocked?.inView, true, 'in view');
    t.equal(await page.$eval('input[name="choix"][value="2"]', (i) => i.checked), true, 'the choice is still on screen');

    // The network returns: the choice is sent by itself.
    await page.setOfflineMode(false);
    const stored = await eventually(
      async () => (await examItems(db, exam.id))[0]!.choice,
      (c) => c === 2,
    );
    t.equal(stored, 2, 'answer 2 reached the database without any action of the candidate');
    t.equal(
      await eventually(
        () => text(page, '#k-save-status'),
        (v) => v === 'Réponse enregistrée.',
      ),
      'Réponse enregistrée.',
      'and the page says it is saved',
    );
    t.equal((await connectionWarning(page))?.text ?? '', '', 'the connection warning is gone');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.k-question button[name="aller"][value="suivante"]')]);
    t.equal(pathOf(page), '/examen/question/2', 'online again, « Suivante » goes on');
    assertNoScriptFault(t, seen, 'offline');
  });

  t.test('the countdown reaching zero offline: no error page, the result once the server answers', async (t) => {
    const { page, seen } = await kioskPage(t, world, { js: true });
    const token = takeToken();
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    const deadline = new Date(exam.deadline_at).getTime();
    clock.set(new Date(deadline - 20_000));
    await page.reload({ waitUntil: 'load' });
    await choose(page, 1, true);

    // A change made offline, the network back before the deadline: it is sent at once.
    await page.setOfflineMode(true);
    await eventually(
      () => connectionWarning(page),
      (w) => w !== null,
    );
    await clickChoice(page, 2);
    await eventually(
      () => connectionWarning(page),
      (w) => w !== null && /pas encore enregistrée/.test(w.text),
    );
    await page.setOfflineMode(false);
    t.equal(
      await eventually(
        async () => (await examItems(db, exam.id))[0]!.choice,
        (c) => c === 2,
        10_000,
      ),
      2,
      'the choice made offline is stored once the network is back, before the deadline',
    );

    // Offline again when the countdown reaches zero.
    await page.setOfflineMode(true);
    await page.waitForFunction(() => document.querySelector('.k-timer-value')?.textContent === '0 s', { timeout: 30_000 });
    clock.set(new Date(deadline + 1000));
    await new Promise((r) => setTimeout(r, 5000));
    t.equal(page.url(), `${base}/examen/question/1`, 'at zero, offline, the page stays (not the browser’s error page)');
    const warning = await connectionWarning(page);
    t.match(warning?.text ?? '', /temps est écoulé/, `it says the time is up (« ${warning?.text} »)`);
    t.match(warning?.text ?? '', /connexion/, 'and that the connection is lost');
    t.equal(warning?.inView, true, 'in view');

    // The network returns: the page goes to the result by itself.
    await page.setOfflineMode(false);
    await page.waitForFunction(() => location.pathname === '/examen/resultat' && document.readyState === 'complete', { timeout: 30_000 });
    t.equal(pathOf(page), '/examen/resultat', 'once the server answers, the result');
    t.match(await text(page, 'body'), 'Le temps imparti est écoulé', '« Le temps imparti est écoulé »');
    const finished = await examByToken(db, token);
    t.equal(finished.finish_reason, 'delai', 'finished at the deadline');
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'with the choice made offline before the deadline');
    assertNoScriptFault(t, seen, 'deadline offline');
  });
}
