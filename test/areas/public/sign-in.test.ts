import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { ConfigError } from '../../../src/config.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { enrolSecondFactor } from '../../helpers/agents.js';
import { ACCOUNT_ALERT_POLICY, ACCOUNT_POLICY } from '../../../src/domain/throttle.js';
import { Agent, createTestApp, recordingMailer, type TestApp, DEMO_PASSWORD } from '../../helpers/app.js';
import { field, flashes, h1 } from '../../helpers/html.js';
import { admit } from '../../helpers/kiosk.js';

// Some seventy argon2id hashes (64 MiB each): slow on a busy shared machine, so more than the default 120 s.
t.setTimeout(300_000);

const MINUTE = 60_000;
const WRONG_CREDENTIALS = 'Adresse électronique ou mot de passe incorrect.';
const EXPIRY_NOTICE = 'Votre session a expiré après 30 minutes d’inactivité.';
const PUBLIC_ORIGIN = 'http://localhost:3000';

async function accountId(testApp: TestApp, email: string): Promise<number> {
  const row = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return row.id;
}

/** The red alert of the sign-in page, as the user reads it. */
function failureText(body: string): string | null {
  return /fr-alert--error[^>]*>\s*<p>([^<]*)<\/p>/.exec(body)?.[1] ?? null;
}

/** The site a browser would go to when following `location`. */
function originOf(location: unknown): string {
  return new URL(String(location), PUBLIC_ORIGIN).origin;
}

t.test('an admin signs in, sets up the second factor the first time, and lands on the admin dashboard with their name', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  const res = await agent.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin');
  const beforeEnrolment = await agent.get('/admin');
  t.equal(beforeEnrolment.statusCode, 303, 'an administrator without a second factor is sent to set it up first');
  t.equal(beforeEnrolment.headers.location, '/compte/double-authentification');
  await enrolSecondFactor(agent);

  const page = await agent.get('/admin');
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Administration nationale');
  t.match(page.body, 'Administration (démo)');
  t.match(page.body, 'Se déconnecter', 'the sign-out button is shown');

  const home = await agent.get('/');
  t.equal(home.headers.location, '/admin', '/ sends a signed-in admin to /admin');
  const again = await agent.get('/connexion');
  t.equal(again.statusCode, 302, 'the sign-in page sends a signed-in user home');
  t.equal(again.headers.location, '/admin');
});

t.test('a manager signs in and lands on the centre dashboard with their name and centre', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  const res = await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/centre');

  const page = await agent.get('/centre');
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Tableau de bord du centre');
  t.match(page.body, 'Gestionnaire (démo)');
  t.match(page.body, 'Centre de démonstration AIPR');
  t.match(page.body, 'centre0001');
});

t.test('the email is matched whatever its case and surrounding spaces', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const res = await new Agent(app).signIn('  ADMIN@Demo.Test ', DEMO_PASSWORD);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin');
});

t.test('the session id changes at sign-in', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  // A session from before the sign-in: here a kiosk terminal's (its admission keeps a flash and a CSRF secret).
  await admit(agent);
  const before = agent.cookies.get('qcm_session');
  t.ok(before, 'the visitor holds a session before signing in');
  await agent.get('/connexion');

  const res = await agent.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: DEMO_PASSWORD });
  t.equal(res.statusCode, 303);
  const after = agent.cookies.get('qcm_session');
  t.ok(after);
  t.not(after, before, 'a new session id is issued at sign-in');
  t.not(after?.split('.')[0], before?.split('.')[0], 'the id itself changed, not only its signature');

  // The id planted before sign-in is worth nothing afterwards.
  const planted = new Agent(app);
  planted.cookies.set('qcm_session', before!);
  const res2 = await planted.get('/centre');
  t.equal(res2.statusCode, 302, 'the pre-sign-in session id does not give access');
  t.match(String(res2.headers.location), /^\/connexion\?/);
  t.equal((await agent.get('/centre')).statusCode, 200, 'the new one does');
});

t.test('a wrong password is refused with a French message and the email kept', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  const res = await agent.signIn(DEMO_ADMIN_EMAIL, 'pas-le-bon-mot-de-passe');
  t.equal(res.statusCode, 401);
  t.equal(failureText(res.body), WRONG_CREDENTIALS);
  t.equal(field(res.body, 'email').value, DEMO_ADMIN_EMAIL, 'the email stays in the field');
  t.match(res.body, /<input[^>]*id="mot_de_passe"[^>]*value=""/, 'the password is not sent back');
  t.notMatch(res.body, 'pas-le-bon-mot-de-passe');
  t.equal((await agent.get('/admin')).statusCode, 302, 'not signed in');
});

t.test('an unknown email gets the same message', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const res = await new Agent(app).signIn('personne@exemple.test', DEMO_PASSWORD);
  t.equal(res.statusCode, 401);
  t.equal(failureText(res.body), WRONG_CREDENTIALS);
  t.equal(field(res.body, 'email').value, 'personne@exemple.test');
});

t.test('a disabled account cannot sign in, and the failure is audited with the reason', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  await testApp.db.kysely
    .updateTable('accounts')
    .set({ disabled_at: '2026-11-01T00:00:00.000Z' })
    .where('email', '=', DEMO_MANAGER_EMAIL)
    .execute();
  const res = await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(res.statusCode, 401);
  t.equal(failureText(res.body), WRONG_CREDENTIALS, 'the same message: nothing tells the account exists');
  const row = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'details'])
    .where('action', '=', 'connexion.echouee')
    .executeTakeFirstOrThrow();
  t.match(JSON.parse(row.details ?? 'null'), { motif: 'compte désactivé' });
});

t.test('a hostile email is shown escaped', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const res = await new Agent(app).signIn('"><script>alert(1)</script>@x.test', 'quelconque');
  t.equal(res.statusCode, 401);
  t.notMatch(res.body, '<script>alert(1)</script>');
  t.match(res.body, '&lt;script&gt;');
});

t.test('missing fields are named in French', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  await agent.get('/connexion');
  const res = await agent.post('/connexion', { email: '  ', mot_de_passe: '' });
  t.equal(res.statusCode, 400);
  t.match(res.body, 'Saisissez votre adresse électronique.');
  t.match(res.body, 'Saisissez votre mot de passe.');
});

t.test('no lockout as a weapon: failures on an account slow their own place down, and never refuse the right password', async (t) => {
  const { app, db } = await createTestApp(t, { seed: true });
  const attacker = new Agent(app, '198.51.100.20');
  for (let i = 1; i <= ACCOUNT_POLICY.maxFailures + 2; i += 1) {
    const res = await attacker.signIn(DEMO_ADMIN_EMAIL, `mauvais-mot-de-passe-${i}`);
    t.equal(res.statusCode, 401, `failure ${i} is a plain refusal, not a lock of the account`);
    t.equal(failureText(res.body), 'Adresse électronique ou mot de passe incorrect.');
  }
  const slowed = await db.kysely.selectFrom('sign_in_throttle').select(['key', 'locked_until']).where('key', 'like', 'compte:%').execute();
  t.same(slowed.map((r) => r.key), [`compte:${DEMO_ADMIN_EMAIL}:198.51.100.20`], 'counted for the account from that address only');
  t.ok(slowed[0]!.locked_until, 'that place is slowed down');

  const owner = await new Agent(app, '203.0.113.50').signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(owner.statusCode, 303, 'the owner, elsewhere, signs in at once');
  t.equal(owner.headers.location, '/admin');

  const sameOffice = new Agent(app, '198.51.100.20');
  const slowButAccepted = await sameOffice.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(slowButAccepted.statusCode, 303, 'even from the slowed place, the right password is accepted');
  t.equal(
    await db.kysely.selectFrom('sign_in_throttle').select('key').where('key', '=', `compte:${DEMO_ADMIN_EMAIL}:198.51.100.20`).executeTakeFirst(),
    undefined,
    'a success there ends the slow-down',
  );
});

t.test('many failures on one account from several places alert the administrators, once per hour', async (t) => {
  const { mailer, sent } = recordingMailer();
  const { app, db, clock } = await createTestApp(t, { seed: true, mailer });
  // Below each address's own limit, so that only the account-wide count can see the attack.
  const places = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
  let failures = 0;
  while (failures < ACCOUNT_ALERT_POLICY.maxFailures + 3) {
    await new Agent(app, places[failures % places.length]).signIn(DEMO_MANAGER_EMAIL, `essai-${failures}`);
    failures += 1;
  }
  // The e-mail leaves after the answer (nobody waits on the mail server).
  for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const alerts = await db.kysely.selectFrom('audit_log').select(['target_id', 'actor_label']).where('action', '=', 'compte.attaque_suspectee').execute();
  t.equal(alerts.length, 1, 'one alert in the journal, not one per failure');
  t.equal(alerts[0]!.actor_label, 'système');
  t.equal(sent.length, 1, 'one e-mail per administrator (the demo has one)');
  t.equal(sent[0]!.to, DEMO_ADMIN_EMAIL);
  t.match(sent[0]!.subject, 'tentatives de connexion répétées');
  t.match(sent[0]!.text, DEMO_MANAGER_EMAIL);
  t.equal((await new Agent(app, '203.0.113.9').signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 303, 'the account is not locked');

  clock.advance(61 * MINUTE);
  for (let i = 0; i < ACCOUNT_ALERT_POLICY.maxFailures; i += 1) await new Agent(app, places[i % places.length]).signIn(DEMO_MANAGER_EMAIL, `encore-${i}`);
  for (let i = 0; i < 100 && sent.length === 1; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(sent.length, 2, 'the next hour, a new attack is a new alert');
  const unknown = await db.kysely.selectFrom('sign_in_throttle').select('key').where('key', 'like', 'compte-alerte:inconnu%').execute();
  t.same(unknown, [], 'failures on addresses that are no account alert nobody');
});

t.test('twenty failures from one address lock that address, whatever the emails', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app, '203.0.113.7');
  for (let i = 1; i <= 19; i += 1) {
    const res = await agent.signIn(`inconnu${i}@exemple.test`, 'mauvais-mot-de-passe');
    t.equal(res.statusCode, 401, `failure ${i} from the address is a plain refusal`);
  }
  const twentieth = await agent.signIn('inconnu20@exemple.test', 'mauvais-mot-de-passe');
  t.equal(twentieth.statusCode, 429, 'the twentieth failure locks the address');
  t.match(failureText(twentieth.body), 'Réessayez à');

  const rightPassword = await agent.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(rightPassword.statusCode, 429, 'a valid account is refused from the locked address');
  t.match(failureText(rightPassword.body), 'Réessayez à');

  const otherAddress = await new Agent(app, '203.0.113.8').signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(otherAddress.statusCode, 303, 'another address is not locked');
});

t.test('sign-ins are written to the audit log, never the password', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const adminId = await accountId(testApp, DEMO_ADMIN_EMAIL);
  const agent = new Agent(testApp.app, '192.0.2.10');
  t.equal((await agent.signIn(DEMO_ADMIN_EMAIL, 'mauvais-mot-de-passe-audit')).statusCode, 401);
  t.equal((await agent.signIn('personne@exemple.test', 'mauvais-mot-de-passe-audit')).statusCode, 401);
  t.equal((await agent.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD)).statusCode, 303);

  const rows = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['at', 'action', 'actor_account_id', 'actor_label', 'target_type', 'target_id', 'ip'])
    .where('action', 'like', 'connexion.%')
    .orderBy('id')
    .execute();
  const at = testApp.clock.now().toISOString();
  t.same(rows, [
    { at, action: 'connexion.echouee', actor_account_id: null, actor_label: DEMO_ADMIN_EMAIL, target_type: 'compte', target_id: String(adminId), ip: '192.0.2.10' },
    { at, action: 'connexion.echouee', actor_account_id: null, actor_label: 'personne@exemple.test', target_type: null, target_id: null, ip: '192.0.2.10' },
    { at, action: 'connexion.reussie', actor_account_id: adminId, actor_label: DEMO_ADMIN_EMAIL, target_type: 'compte', target_id: String(adminId), ip: '192.0.2.10' },
  ]);
  const everything = JSON.stringify(await testApp.db.kysely.selectFrom('audit_log').selectAll().execute());
  t.notMatch(everything, 'mauvais-mot-de-passe-audit', 'a mistyped password is never logged');
  t.notMatch(everything, DEMO_PASSWORD);
});

t.test('a sign-in survives a restart of the app', async (t) => {
  const first = await createTestApp(t, { seed: true });
  const agent = new Agent(first.app);
  t.equal((await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 303);
  t.equal((await agent.get('/centre')).statusCode, 200);
  await first.close(true);

  const second = await createTestApp(t, { dataDir: first.dataDir, clock: first.clock });
  agent.app = second.app;
  const page = await agent.get('/centre');
  t.equal(page.statusCode, 200, 'the same cookie is still signed in after the restart');
  t.match(page.body, 'Gestionnaire (démo)');
});

t.test('thirty minutes without activity end the sign-in', async (t) => {
  const { app, clock } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  t.equal((await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 303);
  t.equal((await agent.get('/centre')).statusCode, 200);

  clock.advance(31 * MINUTE);
  const res = await agent.get('/centre');
  t.equal(res.statusCode, 302);
  t.equal(res.headers.location, '/connexion?suivant=%2Fcentre&expiree=1');

  const signInPage = await agent.get(String(res.headers.location));
  t.equal(signInPage.statusCode, 200);
  t.match(signInPage.body, EXPIRY_NOTICE, 'the sign-in page says why');
  t.equal(field(signInPage.body, 'suivant').value, '/centre', 'and remembers where the user was going');

  const again = await agent.get('/centre');
  t.equal(again.statusCode, 302, 'the expired sign-in is really over');

  const back = await agent.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: DEMO_PASSWORD, suivant: '/centre' });
  t.equal(back.statusCode, 303);
  t.equal(back.headers.location, '/centre', 'signing in again leads back to the page');
  t.equal((await agent.get('/centre')).statusCode, 200);
});

t.test('activity within 30 minutes keeps the sign-in', async (t) => {
  const { app, clock } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  t.equal((await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 303);
  for (const [step, minutes] of [[1, 20], [2, 20], [3, 29]] as const) {
    clock.advance(minutes * MINUTE);
    const res = await agent.get('/centre');
    t.equal(res.statusCode, 200, `still signed in at step ${step}, after ${minutes} idle minutes`);
  }
  t.notMatch((await agent.get('/connexion')).body, EXPIRY_NOTICE);
});

t.test('after sign-in the user lands on the page asked for (suivant)', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  const page = await agent.get('/connexion?suivant=%2Fadmin%2Fx');
  t.equal(field(page.body, 'suivant').value, '/admin/x', 'the sign-in form carries the destination');
  const res = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD, suivant: '/admin/x' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/x');

  const anonymous = new Agent(app);
  const redirect = await anonymous.get('/admin');
  t.equal(redirect.headers.location, '/connexion?suivant=%2Fadmin');
  const form = await anonymous.get(String(redirect.headers.location));
  const suivant = field(form.body, 'suivant').value;
  t.equal(suivant, '/admin');
  const signedIn = await anonymous.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD, suivant: suivant ?? '' });
  t.equal(signedIn.headers.location, '/admin');
});

t.test('a destination on another site is ignored', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const page = await new Agent(app).get('/connexion?suivant=%2F%2Fevil.example');
  t.equal(field(page.body, 'suivant').value, '', 'the form does not carry it');

  const agent = new Agent(app);
  await agent.get('/connexion');
  const res = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD, suivant: '//evil.example' });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin', '//evil.example is replaced by the home page');

  const signedIn = await agent.get('/connexion?suivant=%2F%2Fevil.example');
  t.equal(signedIn.headers.location, '/admin', 'also when already signed in');
});

t.test('no spelling of another site gets through suivant', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  // Browsers drop tabs and newlines from URLs, so "/\t/evil.example" is followed as "//evil.example".
  const dotted = ['/.//evil.example/phish', '/%2e%2e//evil.example/x', '/a/..//evil.example', '/%2e//evil.example', '/./\\evil.example'];
  for (const suivant of ['https://evil.example/', '/\\evil.example', '\\\\evil.example', '/\t/evil.example', ' //evil.example', ...dotted]) {
    const agent = new Agent(app);
    await agent.get('/connexion');
    const res = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD, suivant });
    t.equal(res.statusCode, 303, `${JSON.stringify(suivant)}: signed in`);
    t.equal(originOf(res.headers.location), PUBLIC_ORIGIN, `${JSON.stringify(suivant)}: the browser stays on the site (Location ${JSON.stringify(res.headers.location)})`);
  }
  // Already signed in: the sign-in page sends the user on at once.
  const agent = new Agent(app);
  await agent.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  for (const suivant of dotted) {
    const res = await agent.get(`/connexion?suivant=${encodeURIComponent(suivant)}`);
    t.equal(originOf(res.headers.location), PUBLIC_ORIGIN, `signed in, ${JSON.stringify(suivant)}: stays on the site (Location ${JSON.stringify(res.headers.location)})`);
  }
});

t.test('a signed-in user following a link with a newline in suivant does not bring the server down', async (t) => {
  // Run in a child process: if the server dies, it takes its process with it, not this test file.
  const dataDir = mkdtempSync(join(tmpdir(), 'qcm-aipr-crash-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const helpers = new URL('../../helpers/app.ts', import.meta.url).href;
  const script = `
    const { Agent, createTestApp } = await import(${JSON.stringify(helpers)});
    // No tap here: the script closes the app itself.
    const testApp = await createTestApp({ teardown() {} }, { dataDir: ${JSON.stringify(dataDir)}, seed: true });
    const agent = new Agent(testApp.app);
    await agent.signIn('admin@demo.test', 'demo-aipr-2026');
    const cookie = [...agent.cookies].map(([k, v]) => k + '=' + v).join('; ');
    const base = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(base + '/connexion?suivant=%2F%0A%2Fevil.example', { headers: { cookie }, redirect: 'manual' });
    const health = await fetch(base + '/healthz');
    console.log(JSON.stringify({ status: res.status, location: res.headers.get('location'), health: health.status }));
    await testApp.close();
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(child.status, 0, `the server process is still alive (stderr: ${child.stderr.split('\n').find((l) => /Error/.test(l)) ?? ''})`);
  const line = child.stdout.trim().split('\n').pop() ?? '';
  type Result = { status: number; location: string | null; health: number };
  let result: Result | null = null;
  try {
    result = JSON.parse(line) as Result;
  } catch {
    result = null;
  }
  t.ok(result, 'the server answered');
  if (result) {
    t.equal(result.health, 200, 'and keeps answering');
    t.ok(result.status >= 300 && result.status < 400, 'the user is redirected');
    t.equal(originOf(result.location), PUBLIC_ORIGIN, 'to a page of the site');
  }
});

t.test('sign-out ends the session', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);
  await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  const dashboard = await agent.get('/centre');
  t.match(dashboard.body, /<form method="post" action="\/deconnexion"/, 'the dashboard has the sign-out form');
  const stolen = new Map(agent.cookies);

  const res = await agent.post('/deconnexion', {});
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/connexion');
  const signInPage = await agent.get('/connexion');
  t.same(flashes(signInPage.body), [{ type: 'success', text: 'Vous êtes déconnecté. Pour revenir, reconnectez-vous.' }], 'the sign-in page says the user is signed out');
  t.same(flashes((await agent.get('/connexion')).body), [], 'once');

  const after = await agent.get('/centre');
  t.equal(after.statusCode, 302);
  t.match(String(after.headers.location), /^\/connexion\?suivant=%2Fcentre/);

  const replay = new Agent(testApp.app);
  replay.cookies = stolen;
  t.equal((await replay.get('/centre')).statusCode, 302, 'the old cookie no longer signs anyone in');

  const audit = await testApp.db.kysely.selectFrom('audit_log').select(['actor_label']).where('action', '=', 'deconnexion').execute();
  t.same(audit, [{ actor_label: DEMO_MANAGER_EMAIL }], 'the sign-out is audited');
});

t.test('sign-out without the CSRF token is refused and the user stays signed in', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  await agent.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  await agent.get('/centre');
  const res = await agent.post('/deconnexion', {}, { csrf: null });
  t.equal(res.statusCode, 403);
  t.match(res.body, 'Ce formulaire a expiré');
  t.equal((await agent.get('/centre')).statusCode, 200);
});

t.test('with PUBLIC_URL=https the app starts only behind a trusted proxy, and users sign in through it', async (t) => {
  // server.ts never serves TLS itself, so an https PUBLIC_URL means a proxy in front that speaks
  // plain HTTP to the app: without TRUST_PROXY the app could not tell an https request from an
  // http one, and its Secure cookie would never come back.
  const refusal = await createTestApp(t, { env: { PUBLIC_URL: 'https://aipr.example.fr' } }).then(
    () => null,
    (err: unknown) => err,
  );
  t.ok(refusal instanceof ConfigError && /TRUST_PROXY/.test(refusal.message), 'without TRUST_PROXY: refused at start with a message naming it');

  const { app } = await createTestApp(t, { seed: true, env: { PUBLIC_URL: 'https://aipr.example.fr', TRUST_PROXY: 'loopback' } });
  const agent = new Agent(app);
  const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.30' };
  const page = await agent.get('/connexion', proxied);
  t.equal(page.statusCode, 200);
  t.ok(agent.cookies.has('qcm_csrf'), 'the sign-in page sets the cookie of its form');
  const res = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD }, { headers: proxied });
  t.equal(res.statusCode, 303, 'the sign-in form is accepted');
  t.equal(res.headers.location, '/admin');
});

t.test('a form sent back with errors says so in the page title; a normal page does not', async (t) => {
  const { app } = await createTestApp(t, { seed: true });
  const agent = new Agent(app);
  const form = await agent.get('/connexion');
  const titleOf = (html: string) => /<title>([^<]*)<\/title>/.exec(html)?.[1];
  t.equal(titleOf(form.body), 'Connexion — QCM-AIPR');
  const refused = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: 'pas-le-bon-mot-de-passe' });
  t.equal(refused.statusCode, 401);
  t.equal(titleOf(refused.body), 'Erreur : Connexion — QCM-AIPR');
  const empty = await agent.post('/connexion', { email: '', mot_de_passe: '' });
  t.equal(empty.statusCode, 400);
  t.equal(titleOf(empty.body), 'Erreur : Connexion — QCM-AIPR');
});

t.test('failed sign-ins grow the journal by a row per address, e-mail and hour, which counts the attempts', async (t) => {
  const { app, db, clock } = await createTestApp(t, { seed: true });
  const guesser = new Agent(app, '192.0.2.77');
  for (let i = 0; i < 7; i++) await guesser.signIn(DEMO_MANAGER_EMAIL, `devine-${i}`);
  const failures = () =>
    db.kysely.selectFrom('audit_log').select(['at', 'details', 'ip']).where('action', '=', 'connexion.echouee').orderBy('id').execute();
  const first = await failures();
  t.equal(first.length, 1, 'seven tries, one row');
  t.same(JSON.parse(first[0]!.details!), { tentatives: 7, derniere: clock.now().toISOString() });

  await new Agent(app, '192.0.2.78').signIn(DEMO_MANAGER_EMAIL, 'ailleurs');
  t.equal((await failures()).length, 2, 'another address is another row');
  clock.advance(61 * MINUTE);
  await guesser.signIn(DEMO_MANAGER_EMAIL, 'plus-tard');
  const later = await failures();
  t.equal(later.length, 3, 'an hour later, a new row');
  t.same(JSON.parse(later[2]!.details!), { tentatives: 1 });
});
