import t from 'tap';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp } from '../../helpers/app.js';
import { visibleText } from '../../helpers/html.js';

t.test('the « ? Aide » link of every page leads to a section that exists', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const help = await new Agent(testApp.app).get('/aide');
  const ids = new Set([...help.body.matchAll(/id="([^"]+)"/g)].map((m) => m[1]));

  const pages: [Agent, string[]][] = [
    [await adminAgent(testApp), ['/admin', '/admin/centres', '/admin/centres/1', '/admin/gestionnaires', '/admin/questionnaires', '/admin/questionnaires/1', '/admin/journal', '/admin/attestations']],
    [await managerAgent(testApp, { ip: '127.0.0.2' }), ['/centre', '/centre/jetons', '/centre/jetons/lots/1', '/centre/sessions', '/centre/sessions/1', '/centre/parametres']],
  ];
  for (const [agent, paths] of pages) {
    for (const path of paths) {
      const page = await agent.get(path);
      t.equal(page.statusCode, 200, `${path} answers`);
      const anchor = /href="\/aide#([^"]+)"/.exec(page.body)?.[1];
      t.ok(anchor && ids.has(anchor), `${path}: « ? Aide » leads to #${anchor}, a section of /aide`);
    }
  }
  const anonymous = new Agent(testApp.app, '127.0.0.3');
  for (const path of ['/connexion', '/mot-de-passe-oublie', '/verifier']) {
    const anchor = /href="\/aide#([^"]+)"/.exec((await anonymous.get(path)).body)?.[1];
    t.ok(anchor && ids.has(anchor), `${path}: « ? Aide » leads to #${anchor}`);
  }
});

t.test('with Cerbère configured, the help says how the sign-in through it works', async (t) => {
  const plain = await createTestApp(t);
  t.notMatch(visibleText((await new Agent(plain.app).get('/aide')).body), 'Avec un compte Cerbère');
  const sso = await createTestApp(t, { env: { OIDC_ISSUER: 'https://cerbere.example.gouv.fr', OIDC_CLIENT_ID: 'qcm-aipr', LOCAL_SIGN_IN: 'admins' } });
  const text = visibleText((await new Agent(sso.app).get('/aide')).body);
  t.match(text, 'Avec un compte Cerbère, le bouton de la page de connexion mène au service d’identité du ministère');
  t.match(text, 'Les gestionnaires de centre se connectent uniquement avec Cerbère');
});
