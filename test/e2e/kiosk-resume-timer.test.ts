/**
 * In real Chromium with JavaScript: resuming an exam on another terminal after closing the page
 * (with the supervisor's leave) or on the same terminal after its browser restarted (without), and
 * the exam's time running out with a clock the test controls (ManualClock): the server's
 * refusal at the deadline, kiosk.js's warnings at 5 and 1 minute, and its reload at zero.
 *
 * The scenarios run in order on one app: the clock only moves forward, and every scenario starts
 * its own exam with a token of its own.
 */
import type { Page } from 'puppeteer';
import t from 'tap';
import { allowResume } from '../helpers/kiosk.js';
import { ACCENTED_IDENTITY, examByToken, examItems } from '../helpers/kiosk-room.js';
import {
  assertClean,
  bodyText,
  checkedChoice,
  choose,
  clickAndLoad,
  enterCentreAndToken,
  kioskPage,
  navigate,
  pathOf,
  remainingOnPage,
  startExam,
  startKioskWorld,
  text,
} from './kiosk-support.js';

t.setTimeout(900_000);

const world = await startKioskWorld(t);

const EXPIRED_MESSAGE = 'Le temps imparti est écoulé : l’examen a été terminé automatiquement.';

async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (i) => {
    (i as HTMLInputElement).value = '';
  });
  await page.type(selector, value);
}

if (world) {
  const { db, base, testApp, takeToken } = world;
  const clock = testApp.clock;

  /** The terminal an exam runs on (its admission), the supervisor's leave, and the moves recorded. */
  const placeOf = async (examId: number) => ({
    exam: await db.selectFrom('exams').select(['admission_id', 'resume_allowed_until']).where('id', '=', examId).executeTakeFirstOrThrow(),
    moves: await db
      .selectFrom('exam_resumes')
      .select(['from_admission_id', 'to_admission_id', 'allowed'])
      .where('exam_id', '=', examId)
      .orderBy('id')
      .execute(),
  });

  t.test('resume after closing the page: another terminal, with the supervisor’s leave, the same answers and the same deadline', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const first = await kioskPage(t, world, { js: true });
    await startExam(first.page, base, token);
    const exam = await examByToken(db, token);
    const drawn = await examItems(db, exam.id);
    const answers: (number | 'nsp')[] = [2, 'nsp', drawn[2]!.order.length];
    await choose(first.page, answers[0]!, true);
    await navigate(first.page, 'suivante');
    await choose(first.page, answers[1]!, true);
    await navigate(first.page, 'suivante');
    // The third answer only goes through htmx: the page is closed right after "Réponse enregistrée".
    await choose(first.page, answers[2]!, true);
    const remainingBefore = await remainingOnPage(first.page);
    assertClean(t, first.seen, 'first terminal');
    await first.context.close();

    const firstTerminal = (await placeOf(exam.id)).exam.admission_id;
    t.ok(firstTerminal, 'the exam is bound to the terminal it started on');

    // The candidate moves to another terminal of the room; some time passes.
    clock.advance(20_000);
    const second = await kioskPage(t, world, { js: true });
    await second.page.goto(`${base}/examen`, { waitUntil: 'load' });
    await enterCentreAndToken(second.page, token);
    t.equal(pathOf(second.page), '/examen/reprise', 'the used token of an exam in progress leads to the resume page');
    t.equal(await text(second.page, 'h1'), 'Reprendre l’examen');
    t.notMatch(await bodyText(second.page), ACCENTED_IDENTITY.nom, 'the resume page does not show who the exam belongs to');

    await typeInto(second.page, '#date_naissance', '1991-05-17');
    await clickAndLoad(second.page, 'form[action="/examen/reprise"] button[type="submit"]');
    t.equal(pathOf(second.page), '/examen/reprise', 'a wrong birth date is refused');
    t.match(await text(second.page, '[role="alert"]'), 'Cette date de naissance ne correspond pas', 'with a French message');

    // The right birth date, but the exam started on another terminal: refused until the supervisor allows it.
    await typeInto(second.page, '#date_naissance', ACCENTED_IDENTITY.date_naissance);
    const [refused] = await Promise.all([
      second.page.waitForNavigation({ waitUntil: 'load' }),
      second.page.click('form[action="/examen/reprise"] button[type="submit"]'),
    ]);
    t.equal(refused?.status(), 403, 'without the supervisor’s leave, the other terminal is refused (403)');
    t.equal(pathOf(second.page), '/examen/reprise', 'and stays on the resume page');
    t.match(await text(second.page, '[role="alert"]'), 'Cet examen a commencé sur un autre poste', 'which says why, and what to ask the supervisor');
    t.same(await placeOf(exam.id), { exam: { admission_id: firstTerminal, resume_allowed_until: null }, moves: [] }, 'the exam did not move');

    await allowResume(world, exam.id);
    await typeInto(second.page, '#date_naissance', ACCENTED_IDENTITY.date_naissance);
    await clickAndLoad(second.page, 'form[action="/examen/reprise"] button[type="submit"]');
    t.equal(pathOf(second.page), '/examen/question/4', 'with the leave, the birth date confirmed, back on the first unanswered question');
    const moved = await placeOf(exam.id);
    t.not(moved.exam.admission_id, firstTerminal, 'the exam is now bound to the second terminal');
    t.equal(moved.exam.resume_allowed_until, null, 'the leave is used up by the move');
    t.same(moved.moves, [{ from_admission_id: firstTerminal, to_admission_id: moved.exam.admission_id, allowed: 1 }], 'the move is recorded, with the leave');
    t.match(await text(second.page, '.k-progress'), 'Question 4 sur 30 — 3 répondues', 'three answers counted');

    const remainingAfter = await remainingOnPage(second.page);
    t.ok(Math.abs(remainingAfter - (remainingBefore - 20)) <= 3, `the same deadline: ${remainingBefore} s left before, 20 s later ${remainingAfter} s left`);
    t.equal((await examByToken(db, token)).deadline_at, exam.deadline_at, 'the stored deadline did not move');

    for (let p = 1; p <= 3; p++) {
      await second.page.goto(`${base}/examen/question/${p}`, { waitUntil: 'load' });
      t.equal(await checkedChoice(second.page), String(answers[p - 1]), `question ${p} shows the answer chosen on the first terminal`);
    }
    // Same questions: the draw is the frozen one.
    t.same(
      (await examItems(db, exam.id)).map((q) => q.correctIndex),
      drawn.map((q) => q.correctIndex),
      'the same draw, in the same order',
    );
    // The new terminal goes on where the first stopped.
    await second.page.goto(`${base}/examen/question/4`, { waitUntil: 'load' });
    await choose(second.page, 1, true);
    t.equal((await examItems(db, exam.id))[3]!.choice, 1, 'the resumed terminal saves answers');
    assertClean(t, second.seen, 'resumed terminal');
  });

  t.test('resume on the same terminal after its browser restarted: no leave needed, the same answers', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const { page, context, seen } = await kioskPage(t, world, { js: true });
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    await choose(page, 1, true);
    await navigate(page, 'suivante');
    await choose(page, 'nsp', true);
    const terminal = (await placeOf(exam.id)).exam.admission_id;

    // The browser restarts: its session cookie is gone, the terminal's admission (a lasting cookie) stays.
    const cookies = await context.cookies();
    const sessionCookie = cookies.find((c) => c.name === 'qcm_session');
    t.ok(sessionCookie, 'the terminal had a session cookie');
    if (sessionCookie) await context.deleteCookie(sessionCookie);
    t.same(
      (await context.cookies()).map((c) => c.name),
      ['qcm_poste'],
      'only the admission cookie is left',
    );
    clock.advance(30_000);
    await page.goto(`${base}/examen/question/2`, { waitUntil: 'load' });
    t.equal(pathOf(page), '/examen', 'the exam is out of reach without the session');
    t.ok(await page.$('#jeton'), 'the terminal is still admitted: the entry form, not the admission form');
    await enterCentreAndToken(page, token);
    t.equal(pathOf(page), '/examen/reprise', 'the used token of the exam in progress leads to the resume page');
    await typeInto(page, '#date_naissance', ACCENTED_IDENTITY.date_naissance);
    await clickAndLoad(page, 'form[action="/examen/reprise"] button[type="submit"]');
    t.equal(pathOf(page), '/examen/question/3', 'resumed at once on the same terminal, at the first unanswered question');
    t.same(
      await placeOf(exam.id),
      { exam: { admission_id: terminal, resume_allowed_until: null }, moves: [{ from_admission_id: terminal, to_admission_id: terminal, allowed: 0 }] },
      'the exam stays on its terminal, without any leave; the resume is recorded',
    );
    await page.goto(`${base}/examen/question/1`, { waitUntil: 'load' });
    t.equal(await checkedChoice(page), '1', 'question 1 shows the answer chosen before the restart');
    await page.goto(`${base}/examen/question/2`, { waitUntil: 'load' });
    t.equal(await checkedChoice(page), 'nsp', 'and question 2 its « Je ne sais pas »');
    await choose(page, 2, true);
    t.equal((await examItems(db, exam.id))[1]!.choice, 2, 'the terminal goes on saving answers');
    assertClean(t, seen, 'same terminal after a restart');
  });

  t.test('a terminal left open after a resume elsewhere is not told « enregistrée » for an answer that was not stored', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const old = await kioskPage(t, world, { js: true });
    await startExam(old.page, base, token);
    const exam = await examByToken(db, token);
    await choose(old.page, 1, true);
    // This test is about a click on the first terminal: kiosk.js's poll of where the exam stands (which
    // would let go of the exam by itself within seconds; test/e2e/kiosk-pause.test.ts) is held back here.
    await old.page.evaluate(() => {
      const fetch = window.fetch.bind(window);
      window.fetch = (input, init) =>
        (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).includes('/examen/etat')
          ? new Promise<Response>(() => undefined)
          : fetch(input, init);
    });

    // The candidate is moved to another terminal (the first one is not closed), with the supervisor's
    // leave, and changes answer 1 there.
    const other = await kioskPage(t, world, { js: true });
    await allowResume(world, exam.id);
    await other.page.goto(`${base}/examen`, { waitUntil: 'load' });
    await enterCentreAndToken(other.page, token);
    await typeInto(other.page, '#date_naissance', ACCENTED_IDENTITY.date_naissance);
    await clickAndLoad(other.page, 'form[action="/examen/reprise"] button[type="submit"]');
    await other.page.goto(`${base}/examen/question/1`, { waitUntil: 'load' });
    await choose(other.page, 2, true);
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'the second terminal stored answer 2');

    // Back on the first terminal, still showing question 1, the candidate clicks answer 3: the exam
    // now belongs to the second terminal, so the first lets go of it and says why.
    await Promise.all([old.page.waitForNavigation({ waitUntil: 'load' }), old.page.click('form.k-question input[name="choix"][value="3"]')]);
    t.equal(pathOf(old.page), '/examen', 'the first terminal is back on the entry form');
    t.match(await bodyText(old.page), 'repris sur un autre poste', 'and says the exam was resumed elsewhere');
    t.notMatch(await bodyText(old.page), 'Réponse enregistrée', 'it never claims the answer was saved');
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'the answer made on the terminal holding the exam stays');
    await old.page.goto(`${base}/examen/question/1`, { waitUntil: 'load' });
    t.equal(pathOf(old.page), '/examen', 'the first terminal cannot reach the exam any more');
  });

  t.test('past the deadline, a reload shows the result finished by the server', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const { page, seen } = await kioskPage(t, world, { js: true });
    await startExam(page, base, token);
    await choose(page, 1, true);
    const exam = await examByToken(db, token);
    clock.advance(60 * 60_000 + 1000);
    await page.reload({ waitUntil: 'load' });
    t.equal(pathOf(page), '/examen/resultat', 'the question page is refused: result page');
    t.match(await bodyText(page), EXPIRED_MESSAGE, '« Le temps imparti est écoulé »');
    const finished = await examByToken(db, token);
    t.equal(finished.finish_reason, 'delai', 'finished by the server at the deadline');
    t.equal(finished.finished_at, exam.deadline_at, 'its end time is the deadline');
    t.match(await text(page, '.k-score'), `Note : ${finished.score} sur ${finished.maximum}`, 'the score is shown');
    t.equal((await examItems(db, exam.id))[0]!.choice, 1, 'the answer given in time counts');
    assertClean(t, seen, 'reload past the deadline');
  });

  t.test('past the deadline, « Suivante » is refused and shows the result', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const { page, seen } = await kioskPage(t, world, { js: true });
    await startExam(page, base, token);
    await choose(page, 2, true);
    const exam = await examByToken(db, token);
    clock.advance(60 * 60_000 + 1000);
    // A late change, posted with « Suivante » (the htmx save of the click is refused too).
    await page.$eval('input[name="choix"][value="1"]', (i) => {
      i.checked = true;
    });
    await navigate(page, 'suivante');
    t.equal(pathOf(page), '/examen/resultat', 'the server refuses the answer and shows the result');
    t.match(await bodyText(page), EXPIRED_MESSAGE, '« Le temps imparti est écoulé »');
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'the late answer was not stored');
    const finished = await examByToken(db, token);
    t.equal(finished.finish_reason, 'delai');
    t.equal(finished.finished_at, exam.deadline_at, 'its end time is the deadline');
    assertClean(t, seen, '« Suivante » past the deadline');
  });

  t.test('past the deadline, an htmx save is refused and the page goes to the result', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const { page, seen } = await kioskPage(t, world, { js: true });
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    clock.advance(60 * 60_000 + 1000);
    await clickAndLoad(page, 'input[name="choix"][value="1"]');
    t.equal(pathOf(page), '/examen/resultat', 'htmx follows the server to the result page');
    t.match(await bodyText(page), EXPIRED_MESSAGE, '« Le temps imparti est écoulé »');
    t.equal((await examItems(db, exam.id))[0]!.choice, null, 'the late click was not stored');
    assertClean(t, seen, 'htmx save past the deadline');
  });

  t.test('kiosk.js warns at 5 minutes and 1 minute, and reloads to the result at zero', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const { page, seen } = await kioskPage(t, world, { js: true });
    await startExam(page, base, token);
    await choose(page, 1, true);
    const exam = await examByToken(db, token);
    const deadline = new Date(exam.deadline_at).getTime();
    t.equal(await page.$eval('.k-timer', (el) => el.classList.contains('k-timer--warning')), false, 'no warning at the start');
    t.equal(await text(page, '#k-timer-alert'), '', 'nothing announced at the start');

    // 4 min 58 s left.
    clock.set(new Date(deadline - 298_000));
    await page.reload({ waitUntil: 'load' });
    t.equal(await remainingOnPage(page), 298, 'the page carries 298 s from the server');
    const started = Date.now();
    await page.waitForFunction(() => (document.getElementById('k-timer-alert')?.textContent ?? '') !== '', { timeout: 5000 });
    t.ok(Date.now() - started < 5000, 'announced within a few seconds');
    t.equal(await text(page, '#k-timer-alert'), 'Attention : il reste 5 minutes.', 'the 5-minute warning in the aria-live region');
    t.equal(await page.$eval('#k-timer-alert', (el) => el.getAttribute('aria-live')), 'assertive', 'which screen readers announce');
    t.equal(await page.$eval('.k-timer', (el) => el.classList.contains('k-timer--warning')), true, 'the timer gets k-timer--warning');
    t.match(await text(page, '.k-timer-value'), /^4 min 5\d s$/, 'and shows 4 min 5x s');
    t.equal((await examItems(db, exam.id))[0]!.choice, 1, 'answers are still taken');

    // 58 s left.
    clock.set(new Date(deadline - 58_000));
    await page.reload({ waitUntil: 'load' });
    await page.waitForFunction(() => (document.getElementById('k-timer-alert')?.textContent ?? '').includes('1 minute'), { timeout: 5000 });
    t.equal(await text(page, '#k-timer-alert'), 'Attention : il reste 1 minute.', 'the 1-minute warning');
    t.equal(await page.$eval('.k-timer', (el) => el.classList.contains('k-timer--warning')), true, 'still in warning style');
    await choose(page, 2, true);
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'an answer 58 s before the deadline is stored');

    // 50 s left, on another question: the warning style stays, the warning is not spoken again.
    clock.set(new Date(deadline - 50_000));
    await navigate(page, 'suivante');
    t.equal(pathOf(page), '/examen/question/2');
    await new Promise((r) => setTimeout(r, 2500));
    t.equal(await text(page, '#k-timer-alert'), '', 'a new page does not repeat a warning already given');
    t.equal(await page.$eval('.k-timer', (el) => el.classList.contains('k-timer--warning')), true, 'but keeps the warning style');
    await navigate(page, 'precedente');

    // 3 s left: kiosk.js counts down to zero and reloads; meanwhile the server's clock passes the deadline.
    clock.set(new Date(deadline - 3000));
    await page.reload({ waitUntil: 'load' });
    t.equal(await remainingOnPage(page), 3, 'the countdown starts from the server’s 3 s');
    clock.set(new Date(deadline + 1000));
    const reloaded = page.waitForNavigation({ waitUntil: 'load', timeout: 20_000 });
    await t.resolves(
      page.waitForFunction(() => document.querySelector('.k-timer-value')?.textContent === '0 s', { timeout: 15_000 }),
      'the countdown reaches « 0 s »',
    );
    await reloaded;
    t.equal(pathOf(page), '/examen/resultat', 'kiosk.js reloads at zero and the server shows the result');
    t.match(await bodyText(page), EXPIRED_MESSAGE, '« Le temps imparti est écoulé »');
    const finished = await examByToken(db, token);
    t.equal(finished.finish_reason, 'delai');
    t.equal(finished.finished_at, exam.deadline_at, 'its end time is the deadline');
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'the answer given in time is kept');
    assertClean(t, seen, 'timer warnings and zero');
  });

  t.test('a save the server did not acknowledge never shows « Réponse enregistrée »; moving on sends it', async (t) => {
    t.setTimeout(300_000);
    const token = takeToken();
    const { page } = await kioskPage(t, world, { js: true });
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    await choose(page, 1, true);

    // The server answers an error, then the network drops the request: htmx shows neither by itself.
    let mode: 'error' | 'drop' | 'pass' = 'error';
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const isSave = request.method() === 'POST' && request.headers()['hx-request'] === 'true';
      if (!isSave || mode === 'pass') return void request.continue();
      if (mode === 'error') return void request.respond({ status: 500, contentType: 'text/html', body: '<p>Erreur</p>' });
      return void request.abort('connectionreset');
    });
    for (const [choice, how] of [
      [2, 'error'],
      [3, 'drop'],
    ] as const) {
      mode = how;
      await page.click(`form.k-question input[name="choix"][value="${choice}"]`);
      await page.waitForFunction(() => (document.getElementById('k-save-status')?.textContent ?? '').includes('non enregistrée'), { timeout: 10_000 });
      t.equal(
        await text(page, '#k-save-status'),
        'Réponse non enregistrée : elle sera envoyée quand vous changerez de question.',
        `${how}: the candidate is told the choice is not saved yet`,
      );
      t.equal((await examItems(db, exam.id))[0]!.choice, 1, `${how}: the server still has the first choice`);
    }
    mode = 'pass';
    await navigate(page, 'suivante');
    t.equal(pathOf(page), '/examen/question/2');
    t.equal((await examItems(db, exam.id))[0]!.choice, 3, 'moving on sent the last choice');
  });
}
