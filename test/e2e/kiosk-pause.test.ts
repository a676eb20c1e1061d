/**
 * The supervisor pauses, resumes or cancels while the candidate reads a question, with JavaScript:
 * kiosk.js asks the server where the exam stands every few seconds (GET /examen/etat) and goes to the
 * page that says it, without a click. Without JavaScript the same is tested in
 * test/areas/centre/exam-pause.test.ts (the next click leads there).
 */
import t from 'tap';
import { cancelExam, pauseExams, resumeExams } from '../../src/areas/centre/exams/lifecycle.js';
import { CENTRE_ID, examByToken } from '../helpers/kiosk-room.js';
import { assertClean, bodyText, kioskPage, pathOf, remainingOnPage, startExam, startKioskWorld, text } from './kiosk-support.js';

const world = await startKioskWorld(t);
const ACTING = { actor: { accountId: null, label: 'test' } };
const MINUTE = 60_000;

if (world) {
  const { db, base, clock, takeToken } = world;

  t.test('a pause reaches the question page within seconds, and so does its end, with the time left kept', async (t) => {
    t.setTimeout(120_000);
    const { page, seen } = await kioskPage(t, world, { js: true });
    const token = takeToken();
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    clock.advance(10 * MINUTE);
    await page.reload({ waitUntil: 'load' });
    const paused = await pauseExams(db, clock, { centreId: CENTRE_ID, target: { examId: exam.id }, reason: 'Coupure de courant sur le poste' }, ACTING);
    t.match(paused, { ok: true });
    await page.waitForFunction(() => location.pathname === '/examen/pause', { timeout: 15_000 });
    t.equal(await text(page, 'h1'), 'Examen en pause', 'the terminal shows the pause without a click');
    t.match(await bodyText(page), 'il vous restera 50 min 00 s à la reprise');

    clock.advance(20 * MINUTE);
    t.match(await resumeExams(db, clock, { centreId: CENTRE_ID, target: { examId: exam.id } }, ACTING), { ok: true });
    await page.waitForFunction(() => location.pathname === '/examen/ensemble', { timeout: 15_000 });
    t.equal(pathOf(page), '/examen/ensemble', 'and goes back to the exam when it resumes');
    t.equal(await remainingOnPage(page), 50 * 60, 'with the 50 minutes that were left');
    assertClean(t, seen, 'pause and resumption with JavaScript');
  });

  t.test('a cancellation reaches the question page within seconds', async (t) => {
    t.setTimeout(120_000);
    const { page, seen } = await kioskPage(t, world, { js: true });
    const token = takeToken();
    await startExam(page, base, token);
    const exam = await examByToken(db, token);
    t.match(await cancelExam(db, clock, { centreId: CENTRE_ID, examId: exam.id, reason: 'Usurpation d’identité constatée' }, ACTING), {
      ok: true,
      attestation: null,
    });
    await page.waitForFunction(() => location.pathname === '/examen/resultat', { timeout: 15_000 });
    t.equal(await text(page, 'h1'), 'Examen annulé');
    assertClean(t, seen, 'cancellation with JavaScript');
  });
}
