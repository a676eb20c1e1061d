/**
 * The manual as one printable PDF (issue 15): the same sections as the page /aide, read back with
 * poppler; rendered once per process by the app's one browser, and a failed render not kept.
 */
import t from 'tap';
import { findBrowser } from '../../../src/services/pdf/browser-path.js';
import { PdfFailedError } from '../../../src/services/pdf/browser-pool.js';
import { Agent, createTestApp } from '../../helpers/app.js';
import { decodeEntities, visibleText } from '../../helpers/html.js';
import { flat, pdfTools } from '../../helpers/pdf-tools.js';

t.setTimeout(115_000);

const browserPath = await findBrowser(null);
const { text: pdfText, info: pdfInfo } = await pdfTools(t);

/** The page's summary: the manual's sections, in order. */
function summaryOf(html: string): string[] {
  const nav = /<nav class="fr-summary[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
  return [...nav.matchAll(/<a class="fr-summary__link" href="#[^"]+">([^<]+)<\/a>/g)].map((m) => decodeEntities(m[1]!));
}

t.test('GET /aide/manuel.pdf: the manual’s sections, its FAQ and page numbers, in an A4 PDF linked from /aide', async (t) => {
  t.type(browserPath, 'string', 'a Chromium is there (the PDF tests never skip)');
  const testApp = await createTestApp(t, { browserPath, env: { CONTACT_EMAIL: 'aipr@ecologie.gouv.fr' } });
  const visitor = new Agent(testApp.app, '10.40.0.1');

  const before = await visitor.get('/aide');
  t.match(
    before.body,
    /<a class="fr-link fr-link--download" download href="\/aide\/manuel.pdf">Télécharger le manuel imprimable <span class="fr-link__detail">PDF<\/span><\/a>/,
    '/aide offers the PDF, its format said as the DSFR’s download links do',
  );
  const sections = summaryOf(before.body);
  t.ok(sections.length >= 15, `the summary lists the manual’s sections (${sections.length})`);
  for (const expected of ['Premiers pas : avant la première session', 'Questions fréquentes', 'Vérifier les postes avant la session', 'Données personnelles']) {
    t.ok(sections.includes(expected), `the summary lists « ${expected} »`);
  }

  const res = await visitor.get('/aide/manuel.pdf');
  t.equal(res.statusCode, 200);
  t.equal(res.headers['content-type'], 'application/pdf');
  t.match(res.headers['content-disposition'], /^inline; filename="manuel-qcm-aipr\.pdf"$/);
  const info = await pdfInfo(res.rawPayload);
  t.equal(info.Title, 'Mode d’emploi de la plateforme QCM-AIPR', 'its title in the metadata');
  t.match(info['Page size'], /\(A4\)$/, 'A4');
  const pages = Number(info.Pages);
  t.ok(pages > 5, `several pages (${pages})`);

  const text = flat(await pdfText(res.rawPayload));
  t.match(text, 'Mode d’emploi de la plateforme QCM-AIPR Pour les gestionnaires de centre', 'the title, then who it is for');
  t.match(text, 'Sommaire', 'a table of contents');
  for (const title of sections) t.ok(text.includes(title), `the PDF holds the section « ${title} »`);
  t.match(text, 'Un candidat a perdu son jeton, ou un coupon a disparu', 'a question of the FAQ');
  t.match(text, 'Révoquez ce jeton depuis sa table', 'and its answer');
  t.match(text, 'aipr@ecologie.gouv.fr', 'the configuration’s contact address, as on the page');
  t.match(text, 'Page 1 sur', 'page numbers');
  t.match(text, `Page ${pages} sur ${pages}`, 'the last page says it is the last');
  const page = visibleText((await visitor.get('/aide')).body);
  t.ok(text.includes(flat(/Un code de session est valable[^.]+\./.exec(page)?.[0] ?? '—')), 'the same text as the page, with the same figures');

  const after = await visitor.get('/aide');
  t.match(
    after.body,
    new RegExp(`<span class="fr-link__detail">PDF – ${Math.round(res.rawPayload.length / 1024)} Ko</span>`),
    'once rendered, /aide states the PDF’s size',
  );
});

t.test('the PDF is rendered once per process, concurrent first requests sharing it; a failure refuses for a minute, then is forgotten', async (t) => {
  t.type(browserPath, 'string', 'a Chromium is there (the PDF tests never skip)');
  const testApp = await createTestApp(t, { browserPath });
  const pool = testApp.app.browserPool;
  const render = pool.renderPages.bind(pool);
  let renders = 0;
  let failNext = true;
  pool.renderPages = async (html: string, owner?: string) => {
    renders += 1;
    if (failNext) {
      failNext = false;
      throw new PdfFailedError(new Error('the page crashed'));
    }
    return render(html, owner);
  };
  const visitor = new Agent(testApp.app, '10.40.0.2');

  const failed = await Promise.all([visitor.get('/aide/manuel.pdf'), visitor.get('/aide/manuel.pdf')]);
  t.same(
    failed.map((r) => r.statusCode >= 500),
    [true, true],
    'a render that fails fails both requests that waited for it',
  );
  t.equal(renders, 1, 'the two first requests shared one render');

  const soon = await visitor.get('/aide/manuel.pdf');
  t.equal(soon.statusCode, 503, 'within the minute after a failure, refused');
  t.match(visibleText(soon.body), 'Le manuel imprimable est momentanément indisponible. Réessayez dans une minute');
  t.equal(renders, 1, 'without trying to render');
  testApp.clock.advance(61_000);

  const [first, second] = await Promise.all([visitor.get('/aide/manuel.pdf'), visitor.get('/aide/manuel.pdf')]);
  t.equal(first.statusCode, 200, 'the failure was not kept: a minute later, the next request renders again');
  t.equal(renders, 2, 'one render for two concurrent requests');
  t.ok(first.rawPayload.equals(second.rawPayload), 'both get the same PDF');
  const third = await visitor.get('/aide/manuel.pdf');
  t.equal(renders, 2, 'a later request renders nothing');
  t.ok(third.rawPayload.equals(first.rawPayload), 'and gets the same PDF');
});
