/**
 * The candidate's whole exam in real Chromium with JavaScript DISABLED, from the supervisor's
 * admission of the terminal to the session: every step is a plain form post or link, every answer
 * reaches the database when the candidate moves on.
 */
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
  startKioskWorld,
  text,
  toggleFlag,
} from './kiosk-support.js';

t.setTimeout(900_000);

const world = await startKioskWorld(t);

/** A fixed mix of answers (1 to the number of answers of the question) and « Je ne sais pas ». */
const choiceOf = (p: number, answerCount: number): number | 'nsp' => {
  const k = (p * 7) % (answerCount + 1);
  return k === 0 ? 'nsp' : k;
};
const UNANSWERED_AT_FIRST = 7;
const FLAGGED = 12;

if (world) {
  const { db, base, sessionId, takeToken } = world;
  const fullName = `${ACCENTED_IDENTITY.prenom} ${ACCENTED_IDENTITY.nom}`;

  t.test('the whole exam with JavaScript disabled, by plain form posts', async (t) => {
    t.setTimeout(600_000);
    const { page, context, seen } = await kioskPage(t, world, { js: false, admitted: false });
    const saves = htmxSaves(page);
    const token = takeToken();

    await page.goto(`${base}/examen`, { waitUntil: 'load' });
    t.equal(await page.evaluate(() => 1 + 1).catch(() => 'blocked'), 2, 'the test can still read the page (DevTools evaluation)');
    t.equal(await text(page, 'h1'), 'Admission du poste', 'a terminal not admitted shows the admission form');

    // The supervisor mistypes the session code, then types the one of the room view: plain form posts.
    const code = await world.admissionCode();
    const wrong = `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
    await page.type('#centre', CENTRE);
    await page.type('#code_session', wrong);
    await clickAndLoad(page, 'form[action="/examen/poste"] button[type="submit"]');
    t.equal(await text(page, 'h1'), 'Admission du poste', 'a wrong session code is refused');
    t.match(await text(page, '[role="alert"]'), 'Ce code ne permet d’admettre aucun poste', 'with a French message');
    t.equal(await page.$eval('#centre', (i) => (i as HTMLInputElement).value), CENTRE, 'the centre typed is kept');
    t.equal(
      (await context.cookies()).find((c) => c.name === 'qcm_poste'),
      undefined,
      'the terminal is not admitted',
    );
    await page.$eval('#code_session', (i) => {
      (i as HTMLInputElement).value = '';
    });
    await page.type('#code_session', code);
    await clickAndLoad(page, 'form[action="/examen/poste"] button[type="submit"]');
    t.equal(pathOf(page), '/examen', 'admitted: back on /examen');
    t.equal(await text(page, 'h1'), 'Examen AIPR', 'which is now the entry form');
    t.match(await text(page, '[role="status"]'), 'Le poste est admis à la session', 'the admission is confirmed');
    t.match(await bodyText(page), /Poste n° \d+ admis à la session du .+, [Ss]alle /, 'the entry form says which session the terminal is admitted to');
    t.equal(
      (await db.selectFrom('terminal_admissions').select('exam_session_id').orderBy('id', 'desc').executeTakeFirstOrThrow()).exam_session_id,
      sessionId,
      'the admission is stored for the room’s session',
    );
    const cookie = (await context.cookies()).find((c) => c.name === 'qcm_poste');
    t.ok(cookie && !cookie.session, 'the terminal keeps its admission in a lasting qcm_poste cookie');

    await enterCentreAndToken(page, token);
    t.equal(pathOf(page), '/examen/identite', 'centre + token accepted');
    for (const [name, value] of Object.entries(ACCENTED_IDENTITY)) await page.type(`#${name}`, value);
    await clickAndLoad(page, 'form[action="/examen/identite"] button[type="submit"]');
    t.equal(pathOf(page), '/examen/consignes', 'identity accepted');
    t.match(await bodyText(page), fullName, 'the rules page shows the accented name');
    await begin(page);

    const exam = await examByToken(db, token);
    const drawn = await examItems(db, exam.id);
    t.equal(drawn.length, 30, '30 questions drawn');
    const choiceFor = (p: number) => choiceOf(p, drawn[p - 1]!.order.length);
    t.equal(await remainingOnPage(page), 3600, 'the remaining time comes from the server');
    const timerText = await text(page, '.k-timer-value');
    t.equal(timerText, '1 h 00 min 00 s', 'and is written in the page');
    await new Promise((r) => setTimeout(r, 1500));
    t.equal(await text(page, '.k-timer-value'), timerText, 'without JavaScript the time shown is the server’s, not a countdown');

    for (let p = 1; p <= 30; p++) {
      t.equal(pathOf(page), `/examen/question/${p}`, `on question ${p}`);
      if (p !== UNANSWERED_AT_FIRST) await choose(page, choiceFor(p), false);
      if (p === FLAGGED) await toggleFlag(page, false);
      t.equal(await text(page, '#k-save-status'), '', 'no save message without JavaScript');
      if (p === 10) {
        await navigate(page, 'ensemble');
        t.equal(pathOf(page), '/examen/ensemble', 'Vue d’ensemble by a plain form post');
        t.equal((await examItems(db, exam.id))[9]!.choice, choiceFor(10), 'the post to the overview saved question 10');
        const answered = await page.$$eval('a.k-cell', (cells) => cells.map((c) => c.classList.contains('k-cell--answered')));
        t.same(
          answered,
          Array.from({ length: 30 }, (_, i) => i < 10 && i + 1 !== UNANSWERED_AT_FIRST),
          'the overview shows questions 1–10 answered except question 7',
        );
        await clickAndLoad(page, `a.k-cell[href="/examen/question/${UNANSWERED_AT_FIRST}"]`);
        t.equal(pathOf(page), `/examen/question/${UNANSWERED_AT_FIRST}`, 'the overview jumps to question 7');
        t.equal(await checkedChoice(page), null, 'question 7 still unanswered');
        await navigate(page, 'ensemble');
        await clickAndLoad(page, 'a.k-cell[href="/examen/question/11"]');
      } else if (p < 30) {
        await navigate(page, 'suivante');
        const row = (await examItems(db, exam.id))[p - 1]!;
        t.equal(row.choice, p === UNANSWERED_AT_FIRST ? null : choiceFor(p), `question ${p}: the post of « Suivante » stored the choice`);
        if (p === FLAGGED) t.equal(row.flagged, true, `question ${p}: « à revoir » stored`);
      } else {
        await navigate(page, 'terminer');
      }
    }
    t.equal(saves.count(), 0, 'no htmx request was ever made');

    t.equal(pathOf(page), '/examen/terminer', 'Terminer asks for confirmation');
    t.equal((await examItems(db, exam.id))[29]!.choice, choiceFor(30), 'the post of « Terminer » stored question 30');
    const confirm = await bodyText(page);
    t.match(confirm, '1 question sans réponse', 'one unanswered question');
    t.match(confirm, '1 question marquée « à revoir »', 'one marked question');
    const lists = await page.$$eval('ul.k-links', (uls) => uls.map((ul) => [...ul.querySelectorAll('a')].map((a) => a.getAttribute('href'))));
    t.same(lists, [[`/examen/question/${UNANSWERED_AT_FIRST}`], [`/examen/question/${FLAGGED}`]], 'question 7 unanswered, question 12 marked');

    // Back to question 7 from the list; "Précédente" also saves, by a plain post.
    await clickAndLoad(page, `ul.k-links a[href="/examen/question/${UNANSWERED_AT_FIRST}"]`);
    await choose(page, choiceFor(UNANSWERED_AT_FIRST), false);
    await navigate(page, 'precedente');
    t.equal(pathOf(page), `/examen/question/${UNANSWERED_AT_FIRST - 1}`, '« Précédente » goes to question 6');
    t.equal((await examItems(db, exam.id))[UNANSWERED_AT_FIRST - 1]!.choice, choiceFor(UNANSWERED_AT_FIRST), 'the post of « Précédente » stored question 7');
    t.equal(await checkedChoice(page), String(choiceFor(UNANSWERED_AT_FIRST - 1)), 'question 6 shows its saved choice after the reload');

    // Un-mark question 12 and change its answer.
    await page.goto(`${base}/examen/question/${FLAGGED}`, { waitUntil: 'load' });
    t.equal(await page.$eval('input[name="revoir"]', (i) => i.checked), true, 'question 12 shows its mark');
    await toggleFlag(page, false);
    const changed = choiceFor(FLAGGED) === 1 ? 2 : 1;
    await choose(page, changed, false);
    await navigate(page, 'ensemble');
    const row12 = (await examItems(db, exam.id))[FLAGGED - 1]!;
    t.equal(row12.flagged, false, 'the mark is removed by the post');
    t.equal(row12.choice, changed, 'the changed answer is stored');

    await clickAndLoad(page, 'a.k-button[href="/examen/terminer"]');
    t.match(await bodyText(page), 'Vous avez répondu à toutes les questions.', 'all answered now');
    t.equal(await page.$('ul.k-links'), null, 'nothing listed any more');

    const final = await examItems(db, exam.id);
    t.same(
      final.map((q) => q.choice),
      final.map((q) => (q.position === FLAGGED ? changed : choiceFor(q.position))),
      'every answer chosen without JavaScript is in the database',
    );

    await clickAndLoad(page, 'form[action="/examen/terminer"] button[type="submit"]');
    t.equal(pathOf(page), '/examen/resultat', 'result page');
    const finished = await examByToken(db, token);
    const expected = expectedScore(final, finished.rules);
    t.equal(finished.score, expected, `the stored score is the one the rules give (${expected})`);
    t.equal(await text(page, '.k-score'), `Note : ${expected} sur ${finished.maximum} (seuil de réussite : ${finished.pass_mark})`, 'score shown');
    t.equal(await text(page, '.k-verdict'), finished.passed === 1 ? 'Admis' : 'Non admis', 'verdict shown');

    await clickAndLoad(page, 'form[action="/examen/suivant"] button[type="submit"]');
    t.equal(pathOf(page), '/examen', 'next candidate: entry form');
    t.equal(await page.$('#code_session'), null, 'the terminal is still admitted: no admission form');
    t.equal(await page.$eval('#jeton', (i) => (i as HTMLInputElement).value), '', 'empty token field');
    await page.goBack({ waitUntil: 'load', timeout: 20_000 }).catch(() => null);
    t.equal(await page.$('.k-verdict'), null, 'Back does not show the previous result');
    t.notMatch(await bodyText(page), ACCENTED_IDENTITY.nom, 'nor the previous candidate’s name');

    assertClean(t, seen, 'whole flow without JavaScript');
  });
}
