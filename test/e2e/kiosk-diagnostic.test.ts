/**
 * The terminal check (issue 15, /examen/diagnostic) in real Chromium: with JavaScript the script
 * measures the window, the clock, the round trip and the exam page's load, and the server's verdict
 * follows; a terminal whose clock is ten minutes ahead is told so; without JavaScript the page says
 * it, the cookies are still checked, and a window too small is pointed out by the style sheet alone.
 */
import t from 'tap';
import { assertClean, bodyText, clickAndLoad, kioskPage, pathOf, startKioskWorld, text } from './kiosk-support.js';

t.setTimeout(300_000);

const world = await startKioskWorld(t);
const SUBMIT = 'form#diagnostic button[type="submit"]';

/** Whether an element is displayed (its box has a size). */
const shown = (selector: string) =>
  `(() => { const el = document.querySelector(${JSON.stringify(selector)}); return !!el && el.getBoundingClientRect().height > 0; })()`;

if (world) {
  // The room's clock stands still at the test day: put it at the browser's time, which the check compares with it.
  t.beforeEach(() => world.clock.set(new Date()));

  t.test('with JavaScript, on a 1024×600 terminal at the right time: « Ce poste est prêt »', async (t) => {
    const { page, seen } = await kioskPage(t, world, { admitted: false });
    await page.goto(`${world.base}/examen/diagnostic`, { waitUntil: 'load' });
    t.equal(await text(page, 'h1'), 'Vérification du poste');
    t.notOk(await page.evaluate(shown('#sans-javascript')), 'the no-script notice stays hidden');
    t.notOk(await page.evaluate(shown('.k-screen-warning')), 'no window warning at 1024×600');
    await clickAndLoad(page, SUBMIT);
    t.equal(pathOf(page), '/examen/diagnostic/resultat');
    const body = await bodyText(page);
    t.match(body, 'Ce poste est prêt.');
    t.notMatch(body, 'Vérification partielle');
    t.match(await text(page, '#verification-javascript'), 'activé');
    t.match(await text(page, '#verification-ecran'), /1\s024 × 600 pixels Correct/);
    t.match(await text(page, '#verification-horloge'), /à l’heure du serveur .* Correct/);
    t.match(await text(page, '#verification-reseau'), /\d+ ms Correct/);
    t.match(await text(page, '#verification-poids'), /\d+ Ko en [\d,]+ s Correct/);
    const kilobytes = Number(/(\d+) Ko/.exec(await text(page, '#verification-poids'))![1]);
    t.ok(kilobytes > 10, `the exam page's style sheet and scripts were really downloaded (${kilobytes} Ko)`);
    assertClean(t, seen, 'terminal check');
  });

  t.test('a terminal whose clock is ten minutes ahead is told so, and is not ready', async (t) => {
    const { page, seen } = await kioskPage(t, world, { admitted: false });
    await page.evaluateOnNewDocument(() => {
      const ahead = 10 * 60_000;
      const realNow = Date.now.bind(Date);
      Date.now = () => realNow() + ahead;
    });
    await page.goto(`${world.base}/examen/diagnostic`, { waitUntil: 'load' });
    await clickAndLoad(page, SUBMIT);
    const body = await bodyText(page);
    t.match(body, 'Ce poste n’est pas prêt');
    t.match(
      await text(page, '#verification-horloge'),
      /l’horloge du poste avance de (9 min 5\d|10 min 0\d) s sur celle du serveur .*Mettez le poste à l’heure.* À corriger/,
    );
    assertClean(t, seen, 'terminal check, clock ahead');
  });

  t.test('with JavaScript, a window too small is to fix', async (t) => {
    const { page } = await kioskPage(t, world, { admitted: false });
    await page.setViewport({ width: 640, height: 480 });
    await page.goto(`${world.base}/examen/diagnostic`, { waitUntil: 'load' });
    await clickAndLoad(page, SUBMIT);
    t.match(await text(page, '#verification-ecran'), /640 × 480 pixels \(attendu : 768 × 500 au moins\).* À corriger/);
  });

  t.test('without JavaScript: the page says so, checks the cookies, and the style sheet flags a small window', async (t) => {
    const { page, seen } = await kioskPage(t, world, { js: false, admitted: false });
    await page.goto(`${world.base}/examen/diagnostic`, { waitUntil: 'load' });
    t.ok(await page.evaluate(shown('#sans-javascript')), 'the no-script notice is shown');
    t.notOk(await page.evaluate(shown('.k-screen-warning')), 'no window warning at 1024×600');
    await clickAndLoad(page, SUBMIT);
    t.match(await bodyText(page), 'Ce poste est prêt. Vérification partielle : JavaScript est désactivé.');
    t.match(await text(page, '#verification-cookies'), 'acceptés');
    t.match(await text(page, '#verification-javascript'), /désactivé .*L’examen fonctionne sans JavaScript.* À savoir/);

    await page.setViewport({ width: 640, height: 480 });
    await page.goto(`${world.base}/examen/diagnostic`, { waitUntil: 'load' });
    t.ok(await page.evaluate(shown('.k-screen-warning')), 'at 640×480, the style sheet shows the window warning');
    assertClean(t, seen, 'terminal check without JavaScript');
  });
}
