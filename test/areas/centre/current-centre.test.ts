/**
 * The centre switcher of the manager area (issue 4, item 2): a manager with several centres
 * switches between them in the header; a manager cannot switch to a centre that is not theirs;
 * one centre → no switcher; no centre → a warning on /centre.
 */
import t from 'tap';
import { DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { accountAgent, adminAgent, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, type Teardown, type TestApp } from '../../helpers/app.js';
import { decodeEntities, flashes, visibleText } from '../../helpers/html.js';

// ——— Helpers ———————————————————————————————————————————————————————————————————

const NAMES: Record<number, string> = {
  1: 'Centre de démonstration AIPR',
  2: 'Centre AIPR Occitanie',
  3: 'Centre AIPR Grand Est',
};

/** Demo data plus centre0002 (linked to the demo manager) and centre0003 (not linked). */
async function seededApp(t: Teardown): Promise<TestApp> {
  const testApp = await createTestApp(t, { seed: true });
  for (const id of [2, 3]) {
    await testApp.db.kysely
      .insertInto('centres')
      .values({
        id,
        name: NAMES[id]!,
        address: `${id} rue Haute, 31000 Toulouse`,
        siret: '73282932000074',
        contact_email: `c${id}@aipr.test`,
        status: 'active',
        created_at: testApp.clock.now().toISOString(),
      })
      .execute();
  }
  const manager = await managerId(testApp);
  await testApp.db.kysely.insertInto('account_centres').values({ account_id: manager, centre_id: 2 }).execute();
  return testApp;
}

async function managerId(testApp: TestApp, email = DEMO_MANAGER_EMAIL): Promise<number> {
  return (await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
}

/** The centre the dashboard says the manager works on: its name and code. */
function dashboardCentre(body: string): string | null {
  const m = /<p class="fr-text--lead">([\s\S]*?)<\/p>/.exec(body);
  return m ? visibleText(m[1]!) : null;
}

/** The header's switcher: the centres offered and the one selected; null when there is none. */
function switcher(body: string): { options: string[]; selected: string | null } | null {
  const form = /<form method="post" action="\/centre\/changer"[\s\S]*?<\/form>/.exec(body)?.[0];
  if (!form) return null;
  const options = [...form.matchAll(/<option value="(\d+)"( selected)?>([^<]*)<\/option>/g)];
  return {
    options: options.map((o) => `${o[1]}: ${decodeEntities(o[3]!)}`),
    selected: options.find((o) => o[2])?.[1] ?? null,
  };
}

// ——— Tests ————————————————————————————————————————————————————————————————————

t.test('a manager of two centres sees the switcher in the header and switches centre', async (t) => {
  const testApp = await seededApp(t);
  const manager = await managerAgent(testApp);

  const first = await manager.get('/centre');
  t.equal(first.statusCode, 200);
  t.equal(dashboardCentre(first.body), `${NAMES[1]} centre0001`, 'the first centre is the current one at sign-in');
  t.same(
    switcher(first.body),
    { options: [`1: centre0001 — ${NAMES[1]}`, `2: centre0002 — ${NAMES[2]}`], selected: '1' },
    'the header offers both centres, the current one selected',
  );
  t.notMatch(first.body, NAMES[3]!, 'a centre that is not theirs is not offered');

  const res = await manager.post('/centre/changer', { centre: '2' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/centre');
  const second = await manager.get('/centre');
  t.same(flashes(second.body), [{ type: 'info', text: `Vous travaillez maintenant pour le centre centre0002 — ${NAMES[2]}.` }]);
  t.equal(dashboardCentre(second.body), `${NAMES[2]} centre0002`, 'the dashboard shows the other centre');
  t.equal(switcher(second.body)?.selected, '2', 'the switcher shows the new current centre');

  // The choice lasts for the rest of the session, on other pages too.
  const later = await manager.get('/centre');
  t.equal(dashboardCentre(later.body), `${NAMES[2]} centre0002`);
  t.same(flashes(later.body), []);

  // And back.
  await manager.post('/centre/changer', { centre: '1' });
  t.equal(dashboardCentre((await manager.get('/centre')).body), `${NAMES[1]} centre0001`);
});

t.test('the switch keeps the manager in the same section, never on the previous centre’s record', async (t) => {
  const manager = await managerAgent(await seededApp(t));
  const sessions = await manager.get('/centre/sessions');
  t.match(sessions.body, 'name="retour" value="/centre/sessions"', 'the switcher knows the page it is on');
  for (const [from, to] of [
    ['/centre/sessions', '/centre/sessions'],
    ['/centre/sessions/12/fermer', '/centre/sessions'],
    ['/centre/jetons/lots/3', '/centre/jetons'],
    ['/centre/parametres', '/centre/parametres'],
    ['/centre/examens/7', '/centre'],
    ['/centre', '/centre'],
    ['//ailleurs.example/centre/jetons', '/centre'],
    ['https://ailleurs.example/', '/centre'],
  ] as const) {
    const res = await manager.post('/centre/changer', { centre: '2', retour: from });
    t.equal(res.headers.location, to, `from ${from}`);
  }
});

t.test('switching to a centre that is not theirs changes nothing', async (t) => {
  const testApp = await seededApp(t);
  const manager = await managerAgent(testApp);
  await manager.get('/centre');
  await manager.post('/centre/changer', { centre: '2' });
  await manager.get('/centre');

  for (const centre of ['3', '999', 'abc', '', '2.5', '-1']) {
    const res = await manager.post('/centre/changer', { centre });
    t.equal(res.statusCode, 303, `centre=${centre}: back to the dashboard`);
    const page = await manager.get('/centre');
    t.equal(dashboardCentre(page.body), `${NAMES[2]} centre0002`, `centre=${centre}: still centre0002`);
    t.same(flashes(page.body), [], `centre=${centre}: no message of a switch`);
    t.notMatch(page.body, NAMES[3]!, `centre=${centre}: nothing of centre0003 is shown`);
  }
  // A field missing altogether.
  t.equal((await manager.post('/centre/changer', {})).statusCode, 303);
  t.equal(dashboardCentre((await manager.get('/centre')).body), `${NAMES[2]} centre0002`);
});

t.test('a manager with one centre sees no switcher', async (t) => {
  const testApp = await seededApp(t);
  await testApp.db.kysely.deleteFrom('account_centres').where('centre_id', '=', 2).execute();
  const manager = await managerAgent(testApp);
  const page = await manager.get('/centre');
  t.equal(page.statusCode, 200);
  t.equal(dashboardCentre(page.body), `${NAMES[1]} centre0001`);
  t.equal(switcher(page.body), null, 'no switcher');
  t.notMatch(page.body, 'id="centre-courant"');
});

t.test('a manager unlinked from the centre they work on falls back to their remaining centre', async (t) => {
  const testApp = await seededApp(t);
  const manager = await managerAgent(testApp);
  await manager.get('/centre');
  await manager.post('/centre/changer', { centre: '2' });
  t.equal(dashboardCentre((await manager.get('/centre')).body), `${NAMES[2]} centre0002`);

  await testApp.db.kysely.deleteFrom('account_centres').where('centre_id', '=', 2).execute();
  const page = await manager.get('/centre');
  t.equal(page.statusCode, 200);
  t.equal(dashboardCentre(page.body), `${NAMES[1]} centre0001`, 'back on centre0001');
  t.notMatch(page.body, NAMES[2]!, 'nothing of centre0002 is shown any more');
  t.equal(switcher(page.body), null);
  await manager.post('/centre/changer', { centre: '2' });
  t.equal(dashboardCentre((await manager.get('/centre')).body), `${NAMES[1]} centre0001`, 'and cannot switch back to it');
});

t.test('a manager with no centre sees the warning on /centre', async (t) => {
  const testApp = await seededApp(t);
  const manager = await accountAgent(testApp, { email: 'sans-centre@aipr.test', role: 'manager' });
  const page = await manager.get('/centre');
  t.equal(page.statusCode, 200);
  const warning = /<div class="fr-alert fr-alert--warning">([\s\S]*?)<\/div>/.exec(page.body)?.[1] ?? '';
  t.equal(visibleText(warning), 'Votre compte n’est rattaché à aucun centre d’examen. Contactez l’administration nationale.');
  t.equal(switcher(page.body), null, 'no switcher');
  t.equal(dashboardCentre(page.body), null, 'no centre is shown');
  for (const name of Object.values(NAMES)) t.notMatch(page.body, name);

  const res = await manager.post('/centre/changer', { centre: '1' });
  t.equal(res.statusCode, 403, 'they cannot switch to a centre either');
  t.match(res.body, 'Votre compte n’est rattaché à aucun centre d’examen.');
  t.equal((await manager.get('/centre')).statusCode, 200);
  t.equal(dashboardCentre((await manager.get('/centre')).body), null, 'still no centre');
});

t.test('the switch is for managers only', async (t) => {
  const testApp = await seededApp(t);
  const admin = await adminAgent(testApp);
  await admin.get('/admin');
  t.equal((await admin.post('/centre/changer', { centre: '1' })).statusCode, 403, 'an admin gets 403');
  t.equal(switcher((await admin.get('/admin')).body), null, 'and has no switcher');

  const visitor = new Agent(testApp.app);
  await visitor.get('/connexion');
  const res = await visitor.post('/centre/changer', { centre: '1' });
  t.equal(res.statusCode, 303);
  t.match(String(res.headers.location), /^\/connexion\?/, 'an anonymous visitor is sent to sign in');
});
