import t from 'tap';
import { createSession } from '../../../src/areas/centre/sessions/lifecycle.js';
import { generateTokens } from '../../../src/operator/generate-tokens.js';
import { accountAgent } from '../../helpers/agents.js';
import { Agent } from '../../helpers/app.js';
import { twoCentres, type TwoCentres } from '../../helpers/exam-fixtures.js';

/**
 * The authorisation matrix of the manager area's routes that name a batch, a token or a session:
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
  ];
  return { batchId, tokenId: token.id, plannedId: planned.sessionId, openId: open.sessionId, routes };
}

async function snapshot(ctx: TwoCentres) {
  return {
    tokens: await ctx.db.selectFrom('exam_tokens').select(['id', 'status', 'revoked_at']).orderBy('id').execute(),
    sessions: await ctx.db.selectFrom('exam_sessions').select(['id', 'status', 'opened_at', 'closed_at']).orderBy('id').execute(),
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

  // The matrix can fail: the same URLs answer centre A's own manager.
  await ctx.managerA.get('/centre/jetons');
  for (const route of data.routes) {
    const res = await call(ctx.managerA, route);
    t.ok([200, 303].includes(res.statusCode), `${route.method} ${route.url} answers its own manager (${res.statusCode})`);
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
  for (const url of ['/centre/jetons', '/centre/sessions', `/centre/jetons/lots/${data.batchId}`]) {
    t.equal((await admin.get(url)).statusCode, 403, url);
  }
});
