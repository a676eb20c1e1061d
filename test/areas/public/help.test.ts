import t from 'tap';
import { Agent, createTestApp } from '../../helpers/app.js';
import { visibleText } from '../../helpers/html.js';

t.test('with Cerbère configured, the help says how the sign-in through it works', async (t) => {
  const plain = await createTestApp(t);
  t.notMatch(visibleText((await new Agent(plain.app).get('/aide')).body), 'Avec un compte Cerbère');
  const sso = await createTestApp(t, { env: { OIDC_ISSUER: 'https://cerbere.example.gouv.fr', OIDC_CLIENT_ID: 'qcm-aipr', LOCAL_SIGN_IN: 'admins' } });
  const text = visibleText((await new Agent(sso.app).get('/aide')).body);
  t.match(text, 'Avec un compte Cerbère, le bouton de la page de connexion mène au service d’identité du ministère');
  t.match(text, 'Les gestionnaires de centre se connectent uniquement avec Cerbère');
});
