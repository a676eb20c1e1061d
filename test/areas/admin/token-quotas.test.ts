/**
 * The administrator sets the daily quotas of tokens (security review, issue 11, medium item 8):
 * the national default on /admin/centres, a centre's own on its page, both validated at their
 * field and audited with the values before and after; the centre's page shows its tokens of the
 * day against its quota. Managers reach none of it.
 */
import t from 'tap';
import { DEMO_ADMIN_EMAIL } from '../../../src/operator/seed-demo.js';
import { adminAgent, managerAgent } from '../../helpers/agents.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { field, flashes, visibleText } from '../../helpers/html.js';

async function auditRows(testApp: TestApp, action: string) {
  return testApp.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
}

async function centreQuota(testApp: TestApp): Promise<number | null> {
  return (await testApp.db.kysely.selectFrom('centres').select('daily_token_quota').where('id', '=', 1).executeTakeFirstOrThrow()).daily_token_quota;
}

async function nationalQuota(testApp: TestApp): Promise<number> {
  return (await testApp.db.kysely.selectFrom('platform_settings').select('daily_token_quota').executeTakeFirstOrThrow()).daily_token_quota;
}

/** What the demo seed issued to centre0001 today (the test clock's day). */
async function issuedToday(testApp: TestApp): Promise<number> {
  const batches = await testApp.db.kysely.selectFrom('token_batches').select('size').where('centre_id', '=', 1).execute();
  return batches.reduce((sum, b) => sum + b.size, 0);
}

/** The line of the day on the centre's page. */
function usage(html: string): string {
  return visibleText(/<p id="quota-du-jour">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');
}

/** The hint of the centre's quota field. */
function quotaFieldHint(html: string): string {
  return visibleText(/<label class="fr-label" for="quota_quotidien">[\s\S]*?<span class="fr-hint-text">([\s\S]*?)<\/span><\/label>/.exec(html)?.[1] ?? '');
}

t.test('the centre’s page shows its tokens of the day against its quota; the administrator sets its own quota', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await managerAgent(testApp);
  const issued = await issuedToday(testApp);
  t.ok(issued > 0 && issued < 200, `the demo issued ${issued} tokens today, within the default`);

  const page = await admin.get('/admin/centres/1');
  t.equal(page.statusCode, 200);
  t.equal(usage(page.body), `Aujourd’hui : ${issued} jetons générés sur un quota de 200 jetons par jour. Le centre suit le quota national par défaut.`);
  t.same(field(page.body, 'quota_quotidien'), { value: '', invalid: false, error: null }, 'empty: the national default');
  t.equal(
    quotaFieldHint(page.body),
    'Jetons que le centre peut générer par jour, nombre entier de 1 à 100\u00a0000. Laissez vide pour appliquer le quota national par défaut, actuellement de 200 jetons par jour.',
  );
  t.match(
    page.body,
    /<form method="post" action="\/admin\/centres\/1\/quota" novalidate>\s*<input type="hidden" name="_csrf" value="[^"]+">/,
    'the form carries its CSRF token',
  );

  const res = await admin.post('/admin/centres/1/quota', { quota_quotidien: ' 350 ' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/centres/1#quota');
  const after = await admin.get('/admin/centres/1');
  t.same(flashes(after.body), [{ type: 'success', text: 'Le quota du centre est de 350 jetons par jour.' }]);
  t.equal(field(after.body, 'quota_quotidien').value, '350');
  t.equal(usage(after.body), `Aujourd’hui : ${issued} jetons générés sur un quota de 350 jetons par jour. Ce quota est propre au centre.`);
  t.equal(await centreQuota(testApp), 350);
  const managerHint = visibleText((await manager.get('/centre/jetons/nouvelle-table')).body);
  t.match(
    managerHint,
    `Quota de votre centre : 350 jetons par jour ; vous pouvez encore en générer ${350 - issued} aujourd’hui.`,
    'the manager sees it at once',
  );

  // The same value again changes nothing and journals nothing.
  t.equal((await admin.post('/admin/centres/1/quota', { quota_quotidien: '350' })).statusCode, 303);
  await admin.get('/admin/centres/1');
  // Back to the national default.
  const cleared = await admin.post('/admin/centres/1/quota', { quota_quotidien: '' });
  t.equal(cleared.statusCode, 303);
  const back = await admin.get('/admin/centres/1');
  t.same(flashes(back.body), [{ type: 'success', text: 'Le centre suit désormais le quota national par défaut.' }]);
  t.equal(field(back.body, 'quota_quotidien').value, '');
  t.equal(await centreQuota(testApp), null);

  const audit = await auditRows(testApp, 'centre.quota_modifie');
  t.same(
    audit.map((a) => [a.target_type, a.target_id, a.actor_label, JSON.parse(a.details!)]),
    [
      ['centre', 'centre0001', DEMO_ADMIN_EMAIL, { avant: null, apres: 350 }],
      ['centre', 'centre0001', DEMO_ADMIN_EMAIL, { avant: 350, apres: null }],
    ],
    'each change is journalled with the values before and after, an unchanged value is not',
  );
});

t.test('a wrong centre quota is refused at its field, keeping what was typed', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  await admin.get('/admin/centres/1');
  const message = 'Le quota doit être un nombre entier entre 1 et 100\u00a0000, ou rester vide pour appliquer le quota national.';
  for (const typed of ['0', '100001', '-3', '12.5', 'deux cents', '1e3']) {
    const res = await admin.post('/admin/centres/1/quota', { quota_quotidien: typed });
    t.equal(res.statusCode, 400, typed);
    t.same(field(res.body, 'quota_quotidien'), { value: typed, invalid: true, error: message }, `${typed}: at the field, as typed`);
    t.equal(field(res.body, 'nom').value, 'Centre de démonstration AIPR', 'the other forms show what is stored');
  }
  t.equal(await centreQuota(testApp), null, 'nothing was stored');
  t.same(await auditRows(testApp, 'centre.quota_modifie'), []);

  const thousands = await admin.post('/admin/centres/1/quota', { quota_quotidien: '1 500' });
  t.equal(thousands.statusCode, 303, 'thousands grouped as French writes them');
  t.equal(await centreQuota(testApp), 1500);

  t.equal((await admin.post('/admin/centres/999/quota', { quota_quotidien: '10' })).statusCode, 404, 'no such centre');
});

t.test('the national default is set on /admin/centres, validated and journalled', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await managerAgent(testApp);
  const list = await admin.get('/admin/centres');
  t.equal(list.statusCode, 200);
  t.same(field(list.body, 'quota_national'), { value: '200', invalid: false, error: null }, 'the default of migration 0009');
  t.match(
    list.body,
    /<form method="post" action="\/admin\/centres\/quota-national" novalidate>\s*<p class="fr-hint-text">Sauf mention contraire, tous les champs sont obligatoires\.<\/p>\s*<input type="hidden" name="_csrf" value="[^"]+">/,
  );

  for (const [typed, message] of [
    ['', 'Indiquez le quota national par défaut.'],
    ['0', 'Le quota doit être un nombre entier entre 1 et 100\u00a0000.'],
    ['100001', 'Le quota doit être un nombre entier entre 1 et 100\u00a0000.'],
    ['beaucoup', 'Le quota doit être un nombre entier entre 1 et 100\u00a0000.'],
  ] as const) {
    const res = await admin.post('/admin/centres/quota-national', { quota_national: typed });
    t.equal(res.statusCode, 400, JSON.stringify(typed));
    t.same(field(res.body, 'quota_national'), { value: typed, invalid: true, error: message }, `${JSON.stringify(typed)}: at the field, as typed`);
    t.match(visibleText(res.body), 'Centre de démonstration AIPR', 'the list is shown with the form');
  }
  t.equal(await nationalQuota(testApp), 200, 'nothing was stored');
  t.same(await auditRows(testApp, 'plateforme.quota_modifie'), []);

  const res = await admin.post('/admin/centres/quota-national', { quota_national: '150' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/centres');
  const after = await admin.get('/admin/centres');
  t.same(flashes(after.body), [{ type: 'success', text: 'Le quota national par défaut est de 150 jetons par jour et par centre.' }]);
  t.equal(field(after.body, 'quota_national').value, '150');
  t.equal(await nationalQuota(testApp), 150);
  t.match(quotaFieldHint((await admin.get('/admin/centres/1')).body), 'actuellement de 150 jetons par jour.', 'the centre’s page names the new default');
  t.match(
    visibleText((await manager.get('/centre/jetons/nouvelle-table')).body),
    'Quota de votre centre : 150 jetons par jour',
    'and binds the demo centre, which has none of its own',
  );

  await admin.post('/admin/centres/quota-national', { quota_national: '150' }); // unchanged: not journalled
  const audit = await auditRows(testApp, 'plateforme.quota_modifie');
  t.same(
    audit.map((a) => [a.actor_label, a.target_type, JSON.parse(a.details!)]),
    [[DEMO_ADMIN_EMAIL, null, { avant: 200, apres: 150 }]],
  );
});

t.test('a manager can set neither quota', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const manager = await managerAgent(testApp);
  await manager.get('/centre');
  t.equal((await manager.post('/admin/centres/quota-national', { quota_national: '100000' })).statusCode, 403);
  t.equal((await manager.post('/admin/centres/1/quota', { quota_quotidien: '100000' })).statusCode, 403);
  t.equal(await nationalQuota(testApp), 200);
  t.equal(await centreQuota(testApp), null);
  t.equal((await testApp.db.kysely.selectFrom('audit_log').select('id').where('action', 'like', '%quota%').execute()).length, 0);
});
