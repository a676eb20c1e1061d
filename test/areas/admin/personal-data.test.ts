/**
 * The administrator sets how long candidates' identities are kept (issue 15, RGPD), on
 * /admin/donnees-personnelles: validated at the field, audited, and the page previews what the
 * daily purge will anonymise with the period in force. Managers reach none of it.
 */
import t from 'tap';
import { DEMO_ADMIN_EMAIL } from '../../../src/operator/seed-demo.js';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { field, flashes, visibleText } from '../../helpers/html.js';

async function retentionYears(testApp: TestApp): Promise<number> {
  return (await testApp.db.kysely.selectFrom('platform_settings').select('identity_retention_years').executeTakeFirstOrThrow()).identity_retention_years;
}

async function auditRows(testApp: TestApp) {
  return testApp.db.kysely
    .selectFrom('audit_log')
    .select(['actor_label', 'details'])
    .where('action', '=', 'plateforme.conservation_modifiee')
    .orderBy('id')
    .execute();
}

function preview(html: string): string {
  return visibleText(/<p id="apercu-purge">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');
}

t.test('the administrator sees the period (5 years by default) and changes it', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const page = await admin.get('/admin/donnees-personnelles');
  t.equal(page.statusCode, 200);
  t.same(field(page.body, 'conservation_annees'), { value: '5', invalid: false, error: null });
  t.match(page.body, /<form method="post" action="\/admin\/donnees-personnelles" novalidate>[\s\S]*?<input type="hidden" name="_csrf" value="[^"]+">/);
  t.match(preview(page.body), /^Durée de conservation : 5 ans \(examens antérieurs au 29\/11\/2021\)\. /, 'the limit, from the test clock’s day');
  t.match(visibleText((await admin.get('/admin')).body), 'Données personnelles', 'reachable from the admin menu');

  const res = await admin.post('/admin/donnees-personnelles', { conservation_annees: ' 2 ' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/donnees-personnelles');
  const after = await admin.get('/admin/donnees-personnelles');
  t.same(flashes(after.body), [{ type: 'success', text: 'Les identités des candidats sont conservées 2 ans après l’examen.' }]);
  t.equal(field(after.body, 'conservation_annees').value, '2');
  t.match(preview(after.body), /^Durée de conservation : 2 ans \(examens antérieurs au 29\/11\/2024\)\. /);
  t.equal(await retentionYears(testApp), 2);

  await admin.post('/admin/donnees-personnelles', { conservation_annees: '2' }); // unchanged: not journalled
  t.same(
    (await auditRows(testApp)).map((a) => [a.actor_label, JSON.parse(a.details!)]),
    [[DEMO_ADMIN_EMAIL, { avant: 5, apres: 2 }]],
  );
});

t.test('a wrong value is refused at its field, as typed, in French; nothing is stored', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  await admin.get('/admin/donnees-personnelles');
  const cases: [string, string][] = [
    ['', 'Indiquez la durée de conservation, en années.'],
    ['0', 'La durée doit être un nombre entier d’années entre 1 et 30.'],
    ['31', 'La durée doit être un nombre entier d’années entre 1 et 30.'],
    ['cinq <b>', 'La durée doit être un nombre entier d’années entre 1 et 30.'],
  ];
  for (const [typed, message] of cases) {
    const res = await admin.post('/admin/donnees-personnelles', { conservation_annees: typed });
    t.equal(res.statusCode, 400, JSON.stringify(typed));
    t.same(field(res.body, 'conservation_annees'), { value: typed, invalid: true, error: message }, `${JSON.stringify(typed)}: at the field, as typed`);
  }
  t.equal((await admin.post('/admin/donnees-personnelles', { conservation_annees: '3' }, { csrf: null })).statusCode, 403, 'no CSRF token: refused');
  t.equal(await retentionYears(testApp), 5, 'nothing was stored');
  t.same(await auditRows(testApp), []);
});

t.test('a manager and a visitor can neither see nor set the period', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const manager = await managerAgent(testApp);
  await manager.get('/centre');
  t.equal((await manager.get('/admin/donnees-personnelles')).statusCode, 403);
  t.equal((await manager.post('/admin/donnees-personnelles', { conservation_annees: '1' })).statusCode, 403);
  const visitor = await testApp.app.inject({ method: 'GET', url: '/admin/donnees-personnelles' });
  t.not(visitor.statusCode, 200, 'a visitor is sent to sign in');
  t.equal(await retentionYears(testApp), 5);
});
