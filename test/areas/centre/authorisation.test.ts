import t from 'tap';
import { createSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { twoCentres, type TwoCentres } from '../../helpers/exam-fixtures.js';
import { pastSession } from '../../helpers/past-sessions.js';

/**
 * The authorisation matrix of the manager area's routes that name a batch, a token, a session or an
 * exam (its record, attestation, pause, cancellation, the session's report and incidents):
 * the manager of another centre gets 404 (as if it did not exist), an anonymous visitor is sent to
 * sign in, and nothing changes.
 */

interface Route {
  method: 'GET' | 'POST';
  url: string;
}

async function centreAData(ctx: TwoCentres) {
  const batch = await generateTokens(ctx.db, ctx.testApp.clock, { centreId: ctx.centreA, profile: 'operateur', count: 3, actorLabel: 'CLI' });
  if (!batch.ok) throw new Error(batch.message);
  const token = await ctx.db.selectFrom('exam_tokens').select('id').where('batch_id', '=', batch.batchId).orderBy('id').executeTakeFirstOrThrow();
  const actor = { actor: { accountId: null, label: 'test' } };
  const planned = await createSession(
    ctx.db,
    ctx.testApp.clock,
    ctx.centreA,
    { date: '2026-11-29', startTime: '09:00', room: 'Salle A', supervisor: 'S' },
    actor,
  );
  const open = await createSession(
    ctx.db,
    ctx.testApp.clock,
    ctx.centreA,
    { date: '2026-11-29', startTime: '10:00', room: 'Salle A2', supervisor: 'S' },
    actor,
  );
  if (!planned.ok || !open.ok) throw new Error('sessions refused');
  await ctx.db.updateTable('exam_sessions').set({ status: 'open', opened_at: '2026-11-29T09:00:00.000Z' }).where('id', '=', open.sessionId).execute();
  const batchId = batch.batchId;
  // A past session of A with an admitted candidate (an attestation) and a running exam today.
  const past = await pastSession(ctx, ctx.centreA, 3, [{ identity: { lastName: 'Archivé', firstName: 'Alice' }, outcome: 'passed' }]);
  const examId = past.examIds[0]!;
  const routes: Route[] = [
    { method: 'GET', url: `/centre/jetons/lots/${batchId}` },
    { method: 'GET', url: `/centre/jetons/lots/${batchId}/impression` },
    { method: 'GET', url: `/centre/jetons/lots/${batchId}/revoquer` },
    { method: 'POST', url: `/centre/jetons/lots/${batchId}/revoquer` },
    { method: 'POST', url: `/centre/jetons/lots/${batchId}/jetons/${token.id}/revoquer` },
    { method: 'GET', url: `/centre/sessions/${planned.sessionId}` },
    { method: 'POST', url: `/centre/sessions/${planned.sessionId}/ouvrir` },
    { method: 'GET', url: `/centre/sessions/${open.sessionId}/fermer` },
    { method: 'POST', url: `/centre/sessions/${open.sessionId}/fermer` },
    { method: 'POST', url: `/centre/sessions/${open.sessionId}/incidents` },
    { method: 'POST', url: `/centre/sessions/${open.sessionId}/pause` },
    { method: 'POST', url: `/centre/sessions/${open.sessionId}/reprise-pause` },
    { method: 'GET', url: `/centre/sessions/${past.sessionId}/proces-verbal` },
    { method: 'GET', url: `/centre/sessions/${past.sessionId}/proces-verbal.pdf` },
    { method: 'GET', url: `/centre/sessions/${past.sessionId}/resultats.csv` },
    { method: 'POST', url: `/centre/sessions/${past.sessionId}/attestations` },
    { method: 'GET', url: `/centre/examens/${examId}` },
    { method: 'GET', url: `/centre/examens/${examId}/attestation` },
    { method: 'POST', url: `/centre/examens/${examId}/attestation` },
    { method: 'GET', url: `/centre/examens/${examId}/identite` },
    { method: 'POST', url: `/centre/examens/${examId}/identite` },
    { method: 'GET', url: `/centre/examens/${examId}/attestation/annulation` },
    { method: 'POST', url: `/centre/examens/${examId}/attestation/annulation` },
    { method: 'GET', url: `/centre/examens/${examId}/annulation` },
    { method: 'POST', url: `/centre/examens/${examId}/annulation` },
    { method: 'POST', url: `/centre/examens/${examId}/pause` },
    { method: 'POST', url: `/centre/examens/${examId}/reprise-pause` },
    { method: 'POST', url: `/centre/examens/${examId}/reprise` },
    { method: 'POST', url: `/centre/examens/${examId}/temps-supplementaire` },
  ];
  return { batchId, tokenId: token.id, plannedId: planned.sessionId, openId: open.sessionId, pastId: past.sessionId, examId, routes };
}

async function snapshot(ctx: TwoCentres) {
  return {
    tokens: await ctx.db.selectFrom('exam_tokens').select(['id', 'status', 'revoked_at']).orderBy('id').execute(),
    sessions: await ctx.db.selectFrom('exam_sessions').select(['id', 'status', 'opened_at', 'closed_at']).orderBy('id').execute(),
    exams: await ctx.db
      .selectFrom('exams')
      .select(['id', 'last_name', 'first_name', 'birth_date', 'cancelled_at', 'paused_at', 'deadline_at', 'extra_minutes', 'resume_allowed_until'])
      .orderBy('id')
      .execute(),
    attestations: await ctx.db.selectFrom('attestations').select(['exam_id', 'cancelled_at', 'printed_at']).orderBy('exam_id').execute(),
    incidents: await ctx.db.selectFrom('session_incidents').select(['id']).execute(),
    jobs: await ctx.db.selectFrom('attestation_print_jobs').select(['id']).execute(),
  };
}

function call(agent: Agent, route: Route) {
  return route.method === 'GET' ? agent.get(route.url) : agent.post(route.url, {});
}

t.test('a manager of another centre gets 404 on every URL naming a batch, token or session of centre A', async (t) => {
  const ctx = await twoCentres(t);
  const data = await centreAData(ctx);
  const before = await snapshot(ctx);
  await ctx.managerB.get('/centre/jetons'); // a page of B's own, for its CSRF token
  for (const route of data.routes) {
    const res = await call(ctx.managerB, route);
    t.equal(res.statusCode, 404, `${route.method} ${route.url}`);
    t.match(res.body, 'Page introuvable', 'the French 404 page');
  }
  t.same(await snapshot(ctx), before, 'nothing of centre A changed');

  // The matrix can fail: the same URLs answer centre A's own manager — a page, a redirect, a form
  // sent empty refused at its field (400), an attestation not printable yet (409); this app has no
  // browser, so a PDF says so (503) rather than 404.
  await ctx.managerA.get('/centre/jetons');
  for (const route of data.routes) {
    const res = await call(ctx.managerA, route);
    const answered = [200, 303, 400, 409].includes(res.statusCode) || (route.url.endsWith('.pdf') && res.statusCode === 503);
    t.ok(answered, `${route.method} ${route.url} answers its own manager (${res.statusCode})`);
  }
});

t.test('an anonymous visitor is sent to sign in on every one of those URLs', async (t) => {
  const ctx = await twoCentres(t);
  const data = await centreAData(ctx);
  const before = await snapshot(ctx);
  const anonymous = new Agent(ctx.testApp.app);
  await anonymous.get('/connexion'); // a real browser's form would carry a valid CSRF token
  for (const route of data.routes) {
    const res = await call(anonymous, route);
    const location = String(res.headers.location);
    if (route.method === 'GET') {
      t.equal(res.statusCode, 302, `${route.method} ${route.url}`);
      t.equal(location, `/connexion?${new URLSearchParams({ suivant: route.url }).toString()}`, 'back to the page after signing in');
    } else {
      t.equal(res.statusCode, 303, `${route.method} ${route.url}`);
      t.match(location, /^\/connexion\?/, 'sent to sign in');
    }
  }
  t.same(await snapshot(ctx), before, 'nothing changed');
});

t.test('the lists of a centre never show another centre’s batches or sessions', async (t) => {
  const ctx = await twoCentres(t);
  const data = await centreAData(ctx);
  const tokens = await ctx.managerB.get('/centre/jetons');
  t.equal(tokens.statusCode, 200);
  t.notMatch(tokens.body, `/centre/jetons/lots/${data.batchId}`);
  const sessions = await ctx.managerB.get('/centre/sessions');
  t.notMatch(sessions.body, `/centre/sessions/${data.plannedId}`);
  t.notMatch(sessions.body, 'Salle A');
  const own = await ctx.managerA.get('/centre/sessions');
  t.match(own.body, `/centre/sessions/${data.plannedId}`, 'while A sees them');

  // Results, their CSV and the archives: the candidates of A never appear to B.
  const year = (await ctx.db.selectFrom('exam_sessions').select('date').where('id', '=', data.pastId).executeTakeFirstOrThrow()).date.slice(0, 4);
  for (const url of ['/centre/resultats', '/centre/resultats?recherche=archive', '/centre/resultats.csv', `/centre/archives?annee=${year}`]) {
    const theirs = await ctx.managerB.get(url);
    t.equal(theirs.statusCode, 200, url);
    t.notMatch(theirs.body, 'Archivé', `${url}: not A's candidate`);
    t.notMatch(theirs.body, `/centre/examens/${data.examId}`, `${url}: no link to A's exam`);
    t.notMatch(theirs.body, `/centre/sessions/${data.pastId}`, `${url}: no link to A's session`);
    const ours = await ctx.managerA.get(url);
    t.match(ours.body, url.startsWith('/centre/archives') ? `/centre/sessions/${data.pastId}/proces-verbal` : 'Archivé', `${url}: while A sees it`);
  }
});

t.test('a manager of two centres reaches only the current centre’s data; unknown ids answer 404', async (t) => {
  const ctx = await twoCentres(t);
  const data = await centreAData(ctx);
  const multi = await accountAgent(ctx.testApp, { email: 'multi@centre.test', role: 'manager', centres: [ctx.centreB, ctx.centreA] });
  // Their current centre is the first one (centre0001 = A), so A's URLs answer.
  t.equal((await multi.get(`/centre/jetons/lots/${data.batchId}`)).statusCode, 200);
  for (const url of [
    '/centre/jetons/lots/999999',
    '/centre/jetons/lots/abc',
    '/centre/jetons/lots/0',
    '/centre/sessions/999999',
    '/centre/sessions/1e3',
    '/centre/examens/999999',
    '/centre/examens/-1',
    '/centre/sessions/999999/proces-verbal',
    `/centre/jetons/lots/${data.batchId}/jetons/999999/revoquer`,
  ]) {
    const res = url.endsWith('revoquer') ? await multi.post(url, {}) : await multi.get(url);
    t.equal(res.statusCode, 404, url);
  }
});

t.test('a national administrator gets 403 on the manager’s pages', async (t) => {
  const ctx = await twoCentres(t);
  const data = await centreAData(ctx);
  const admin = await accountAgent(ctx.testApp, { email: 'admin@national.test', role: 'admin' });
  for (const url of [
    '/centre/jetons',
    '/centre/sessions',
    `/centre/jetons/lots/${data.batchId}`,
    '/centre/resultats',
    '/centre/resultats.csv',
    '/centre/archives',
    `/centre/examens/${data.examId}`,
    `/centre/sessions/${data.pastId}/proces-verbal`,
    `/centre/sessions/${data.pastId}/proces-verbal.pdf`,
  ]) {
    t.equal((await admin.get(url)).statusCode, 403, url);
  }
});
