import t from 'tap';
import { createSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { addDays, parisDate } from '../../../src/domain/paris-time.js';
import { CLI_ACTOR } from '../../../src/services/audit.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { twoCentres } from '../../helpers/exam-fixtures.js';
import { visibleText } from '../../helpers/html.js';
import { pastSession } from '../../helpers/past-sessions.js';

/** The rows of the archives' table: date, start, room, supervisor, candidates, admitted. */
function rows(html: string): string[][] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => visibleText(cell!)),
  );
}

t.test('the archives: past sessions year by year, each with its candidates and admitted, opening its page', async (t) => {
  const ctx = await twoCentres(t);
  const today = parisDate(ctx.testApp.clock.now());
  const thisYear = Number(today.slice(0, 4));
  await pastSession(ctx, ctx.centreA, 400, [{ identity: { lastName: 'Ancien', firstName: 'Paul' }, outcome: 'failed' }]);
  const recent = await pastSession(ctx, ctx.centreA, 10, [
    { identity: { lastName: 'Lefèvre', firstName: 'Zoé' } },
    { identity: { lastName: 'Durand', firstName: 'Éloïse' }, outcome: 'failed' },
    { identity: { lastName: 'Roche', firstName: 'Inès' } },
  ]);
  // Not archived: a session to come, and today's still open one; nor centre B's.
  await createSession(
    ctx.db,
    ctx.testApp.clock,
    ctx.centreA,
    { date: addDays(today, 3), startTime: '09:00', room: 'Future', supervisor: 'X' },
    { actor: CLI_ACTOR },
  );
  await pastSession(ctx, ctx.centreA, 0, [{ identity: { lastName: 'Martin', firstName: 'Léa' }, outcome: 'running' }]);
  await pastSession(ctx, ctx.centreB, 10, [{ identity: { lastName: 'Autre', firstName: 'Centre' } }]);

  const page = await ctx.managerA.get('/centre/archives');
  t.equal(page.statusCode, 200);
  const text = visibleText(page.body);
  t.match(text, `Archives des sessions — ${thisYear}`, 'the latest year first');
  const tenDaysAgo = addDays(today, -10);
  t.equal(rows(page.body).length, 1, 'only the session over: not today’s, not the one to come, not centre B’s');
  t.same(rows(page.body)[0]!.slice(1, 6), ['09 h 00', 'Salle A', 'M. Test', '3', '2']);
  t.match(page.body, `<a href="/centre/sessions/${recent.sessionId}">`, 'it opens the session’s page');
  t.match(page.body, `<a href="/centre/sessions/${recent.sessionId}/proces-verbal">Consulter`, 'and its report');
  t.match(page.body, `<a href="/centre/sessions/${recent.sessionId}/proces-verbal.pdf" download>PDF`, 'and the report’s PDF');
  const report = await ctx.managerA.get(`/centre/sessions/${recent.sessionId}/proces-verbal`);
  t.equal(report.statusCode, 200);
  t.match(visibleText(report.body), 'Procès-verbal', 'the report of that session');
  t.match(text, '1 session, 3 candidats dont 2 admis.');
  t.match(page.body, `href="/centre/archives?annee=${thisYear - 1}"`, 'the other year is offered');
  t.ok(tenDaysAgo.startsWith(String(thisYear)), 'the test’s clock keeps the recent session in this year');

  const previous = await ctx.managerA.get(`/centre/archives?annee=${thisYear - 1}`);
  t.same(
    rows(previous.body).map((r) => r.slice(4, 6)),
    [['1', '0']],
    'the year before: its one session',
  );
  t.match(previous.body, `href="/centre/archives?annee=${thisYear - 1}" aria-current="page"`, 'the year shown is marked');
  for (const annee of ['1999', 'abc', '']) {
    t.match(
      visibleText((await ctx.managerA.get(`/centre/archives?annee=${annee}`)).body),
      `Archives des sessions — ${thisYear}`,
      `annee=${annee}: the latest year`,
    );
  }
  t.same(
    rows((await ctx.managerB.get('/centre/archives')).body).map((r) => r.slice(4, 6)),
    [['1', '1']],
    'centre B sees its own only',
  );

  const sessions = visibleText((await ctx.managerA.get('/centre/sessions')).body);
  t.match(sessions, 'Passées depuis 30 jours', 'the sessions page lists the recent past');
  t.match(sessions, 'Toutes les sessions passées, année par année : les archives');
  t.notMatch(
    sessions,
    addDays(today, -400).slice(0, 4) === String(thisYear) ? 'never' : 'Ancien',
    'a session of last year is in the archives, not on the sessions page',
  );
});

t.test('the archives of a centre without a past session', async (t) => {
  const ctx = await twoCentres(t);
  const res = await ctx.managerA.get('/centre/archives');
  t.equal(res.statusCode, 200);
  t.match(visibleText(res.body), /Aucune session terminée en \d{4}\./);
});

t.test('only a signed-in manager', async (t) => {
  const ctx = await twoCentres(t);
  const res = await new Agent(ctx.testApp.app).get('/centre/archives');
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/connexion?suivant=%2Fcentre%2Farchives');
  const admin = await accountAgent(ctx.testApp, { email: 'admin@national.test', role: 'admin' });
  t.equal((await admin.get('/centre/archives')).statusCode, 403);
});
