/**
 * The browser's Back button on the kiosk (issue 16, item 6): a question page reached through the
 * history shows what the server holds, never the form state Chromium kept from an earlier showing,
 * so that « Suivante → » from it cannot put an old choice (or an old « à revoir » mark) back over
 * a newer one; and a form that really is older than the stored answer is refused with a message,
 * never saved silently. With JavaScript and without.
 */
import type { Page } from 'puppeteer';
import t from 'tap';
import { examByToken, examItems } from '../helpers/kiosk-room.js';
import {
  assertClean,
  checkedChoice,
  choose,
  clickAndLoad,
  kioskPage,
  navigate,
  pathOf,
  startExam,
  startKioskWorld,
  text,
  toggleFlag,
} from './kiosk-support.js';

// A real browser on a busy shared machine: be generous.
t.setTimeout(600_000);

const world = await startKioskWorld(t);

if (world) {
  const { db, base, takeToken } = world;

  /**
   * One step back. `evict`: a cookie of the site changes first, so that Chromium does not keep the
   * no-store page whole (back-forward cache) and loads it again, restoring its form from the history
   * unless the form forbids it. With JavaScript, kiosk.js reloads a page kept whole: wait for that too.
   */
  async function back(page: Page, evict: boolean, js: boolean): Promise<void> {
    if (evict) await page.setCookie({ name: 'k-history', value: String(Date.now()), url: base, httpOnly: true });
    await page.goBack({ waitUntil: 'load' });
    if (js) await page.waitForNetworkIdle({ idleTime: 500 });
    await page.waitForFunction(() => document.readyState === 'complete');
  }

  for (const js of [true, false]) {
    for (const evict of [true, false]) {
      const how = `${js ? 'with' : 'without'} JavaScript, ${evict ? 'the pages loaded again' : 'the pages kept whole by the browser'}`;
      t.test(`Back through the history after a changed answer, ${how}`, async (t) => {
        const { page, seen } = await kioskPage(t, world, { js });
        const token = takeToken();
        await startExam(page, base, token);
        const exam = await examByToken(db, token);
        const flagged = async () => page.$eval('form.k-question input[name="revoir"]', (i) => i.checked);
        const stored = async () => {
          const item = (await examItems(db, exam.id))[0]!;
          return { choice: item.choice, flagged: item.flagged };
        };
        t.equal(await page.$eval('form.k-question', (f) => f.getAttribute('autocomplete')), 'off', 'the browser may not restore the question form');

        // Question 1: answer 1, on to question 2, back to question 1 through the overview.
        await choose(page, 1, js);
        await navigate(page, 'suivante');
        t.same(await stored(), { choice: 1, flagged: false }, 'answer 1 stored');
        await navigate(page, 'ensemble');
        await clickAndLoad(page, 'a.k-cell[href="/examen/question/1"]');
        // Answer 3 instead, marked « à revoir », and on again.
        await choose(page, 3, js);
        await toggleFlag(page, js);
        await navigate(page, 'suivante');
        t.equal(pathOf(page), '/examen/question/2');
        t.same(await stored(), { choice: 3, flagged: true }, 'answer 3 stored, marked « à revoir »');

        // Back four times: question 2, the overview, question 1 (second showing), question 1 (first showing).
        for (let i = 0; i < 4; i++) await back(page, evict, js);
        t.equal(pathOf(page), '/examen/question/1', 'four steps back: question 1 as first shown');
        const shown = { choice: await checkedChoice(page), flagged: await flagged() };
        if (js || evict) {
          t.same(shown, { choice: '3', flagged: true }, 'the page shows the stored answer 3 and its mark, not the 1 of its first showing');
        } else {
          // Without JavaScript nothing can refresh a page the browser kept whole: its form is the old
          // one, with its old sequence number, which the server refuses below.
          t.same(shown, { choice: '1', flagged: false }, 'the page kept whole shows its first showing (nothing can refresh it without JavaScript)');
        }

        // « Suivante → » from that page never puts answer 1 back silently.
        await navigate(page, 'suivante');
        t.same(await stored(), { choice: 3, flagged: true }, 'answer 3 and its mark are still stored');
        if (shown.choice === '3') {
          t.equal(pathOf(page), '/examen/question/2', '« Suivante » goes on to question 2');
        } else {
          t.equal(pathOf(page), '/examen/question/1', 'the older form stays on question 1');
          t.match(await text(page, '[role="alert"]:not(#k-connection)'), 'modifiée depuis un autre écran', 'and says the answer was changed since');
          t.same({ choice: await checkedChoice(page), flagged: await flagged() }, { choice: '3', flagged: true }, 'showing the stored answer');
        }

        // A form truly older than the stored answer (a second tab showing question 1, left open while
        // the answer changed in the first) is refused with a message, not saved.
        const other = await page.browserContext().newPage();
        if (!js) await other.setJavaScriptEnabled(false);
        await other.goto(`${base}/examen/question/1`, { waitUntil: 'load' });
        t.equal(await checkedChoice(other), '3', 'the other tab shows answer 3');
        // The first tab shows question 1 afresh, a second later.
        world.clock.advance(1000);
        await page.bringToFront();
        await page.goto(`${base}/examen/question/1`, { waitUntil: 'load' });
        await choose(page, 2, js);
        if (!js) await navigate(page, 'ensemble');
        t.same(await stored(), { choice: 2, flagged: true }, 'answer 2 stored from the first tab');
        // A tab in the background runs no animation frame, which Puppeteer's waits need.
        await other.bringToFront();
        await navigate(other, 'suivante');
        t.equal(pathOf(other), '/examen/question/1', 'the older form stays on question 1');
        t.match(await text(other, '[role="alert"]:not(#k-connection)'), 'modifiée depuis un autre écran', 'and says the answer was changed elsewhere');
        t.equal(await checkedChoice(other), '2', 'showing the stored answer');
        t.same(await stored(), { choice: 2, flagged: true }, 'answer 2 is still stored');
        await other.close();

        assertClean(t, seen, how);
      });
    }
  }
}
