import t from 'tap';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../src/operator/seed-demo.js';
import { Agent, createTestApp, type TestApp, DEMO_PASSWORD } from '../helpers/app.js';

const EXPIRED_FORM = 'Ce formulaire a expiré';
const credentials = { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD };

async function signInAudits(testApp: TestApp): Promise<number> {
  const rows = await testApp.db.kysely.selectFrom('audit_log').select('id').where('action', 'like', 'connexion.%').execute();
  return rows.length;
}

t.test('a form posted without its token is refused with a French page', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  await agent.get('/connexion');
  t.ok(agent.csrfToken, 'the sign-in page carries a token');

  const res = await agent.post('/connexion', credentials, { csrf: null });
  t.equal(res.statusCode, 403);
  t.match(String(res.headers['content-type']), /^text\/html/);
  t.match(res.body, /<html lang="fr"/);
  t.match(res.body, EXPIRED_FORM);
  t.notOk(res.headers.location, 'no redirect: the sign-in did not happen');
  t.equal(await signInAudits(testApp), 0, 'the credentials were not even checked');
  t.equal((await agent.get('/admin')).statusCode, 302, 'not signed in');
});

t.test('a form posted with no session at all is refused the same way', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const res = await new Agent(testApp.app).post('/connexion', credentials, { csrf: null });
  t.equal(res.statusCode, 403);
  t.match(res.body, EXPIRED_FORM);
});

t.test('a wrong token is refused', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  await agent.get('/connexion');
  const res = await agent.post('/connexion', credentials, { csrf: 'jeton-invente-de-toutes-pieces' });
  t.equal(res.statusCode, 403);
  t.match(res.body, EXPIRED_FORM);
  t.equal(await signInAudits(testApp), 0);
});

t.test("another session's token is refused", async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const attacker = new Agent(testApp.app);
  await attacker.get('/connexion');
  const victim = new Agent(testApp.app);
  await victim.get('/connexion');
  t.not(attacker.csrfToken, victim.csrfToken);
  const res = await victim.post('/connexion', credentials, { csrf: attacker.csrfToken });
  t.equal(res.statusCode, 403);
  t.match(res.body, EXPIRED_FORM);
});

t.test('the token of the page is accepted', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  await agent.get('/connexion');
  const res = await agent.post('/connexion', credentials);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin');
});

t.test('the x-csrf-token header (htmx) is accepted too', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  const page = await agent.get('/connexion');
  const fromBody = /hx-headers='\{"x-csrf-token": "([^"]+)"\}'/.exec(page.body)?.[1];
  t.ok(fromBody, 'the layout gives htmx the token on <body>');
  const res = await agent.post('/connexion', credentials, { csrf: null, headers: { 'x-csrf-token': fromBody ?? '' } });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin');

  const wrong = new Agent(testApp.app);
  await wrong.get('/connexion');
  const refused = await wrong.post('/connexion', credentials, { csrf: null, headers: { 'x-csrf-token': 'faux' } });
  t.equal(refused.statusCode, 403, 'a wrong header is refused');
});

t.test('after sign-in, the pages carry a token that works for the signed-in forms', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  const signInPageToken = agent.csrfToken;
  await agent.get('/centre');
  t.ok(agent.csrfToken);
  const stale = await agent.post('/deconnexion', {}, { csrf: signInPageToken });
  t.equal(stale.statusCode, 403, 'the token of the anonymous session is not valid in the new session');
  const res = await agent.post('/deconnexion', {});
  t.equal(res.statusCode, 303, 'the token of the dashboard is');
});
