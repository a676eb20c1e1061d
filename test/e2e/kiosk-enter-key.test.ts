/**
 * Enter on a kiosk question (issue 16): a candidate who chooses with the keyboard and presses Enter
 * goes forward — « Suivante → », or « Terminer » on the last question — never back to the previous
 * question or to the overview, with JavaScript and without; the choice reaches the database; and
 * Tab still goes through the navigation buttons in the order they are seen.
 */
import { createRequire } from 'node:module';
import type { Page } from 'puppeteer';
import t from 'tap';
import { examByToken, examItems } from '../helpers/kiosk-room.js';
import { assertClean, checkedChoice, clearSaveStatus, kioskPage, pathOf, startExam, startKioskWorld, text, waitForAck, waitForSaved } from './kiosk-support.js';

// A real browser on a busy shared machine: be generous.
t.setTimeout(600_000);

const world = await startKioskWorld(t);
const AXE_PATH = createRequire(import.meta.url).resolve('axe-core');

/**
 * axe's WCAG 2.1 A/AA violations in the form of question n (the whole page is audited by
 * accessibility.test.ts), in another tab of the same terminal that lets axe in past the CSP.
 */
async function formViolations(page: Page, base: string, n: number): Promise<string[]> {
  const tab = await page.browserContext().newPage();
  try {
    await tab.setBypassCSP(true);
    await tab.goto(`${base}/examen/question/${n}`, { waitUntil: 'load' });
    await tab.addScriptTag({ path: AXE_PATH });
    return await tab.evaluate(async () => {
      type Axe = { run(context: unknown, options: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[] }> };
      const axe = (window as unknown as { axe: Axe }).axe;
      const result = await axe.run('form.k-question', {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
      });
      return result.violations.map((v) => `${v.id} (${v.nodes.length})`);
    });
  } finally {
    await tab.close();
  }
}

/** The form fields of every question form posted as a navigation (a plain submit, not an htmx save). */
function formsSent(page: Page): { last(): URLSearchParams | null } {
  const sent: URLSearchParams[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.isNavigationRequest() && /\/examen\/question\/\d+$/.test(request.url())) {
      sent.push(new URLSearchParams(request.postData() ?? ''));
    }
  });
  return { last: () => sent.at(-1) ?? null };
}

/**
 * Keyboard only: focuses the first choice without choosing it, then ArrowDown `steps` times, which
 * chooses the choice reached. With JavaScript, waits for htmx's save of it, as a candidate reads it.
 */
async function chooseByKeyboard(page: Page, steps: number, js: boolean): Promise<void> {
  if (js) await clearSaveStatus(page);
  await page.focus('form.k-question input[name="choix"][value="1"]');
  for (let i = 0; i < steps; i++) await page.keyboard.press('ArrowDown');
  if (js) await waitForSaved(page);
}

/** On question n (from wherever the last step left the page, so that one failure does not hide the next). */
async function onQuestion(page: Page, base: string, n: number): Promise<void> {
  if (pathOf(page) !== `/examen/question/${n}`) await page.goto(`${base}/examen/question/${n}`, { waitUntil: 'load' });
}

async function pressEnter(page: Page): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
}

/** What has the focus: its visible text (or value), and whether it can be seen at all. */
async function focused(page: Page): Promise<{ label: string; inForm: boolean; visible: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { label: '(body)', inForm: false, visible: true };
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const label = (el instanceof HTMLInputElement ? `${el.type}:${el.name}=${el.value}` : el.innerText).replace(/\s+/g, ' ').trim();
    return {
      label,
      inForm: el.closest('form.k-question') !== null,
      visible: box.width > 2 && box.height > 2 && style.visibility !== 'hidden' && style.clip !== 'rect(0px, 0px, 0px, 0px)',
    };
  });
}

/** The question form's visible buttons, in the order they are seen on screen (top to bottom, left to right). */
async function buttonsAsSeen(page: Page): Promise<string[]> {
  return page.$$eval('form.k-question button, form.k-question input[type="submit"]', (controls) =>
    controls
      .map((c) => ({ c, box: c.getBoundingClientRect() }))
      .filter(({ box }) => box.width > 2 && box.height > 2)
      .sort((a, b) => Math.round(a.box.top) - Math.round(b.box.top) || a.box.left - b.box.left)
      .map(({ c }) => (c as HTMLElement).innerText.replace(/\s+/g, ' ').trim()),
  );
}

if (world) {
  const { db, base, takeToken } = world;

  for (const js of [true, false]) {
    t.test(`Enter on a question goes forward ${js ? 'with' : 'without'} JavaScript`, async (t) => {
      const { page, seen } = await kioskPage(t, world, { js });
      const sent = formsSent(page);
      const token = takeToken();
      await startExam(page, base, token);
      const exam = await examByToken(db, token);
      const total = (await examItems(db, exam.id)).length;
      t.ok(total > 3, `an exam of ${total} questions`);

      // Question 1: there is no « Précédente »; the first button seen is « Vue d’ensemble ».
      await chooseByKeyboard(page, 1, js);
      t.equal(await checkedChoice(page), '2', 'question 1: ArrowDown from the first choice chose the second');
      await pressEnter(page);
      t.equal(pathOf(page), '/examen/question/2', 'Enter on question 1 leads to question 2, not to the overview');
      t.equal(sent.last()?.get('aller'), 'suivante', 'the form went as « Suivante »');
      t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'the choice made with the keyboard on question 1 is in the database');

      // Question 2, with all three buttons: Tab follows them as they are seen, and reaches nothing unseen.
      await onQuestion(page, base, 2);
      const asSeen = await buttonsAsSeen(page);
      t.same(asSeen, ['← Précédente', 'Vue d’ensemble', 'Suivante →'], 'question 2 shows « Précédente », « Vue d’ensemble », « Suivante » in this order');
      await page.focus('#contenu');
      const stops: { label: string; inForm: boolean; visible: boolean }[] = [];
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        const now = await focused(page);
        if (stops.some((s) => s.inForm) && !now.inForm) break;
        stops.push(now);
      }
      t.same(
        stops.filter((s) => !s.visible),
        [],
        `Tab stops only on what can be seen (${stops.map((s) => s.label).join(' → ')})`,
      );
      t.same(
        stops.filter((s) => s.inForm && asSeen.includes(s.label)).map((s) => s.label),
        asSeen,
        'Tab goes through the buttons in the order they are seen',
      );

      if (js) t.same(await formViolations(page, base, 2), [], 'axe finds no WCAG A/AA fault in the form (its unseen default control included)');

      await chooseByKeyboard(page, 2, js);
      t.equal(await checkedChoice(page), '3', 'question 2: two ArrowDown chose the third choice');
      await pressEnter(page);
      t.equal(pathOf(page), '/examen/question/3', 'Enter on question 2 leads to question 3, not back to question 1');
      t.equal(sent.last()?.get('aller'), 'suivante', 'the form went as « Suivante »');
      t.equal((await examItems(db, exam.id))[1]!.choice, 3, 'the choice of question 2 is in the database');

      // Question 3: Enter on the « à revoir » box, ticked with Space, goes forward too.
      await onQuestion(page, base, 3);
      if (js) await clearSaveStatus(page);
      await page.focus('form.k-question input[name="revoir"]');
      await page.keyboard.press('Space');
      if (js) await waitForAck(page);
      await pressEnter(page);
      t.equal(pathOf(page), '/examen/question/4', 'Enter on the « à revoir » box of question 3 leads to question 4');
      t.equal((await examItems(db, exam.id))[2]!.flagged, true, 'question 3 is marked « à revoir » in the database');

      // The last question: its forward button is « Terminer », which asks for confirmation; Enter does the same.
      await onQuestion(page, base, total);
      t.equal(await page.$('form.k-question button[name="aller"][value="suivante"]'), null, 'the last question has no « Suivante »');
      t.same(await buttonsAsSeen(page), ['← Précédente', 'Vue d’ensemble', 'Terminer'], 'it shows « Précédente », « Vue d’ensemble », « Terminer »');
      await chooseByKeyboard(page, 1, js);
      await pressEnter(page);
      t.equal(pathOf(page), '/examen/terminer', `Enter on question ${total} leads where « Terminer » does: the confirmation`);
      t.equal(await text(page, 'h1'), 'Terminer l’examen ?', 'which asks whether to finish');
      t.equal(sent.last()?.get('aller'), 'terminer', 'the form went as « Terminer »');
      const items = await examItems(db, exam.id);
      t.equal(items[total - 1]!.choice, 2, 'the choice of the last question is in the database');
      t.equal((await examByToken(db, token)).finished_at, null, 'the exam is not finished without the confirmation');

      assertClean(t, seen, js ? 'with JavaScript' : 'without JavaScript');
    });
  }
}
