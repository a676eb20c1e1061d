/**
 * The candidate's whole exam in real Chromium, with JavaScript (htmx saves, countdown), at the
 * 1024×600 of an old terminal, from the supervisor's admission of the terminal to the session; then
 * the same on a CPU throttled ×6. Every kiosk page is watched
 * for console errors, uncaught exceptions, CSP violations and responses without no-store.
 */
import type { Page } from 'puppeteer';
import t from 'tap';
import { ACCENTED_IDENTITY, CENTRE, examByToken, examItems, expectedScore } from '../helpers/kiosk-room.js';
import {
  assertClean,
  begin,
  bodyText,
  checkedChoice,
  choose,
  clickAndLoad,
  enterCentreAndToken,
  htmxSaves,
  kioskPage,
  navigate,
  pathOf,
  remainingOnPage,
  startExam,
  startKioskWorld,
  text,
  toggleFlag,
} from './kiosk-support.js';

// A real browser on a busy 2-core machine, 30 questions, and a throttled CPU: be generous.
t.setTimeout(900_000);

const world = await startKioskWorld(t);

/** The hrefs of the links of the n-th list of the finish page (0: unanswered, or flagged when all are answered). */
async function finishLists(page: Page): Promise<string[][]> {
  return page.$$eval('ul.k-links', (lists) => lists.map((ul) => [...ul.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? '')));
}

async function overviewCells(page: Page) {
  return page.$$eval('a.k-cell', (cells) =>
    cells.map((c) => ({
      href: c.getAttribute('href'),
      answered: c.classList.contains('k-cell--answered'),
      flagged: c.classList.contains('k-cell--flagged'),
    })),
  );
}

if (world) {
  const { db, base, sessionId, takeToken } = world;
  const fullName = `${ACCENTED_IDENTITY.prenom} ${ACCENTED_IDENTITY.nom}`;

  t.test('the whole exam with JavaScript at 1024×600, from the admission of the terminal to the next candidate', async (t) => {
    t.setTimeout(600_000);
    const { page, context, seen } = await kioskPage(t, world, { js: true, admitted: false });
    const saves = htmxSaves(page);
    const token = takeToken();

    // Entry: /examen.html leads to /examen, which on a terminal not yet admitted is the admission form.
    await page.goto(`${base}/examen.html`, { waitUntil: 'load' });
    t.equal(pathOf(page), '/examen', '/examen.html redirects to /examen');
    t.equal(await text(page, 'h1'), 'Admission du poste', 'a terminal not admitted shows the admission form');
    t.equal(await page.$('#jeton'), null, 'and no token field');

    // The supervisor admits the terminal with the code of the room view, and names it.
    await page.type('#centre', CENTRE);
    await page.type('#code_session', await world.admissionCode());
    await page.type('#poste', 'Poste 3');
    await clickAndLoad(page, 'form[action="/examen/poste"] button[type="submit"]');
    t.equal(pathOf(page), '/examen', 'admitted: back on /examen');
    t.equal(await text(page, 'h1'), 'Examen AIPR', 'which is now the entry form');
    t.match(await text(page, '[role="status"]'), 'Le poste est admis à la session', 'the admission is confirmed');
    t.match(
      await bodyText(page),
      /Poste n° \d+ \(Poste 3\) admis à la session du .+, [Ss]alle /,
      'the entry form says which session the terminal is admitted to',
    );
    const admission = await db.selectFrom('terminal_admissions').select(['exam_session_id', 'label']).orderBy('id', 'desc').executeTakeFirstOrThrow();
    t.same(admission, { exam_session_id: sessionId, label: 'Poste 3' }, 'the admission is stored for the room’s session, with its name');
    const cookie = (await context.cookies()).find((c) => c.name === 'qcm_poste');
    t.ok(cookie, 'the terminal keeps its admission in the qcm_poste cookie');
    t.ok(cookie && !cookie.session && cookie.expires * 1000 > Date.now() + 60_000, 'a lasting cookie, that outlives the browser’s session');
    t.equal(cookie?.httpOnly, true, 'out of reach of the page’s scripts');

    await enterCentreAndToken(page, token);
    t.equal(pathOf(page), '/examen/identite', 'centre + token accepted: identity form');

    // Identity, with accents, hyphens, apostrophes and spaces.
    for (const [name, value] of Object.entries(ACCENTED_IDENTITY)) await page.type(`#${name}`, value);
    await clickAndLoad(page, 'form[action="/examen/identite"] button[type="submit"]');
    t.equal(pathOf(page), '/examen/consignes', 'identity accepted: rules page');
    const rules = await bodyText(page);
    t.match(rules, fullName, 'the rules page greets the candidate by the accented name as typed');
    t.match(rules, '30 questions', 'the number of questions is stated');
    t.match(rules, '60 minutes', 'the duration is stated');
    t.match(rules, 'Barème', 'the scoring is stated');

    await begin(page);
    const exam = await examByToken(db, token);
    t.equal(exam.last_name, ACCENTED_IDENTITY.nom, 'last name stored as typed');
    t.equal(exam.first_name, ACCENTED_IDENTITY.prenom, 'first name stored as typed');
    t.equal(exam.company, ACCENTED_IDENTITY.entreprise, 'company stored as typed');
    t.equal(exam.token_status, 'used', 'the token is consumed');
    t.equal(await remainingOnPage(page), 3600, 'the page carries the 60 minutes left from the server');
    // kiosk.js counts down.
    const firstTimer = await text(page, '.k-timer-value');
    await t.resolves(
      page.waitForFunction((first) => document.querySelector('.k-timer-value')?.textContent !== first, { timeout: 10_000 }, firstTimer),
      'the countdown moves with JavaScript',
    );

    // Usable at 1024×600: nothing wider than the screen, the navigation reachable.
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    t.ok(layout.scrollWidth <= layout.innerWidth, `no horizontal scrolling at 1024 px (${layout.scrollWidth} ≤ ${layout.innerWidth})`);

    const stored = await examItems(db, exam.id);
    t.equal(stored.length, 30, '30 questions drawn');
    const correct = (p: number) => stored[p - 1]!.correctIndex;
    for (const q of stored)
      t.ok(q.correctIndex >= 1 && q.correctIndex <= q.order.length, `question ${q.position} has its right answer among its ${q.order.length}`);

    for (let p = 1; p <= 29; p++) {
      t.equal(pathOf(page), `/examen/question/${p}`, `on question ${p}`);
      if (p === 2) {
        // Keyboard only: Tab to the first choice, Space to choose it, arrow keys to move to the right one.
        await page.focus('#contenu');
        let onRadio = false;
        for (let i = 0; i < 10 && !onRadio; i++) {
          await page.keyboard.press('Tab');
          onRadio = await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name === 'choix');
        }
        t.ok(onRadio, 'Tab reaches the choices');
        const before = saves.count();
        await page.keyboard.press('Space');
        let presses = 1;
        const target = correct(2);
        if (target === 1) {
          await page.keyboard.press('ArrowDown');
          await page.keyboard.press('ArrowUp');
          presses += 2;
        } else {
          for (let i = 1; i < target; i++) {
            await page.keyboard.press('ArrowDown');
            presses++;
          }
        }
        await saves.waitFor(before + presses);
        await page.waitForFunction(() => (document.getElementById('k-save-status')?.textContent ?? '').includes('Réponse enregistrée'));
        t.equal(await checkedChoice(page), String(target), 'Space and the arrow keys chose the answer');
        const now = await examItems(db, exam.id);
        t.equal(now[1]!.choice, target, 'the last choice made by keyboard is the one stored, after several quick saves');
      } else if (p === 3) {
        await choose(page, 'nsp', true);
      } else {
        await choose(page, correct(p), true);
      }
      if (p === 5) {
        await toggleFlag(page, true);
        t.equal((await examItems(db, exam.id))[4]!.flagged, true, 'question 5 marked « à revoir » in the database');
      }
      t.equal(
        await text(page, '#k-save-status'),
        p === 5 ? 'Question marquée « à revoir ».' : 'Réponse enregistrée.',
        `question ${p}: htmx says the answer (or, last, the mark) is saved`,
      );
      const inDb = (await examItems(db, exam.id))[p - 1]!;
      t.equal(inDb.choice, p === 3 ? 'nsp' : correct(p), `question ${p}: the choice is in the database before moving on`);

      if (p === 10) {
        // The overview, to jump back to the marked question and then on to question 11.
        await navigate(page, 'ensemble');
        t.equal(pathOf(page), '/examen/ensemble', 'Vue d’ensemble');
        const cells = await overviewCells(page);
        t.equal(cells.length, 30, 'the overview lists the 30 questions');
        t.same(
          cells.map((c) => c.answered),
          Array.from({ length: 30 }, (_, i) => i < 10),
          'questions 1 to 10 shown as answered, the others not',
        );
        t.same(
          cells.flatMap((c, i) => (c.flagged ? [i + 1] : [])),
          [5],
          'question 5 shown as « à revoir »',
        );
        await clickAndLoad(page, 'a.k-cell[href="/examen/question/5"]');
        t.equal(pathOf(page), '/examen/question/5', 'the overview jumps to question 5');
        t.equal(await checkedChoice(page), String(correct(5)), 'question 5 shows its saved choice');
        t.equal(await page.$eval('input[name="revoir"]', (i) => i.checked), true, 'and its « à revoir » mark');
        await navigate(page, 'ensemble');
        await clickAndLoad(page, 'a.k-cell[href="/examen/question/11"]');
      } else {
        await navigate(page, 'suivante');
      }
    }

    // Question 30 left unanswered for now: the last page has "Terminer" instead of "Suivante".
    t.equal(pathOf(page), '/examen/question/30', 'on the last question');
    t.equal(await page.$('button[name="aller"][value="suivante"]'), null, 'no « Suivante » on the last question');
    await navigate(page, 'terminer');
    t.equal(pathOf(page), '/examen/terminer', 'Terminer asks for confirmation');
    let confirmText = await bodyText(page);
    t.match(confirmText, '1 question sans réponse', 'the confirmation counts the unanswered question');
    t.match(confirmText, '1 question marquée « à revoir »', 'and the marked one');
    t.same(await finishLists(page), [['/examen/question/30'], ['/examen/question/5']], 'it lists question 30 unanswered and question 5 marked');

    await clickAndLoad(page, 'ul.k-links a[href="/examen/question/30"]');
    t.equal(pathOf(page), '/examen/question/30', 'the list leads to the unanswered question');
    await choose(page, correct(30), true);
    await navigate(page, 'terminer');
    confirmText = await bodyText(page);
    t.match(confirmText, 'Vous avez répondu à toutes les questions.', 'all answered now');
    t.same(await finishLists(page), [['/examen/question/5']], 'question 5 still listed as marked');

    const before = await examItems(db, exam.id);
    t.same(
      before.map((q) => q.choice),
      before.map((q) => (q.position === 3 ? 'nsp' : q.correctIndex)),
      'every choice made in the browser is in the database',
    );

    await clickAndLoad(page, 'form[action="/examen/terminer"] button[type="submit"]');
    t.equal(pathOf(page), '/examen/resultat', 'confirmed: result page');
    const finished = await examByToken(db, token);
    const expected = expectedScore(before, finished.rules);
    t.equal(finished.finish_reason, 'candidat', 'finished by the candidate');
    t.equal(finished.score, expected, `the stored score is the one the rules give (${expected})`);
    t.equal(
      await text(page, '.k-score'),
      `Note : ${expected} sur ${finished.maximum} (seuil de réussite : ${finished.pass_mark})`,
      'the result page shows score and maximum',
    );
    const verdict = await text(page, '.k-verdict');
    t.ok(verdict === 'Admis' || verdict === 'Non admis', `the verdict reads « ${verdict} »`);
    t.equal(verdict, finished.passed === 1 ? 'Admis' : 'Non admis', 'and agrees with the stored result');
    t.equal(verdict, 'Admis', '29 right answers and one « Je ne sais pas » pass');
    t.match(await bodyText(page), fullName, 'the result page names the candidate');
    t.notMatch(await bodyText(page), 'Le temps imparti est écoulé', 'not finished by the clock');

    // Next candidate: an empty entry form, and Back shows nothing of the previous candidate.
    await clickAndLoad(page, 'form[action="/examen/suivant"] button[type="submit"]');
    t.equal(pathOf(page), '/examen', '« Candidat suivant » returns to the entry form');
    t.equal(await page.$('#code_session'), null, 'the terminal is still admitted: no admission form');
    t.equal(await page.$eval('#centre', (i) => (i as HTMLInputElement).value), '', 'centre field empty');
    t.equal(await page.$eval('#jeton', (i) => (i as HTMLInputElement).value), '', 'token field empty');
    const revisited: string[] = [];
    for (let i = 1; i <= 4; i++) {
      const res = await page.goBack({ waitUntil: 'load', timeout: 20_000 }).catch(() => null);
      await new Promise((r) => setTimeout(r, 300));
      const shown = await bodyText(page);
      // The history entry the browser went back to (before the server's redirect, if any).
      const requested = res ? new URL(res.request().redirectChain()[0]?.url() ?? res.url()).pathname : '(no network response)';
      revisited.push(requested);
      const where = `after Back ×${i} (to ${requested}, shown ${pathOf(page)}${res ? `, HTTP ${res.status()}` : ''})`;
      t.equal(await page.$('form.k-question'), null, `${where}: no question page`);
      t.equal(await page.$('.k-verdict'), null, `${where}: no result page`);
      t.notMatch(shown, ACCENTED_IDENTITY.nom, `${where}: the previous candidate's name is not shown`);
      t.notMatch(shown, 'Note :', `${where}: the previous candidate's score is not shown`);
      t.equal(pathOf(page), '/examen', `${where}: the server sends the entry form again`);
    }
    t.same(
      revisited,
      ['/examen/resultat', '/examen/terminer', '/examen/question/30', '/examen/terminer'],
      'Back went through the previous candidate’s pages, each fetched again from the server (no-store), none shown from a cache',
    );
    // The exam is finished for good.
    t.equal((await examByToken(db, token)).score, expected, 'the result did not change');

    assertClean(t, seen, 'whole flow with JavaScript');
  });

  t.test('the browser’s Back and Forward during the exam: the page is fetched again and answers still save', async (t) => {
    t.setTimeout(300_000);
    const { page, seen } = await kioskPage(t, world, { js: true });
    const token = takeToken();
    await startExam(page, base, token, { ...ACCENTED_IDENTITY, nom: 'Retour-Arrière', prenom: 'Zoé' });
    const exam = await examByToken(db, token);
    await choose(page, 1, true);
    await navigate(page, 'suivante');
    t.equal(pathOf(page), '/examen/question/2');

    const back = await page.goBack({ waitUntil: 'load', timeout: 20_000 });
    t.equal(pathOf(page), '/examen/question/1', 'Back shows question 1');
    t.ok(back && back.status() === 200, 'fetched again from the server (no-store), not restored from a cache');
    t.equal(await checkedChoice(page), '1', 'with its saved answer');
    await choose(page, 2, true);
    t.equal((await examItems(db, exam.id))[0]!.choice, 2, 'a change made after Back is stored, as « Réponse enregistrée » said');

    const forward = await page.goForward({ waitUntil: 'load', timeout: 20_000 });
    t.equal(pathOf(page), '/examen/question/2', 'Forward shows question 2');
    t.ok(forward && forward.status() === 200, 'fetched again from the server');
    await choose(page, 3, true);
    t.equal((await examItems(db, exam.id))[1]!.choice, 3, 'a choice made after Forward is stored');
    assertClean(t, seen, 'Back and Forward during the exam');
  });

  t.test('with the CPU throttled ×6 and JavaScript on, a candidate answers and finishes', async (t) => {
    t.setTimeout(600_000);
    const { page, seen } = await kioskPage(t, world, { js: true });
    await page.emulateCPUThrottling(6);
    const token = takeToken();
    await startExam(page, base, token, { ...ACCENTED_IDENTITY, nom: 'Lenteur-Ancienne', prenom: 'Jérôme' });
    const exam = await examByToken(db, token);
    const drawn = await examItems(db, exam.id);
    const chosen: (number | 'nsp')[] = [1, drawn[1]!.order.length, 'nsp', 2, 3];
    for (let p = 1; p <= chosen.length; p++) {
      t.equal(pathOf(page), `/examen/question/${p}`, `on question ${p}`);
      await choose(page, chosen[p - 1]!, true);
      if (p === 4) await toggleFlag(page, true);
      // Change of mind on question 2, quickly: the last choice wins.
      if (p === 2) {
        await page.click('input[name="choix"][value="1"]');
        await choose(page, 3, true);
        chosen[1] = 3;
      }
      await navigate(page, 'suivante');
    }
    const stored = await examItems(db, exam.id);
    t.same(
      stored.slice(0, 5).map((q) => q.choice),
      chosen,
      'the five choices made on the slow terminal are stored, the last choice of question 2 included',
    );
    t.equal(stored[3]!.flagged, true, 'question 4 marked');
    t.ok(
      stored.slice(5).every((q) => q.choice === null),
      'nothing else answered',
    );

    await navigate(page, 'ensemble');
    await clickAndLoad(page, 'a.k-button[href="/examen/terminer"]');
    t.equal(pathOf(page), '/examen/terminer');
    t.match(await bodyText(page), '25 questions sans réponse', 'the 25 unanswered questions are counted');
    t.same((await finishLists(page))[1], ['/examen/question/4'], 'question 4 listed as marked');
    await clickAndLoad(page, 'form[action="/examen/terminer"] button[type="submit"]');
    t.equal(pathOf(page), '/examen/resultat', 'result page');
    const finished = await examByToken(db, token);
    t.equal(finished.score, expectedScore(stored, finished.rules), 'score as the rules give it');
    t.match(await text(page, '.k-score'), `Note : ${finished.score} sur ${finished.maximum}`, 'score shown');
    t.equal(await text(page, '.k-verdict'), finished.passed === 1 ? 'Admis' : 'Non admis', 'verdict shown');
    await page.emulateCPUThrottling(null);
    assertClean(t, seen, 'throttled CPU');
  });
}
