import t from 'tap';
import { addDays, parisDate } from '../../../src/domain/paris-time.js';
import { RESULTS_PAGE_SIZE } from '../../../src/domain/results-filter.js';
import { CLI_ACTOR } from '../../../src/services/audit.js';
import { correctIdentity } from '../../../src/services/attestations/lifecycle.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent, type Teardown } from '../../helpers/app.js';
import { field, visibleText } from '../../helpers/html.js';
import { publishDemoQuestionnaire, twoCentres } from '../../helpers/exam-fixtures.js';
import { pastSession } from '../../helpers/past-sessions.js';

/** The candidates' names the page lists, in order. */
function listed(html: string): string[] {
  return [...html.matchAll(/<td role="cell" data-label="Candidat"><a href="\/centre\/examens\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]!);
}

async function world(t: Teardown) {
  const ctx = await twoCentres(t);
  await publishDemoQuestionnaire(ctx.db, ctx.testApp.clock, 'encadrant');
  await pastSession(ctx, ctx.centreA, 400, [{ identity: { lastName: 'Ancien', firstName: 'Paul' }, outcome: 'failed' }]);
  await pastSession(ctx, ctx.centreA, 30, [
    { identity: { lastName: 'Lefèvre', firstName: 'Zoé', company: 'Réseaux d’Août' } },
    { identity: { lastName: 'Durand', firstName: 'Éloïse', company: 'SARL Œuvre 50%_' }, profile: 'encadrant', outcome: 'failed' },
  ]);
  await pastSession(ctx, ctx.centreA, 0, [{ identity: { lastName: 'Martin', firstName: 'Léa' }, outcome: 'running' }]);
  // Centre B's candidate, with a name centre A searches for: never listed at A.
  await pastSession(ctx, ctx.centreB, 30, [{ identity: { lastName: 'Lefèvre', firstName: 'Bruno' } }]);
  return ctx;
}

t.test('the list: every exam of the centre, latest first; another centre’s never', async (t) => {
  const ctx = await world(t);
  const page = await ctx.managerA.get('/centre/resultats');
  t.equal(page.statusCode, 200);
  t.same(listed(page.body), ['Martin Léa', 'Durand Éloïse', 'Lefèvre Zoé', 'Ancien Paul'], 'latest start first');
  t.match(visibleText(page.body), '4 examens trouvés');
  t.notMatch(page.body, 'Bruno', 'centre B’s candidate is not at centre A');
  t.match(page.body, 'aria-current="page">Résultats</a>', 'the menu says where the manager is');
  t.same(listed((await ctx.managerB.get('/centre/resultats')).body), ['Lefèvre Bruno'], 'and centre B sees only its own');
});

t.test('each filter alone, and combined; accents and case ignored', async (t) => {
  const ctx = await world(t);
  const names = async (query: string) => listed((await ctx.managerA.get(`/centre/resultats?${query}`)).body);
  const today = parisDate(ctx.testApp.clock.now());
  const [y, m, d] = addDays(today, -30).split('-');
  t.same(await names('recherche=lefevre'), ['Lefèvre Zoé'], 'no accent typed');
  t.same(await names('recherche=ELOISE%20durand'), ['Durand Éloïse'], 'words in any order, any case');
  t.same(await names('recherche=daout'), [], 'an apostrophe separates words: « d’Août » is « d aout »');
  t.same(await names('recherche=d%27aout'), ['Lefèvre Zoé'], 'a straight apostrophe finds a curly one');
  t.same(await names('recherche=oeuvre'), ['Durand Éloïse'], '« Œ » is found as « oe »');
  t.same(await names('recherche=50%25_'), ['Durand Éloïse'], 'LIKE’s wildcards are searched for as themselves');
  t.same(await names('recherche=l%25z'), [], '« l%z » is not « l, anything, z » (« lefevre zoe » would match)');
  t.same(await names('profil=encadrant'), ['Durand Éloïse']);
  t.same(await names('resultat=admis'), ['Lefèvre Zoé']);
  t.same(await names('resultat=non-admis'), ['Durand Éloïse', 'Ancien Paul']);
  t.same(await names('resultat=en-cours'), ['Martin Léa']);
  t.same(await names(`du=${d}/${m}/${y}&au=${d}/${m}/${y}`), ['Durand Éloïse', 'Lefèvre Zoé'], 'one day, typed JJ/MM/AAAA');
  t.same(await names(`du=${addDays(today, -30)}`), ['Martin Léa', 'Durand Éloïse', 'Lefèvre Zoé'], 'from a day on, typed AAAA-MM-JJ');
  t.same(await names(`au=${addDays(today, -31)}`), ['Ancien Paul'], 'up to a day');
  t.same(await names(`du=${addDays(today, -30)}&resultat=non-admis&recherche=durand&profil=encadrant`), ['Durand Éloïse'], 'all combined');
  t.same(await names(`du=${addDays(today, -30)}&resultat=admis&profil=encadrant`), [], 'combined to nothing');
  t.match(visibleText((await ctx.managerA.get('/centre/resultats?resultat=admis&profil=encadrant')).body), 'Aucun examen ne correspond à ce filtre.');
});

t.test('a field that cannot be read is said at the field, the form keeps it, the others still filter', async (t) => {
  const ctx = await world(t);
  const res = await ctx.managerA.get('/centre/resultats?du=31/02/2026&recherche=lefevre&profil=pilote');
  t.equal(res.statusCode, 400);
  t.equal(field(res.body, 'du').error, 'Saisissez la date de début au format JJ/MM/AAAA, par exemple 02/03/2026.');
  t.equal(field(res.body, 'du').value, '31/02/2026', 'what was typed is kept');
  t.equal(field(res.body, 'profil').error, 'Choisissez un profil de la liste.');
  t.same(listed(res.body), ['Lefèvre Zoé'], 'the search still applies');
  const reversed = await ctx.managerA.get('/centre/resultats?du=02/03/2026&au=01/03/2026');
  t.equal(field(reversed.body, 'au').error, 'La date de fin doit suivre la date de début.');
});

t.test('pagination: 50 a page, bounds kept, and the filter carried by every link (the URL round trip)', async (t) => {
  const ctx = await twoCentres(t);
  const many = Array.from({ length: RESULTS_PAGE_SIZE + 3 }, (_, i) => ({
    identity: { lastName: `Candidat${String(i).padStart(2, '0')}`, firstName: 'Test' },
    outcome: 'failed' as const,
  }));
  await pastSession(ctx, ctx.centreA, 3, many);
  const first = await ctx.managerA.get('/centre/resultats?resultat=non-admis&recherche=test');
  t.equal(listed(first.body).length, RESULTS_PAGE_SIZE);
  t.match(visibleText(first.body), '53 examens trouvés, page 1 sur 2');
  t.match(first.body, 'href="/centre/resultats?resultat=non-admis&amp;recherche=test&amp;page=2">Page suivante', 'the next page keeps the filter');
  t.match(first.body, 'href="/centre/resultats.csv?resultat=non-admis&amp;recherche=test"', 'so does the CSV link');
  const second = await ctx.managerA.get('/centre/resultats?resultat=non-admis&recherche=test&page=2');
  t.same(listed(second.body), ['Candidat02 Test', 'Candidat01 Test', 'Candidat00 Test'], 'the rest');
  t.match(second.body, 'href="/centre/resultats?resultat=non-admis&amp;recherche=test">Page précédente', 'page 1 needs no page number');
  for (const page of ['99', '0', '-1', 'x', '1e3']) {
    const res = await ctx.managerA.get(`/centre/resultats?resultat=non-admis&recherche=test&page=${page}`);
    t.equal(res.statusCode, 200, `page=${page} answers`);
    t.equal(listed(res.body).length, page === '99' ? 3 : RESULTS_PAGE_SIZE, `page=${page}: ${page === '99' ? 'the last page' : 'the first page'}`);
  }
});

t.test('the CSV: the filtered list as a French spreadsheet reads it, audited', async (t) => {
  const ctx = await world(t);
  await pastSession(ctx, ctx.centreA, 2, [{ identity: { lastName: '=HYPERLINK("x")', firstName: 'Formule', company: 'Dupont; Fils' }, outcome: 'failed' }]);
  const res = await ctx.managerA.get('/centre/resultats.csv?resultat=non-admis');
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(res.headers['content-disposition'], /^attachment; filename="resultats-centre0001-\d{4}-\d{2}-\d{2}\.csv"$/);
  t.ok(res.body.startsWith('\uFEFF'), 'a byte order mark: accents read as UTF-8');
  const lines = res.body.slice(1).split('\r\n');
  t.equal(lines.at(-1), '', 'CRLF after every row');
  t.equal(lines[0], 'Nom;Prénom;Date de naissance;Entreprise;Profil;Questionnaire;Session;Début;Fin;Fin par;Note;Maximum;Résultat');
  t.equal(lines.length - 2, 3, 'the three not admitted, nothing else');
  t.match(lines[1], /^'=HYPERLINK\(""x""\)|^"'=HYPERLINK\(""x""\)"/, 'a formula is made inert');
  t.match(lines[1], '"Dupont; Fils"', 'a separator inside a field is quoted');
  t.match(
    lines.find((l) => l.startsWith('Durand')) ?? '',
    /^Durand;Éloïse;01\/01\/1990;.*;Encadrant;.*;\d{2}\/\d{2}\/\d{4} \d{2}:\d{2};\d{2}\/\d{2}\/\d{4} \d{2}:\d{2};candidat;\d+;\d+;Non admis$/,
    'French dates, labels',
  );
  const audit = await ctx.db
    .selectFrom('audit_log')
    .select(['action', 'target_type', 'target_id', 'details'])
    .where('action', '=', 'centre.export_resultats')
    .execute();
  t.same(audit, [
    {
      action: 'centre.export_resultats',
      target_type: 'centre',
      target_id: String(ctx.centreA),
      details: JSON.stringify({ filtre: 'résultat non-admis', lignes: 3 }),
    },
  ]);
  const b = await ctx.managerB.get('/centre/resultats.csv');
  t.notMatch(b.body, 'Durand', 'centre B’s file holds none of centre A’s candidates');
});

t.test('only a signed-in manager: a visitor is sent to sign in, an administrator refused', async (t) => {
  const ctx = await world(t);
  const stranger = new Agent(ctx.testApp.app);
  for (const url of ['/centre/resultats?recherche=lefevre', '/centre/resultats.csv']) {
    const res = await stranger.get(url);
    t.equal(res.statusCode, 302, `${url}: sign-in first`);
    t.equal(res.headers.location, `/connexion?${new URLSearchParams({ suivant: url }).toString()}`, 'and back here after');
  }
  const admin = await accountAgent(ctx.testApp, { email: 'admin@national.test', role: 'admin' });
  t.equal((await admin.get('/centre/resultats')).statusCode, 403, 'the national administrator has no centre’s results here');
  t.equal((await admin.get('/centre/resultats.csv')).statusCode, 403);
});

t.test('a corrected identity is found under its new name, not the old one', async (t) => {
  const ctx = await twoCentres(t);
  const {
    examIds: [examId],
  } = await pastSession(ctx, ctx.centreA, 5, [{ identity: { lastName: 'Dupond', firstName: 'Jean' } }]);
  const corrected = await correctIdentity(
    ctx.db,
    ctx.testApp.clock,
    {
      centreId: ctx.centreA,
      examId: examId!,
      form: {
        nom: 'Dupont',
        prenom: 'Jean',
        date_naissance: '01/01/1990',
        entreprise: 'Électricité Dupont',
        adresse_entreprise: '',
        motif: 'Faute de frappe sur le nom',
      },
    },
    { actor: CLI_ACTOR },
  );
  t.match(corrected, { ok: true }, 'the correction is made');
  const names = async (query: string) => listed((await ctx.managerA.get(`/centre/resultats?${query}`)).body);
  t.same(await names('recherche=dupont'), ['Dupont Jean']);
  t.same(await names('recherche=electricite'), ['Dupont Jean'], 'the company too');
  t.same(await names('recherche=dupond'), [], 'the old name no longer finds it');
});

t.test('the candidate’s record: counts and results per theme, never a question or its answer', async (t) => {
  const ctx = await twoCentres(t);
  const {
    examIds: [passed, failed],
  } = await pastSession(ctx, ctx.centreA, 5, [
    { identity: { lastName: 'Lefèvre', firstName: 'Zoé' } },
    { identity: { lastName: 'Durand', firstName: 'Éloïse' }, outcome: 'failed' },
  ]);
  const page = await ctx.managerA.get(`/centre/examens/${passed}`);
  const text = visibleText(page.body);
  t.match(
    text,
    'Détail du résultat 30 bonnes réponses, 0 mauvaise réponse (dont 0 à une question prioritaire), 0 fois « Je ne sais pas », 0 question sans réponse.',
  );
  t.match(page.body, '<caption>Résultat par thème</caption>');
  const themes = [...page.body.matchAll(/<td role="cell" data-label="Thème">([^<]+)<\/td>/g)].map((m) => m[1]);
  t.ok(themes.length > 1, `one row per theme (${themes.length})`);
  const items = await ctx.db
    .selectFrom('exam_questions as eq')
    .innerJoin('questions as q', 'q.id', 'eq.question_id')
    .innerJoin('answers as a', 'a.question_id', 'q.id')
    .select(['q.statement', 'a.text', 'a.correct'])
    .where('eq.exam_id', '=', passed!)
    .execute();
  const leaked = items.filter((i) => text.includes(i.statement) || (i.correct === 1 && i.text.length > 12 && text.includes(i.text)));
  t.same(leaked, [], 'no statement and no right answer is on the record');
  t.match(visibleText((await ctx.managerA.get(`/centre/examens/${failed}`)).body), '30 questions sans réponse.', 'the one who answered nothing');
  t.equal((await ctx.managerB.get(`/centre/examens/${passed}`)).statusCode, 404, 'another centre’s record is not found');
});
