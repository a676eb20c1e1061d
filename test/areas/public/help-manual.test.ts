/**
 * Issue 15, the user manual: every page of the site has its « Aide » button, and it opens the
 * manual's section of that page. The routes come from the app itself (Fastify's route tree), so a
 * page added later fails here until it is classified below: a page names the manual's section it
 * belongs to (the heading the button must land under), anything else says why it has no button.
 */
import type { FastifyInstance } from 'fastify';
import t from 'tap';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { seedDemoHistory } from '../../../src/operator/seed-demo-history.js';
import { writeAccountLink } from '../../../src/services/accounts/links.js';
import { findBrowser } from '../../../src/services/pdf/browser-path.js';
import { TERMINAL_COOKIE } from '../../../src/services/exam/admission.js';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, DEMO_PASSWORD } from '../../helpers/app.js';
import { visibleText } from '../../helpers/html.js';
import { admit } from '../../helpers/kiosk.js';
import { CENTRE_ID } from '../../helpers/kiosk-room.js';
import { holdRenders } from '../../helpers/pdf-tools.js';

t.setTimeout(115_000);

/** Every GET route, read from Fastify's printed route tree (each level indented by 4 characters). */
function getRoutes(app: FastifyInstance): string[] {
  const parents: string[] = [];
  const routes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false, method: 'GET' }).split('\n')) {
    const m = /^(.*?)[└├]── (.+?)(?: \(([^)]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    const path = (depth === 0 ? '' : parents[depth - 1]!) + (depth === 1 && !m[2]!.startsWith('/') ? `/${m[2]}` : m[2]!);
    parents.length = depth;
    parents[depth] = path.replace(/\/$/, '');
    if (m[3]?.split(', ').includes('GET')) routes.push(path);
  }
  return routes;
}

type Reader = 'visiteur' | 'gestionnaire' | 'administration' | 'connexion en cours';

interface Ids {
  batch: number;
  token: number;
  pastSession: number;
  openSession: number;
  terminal: number;
  exam: number;
  attestation: string;
  job: string;
  questionnaire: number;
  manager: number;
  secret: string;
}

/** A page: who opens it, where, and the heading of its section in the manual. */
interface Page {
  as: Reader;
  url: (ids: Ids) => string;
  section: string;
  /** The status of the page when it is not 200 (an error page keeps the layout and its button). */
  status?: number;
}

const page = (as: Reader, url: string | ((ids: Ids) => string), section: string, status?: number): Page => ({
  as,
  url: typeof url === 'string' ? () => url : url,
  section,
  status,
});

const SESSIONS = 'Sessions d’examen : la salle et les incidents';

/** Every GET route of the app: a page and its section, or why it has no « Aide » button. */
const ROUTES: Record<string, Page | { notAPage: string }> = {
  '/*': { notAPage: 'static files' },
  '/': { notAPage: 'a redirect to the home page of the account' },
  '/healthz': { notAPage: 'JSON for the operator' },
  '/aide': page('visiteur', '/aide', 'Aide — mode d’emploi'),
  '/aide/manuel.pdf': { notAPage: 'the manual as a PDF' },
  '/connexion': page('visiteur', '/connexion', 'Se connecter'),
  '/connexion/code': page('connexion en cours', '/connexion/code', 'Mon compte : la double authentification'),
  '/connexion/oidc': { notAPage: 'a redirect to Cerbère' },
  '/connexion/oidc/retour': page('visiteur', '/connexion/oidc/retour', 'Se connecter', 400),
  '/connexion/cas': { notAPage: 'a redirect to Cerbère' },
  '/connexion/cas/retour': page('visiteur', '/connexion/cas/retour', 'Se connecter', 400),
  '/mot-de-passe-oublie': page('visiteur', '/mot-de-passe-oublie', 'Se connecter'),
  '/compte/mot-de-passe/:secret': page('visiteur', (ids) => `/compte/mot-de-passe/${ids.secret}`, 'Se connecter'),
  '/compte': page('gestionnaire', '/compte', 'Mon compte : la double authentification'),
  '/compte/double-authentification': page('gestionnaire', '/compte/double-authentification', 'Mon compte : la double authentification'),
  '/verifier': page('visiteur', '/verifier', 'Vérifier une attestation'),
  '/verifier/cle': { notAPage: 'the public key, as PEM text' },
  '/verifier/:numero': page('visiteur', (ids) => `/verifier/${ids.attestation}`, 'Vérifier une attestation'),

  '/centre': page('gestionnaire', '/centre', 'Tableau de bord du centre'),
  '/centre/jetons': page('gestionnaire', '/centre/jetons', 'Jetons d’examen'),
  '/centre/jetons/nouvelle-table': page('gestionnaire', '/centre/jetons/nouvelle-table', 'Initialiser une table de jetons'),
  '/centre/jetons/lots/:id': page('gestionnaire', (ids) => `/centre/jetons/lots/${ids.batch}`, 'Une table de jetons'),
  '/centre/jetons/lots/:id/impression': page('gestionnaire', (ids) => `/centre/jetons/lots/${ids.batch}/impression`, 'Imprimer une table'),
  '/centre/jetons/lots/:id/revoquer': page('gestionnaire', (ids) => `/centre/jetons/lots/${ids.batch}/revoquer`, 'Révoquer des jetons'),
  '/centre/jetons/lots/:id/jetons/:tokenId/revoquer': page(
    'gestionnaire',
    (ids) => `/centre/jetons/lots/${ids.batch}/jetons/${ids.token}/revoquer`,
    'Révoquer des jetons',
  ),
  '/centre/sessions': page('gestionnaire', '/centre/sessions', SESSIONS),
  '/centre/sessions/nouvelle': page('gestionnaire', '/centre/sessions/nouvelle', 'Créer une session'),
  '/centre/sessions/:id': page('gestionnaire', (ids) => `/centre/sessions/${ids.openSession}`, SESSIONS),
  '/centre/sessions/:id/postes/:poste/retirer': page(
    'gestionnaire',
    (ids) => `/centre/sessions/${ids.openSession}/postes/${ids.terminal}/retirer`,
    'Admettre les postes de la salle',
  ),
  '/centre/sessions/:id/fermer': page('gestionnaire', (ids) => `/centre/sessions/${ids.openSession}/fermer`, 'Fermer la session'),
  '/centre/sessions/:id/proces-verbal': { notAPage: 'a printable document (views/documents/), without the layout' },
  '/centre/sessions/:id/proces-verbal.pdf': { notAPage: 'a PDF' },
  '/centre/sessions/:id/resultats.csv': { notAPage: 'a CSV file' },
  '/centre/sessions/:id/attestations/:job': page(
    'gestionnaire',
    (ids) => `/centre/sessions/${ids.pastSession}/attestations/${ids.job}`,
    'Imprimer les attestations de la session',
  ),
  '/centre/sessions/:id/attestations/:job/pdf': { notAPage: 'a PDF' },
  '/centre/examens/:id': page('gestionnaire', (ids) => `/centre/examens/${ids.exam}`, 'Fiche d’un examen'),
  '/centre/examens/:id/annulation': page('gestionnaire', (ids) => `/centre/examens/${ids.exam}/annulation`, 'Annuler un examen'),
  '/centre/examens/:id/attestation': { notAPage: 'the attestation’s preview, a printable document' },
  '/centre/examens/:id/attestation/annulation': page(
    'gestionnaire',
    (ids) => `/centre/examens/${ids.exam}/attestation/annulation`,
    'Annuler une attestation',
  ),
  '/centre/examens/:id/identite': page('gestionnaire', (ids) => `/centre/examens/${ids.exam}/identite`, 'Corriger l’identité d’un candidat'),
  '/centre/resultats': page('gestionnaire', '/centre/resultats', 'Résultats du centre'),
  '/centre/resultats.csv': { notAPage: 'a CSV file' },
  '/centre/archives': page('gestionnaire', '/centre/archives', 'Archives des sessions'),
  '/centre/parametres': page('gestionnaire', '/centre/parametres', 'Paramètres du centre'),
  '/centre/parametres/cachet': { notAPage: 'the stamp’s image' },

  '/admin': page('administration', '/admin', 'Administration nationale : les chiffres de la plateforme'),
  '/admin/centres': page('administration', '/admin/centres', 'Centres d’examen'),
  '/admin/centres/nouveau': page('administration', '/admin/centres/nouveau', 'Reconnaître un centre'),
  '/admin/centres/:id': page('administration', `/admin/centres/${CENTRE_ID}`, 'Centres d’examen'),
  '/admin/centres/:id/chiffres': page('administration', `/admin/centres/${CENTRE_ID}/chiffres`, 'Chiffres d’un centre'),
  '/admin/centres/:id/chiffres.csv': { notAPage: 'a CSV file' },
  '/admin/chiffres.csv': { notAPage: 'a CSV file' },
  '/admin/gestionnaires': page('administration', '/admin/gestionnaires', 'Comptes de gestionnaire'),
  '/admin/gestionnaires/nouveau': page('administration', '/admin/gestionnaires/nouveau', 'Créer un compte de gestionnaire'),
  '/admin/gestionnaires/:id': page('administration', (ids) => `/admin/gestionnaires/${ids.manager}`, 'Comptes de gestionnaire'),
  '/admin/questionnaires': page('administration', '/admin/questionnaires', 'Questionnaires'),
  '/admin/questionnaires/importer': page('administration', '/admin/questionnaires/importer', 'Importer une banque de questions'),
  '/admin/questionnaires/modeles/modele-banque.json': { notAPage: 'a template file' },
  '/admin/questionnaires/modeles/modele-banque.csv': { notAPage: 'a template file' },
  '/admin/questionnaires/modeles/modele-entete.json': { notAPage: 'a template file' },
  '/admin/questionnaires/:id': page('administration', (ids) => `/admin/questionnaires/${ids.questionnaire}`, 'Questionnaires'),
  '/admin/questionnaires/:id/statistiques': page(
    'administration',
    (ids) => `/admin/questionnaires/${ids.questionnaire}/statistiques`,
    'Statistiques des questions',
  ),
  '/admin/questionnaires/:id/statistiques.csv': { notAPage: 'a CSV file' },
  '/admin/questionnaires/:id/images/:questionId': { notAPage: 'a question’s image' },
  '/admin/questionnaires/:id/publier': page('administration', (ids) => `/admin/questionnaires/${ids.questionnaire}/publier`, 'Publier une version'),
  '/admin/questionnaires/:id/retirer': page('administration', (ids) => `/admin/questionnaires/${ids.questionnaire}/retirer`, 'Retirer une version'),
  '/admin/journal': page('administration', '/admin/journal', 'Journal d’audit'),
  '/admin/attestations': page('administration', '/admin/attestations', 'Attestations (administration)'),
  '/admin/attestations/:numero': page('administration', (ids) => `/admin/attestations/${ids.attestation}`, 'Attestations (administration)'),
  '/admin/attestations/:numero/apercu': { notAPage: 'the attestation’s preview, a printable document' },
  '/admin/attestations/:numero/annulation': page(
    'administration',
    (ids) => `/admin/attestations/${ids.attestation}/annulation`,
    'Attestations (administration)',
  ),
  '/admin/attestations/:numero/identite': page(
    'administration',
    (ids) => `/admin/attestations/${ids.attestation}/identite`,
    'Attestations (administration)',
  ),
  '/admin/anomalies': page('administration', '/admin/anomalies', 'Anomalies'),
  '/admin/donnees-personnelles': page('administration', '/admin/donnees-personnelles', 'Données personnelles'),
};

/** The kiosk (/examen…) has a layout of its own, without « Aide »: candidates have the surveillant. */
const KIOSK = /^\/examen(?:\.html|\/|$)/;

/** The manual's sections of the kiosk's pages, for the centres that read about them. */
const KIOSK_SECTIONS: Record<string, string> = {
  examen: 'Le passage de l’examen par les candidats',
  'examen-diagnostic': 'Vérifier les postes avant la session',
};

/** The heading of the manual's section that holds `id`: the last h1–h3 that starts before it. */
function sectionOf(manual: string, id: string): string | null {
  const at = manual.indexOf(` id="${id}"`);
  if (at < 0) return null;
  const headings = [...manual.slice(0, at).matchAll(/<h[1-3][^>]*>([\s\S]*?)<\/h[1-3]>|<h[1-3]\b[^>]*$/g)];
  const last = headings.at(-1);
  if (!last) return null;
  // The id on the heading itself: its text follows.
  const text = last[1] ?? /^[^>]*>([\s\S]*?)<\/h[1-3]>/.exec(manual.slice(at))?.[1] ?? '';
  return visibleText(text);
}

const HELP_BUTTON = /<a class="fr-btn fr-icon-question-line" href="\/aide(?:#([^"]*))?"/;

t.test('every page’s « Aide » button opens the manual’s section of that page', async (t) => {
  const browserPath = await findBrowser(null);
  t.type(browserPath, 'string', 'a Chromium is there (a session’s attestations are printed through it)');
  const testApp = await createTestApp(t, {
    seed: true,
    browserPath,
    env: { OIDC_ISSUER: 'https://cerbere.example.gouv.fr', OIDC_CLIENT_ID: 'qcm-aipr', CAS_URL: 'https://cerbere.example.gouv.fr/cas/public' },
  });
  const { app } = testApp;
  const db = testApp.db.kysely;
  // The demo's past session: finished exams, their attestations and a session's print.
  await seedDemoHistory(db, testApp.clock, CENTRE_ID);

  const routes = getRoutes(app);
  const classified = new Set(Object.keys(ROUTES));
  t.same(
    routes.filter((r) => !KIOSK.test(r) && !classified.has(r)),
    [],
    'every GET route is classified here: a new page gets its section in the manual (views/public/help/) and a line in ROUTES',
  );
  t.same(
    [...classified].filter((r) => !routes.includes(r)),
    [],
    'every route classified here exists (a route renamed is renamed here too)',
  );

  const manual = (await new Agent(app, '10.30.0.1').get('/aide')).body;
  const ids = [...manual.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
  t.same(
    ids.filter((id, i) => ids.indexOf(id) !== i),
    [],
    'each id of the manual’s page is unique',
  );
  for (const [id, heading] of Object.entries(KIOSK_SECTIONS)) t.equal(sectionOf(manual, id), heading, `the kiosk’s #${id} is explained: « ${heading} »`);

  const agents: Record<Reader, Agent> = {
    visiteur: new Agent(app, '10.30.0.2'),
    gestionnaire: await managerAgent(testApp, { ip: '10.30.0.3' }),
    administration: await adminAgent(testApp, { ip: '10.30.0.4' }),
    'connexion en cours': new Agent(app, '10.30.0.5'),
  };
  const signingIn = await agents['connexion en cours'].signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(signingIn.headers.location, '/connexion/code', 'an administrator’s password leads to the code step');

  // The data the pages with an id need: the demo's tables, sessions, exams and attestations.
  const batch = await db.selectFrom('exam_tokens').select(['batch_id', 'id']).where('status', '=', 'available').orderBy('id').executeTakeFirstOrThrow();
  const attested = await db
    .selectFrom('attestations as a')
    .innerJoin('exams as e', 'e.id', 'a.exam_id')
    .select(['a.number', 'e.id as exam', 'e.exam_session_id as session_id'])
    .where('a.kind', '=', 'admis')
    .orderBy('a.exam_id')
    .executeTakeFirstOrThrow();
  const open = await db.selectFrom('exam_sessions').select('id').where('status', '=', 'open').executeTakeFirstOrThrow();
  const kiosk = new Agent(app, '10.30.0.6');
  await admit(kiosk, { sessionId: open.id, label: 'Poste 1' });
  const manager = await db.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  // The print stays « running »: its page is what is looked at, not the PDF.
  holdRenders(app.browserPool);
  await agents.gestionnaire.get(`/centre/sessions/${attested.session_id}`);
  const printing = await agents.gestionnaire.post(`/centre/sessions/${attested.session_id}/attestations`, { type: 'admis' });
  const job = /\/attestations\/([^/?#]+)$/.exec(printing.headers.location ?? '')?.[1];
  t.ok(job, 'a session’s print starts');
  const questionnaire = await db.selectFrom('questionnaires').select('id').where('status', '=', 'published').orderBy('id').executeTakeFirstOrThrow();
  const data: Ids = {
    batch: batch.batch_id,
    token: batch.id,
    pastSession: attested.session_id,
    openSession: open.id,
    terminal: Number(kiosk.cookies.get(TERMINAL_COOKIE)?.split('.')[0]),
    exam: attested.exam,
    attestation: attested.number,
    job: job ?? '',
    questionnaire: questionnaire.id,
    manager: manager.id,
    secret: await db.transaction().execute((trx) => writeAccountLink(trx, testApp.clock.now(), manager.id, 'reset')),
  };

  for (const route of routes.filter((r) => !KIOSK.test(r))) {
    const entry = ROUTES[route];
    if (!entry || 'notAPage' in entry) continue;
    const url = entry.url(data);
    const res = await agents[entry.as].get(url);
    t.equal(res.statusCode, entry.status ?? 200, `${route}: ${url} answers`);
    const anchor = HELP_BUTTON.exec(res.body)?.[1];
    t.ok(anchor, `${route}: the page has its « Aide » button, with the id of its section`);
    if (!anchor) continue;
    t.equal(sectionOf(manual, anchor), entry.section, `${route}: « Aide » opens #${anchor}, in « ${entry.section} »`);
  }
});
