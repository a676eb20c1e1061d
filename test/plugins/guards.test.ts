import t from 'tap';
import { DEMO_ADMIN_EMAIL } from '../../src/operator/seed-demo.js';
import { adminAgent, managerAgent } from '../helpers/agents.js';
import { Agent, createTestApp } from '../helpers/app.js';
import { h1 } from '../helpers/html.js';

t.test('a manager on /admin gets a French 403 page', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const manager = await managerAgent({ app });
  const res = await manager.get('/admin');
  t.equal(res.statusCode, 403);
  t.match(String(res.headers['content-type']), /^text\/html/);
  t.equal(h1(res.body), 'Accès refusé');
  t.match(res.body, 'Vous n’avez pas les droits nécessaires');
  t.notMatch(res.body, 'Administration nationale</h1>', 'nothing of the admin page leaks');
  t.match(res.body, 'Gestionnaire (démo)', 'the page still shows who is signed in');
  t.equal((await manager.get('/centre')).statusCode, 200, 'the manager keeps their own area');
});

t.test('an admin on /centre gets a French 403 page', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const admin = await adminAgent({ app });
  const res = await admin.get('/centre');
  t.equal(res.statusCode, 403);
  t.equal(h1(res.body), 'Accès refusé');
  t.notMatch(res.body, 'Centre de démonstration AIPR');
});

t.test('anonymous visitors are sent to the sign-in page and back', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const visitor = new Agent(app);
  for (const [path, expected] of [
    ['/admin', '/connexion?suivant=%2Fadmin'],
    ['/centre', '/connexion?suivant=%2Fcentre'],
    ['/centre?onglet=jetons', '/connexion?suivant=%2Fcentre%3Fonglet%3Djetons'],
  ] as const) {
    const res = await visitor.get(path);
    t.equal(res.statusCode, 302, `${path}: redirected`);
    t.equal(res.headers.location, expected, `${path}: to the sign-in page, then back`);
    t.equal(res.body, '', `${path}: nothing of the page is sent`);
  }
  const root = await visitor.get('/');
  t.equal(root.headers.location, '/connexion');
});

t.test('an account disabled while signed in loses access on the next page', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  t.equal((await admin.get('/admin')).statusCode, 200);
  await testApp.db.kysely.updateTable('accounts').set({ disabled_at: testApp.clock.now().toISOString() }).where('email', '=', DEMO_ADMIN_EMAIL).execute();
  const res = await admin.get('/admin');
  t.equal(res.statusCode, 302);
  t.match(String(res.headers.location), /^\/connexion\?suivant=%2Fadmin/);
});

t.test('an unknown URL gets a French 404 page', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  for (const path of ['/cette-page-n-existe-pas', '/admin/inconnu/../rien', '/static/absent.css']) {
    const res = await new Agent(app).get(path);
    t.equal(res.statusCode, 404, `${path}: 404`);
    t.match(String(res.headers['content-type']), /^text\/html/);
    t.equal(h1(res.body), 'Page introuvable', `${path}: a French page`);
    t.match(res.body, 'Revenir à l’accueil');
  }
  const post = await new Agent(app).post('/nulle-part', {}, { csrf: null });
  t.ok(post.statusCode === 404 || post.statusCode === 403, 'a POST to nowhere does not reach any handler');
  t.match(post.body, /<html lang="fr"/);
});
