/**
 * The attestation PDFs as printed by a real Chromium (the app's BrowserPool), read back with
 * poppler (pdftotext, pdfinfo, pdfimages, pdftoppm) and zbar (zbarimg): the official model's
 * wording with accents, the ticked profile, the metadata, the stamp, the signed QR code, the
 * frozen reprint, a whole session's PDF job, a browser killed mid-way, and the pool's bounds.
 */
import { createPublicKey, verify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Page, type Browser } from 'puppeteer';
import t, { type Test } from 'tap';
import type { Profile } from '../../../src/domain/profiles.js';
import { parseQrText } from '../../../src/domain/attestation.js';
import { BrowserPool, PdfBusyError, PdfOwnerBusyError, PdfUnavailableError } from '../../../src/services/pdf/browser-pool.js';
import { findBrowser } from '../../../src/services/pdf/browser-path.js';
import { managerAgent } from '../../helpers/agents.js';
import type { Agent } from '../../helpers/app.js';
import { attestationNumberOf, finishedCandidate, SIGNATORY } from '../../helpers/attestations.js';
import { visibleText } from '../../helpers/html.js';
import { kioskRoom, type IdentityFields } from '../../helpers/kiosk-room.js';
import { flat, holdRenders, holdsIgnoringSpaces, pdfTools } from '../../helpers/pdf-tools.js';
import { png } from '../../helpers/png.js';

t.setTimeout(115_000);

const browserPath = await findBrowser(null);
const { text: pdfText, info: pdfInfo, images: pdfImages, qrCodes } = await pdfTools(t);

type Tap = Test;

/** The kiosk takes the company's address too; IdentityFields of the helper does not name it. */
type FullIdentity = IdentityFields & { adresse_entreprise: string };

const ZOE: FullIdentity = {
  nom: 'Lefèvre-Nuñez',
  prenom: 'Zoé',
  date_naissance: '1985-04-23',
  entreprise: 'Terrassements du Rhône',
  adresse_entreprise: '12 rue des Lilas, 69003 Lyon',
};

const CENTRE_NAME = 'Centre de démonstration AIPR';
const CENTRE_ADDRESS = '1 rue de la Démonstration, 75001 Paris';
const CENTRE_EMAIL = 'contact@demo.test';
const SUPERVISOR = 'Surveillant de démonstration';
const TITLE = 'ATTESTATION DE COMPÉTENCES RELATIVE À L’INTERVENTION À PROXIMITÉ DES RÉSEAUX';
const LEGAL = '(application de l’article R. 554-31 du code de l’environnement et des articles 21 et 22 de son arrêté d’application du 15 février 2012 modifié)';
const NOTA =
  'Nota : l’attestation « Concepteur » est également valable pour les domaines « Encadrant » et « Opérateur » ; l’attestation « Encadrant » est également valable pour le domaine « Opérateur ».';
const CAPTIONS: Record<Profile, string> = {
  concepteur: 'Concepteur : Préparation et conduite de projet',
  encadrant: 'Encadrant : Encadrement de chantiers de travaux',
  operateur: 'Opérateur : Conduite d’engins ou réalisation de travaux urgents',
};
const PDF_FAILED = 'La préparation du PDF a échoué (le navigateur du serveur s’est arrêté ou n’a pas répondu). Réessayez : un nouveau navigateur sera lancé.';
const PDF_BUSY = 'Le serveur prépare déjà beaucoup de documents. Réessayez dans une minute.';

// ---------------------------------------------------------------------------------------------
// poppler and zbar
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Printing over HTTP
// ---------------------------------------------------------------------------------------------

/** The exam page (for its CSRF token), then « Attestation (PDF) »: the PDF's bytes. */
async function printAttestation(t: Tap, manager: Agent, examId: number): Promise<Buffer> {
  const page = await manager.get(`/centre/examens/${examId}`);
  t.equal(page.statusCode, 200, `exam page ${examId}`);
  const res = await manager.post(`/centre/examens/${examId}/attestation`, {});
  t.equal(res.statusCode, 200, `attestation of exam ${examId} printed`);
  t.equal(res.headers['content-type'], 'application/pdf', 'as a PDF');
  t.equal(res.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-', 'whose bytes are a PDF');
  return res.rawPayload;
}

async function saveSignatory(t: Tap, manager: Agent, fields: Record<string, string>): Promise<void> {
  await manager.get('/centre/parametres');
  const saved = await manager.post('/centre/parametres', fields);
  t.equal(saved.statusCode, 303, 'signatory saved');
}

const JOB_PATH = /^\/centre\/sessions\/\d+\/attestations\/[A-Za-z0-9_-]{22}$/;

/** « Imprimer les attestations … » of the session page: the job page's path. */
async function startJob(t: Tap, manager: Agent, sessionId: number, kind: 'admis' | 'echec'): Promise<string> {
  const session = await manager.get(`/centre/sessions/${sessionId}`);
  t.equal(session.statusCode, 200, 'session page');
  const res = await manager.post(`/centre/sessions/${sessionId}/attestations`, { type: kind });
  t.equal(res.statusCode, 303, `${kind} job started`);
  const location = String(res.headers.location);
  t.match(location, JOB_PATH, 'to the job page');
  return location;
}

/** The job page once the job is no longer running (polled as its Refresh header would). */
async function jobOutcome(manager: Agent, jobPath: string) {
  const until = Date.now() + 60_000;
  for (;;) {
    const res = await manager.get(jobPath);
    if (res.statusCode !== 200 || !res.body.includes('Préparation du PDF')) return res;
    if (Date.now() > until) throw new Error(`job ${jobPath} still running after 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Kills the browser of the next page that is given a document (Page#setContent: the pool has its
 * page, the document is about to be drawn), and waits for the connection to drop: that document's
 * render then fails, mid-way, whatever the pool does with its pages.
 */
function killOnNextDocument(t: Tap): { killed(): boolean } {
  const original = Object.getOwnPropertyDescriptor(Page.prototype, 'setContent')!;
  // Put back even when the test ends before a document is drawn.
  t.teardown(() => Object.defineProperty(Page.prototype, 'setContent', original));
  let killed = false;
  Object.defineProperty(Page.prototype, 'setContent', {
    ...original,
    value: async function (this: Page, ...args: Parameters<Page['setContent']>) {
      Object.defineProperty(Page.prototype, 'setContent', original);
      const browser = this.browser();
      const disconnected = disconnection(browser);
      killed = browser.process()?.kill('SIGKILL') ?? false;
      await disconnected;
      return (original.value as Page['setContent']).apply(this, args);
    },
  });
  return { killed: () => killed };
}

/** Resolves when Chromium's connection is gone; rejects after 30 s rather than hold the test. */
function disconnection(browser: Browser): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Chromium still connected 30 s after it was killed')), 30_000);
    browser.once('disconnected', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

// ---------------------------------------------------------------------------------------------

t.test('a Chromium is there for the PDFs', async (t) => {
  t.type(browserPath, 'string', 'findBrowser found a Chromium (the PDF tests never skip)');
});

t.test('the attestations of one session, as printed by the app’s Chromium', async (t) => {
  // One room for all (Chromium is slow to start here): 3 admitted candidates, one of each profile,
  // and 2 not admitted. The subtests run in order: single prints, session jobs, a browser killed,
  // and last the reprint a day later (it moves the clock).
  const room = await kioskRoom(t, { browserPath });
  const BERNARD: FullIdentity = {
    nom: 'Bernard',
    prenom: 'Inès',
    date_naissance: '1991-03-04',
    entreprise: 'Réseaux Bernard',
    adresse_entreprise: '8 rue Neuve, 42000 Saint-Étienne',
  };
  const ELUARD: FullIdentity = {
    nom: 'Éluard',
    prenom: 'Noé',
    date_naissance: '1975-05-06',
    entreprise: 'Canalisations Éluard',
    adresse_entreprise: '5 quai Gillet, 69004 Lyon',
  };
  const GIRARD: FullIdentity = {
    nom: 'Girard',
    prenom: 'Gaëlle',
    date_naissance: '1979-12-01',
    entreprise: 'Réseaux & Fils',
    adresse_entreprise: '',
  };
  const DURAND: FullIdentity = {
    nom: 'Durand',
    prenom: 'Théo',
    date_naissance: '1999-09-10',
    entreprise: 'Durand Élagage',
    adresse_entreprise: '2 rue Basse, 26000 Valence',
  };
  const zoe = await finishedCandidate(room, { passed: true, profile: 'operateur', identity: ZOE, ip: '10.0.1.1' });
  const concepteur = await finishedCandidate(room, { passed: true, profile: 'concepteur', identity: BERNARD, ip: '10.0.1.2' });
  const encadrant = await finishedCandidate(room, { passed: true, profile: 'encadrant', identity: ELUARD, ip: '10.0.1.3' });
  const failed = await finishedCandidate(room, { passed: false, profile: 'operateur', identity: GIRARD, ip: '10.0.1.4' });
  const failed2 = await finishedCandidate(room, { passed: false, profile: 'encadrant', identity: DURAND, ip: '10.0.1.5' });
  const admitted = [ZOE, BERNARD, ELUARD];
  const notAdmitted = [GIRARD, DURAND];
  const examOf = new Map([
    [ZOE, zoe.examId],
    [BERNARD, concepteur.examId],
    [ELUARD, encadrant.examId],
    [GIRARD, failed.examId],
    [DURAND, failed2.examId],
  ]);
  const printedName = (identity: FullIdentity) => `${identity.nom.toLocaleUpperCase('fr-FR')} ${identity.prenom}`;
  /** The candidates a page's statement names (« M./Mme NOM Prénom, »). */
  const namedOn = (text: string) => [...admitted, ...notAdmitted].filter((identity) => text.includes(`M./Mme ${printedName(identity)},`));

  const zoeNumber = await attestationNumberOf(room, zoe.examId);
  const session = await room.db.selectFrom('exam_sessions').select(['date', 'supervisor']).where('id', '=', room.sessionId).executeTakeFirstOrThrow();
  t.equal(session.date, '2026-11-29', 'the exam is of the test clock’s day');
  t.equal(session.supervisor, SUPERVISOR, 'the session’s supervisor');

  let manager = await managerAgent(room.testApp);
  await saveSignatory(t, manager, SIGNATORY);
  await manager.get('/centre/parametres');
  const uploaded = await manager.postMultipart('/centre/parametres/cachet', { cachet: { name: 'cachet.png', content: png(60, 30) } });
  t.equal(uploaded.statusCode, 303, 'the stamp is taken');
  const pool = room.app.browserPool;

  const zoePdf = await printAttestation(t, manager, zoe.examId);
  const zoeText = await pdfText(zoePdf);

  await t.test('the success PDF carries every field of the official model, accents included', async (t) => {
    const text = flat(zoeText);
    t.ok(
      text.startsWith(`${CENTRE_NAME} ${CENTRE_ADDRESS} ${CENTRE_EMAIL} — Tél. ${SIGNATORY.telephone} ${TITLE} ${LEGAL}`),
      `header, title (in capitals, as printed) and legal line: ${text.slice(0, 400)}`,
    );
    t.match(text, `Centre : centre0001 Surveillant : ${SUPERVISOR}`, 'centre ID and supervisor');
    t.match(text, 'Domaine de compétence couvert par l’attestation (une seule case cochée) :', 'the profiles’ heading');
    for (const caption of Object.values(CAPTIONS)) t.match(text, caption, `profile caption « ${caption} »`);
    t.match(text, NOTA, 'the Nota');
    t.match(
      text,
      `Je, soussigné(e) ${SIGNATORY.representant}, ${SIGNATORY.qualite}, atteste que M./Mme LEFÈVRE-NUÑEZ Zoé, né(e) le 23/04/1985, ` +
        `présenté(e) par Terrassements du Rhône – 12 rue des Lilas, 69003 Lyon, à l’examen tenu le 29 novembre 2026 relatif au domaine ` +
        `de compétences susmentionné, sous le n° de ticket d’examen ${zoe.token}, a réussi l’examen.`,
      'the statement, word for word',
    );
    t.match(text, 'La présente attestation est valable jusqu’au 29 novembre 2031 (cinq ans à compter de la date de l’examen).', 'valid 5 years');
    t.match(text, `Fait à ${SIGNATORY.ville}, le 29 novembre 2026`, 'place and day of issue');
    t.match(text, 'Cachet du centre et signature', 'the stamp’s box');
    t.ok(holdsIgnoringSpaces(text, `N° d’attestation : ${zoeNumber}`), 'the number');
    // Like the number above: pdftotext may split the random number where two glyphs sit apart.
    t.ok(
      holdsIgnoringSpaces(text, `Vérifiez cette attestation en lisant le code ci-contre, ou sur ${room.testApp.config.publicUrl}/verifier/${zoeNumber}`),
      'where to verify it',
    );
    t.notMatch(text, 'Attestation d’échec', 'not a failure attestation');
    t.notMatch(text, 'rectifiée', 'not corrected');
  });

  await t.test('pdfinfo: title, author, tags, one page of real text', async (t) => {
    const info = await pdfInfo(zoePdf);
    t.equal(info.Title, `Attestation de compétences n° ${zoeNumber}`, 'Title');
    t.equal(info.Author, `${CENTRE_NAME} (centre0001)`, 'Author');
    t.equal(info.Subject, 'Attestation de compétences relative à l’intervention à proximité des réseaux', 'Subject');
    t.equal(info.Creator, 'QCM-AIPR', 'Creator');
    t.equal(info.Tagged, 'yes', 'a tagged PDF (Chromium’s structure tree, kept by pdf-lib)');
    t.equal(info.Pages, '1', 'one page');
    t.match(info['Page size'] ?? '', /\(A4\)/, 'A4');
    t.ok(flat(zoeText).length > 1500, 'real text, not an image of text');
  });

  await t.test('the uploaded stamp is an image of the page', async (t) => {
    t.same(await pdfImages(zoePdf), [{ page: 1, type: 'image', width: 60, height: 30 }], 'one 60×30 image on page 1 (the QR code is vector)');
  });

  await t.test('the QR code: signed payload, public key, verification page', async (t) => {
    const codes = await qrCodes(zoePdf);
    t.equal(codes.length, 1, 'one QR code on the page');
    const parsed = parseQrText(codes[0] ?? '');
    if (!parsed) throw new Error(`not a QR text of the platform: ${codes[0]}`);
    t.equal(parsed.url, `${room.testApp.config.publicUrl}/verifier/${zoeNumber}`, 'the verification URL');

    const keyRes = await room.app.inject({ method: 'GET', url: '/verifier/cle' });
    t.equal(keyRes.statusCode, 200, 'public key published');
    t.match(keyRes.headers['content-type'], /^text\/plain/, 'as text');
    const keyId = String(keyRes.headers['x-key-id']);
    t.equal(keyId, room.app.attestationSigner.keyId, 'with its id');
    const key = createPublicKey(keyRes.body);
    t.equal(key.asymmetricKeyType, 'ed25519', 'an Ed25519 key');
    t.equal(verify(null, Buffer.from(parsed.payloadJson, 'utf8'), key, parsed.signature), true, 'the signature checks with the published key');

    const expected = {
      v: 1,
      n: zoeNumber,
      r: 'admis',
      c: 'LEFÈVRE-NUÑEZ Z.',
      p: 'operateur',
      d: '2026-11-29',
      u: '2031-11-29',
      e: 'centre0001',
      x: null,
      k: keyId,
    };
    t.equal(parsed.payloadJson, JSON.stringify(expected), 'the payload, key order included');
    t.same(JSON.parse(parsed.payloadJson), expected, 'its fields');

    const tampered = parsed.payloadJson.replace('LEFÈVRE-NUÑEZ Z.', 'LEFÈVRE-NUÑEZ Y.');
    t.not(tampered, parsed.payloadJson, 'a changed payload');
    t.equal(verify(null, Buffer.from(tampered, 'utf8'), key, parsed.signature), false, 'fails the check');
    const flipped = Buffer.from(parsed.signature);
    flipped[0] = flipped[0]! ^ 1;
    t.equal(verify(null, Buffer.from(parsed.payloadJson, 'utf8'), key, flipped), false, 'and so does a changed signature');

    const page = await room.app.inject({ method: 'GET', url: new URL(parsed.url).pathname, remoteAddress: '192.0.2.10' });
    t.equal(page.statusCode, 200, 'the verification page answers');
    const shown = visibleText(page.body);
    t.match(shown, 'Attestation valide', 'valid');
    t.match(shown, 'Titulaire LEFÈVRE-NUÑEZ Z.', 'the holder as the QR code names them');
    t.match(shown, 'Valable jusqu’au 29 novembre 2031', 'until the same day');
  });

  await t.test('the failure PDF', async (t) => {
    const pdf = await printAttestation(t, manager, failed.examId);
    const text = flat(await pdfText(pdf));
    const number = await attestationNumberOf(room, failed.examId);
    t.match(text, `${TITLE} ${LEGAL} Attestation d’échec Centre : centre0001`, 'titled « Attestation d’échec »');
    t.match(
      text,
      `atteste que M./Mme GIRARD Gaëlle, né(e) le 01/12/1979, présenté(e) par Réseaux & Fils, à l’examen tenu le 29 novembre 2026 relatif ` +
        `au domaine de compétences susmentionné, sous le n° de ticket d’examen ${failed.token}, n’a pas réussi l’examen.`,
      'did not pass (a company without an address: no dash)',
    );
    t.match(
      text,
      'La présente attestation d’échec ne permet pas à l’employeur de délivrer une autorisation d’intervention à proximité des réseaux (AIPR).',
      'gives no right',
    );
    t.notMatch(text, 'valable jusqu’au', 'no validity');
    t.notMatch(text, 'a réussi', 'no success');
    t.ok(holdsIgnoringSpaces(text, `N° d’attestation : ${number}`), 'its own number');
    t.equal((await pdfInfo(pdf)).Title, `Attestation d’échec n° ${number}`, 'its title');
  });

  await t.test('the ticked box is the profile’s, and only it', async (t) => {
    const byProfile: [Profile, Buffer][] = [
      ['concepteur', await printAttestation(t, manager, concepteur.examId)],
      ['encadrant', await printAttestation(t, manager, encadrant.examId)],
      ['operateur', zoePdf],
    ];
    for (const [profile, pdf] of byProfile) {
      const lines = (await pdfText(pdf)).split('\n');
      for (const other of Object.keys(CAPTIONS) as Profile[]) {
        const found = lines.filter((line) => line.includes(CAPTIONS[other]));
        t.equal(found.length, 1, `${profile}: one line for ${other}`);
        const line = (found[0] ?? '').trim().replace(/\s+/g, ' ');
        if (other === profile) t.equal(line, `X ${CAPTIONS[other]} (case cochée)`, `${profile}: its box is ticked`);
        else t.equal(line, CAPTIONS[other], `${profile}: the box of ${other} is empty`);
      }
      t.equal(lines.join('\n').split('(case cochée)').length - 1, 1, `${profile}: one ticked box`);
    }
  });

  await t.test('the admis job: progress while it runs, then one page per admitted candidate', async (t) => {
    const held = holdRenders(pool);
    const jobPath = await startJob(t, manager, room.sessionId, 'admis');
    const running = await manager.get(jobPath);
    t.equal(running.statusCode, 200, 'job page');
    t.equal(running.headers.refresh, '2', 'it reloads itself (HTTP Refresh) while the job runs');
    t.match(visibleText(running.body), 'Préparation du PDF : 0 sur 3 attestations.', 'the progress');
    t.match(running.body, '<progress max="3" value="0"', 'a progress bar');
    t.notMatch(running.body, 'Le PDF est prêt', 'not ready yet');
    t.notMatch(running.body, `${jobPath}/pdf`, 'no link yet');
    t.equal((await manager.get(`${jobPath}/pdf`)).statusCode, 404, 'nor a PDF');
    held.open();

    const done = await jobOutcome(manager, jobPath);
    t.equal(done.statusCode, 200, 'job page, done');
    t.equal(done.headers.refresh, undefined, 'no more Refresh once done');
    t.match(visibleText(done.body), 'Le PDF est prêt : 3 attestations. Ouvrir le PDF (3 attestations)', 'ready, with its link');
    t.match(done.body, `href="${jobPath}/pdf"`, 'to the PDF');

    const res = await manager.get(`${jobPath}/pdf`);
    t.equal(res.statusCode, 200, 'the PDF');
    t.equal(res.headers['content-type'], 'application/pdf', 'as a PDF');
    const info = await pdfInfo(res.rawPayload);
    t.equal(info.Pages, '3', 'three pages');
    t.equal(info.Author, `${CENTRE_NAME} (centre0001)`, 'the centre’s');
    t.match(info.Title, /— 3 candidats$/, 'titled for the session');
    t.equal(info.Title, 'Attestations de compétences — 3 candidats', 'in French');
    t.same(
      (await pdfImages(res.rawPayload)).map((image) => image.page),
      [1, 2, 3],
      'the stamp on each page',
    );
    const pages: string[] = [];
    for (let p = 1; p <= 3; p++) pages.push(flat(await pdfText(res.rawPayload, { page: p })));
    const order: string[] = [];
    for (const [i, text] of pages.entries()) {
      const named = namedOn(text);
      t.equal(named.length, 1, `page ${i + 1} names one candidate`);
      const identity = named[0]!;
      order.push(identity.nom);
      t.ok(admitted.includes(identity), `page ${i + 1}: an admitted one (${identity.nom})`);
      t.match(text, 'a réussi l’examen', `page ${i + 1}: a success`);
      t.ok(holdsIgnoringSpaces(text, `N° d’attestation : ${await attestationNumberOf(room, examOf.get(identity)!)}`), `page ${i + 1}: that candidate’s number`);
    }
    t.same([...order].sort(), ['Bernard', 'Lefèvre-Nuñez', 'Éluard'], 'each admitted candidate once, no one else');
    t.same(order, ['Bernard', 'Éluard', 'Lefèvre-Nuñez'], 'in alphabetical order as French sorts names, as the session page says');
  });

  await t.test('a browser killed mid-print: a French 503, nothing recorded; the next print relaunches it', async (t) => {
    const before = await room.db.selectFrom('attestations').select(['printed_at', 'snapshot']).where('exam_id', '=', failed2.examId).executeTakeFirstOrThrow();
    t.same(before, { printed_at: null, snapshot: null }, 'Durand’s attestation was never printed');
    const browser = await pool.browser();
    const pid = browser.process()?.pid;
    const kill = killOnNextDocument(t);
    await manager.get(`/centre/examens/${failed2.examId}`);
    const refused = await manager.post(`/centre/examens/${failed2.examId}/attestation`, {});
    t.equal(kill.killed(), true, 'the browser was killed as the document was being drawn');
    t.equal(refused.statusCode, 503, 'a 503');
    t.match(refused.headers['content-type'], /^text\/html/, 'as a page');
    t.match(visibleText(refused.body), PDF_FAILED, 'with PdfFailedError’s French message');
    t.equal(browser.connected, false, 'the browser is gone');
    const unchanged = await room.db
      .selectFrom('attestations')
      .select(['printed_at', 'snapshot'])
      .where('exam_id', '=', failed2.examId)
      .executeTakeFirstOrThrow();
    t.same(unchanged, { printed_at: null, snapshot: null }, 'nothing recorded as printed');
    t.same(pool.load, { active: 0, waiting: 0 }, 'its page is given back');

    // The browser was killed before this request: the pool relaunches it.
    const pdf = await printAttestation(t, manager, failed2.examId);
    t.match(flat(await pdfText(pdf)), 'M./Mme DURAND Théo, né(e) le 10/09/1999', 'the print right after is the attestation');
    const relaunched = await pool.browser();
    t.not(relaunched, browser, 'from a new browser');
    t.not(relaunched.process()?.pid, pid, 'a new process');
    const recorded = await room.db.selectFrom('attestations').select(['printed_at']).where('exam_id', '=', failed2.examId).executeTakeFirstOrThrow();
    t.equal(recorded.printed_at, room.clock.now().toISOString(), 'and this print is recorded');
  });

  let killedInJob: Browser | null = null;
  await t.test('a browser killed during a job fails the job in French', async (t) => {
    const browser = await pool.browser();
    killedInJob = browser;
    t.ok(browser.process()?.pid, 'the pool’s Chromium runs');
    const kill = killOnNextDocument(t);
    const jobPath = await startJob(t, manager, room.sessionId, 'admis');
    const outcome = await jobOutcome(manager, jobPath);
    t.equal(kill.killed(), true, 'the browser was killed while the job rendered');
    t.equal(browser.connected, false, 'the browser is gone');
    t.equal(outcome.statusCode, 200, 'job page');
    t.equal(outcome.headers.refresh, undefined, 'no Refresh for a failed job');
    t.match(visibleText(outcome.body), PDF_FAILED, 'PdfFailedError’s French message');
    t.notMatch(outcome.body, `${jobPath}/pdf`, 'no PDF to open');
    const job = await room.db
      .selectFrom('attestation_print_jobs')
      .select(['status', 'error', 'pdf'])
      .where('id', '=', jobPath.split('/').at(-1)!)
      .executeTakeFirstOrThrow();
    t.same(job, { status: 'failed', error: PDF_FAILED, pdf: null }, 'recorded as failed');
    t.equal((await manager.get(`${jobPath}/pdf`)).statusCode, 404, 'its PDF is not found');
    t.same(pool.load, { active: 0, waiting: 0 }, 'its page is given back');
  });

  await t.test('right after, the echec job relaunches the browser: one page per candidate not admitted', async (t) => {
    const jobPath = await startJob(t, manager, room.sessionId, 'echec');
    const done = await jobOutcome(manager, jobPath);
    t.match(visibleText(done.body), 'Le PDF est prêt : 2 attestations.', 'ready');
    const browser = await pool.browser();
    t.ok(killedInJob && browser !== killedInJob && browser.connected, 'made by a new browser, the killed one replaced');
    const res = await manager.get(`${jobPath}/pdf`);
    t.equal(res.statusCode, 200, 'the PDF');
    const info = await pdfInfo(res.rawPayload);
    t.equal(info.Pages, '2', 'two pages');
    t.equal(info.Title, 'Attestations d’échec — 2 candidats', 'titled for the session');
    const pages = [flat(await pdfText(res.rawPayload, { page: 1 })), flat(await pdfText(res.rawPayload, { page: 2 }))];
    t.same(
      pages.map((text) => namedOn(text).map((identity) => identity.nom)),
      [['Durand'], ['Girard']],
      'Durand then Girard, and no admitted candidate',
    );
    for (const text of pages) {
      t.match(text, 'Attestation d’échec', 'a failure attestation');
      t.match(text, 'n’a pas réussi l’examen', 'not passed');
      t.notMatch(text, 'valable jusqu’au', 'no validity');
    }
  });

  await t.test('a reprint is the first print; a corrected identity says « rectifiée »', async (t) => {
    // A day later, with another signatory: the reprint still says what the first print said.
    room.clock.advance(24 * 3600_000);
    manager = await managerAgent(room.testApp);
    const other = { representant: 'Marc-Antoine Lenôtre', qualite: 'Gérant', ville: 'Clermont-Ferrand', telephone: '01 23 45 67 89' };
    await saveSignatory(t, manager, other);
    const centre = await room.db.selectFrom('centres').select(['representative_name', 'town']).where('id', '=', 1).executeTakeFirstOrThrow();
    t.same(centre, { representative_name: other.representant, town: other.ville }, 'the centre has its new signatory');

    const reprint = await printAttestation(t, manager, zoe.examId);
    const reprintText = await pdfText(reprint);
    t.equal(reprintText, zoeText, 'the reprint’s text is the first print’s, to the character');
    t.equal(await attestationNumberOf(room, zoe.examId), zoeNumber, 'same number');
    t.same(await pdfImages(reprint), [{ page: 1, type: 'image', width: 60, height: 30 }], 'and the same stamp');

    const form = await manager.get(`/centre/examens/${zoe.examId}/identite`);
    t.equal(form.statusCode, 200, 'correction form');
    const corrected = await manager.post(`/centre/examens/${zoe.examId}/identite`, {
      ...ZOE,
      nom: 'Lefebvre-Núñez',
      motif: 'Nom mal saisi au poste (pièce d’identité vérifiée)',
    });
    t.equal(corrected.statusCode, 303, 'correction saved');

    const after = await printAttestation(t, manager, zoe.examId);
    const text = flat(await pdfText(after));
    t.match(text, 'atteste que M./Mme LEFEBVRE-NÚÑEZ Zoé, né(e) le 23/04/1985', 'the corrected name');
    t.notMatch(text, 'LEFÈVRE-NUÑEZ', 'not the old one');
    t.match(text, `Fait à ${SIGNATORY.ville}, le 29 novembre 2026`, 'issued the first day, by the first signatory');
    t.match(text, 'Attestation rectifiée le 30 novembre 2026', 'corrected today');
    t.ok(holdsIgnoringSpaces(text, `N° d’attestation : ${zoeNumber}`), 'the same number');
    t.notMatch(text, other.representant, 'not the new signatory');
    t.equal(await attestationNumberOf(room, zoe.examId), zoeNumber, 'the number is kept');
    const qr = parseQrText((await qrCodes(after))[0] ?? '');
    if (!qr) throw new Error('no QR code of the platform on the corrected attestation');
    const payload = JSON.parse(qr.payloadJson) as { n: string; c: string; x: string | null };
    t.same(
      [payload.n, payload.c, payload.x],
      [zoeNumber, 'LEFEBVRE-NÚÑEZ Z.', '2026-11-30'],
      'the QR code carries the corrected name and the day of the correction',
    );
    t.equal(verify(null, Buffer.from(qr.payloadJson, 'utf8'), room.app.attestationSigner.publicKey, qr.signature), true, 'signed anew');
  });
});

t.test('BrowserPool: a Chromium whose sandbox cannot start (Docker’s default seccomp profile) still prints, and the operator is told once', async (t) => {
  // A stand-in for a Chromium refused its user namespaces: it starts only with --no-sandbox.
  const dir = await mkdtemp(join(tmpdir(), 'qcm-aipr-sandbox-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const refusing = join(dir, 'chromium-without-namespaces');
  await writeFile(refusing, `#!/bin/sh\ncase " $* " in *" --no-sandbox "*) exec "${browserPath}" "$@";; esac\necho "No usable sandbox!" >&2\nexit 1\n`, {
    mode: 0o755,
  });
  const warnings: string[] = [];
  const pool = new BrowserPool(refusing, { pages: 1, queue: 2, timeoutMs: 30_000 }, { uid: 1000, warn: (message) => warnings.push(message) });
  t.teardown(() => pool.close());
  const html = '<!doctype html><html lang="fr"><meta charset="utf-8"><title>s</title><p>Sans bac à sable</p></html>';
  const pdf = await pool.htmlToPdf(html, { title: 'Essai', author: 'Tests' });
  t.equal(flat(await pdfText(pdf)), 'Sans bac à sable', 'the document is rendered');
  t.equal(warnings.length, 1, 'the operator is warned');
  t.match(warnings[0]!, 'sans bac à sable');
  (await pool.browser()).process()?.kill('SIGKILL');
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.equal(flat(await pdfText(await pool.htmlToPdf(html, { title: 'Essai', author: 'Tests' }))), 'Sans bac à sable', 'a relaunch after a crash prints too');
  t.equal(warnings.length, 1, 'without trying the sandbox again, nor warning again');
});

t.test('BrowserPool: one centre holds at most `perOwner` documents at once, the others print meanwhile', async (t) => {
  const pool = new BrowserPool(browserPath, { pages: 1, queue: 10, timeoutMs: 30_000, perOwner: 2 });
  t.teardown(() => pool.close());
  const html = (n: number) => `<!doctype html><html lang="fr"><meta charset="utf-8"><title>n${n}</title><p>Document numéro ${n}</p></html>`;
  const metadata = { title: 'Essai', author: 'Tests' };
  const renders = [1, 2, 3].map((n) => pool.htmlToPdf(html(n), metadata, 'centre:0001'));
  const other = pool.htmlToPdf(html(4), metadata, 'centre:0002');
  const settled = await Promise.allSettled([...renders, other]);
  t.same(
    settled.map((s) => s.status),
    ['fulfilled', 'fulfilled', 'rejected', 'fulfilled'],
    'the third of one centre is refused; another centre’s is not',
  );
  const refused = settled[2]!.status === 'rejected' ? (settled[2]!.reason as PdfOwnerBusyError) : null;
  t.ok(refused instanceof PdfOwnerBusyError, 'with PdfOwnerBusyError');
  t.equal(refused?.statusCode, 429, 'a 429: the centre itself is asking too much');
  t.equal(refused?.message, 'Votre centre fait déjà préparer plusieurs documents : attendez qu’ils soient prêts, puis relancez celui-ci.');
  t.equal(flat(await pdfText(await pool.htmlToPdf(html(5), metadata, 'centre:0001'))), 'Document numéro 5', 'once done, the centre prints again');
});

t.test('BrowserPool: bounded pages, bounded queue, no network', async (t) => {
  const pool = new BrowserPool(browserPath, { pages: 1, queue: 1, timeoutMs: 30_000 });
  t.teardown(() => pool.close());
  const html = (n: number) => `<!doctype html><html lang="fr"><meta charset="utf-8"><title>n${n}</title><p>Document numéro ${n}</p></html>`;
  const metadata = { title: 'Essai', author: 'Tests' };

  const renders = [1, 2, 3].map((n) => pool.htmlToPdf(html(n), metadata));
  t.same(pool.load, { active: 1, waiting: 1 }, 'one page rendering, one document waiting');
  const settled = await Promise.allSettled(renders);
  t.same(
    settled.map((s) => s.status),
    ['fulfilled', 'fulfilled', 'rejected'],
    'the third document, beyond the page and the queue, is refused',
  );
  const refused = settled[2]!.status === 'rejected' ? (settled[2]!.reason as unknown) : null;
  t.ok(refused instanceof PdfBusyError, 'with PdfBusyError');
  t.equal((refused as Error | null)?.message, PDF_BUSY, 'in French');
  t.equal((refused as PdfBusyError | null)?.statusCode, 503, 'a 503');
  for (const [i, s] of settled.slice(0, 2).entries()) {
    const pdf = s.status === 'fulfilled' ? s.value : Buffer.alloc(0);
    t.equal(flat(await pdfText(pdf)), `Document numéro ${i + 1}`, `document ${i + 1} rendered`);
    t.equal((await pdfInfo(pdf)).Title, 'Essai', 'with its metadata');
  }
  t.same(pool.load, { active: 0, waiting: 0 }, 'back to idle');

  const started = Date.now();
  const blocked = await pool.htmlToPdf(
    '<!doctype html><html lang="fr"><meta charset="utf-8"><p>Avant l’image</p><img src="http://example.invalid/x.png" alt=""><p>Après l’image</p></html>',
    metadata,
  );
  t.ok(Date.now() - started < 25_000, 'a network image does not hold the page');
  t.equal(flat(await pdfText(blocked)), 'Avant l’image Après l’image', 'the page still renders');
  t.same(await pdfImages(blocked), [], 'without the image: its request was aborted');
  const inline = await pool.htmlToPdf(
    `<!doctype html><html lang="fr"><meta charset="utf-8"><p>Image en ligne</p><img src="data:image/png;base64,${png(60, 30).toString('base64')}" alt=""></html>`,
    metadata,
  );
  t.same(await pdfImages(inline), [{ page: 1, type: 'image', width: 60, height: 30 }], 'whereas a data: image is drawn');
  t.same(pool.load, { active: 0, waiting: 0 }, 'idle again');

  const none = new BrowserPool(null);
  t.equal(none.available, false, 'a pool without Chromium is unavailable');
  const unavailable = (await none.htmlToPdf(html(4), metadata).catch((err: unknown) => err)) as Error;
  t.ok(unavailable instanceof PdfUnavailableError, 'and refuses with PdfUnavailableError');
  t.equal(
    unavailable.message,
    'La génération des PDF est indisponible : aucun navigateur Chromium n’est installé sur le serveur. Prévenez l’exploitant de la plateforme.',
    'in French',
  );
});

/** The main Chromium processes this test process launched on a profile folder (`--user-data-dir=…`), by pid. */
async function browserProcesses(profileArg: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if ((await readFile(`/proc/${entry}/cmdline`, 'utf8')).split('\0').includes(profileArg)) pids.push(Number(entry));
    } catch {
      // the process ended while it was looked at
    }
  }
  return pids;
}

t.test('BrowserPool: after a crash, two documents at once', async (t) => {
  const pool = new BrowserPool(browserPath, { pages: 2, queue: 2, timeoutMs: 30_000 });
  const first = await pool.browser();
  const profileArg = first.process()?.spawnargs.find((arg) => arg.startsWith('--user-data-dir=')) ?? '';
  t.match(profileArg, /^--user-data-dir=\S+qcm-aipr-chromium-/, 'the pool’s Chromium has its profile folder');
  t.teardown(async () => {
    await pool.close();
    // A browser the pool lost track of would keep this process alive: ended here, by its pid.
    for (const pid of await browserProcesses(profileArg)) process.kill(pid, 'SIGKILL');
    const profileDir = /^--user-data-dir=(\S*qcm-aipr-chromium-\w+)$/.exec(profileArg)?.[1];
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });
  const disconnected = disconnection(first);
  t.equal(first.process()?.kill('SIGKILL'), true, 'the browser is killed');
  await disconnected;

  const metadata = { title: 'Essai', author: 'Tests' };
  const settled = await Promise.allSettled([1, 2].map((n) => pool.htmlToPdf(`<p lang="fr">Après l’arrêt ${n}</p>`, metadata)));
  t.same(
    settled.map((s) => (s.status === 'rejected' ? String((s.reason as Error).cause) : s.status)),
    ['fulfilled', 'fulfilled'],
    'both documents are made (one relaunch for both: two Chromiums on one profile folder would fail)',
  );
  const relaunched = await pool.browser();
  t.same(await browserProcesses(profileArg), [relaunched.process()?.pid], 'by the one new browser, and no other left running');
  t.same((await pool.htmlToPdf('<p lang="fr">Ensuite</p>', metadata)).subarray(0, 5).toString('latin1'), '%PDF-', 'and the documents after them too');
});
