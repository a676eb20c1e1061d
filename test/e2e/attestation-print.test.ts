/**
 * Printing attestations in a real Chromium, as a centre's manager does: sign in, fill in the
 * signatory on the settings page, open the session, follow a candidate to their exam page, click
 * « Attestation (PDF) »; then the whole session's PDF job with JavaScript DISABLED, its page
 * reloading itself through the HTTP Refresh header until « Ouvrir le PDF » appears.
 */
import type { HTTPResponse, Page } from 'puppeteer';
import t from 'tap';
import { DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { DEMO_PASSWORD } from '../helpers/app.js';
import { findBrowser } from '../../src/services/pdf/browser-path.js';
import { attestationNumberOf, finishedCandidate, SIGNATORY } from '../helpers/attestations.js';
import { flashes } from '../helpers/html.js';
import type { IdentityFields } from '../helpers/kiosk-room.js';
import { bodyText, pathOf, startKioskWorld, text } from './kiosk-support.js';
import { flat, holdRenders, holdsIgnoringSpaces, pdfTools } from '../helpers/pdf-tools.js';

t.setTimeout(115_000);

const reader = await pdfTools(t);

/** The body of the next POST response to `urlPattern`, as the network gave it to the page. */
async function capturedBody(page: Page, urlPattern: string): Promise<Buffer> {
  const cdp = await page.createCDPSession();
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern, requestStage: 'Response' }] });
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      cdp.on('Fetch.requestPaused', (event) => {
        void (async () => {
          if (event.request.method === 'POST') {
            const { body, base64Encoded } = await cdp.send('Fetch.getResponseBody', { requestId: event.requestId });
            resolve(Buffer.from(body, base64Encoded ? 'base64' : 'utf8'));
          }
          await cdp.send('Fetch.continueRequest', { requestId: event.requestId });
        })().catch(reject);
      });
    });
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Clicks a plain form's submit button and waits for the page it leads to. */
async function submit(page: Page, selector: string): Promise<HTTPResponse | null> {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
  return response;
}

const CANDIDATE: IdentityFields & { adresse_entreprise: string } = {
  nom: 'Lefèvre-Nuñez',
  prenom: 'Zoé',
  date_naissance: '1985-04-23',
  entreprise: 'Terrassements du Rhône',
  adresse_entreprise: '12 rue des Lilas, 69003 Lyon',
};

const world = await startKioskWorld(t, { browserPath: await findBrowser(null) });

if (world) {
  const { base, browser, db, sessionId } = world;
  const candidate = await finishedCandidate(world, { passed: true, profile: 'operateur', identity: CANDIDATE, ip: '10.0.3.1' });
  const number = await attestationNumberOf(world, candidate.examId);
  const context = await browser.createBrowserContext();
  t.teardown(() => context.close().catch(() => undefined));
  const pageErrors: string[] = [];

  t.test('a manager prints a candidate’s attestation from the browser', async (t) => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.setDefaultNavigationTimeout(60_000);
    await page.setViewport({ width: 1280, height: 900 });
    page.on('pageerror', (err) => pageErrors.push(err instanceof Error ? err.message : String(err)));

    await page.goto(`${base}/connexion`, { waitUntil: 'load' });
    await page.type('#email', DEMO_MANAGER_EMAIL);
    await page.type('#mot_de_passe', DEMO_PASSWORD);
    await submit(page, 'form[action="/connexion"] button[type="submit"]');
    t.equal(pathOf(page), '/centre', 'signed in, on the centre’s dashboard');

    await page.goto(`${base}/centre/parametres`, { waitUntil: 'load' });
    t.equal(await text(page, 'h1'), 'Paramètres du centre', 'the settings page');
    for (const [name, value] of Object.entries(SIGNATORY)) {
      await page.$eval(`#${name}`, (input) => {
        (input as HTMLInputElement).value = '';
      });
      await page.type(`#${name}`, value);
    }
    const saved = await submit(page, 'form[action="/centre/parametres"] button[type="submit"]');
    t.equal(saved?.status(), 200, 'saved, back on the settings page');
    t.equal(pathOf(page), '/centre/parametres', 'on the settings page');
    t.same(
      flashes(await page.content()),
      [{ type: 'success', text: 'Les paramètres des attestations sont enregistrés. Les attestations déjà imprimées gardent leur texte.' }],
      'with the confirmation',
    );
    const centre = await db
      .selectFrom('centres')
      .select(['representative_name', 'representative_title', 'town', 'phone'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    t.same(
      centre,
      { representative_name: SIGNATORY.representant, representative_title: SIGNATORY.qualite, town: SIGNATORY.ville, phone: SIGNATORY.telephone },
      'the typed signatory is the centre’s',
    );

    await page.goto(`${base}/centre/sessions/${sessionId}`, { waitUntil: 'load' });
    const link = `a[href="/centre/examens/${candidate.examId}"]`;
    t.equal(await text(page, link), 'Lefèvre-Nuñez Zoé', 'the session lists the candidate');
    await submit(page, link);
    t.equal(pathOf(page), `/centre/examens/${candidate.examId}`, 'on the exam page');
    t.equal(await text(page, 'h1'), 'Examen de Zoé Lefèvre-Nuñez', 'the candidate’s exam');
    t.match(await bodyText(page), `Numéro : ${number} — pas encore imprimée.`, 'its attestation, not printed yet');

    const button = `form[action="/centre/examens/${candidate.examId}/attestation"] button[type="submit"]`;
    t.equal(await text(page, button), 'Attestation (PDF)', 'the print button');
    const pdfResponse = page.waitForResponse(
      (response) => response.request().method() === 'POST' && new URL(response.url()).pathname === `/centre/examens/${candidate.examId}/attestation`,
      { timeout: 60_000 },
    );
    // Chromium shows an inline PDF in its viewer, and DevTools then hands out the viewer's HTML as
    // the response's body: the PDF's own bytes are taken at the network level (Fetch, response stage).
    const pdfBytes = capturedBody(page, `*/centre/examens/${candidate.examId}/attestation`);
    await page.click(button);
    const response = await pdfResponse;
    t.equal(response.status(), 200, 'the POST answers 200');
    t.equal(response.headers()['content-type'], 'application/pdf', 'with a PDF');
    t.equal(response.headers()['content-disposition'], `inline; filename="attestation-${number}.pdf"`, 'named after the number');
    const pdf = await pdfBytes;
    t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'whose bytes are a PDF');
    const printed = flat(await reader.text(pdf));
    t.match(printed, 'atteste que M./Mme LEFÈVRE-NUÑEZ Zoé, né(e) le 23/04/1985', 'of the candidate');
    t.match(printed, `Je, soussigné(e) ${SIGNATORY.representant}, ${SIGNATORY.qualite}`, 'signed by the typed signatory');
    t.ok(holdsIgnoringSpaces(printed, `N° d’attestation : ${number}`), 'with its number');
    t.equal((await reader.info(pdf)).Pages, '1', 'one page');
    const row = await db.selectFrom('attestations').select(['printed_at', 'snapshot']).where('number', '=', number).executeTakeFirstOrThrow();
    t.equal(row.printed_at, world.clock.now().toISOString(), 'the first print is recorded');
    await page.close();
  });

  t.test('the whole session’s PDF, with JavaScript disabled: the job page refreshes itself', async (t) => {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    page.setDefaultNavigationTimeout(60_000);
    await page.setJavaScriptEnabled(false);
    const jobLoads: { path: string; refresh: string | undefined }[] = [];
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (response.request().resourceType() === 'document' && /^\/centre\/sessions\/\d+\/attestations\/[^/]+$/.test(path)) {
        jobLoads.push({ path, refresh: response.headers().refresh });
      }
    });

    await page.goto(`${base}/centre/sessions/${sessionId}`, { waitUntil: 'load' });
    const button = 'form:has(input[name="type"][value="admis"]) button[type="submit"]';
    t.equal(await text(page, button), 'Imprimer les attestations de compétences (1 candidat admis)', 'the session’s print button');

    const held = holdRenders(world.app.browserPool);
    const landed = await submit(page, button);
    const jobPath = pathOf(page);
    t.match(jobPath, /^\/centre\/sessions\/\d+\/attestations\/[A-Za-z0-9_-]{22}$/, 'on the job page');
    t.equal(landed?.headers().refresh, '2', 'which asks the browser to reload it (HTTP Refresh) while the job runs');
    t.equal(await text(page, '#impression [role="status"]'), 'Préparation du PDF : 0 sur 1 attestation.', 'the progress');
    t.equal(await page.$('a[href$="/pdf"]'), null, 'no PDF yet');
    held.open();

    // No script runs on the page: only the Refresh header can bring the link.
    const until = Date.now() + 60_000;
    let opened: string | null = null;
    while (opened === null) {
      if (Date.now() > until) throw new Error(`no « Ouvrir le PDF » after 60 s: ${await bodyText(page).catch(() => '?')}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
      opened = await page.$eval('a[href$="/pdf"]', (a) => (a.textContent ?? '').trim()).catch(() => null);
    }
    t.equal(opened, 'Ouvrir le PDF (1 attestation)', 'the link appeared');
    t.equal(pathOf(page), jobPath, 'on the same page, reloaded');
    t.ok(jobLoads.length >= 2, `the page was reloaded by the browser (${jobLoads.length} loads)`);
    t.same(
      jobLoads.map((load) => load.path),
      jobLoads.map(() => jobPath),
      'every load is of the job page',
    );
    t.same(
      jobLoads.map((load) => load.refresh),
      [...jobLoads.slice(0, -1).map(() => '2'), undefined],
      'Refresh while running, none once done',
    );
    t.match(await bodyText(page), 'Le PDF est prêt : 1 attestation.', 'ready');

    const href = await page.$eval('a[href$="/pdf"]', (a) => a.href);
    t.equal(href, `${base}${jobPath}/pdf`, 'the link’s address');
    const cookies = await context.cookies();
    const res = await fetch(href, { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } });
    t.equal(res.status, 200, 'fetched with the page’s cookies');
    t.equal(res.headers.get('content-type'), 'application/pdf', 'a PDF');
    const pdf = Buffer.from(await res.arrayBuffer());
    t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'whose bytes are a PDF');
    t.equal((await reader.info(pdf)).Pages, '1', 'of 1 page');
    t.match(flat(await reader.text(pdf)), 'atteste que M./Mme LEFÈVRE-NUÑEZ Zoé', 'the candidate’s attestation');
    const anonymous = await fetch(href, { redirect: 'manual' });
    t.equal(anonymous.status, 302, 'not without the manager’s session');
    t.equal(anonymous.headers.get('location'), `/connexion?suivant=${encodeURIComponent(`${jobPath}/pdf`)}`, 'who is sent to sign in');
    await page.close();
  });

  t.test('no JavaScript error on the pages', async (t) => {
    t.same(pageErrors, [], 'no uncaught exception');
  });
}
