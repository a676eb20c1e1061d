import t from 'tap';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { createTestApp } from '../../helpers/app.js';

t.test('the administrator reads the audit log, filtered, with % taken literally', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);

  const page = await admin.get('/admin/journal');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'connexion.reussie', 'the sign-in just made is listed');
  t.match(page.body, 'questionnaire.publie', 'the demo publications are listed');

  const filtered = await admin.get('/admin/journal?q=questionnaire.publie');
  t.notMatch(filtered.body, 'connexion.reussie', 'the filter keeps only matching entries');
  t.match(filtered.body, 'questionnaire.publie');

  const literal = await admin.get('/admin/journal?q=%25');
  t.match(literal.body, 'Aucune entrée ne correspond à ce filtre', '% is not a wildcard');

  const manager = await managerAgent(testApp, { ip: '127.0.0.2' });
  t.equal((await manager.get('/admin/journal')).statusCode, 403, 'a manager cannot read it');
});
