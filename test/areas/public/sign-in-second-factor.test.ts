import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { ENROLMENT_PATH } from '../../../src/plugins/auth.js';
import { upsertAccountWithPassword } from '../../../src/services/accounts/accounts.js';
import { checkSecondFactor, currentTotp } from '../../../src/services/accounts/second-factor.js';
import { retryMessage, SECOND_FACTOR_POLICY } from '../../../src/domain/throttle.js';
import { enrolSecondFactor, freshTotp, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, DEMO_PASSWORD, recordingMailer, type TestApp, type TestAppOptions } from '../../helpers/app.js';
import { decodeEntities, field, flashes, h1, visibleText } from '../../helpers/html.js';

// Every sign-in checks a password with argon2id (64 MiB): slow on a busy machine.
t.setTimeout(300_000);

const STEP_MS = 30_000;
const MINUTE = 60_000;
const CODE_STEP_OVER = 'Le délai pour saisir le code est dépassé, ou trop de codes incorrects ont été saisis : reconnectez-vous.';
const WRONG_CODE = 'Code incorrect ou déjà utilisé.';
const LOCKED = 'Trop de codes incorrects pour ce compte.';

/** The code the app shows when its clock reads the test clock's time plus `offsetMs` (a phone a little fast or slow). */
function code(secret: string, clock: ManualClock, offsetMs = 0): string {
  return currentTotp(secret, new ManualClock(new Date(clock.now().getTime() + offsetMs)));
}

/** A code that none of the three acceptable steps shows now. */
function wrongCode(secret: string, clock: ManualClock): string {
  const acceptable = [-STEP_MS, 0, STEP_MS].map((offset) => code(secret, clock, offset));
  for (let n = 0; ; n += 1) {
    const candidate = String((654_321 + n * 7_919) % 1_000_000).padStart(6, '0');
    if (!acceptable.includes(candidate)) return candidate;
  }
}

/** The red alert of a page, as the user reads it. */
function failureText(body: string): string | null {
  const inner = /fr-alert--error[^>]*>\s*<p>([\s\S]*?)<\/p>/.exec(body)?.[1];
  return inner === undefined ? null : decodeEntities(inner);
}

/** Signs out with the sign-out button of a page of the new session (the code page's CSRF token died with the old one). */
async function signOut(agent: Agent): Promise<void> {
  await agent.get('/compte');
  const res = await agent.post('/deconnexion', {});
  if (res.statusCode !== 303 || res.headers.location !== '/connexion') throw new Error(`sign-out: ${res.statusCode}`);
}

const sessionId = (agent: Agent) => agent.cookies.get('qcm_session')?.split('.')[0];

interface Enrolled {
  testApp: TestApp;
  secret: string;
  recoveryCodes: string[];
  managerId: number;
}

/**
 * A seeded app whose demo manager enrolled a second factor through the page (and signed out), the
 * clock then moved on ten minutes, to the middle of a 30-second step: the codes of the steps
 * around now are all unused, and no step boundary is a coin toss.
 */
async function enrolledManager(t: Parameters<typeof createTestApp>[0], options: TestAppOptions = {}): Promise<Enrolled> {
  const testApp = await createTestApp(t, { seed: true, ...options });
  const { clock } = testApp;
  clock.advance(STEP_MS / 2);
  const agent = await managerAgent(testApp);
  const page = await agent.get(ENROLMENT_PATH);
  const secret = decodeEntities(/class="app-enrolment-secret">([^<]+)</.exec(page.body)![1]!).replace(/\s/g, '');
  const done = await agent.post(ENROLMENT_PATH, { code: code(secret, clock) });
  if (done.statusCode !== 200) throw new Error(`enrolment refused: ${done.statusCode}`);
  const recoveryCodes = [...done.body.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => m[1]!);
  await signOut(agent);
  clock.advance(10 * MINUTE);
  const { id } = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  return { testApp, secret, recoveryCodes, managerId: id };
}

/** The password step done: the agent is on the code page, holding its form's CSRF token. */
async function atCodeStep(testApp: TestApp, options: { ip?: string; email?: string; password?: string; suivant?: string } = {}): Promise<Agent> {
  const agent = new Agent(testApp.app, options.ip);
  await agent.get(options.suivant ? `/connexion?suivant=${encodeURIComponent(options.suivant)}` : '/connexion');
  const res = await agent.post('/connexion', {
    email: options.email ?? DEMO_MANAGER_EMAIL,
    mot_de_passe: options.password ?? DEMO_PASSWORD,
    ...(options.suivant ? { suivant: options.suivant } : {}),
  });
  if (res.statusCode !== 303 || res.headers.location !== '/connexion/code') throw new Error(`password step: ${res.statusCode} ${String(res.headers.location)}`);
  const page = await agent.get('/connexion/code');
  if (page.statusCode !== 200) throw new Error(`code page: ${page.statusCode}`);
  return agent;
}

async function auditRows(testApp: TestApp, action: string) {
  const rows = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['actor_account_id', 'actor_label', 'target_id', 'ip', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details ?? 'null') as Record<string, unknown> | null }));
}

/** The e-mails leave after the answer (nobody waits on the mail server). */
async function waitForMail(sent: unknown[], count: number): Promise<void> {
  for (let i = 0; i < 100 && sent.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 20));
}

t.test('password, then code: signed in only after the code, under a new session id, journalled with the factor', async (t) => {
  const { testApp, secret, managerId } = await enrolledManager(t);
  const { app, clock } = testApp;
  const signInsBefore = (await auditRows(testApp, 'connexion.reussie')).length;

  const agent = new Agent(app, '192.0.2.44');
  await agent.get('/connexion');
  const password = await agent.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: DEMO_PASSWORD });
  t.equal(password.statusCode, 303);
  t.equal(password.headers.location, '/connexion/code', 'the right password leads to the code step');
  const afterPassword = sessionId(agent);
  t.ok(afterPassword);
  t.equal((await auditRows(testApp, 'connexion.reussie')).length, signInsBefore, 'no sign-in journalled before the code');

  for (const path of ['/centre', '/compte']) {
    const res = await agent.get(path);
    t.equal(res.statusCode, 302, `${path} is not open to a sign-in waiting for its code`);
    t.equal(res.headers.location, `/connexion?suivant=${encodeURIComponent(path)}`);
  }
  t.equal((await agent.get('/connexion')).statusCode, 200, 'the sign-in page does not take it for a signed-in user');

  const page = await agent.get('/connexion/code');
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Code de vérification');
  t.equal(field(page.body, 'code').value, '');

  const empty = await agent.post('/connexion/code', { code: '  ' });
  t.equal(empty.statusCode, 400, 'an empty code is asked again');
  t.equal(field(empty.body, 'code').error, 'Saisissez le code affiché par votre application, ou un code de secours.');

  // Typed as the app shows it, « 123 456 ».
  const res = await agent.post('/connexion/code', { code: code(secret, clock).replace(/^(\d{3})/, '$1 ') });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/centre');
  const afterCode = sessionId(agent);
  t.ok(afterCode);
  t.not(afterCode, afterPassword, 'a new session id once the code is right');
  const home = await agent.get('/centre');
  t.equal(home.statusCode, 200, 'signed in');
  t.equal(h1(home.body), 'Tableau de bord du centre');

  const signIns = await auditRows(testApp, 'connexion.reussie');
  t.equal(signIns.length, signInsBefore + 1, 'one sign-in journalled');
  t.match(signIns.at(-1), { actor_account_id: managerId, actor_label: DEMO_MANAGER_EMAIL, ip: '192.0.2.44', details: { second_facteur: 'application' } });

  const planted = new Agent(app);
  planted.cookies.set('qcm_session', agent.cookies.get('qcm_session')!.replace(afterCode!, afterPassword!));
  t.equal((await planted.get('/centre')).statusCode, 302, 'the id of the code step signs nobody in');
  t.equal((await agent.get('/connexion/code')).headers.location, '/connexion', 'the code step is over');
});

t.test('a code of the step before or after is accepted (a phone 30 s off); two steps away, refused', async (t) => {
  const { testApp, secret } = await enrolledManager(t);
  const { clock } = testApp;
  const agent = await atCodeStep(testApp);
  for (const offset of [-2 * STEP_MS, 2 * STEP_MS]) {
    const res = await agent.post('/connexion/code', { code: code(secret, clock, offset) });
    t.equal(res.statusCode, 401, `a phone ${offset / 1000} s off is refused`);
    t.ok(field(res.body, 'code').invalid, 'the error is at the field');
    t.match(field(res.body, 'code').error, WRONG_CODE);
  }
  const slow = await agent.post('/connexion/code', { code: code(secret, clock, -STEP_MS) });
  t.equal(slow.statusCode, 303, 'a phone 30 s slow is accepted');

  await signOut(agent);
  const again = await atCodeStep(testApp);
  const fast = await again.post('/connexion/code', { code: code(secret, clock, STEP_MS) });
  t.equal(fast.statusCode, 303, 'a phone 30 s fast is accepted');
});

t.test('a code works once: the same code again is refused, even after signing out; the next step’s code works', async (t) => {
  const { testApp, secret } = await enrolledManager(t);
  const { clock } = testApp;
  const seen = code(secret, clock);

  const first = await atCodeStep(testApp);
  t.equal((await first.post('/connexion/code', { code: seen })).statusCode, 303);
  await signOut(first);

  // The same instant: whoever saw the code over a shoulder, with the password.
  const second = await atCodeStep(testApp, { ip: '198.51.100.7' });
  const replay = await second.post('/connexion/code', { code: seen });
  t.equal(replay.statusCode, 401, 'the code used is refused');
  t.match(field(replay.body, 'code').error, WRONG_CODE);
  const older = await second.post('/connexion/code', { code: code(secret, clock, -STEP_MS) });
  t.equal(older.statusCode, 401, 'so is the code of the step before, though within the tolerance');
  t.equal((await second.get('/centre')).statusCode, 302, 'not signed in');

  clock.advance(STEP_MS);
  const next = await second.post('/connexion/code', { code: code(secret, clock) });
  t.equal(next.statusCode, 303, 'thirty seconds later, the new code works');
  t.equal((await second.get('/centre')).statusCode, 200);
});

t.test('two sign-ins racing with the same code: only one gets in', async (t) => {
  const { testApp, secret } = await enrolledManager(t);
  const { clock } = testApp;
  const agents = [await atCodeStep(testApp, { ip: '192.0.2.1' }), await atCodeStep(testApp, { ip: '192.0.2.2' })];
  const seen = code(secret, clock);
  const results = await Promise.all(agents.map((agent) => agent.post('/connexion/code', { code: seen })));
  t.same(results.map((r) => r.statusCode).sort(), [303, 401], 'one accepted, one refused');
  const homes = await Promise.all(agents.map((agent) => agent.get('/centre')));
  t.same(homes.map((r) => r.statusCode).sort(), [200, 302], 'one signed in');
});

// The pages above reach the check one after the other; here two checks read the account before
// either writes: only the conditional update of the claim keeps the second from passing too.
t.test('checks of one code (or one recovery code) that read the account at the same time: only one passes', async (t) => {
  const { testApp, secret, recoveryCodes, managerId } = await enrolledManager(t);
  const { app, clock } = testApp;
  const actor = { accountId: managerId, label: DEMO_MANAGER_EMAIL, ip: '192.0.2.3' };
  const check = (typed: string) => checkSecondFactor(app.db, clock, { accountId: managerId, typed }, { actor });

  const seen = code(secret, clock);
  const byApp = await Promise.all([check(seen), check(seen), check(seen)]);
  t.same(
    byApp.map((r) => r.ok).sort(),
    [false, false, true],
    'one check of the code passes',
  );
  const byRecovery = await Promise.all([check(recoveryCodes[0]!), check(recoveryCodes[0]!), check(recoveryCodes[0]!)]);
  t.same(
    byRecovery.map((r) => r.ok).sort(),
    [false, false, true],
    'one use of the recovery code passes',
  );
  t.equal((await auditRows(testApp, 'compte.code_de_secours_utilise')).length, 1);
});

t.test('a recovery code works once; its use is journalled with the codes left; few left bring a warning', async (t) => {
  const { testApp, recoveryCodes, managerId } = await enrolledManager(t);
  t.equal(recoveryCodes.length, 10);

  // Typed by hand, in lower case, a space for the dash.
  const first = await atCodeStep(testApp);
  const res = await first.post('/connexion/code', { code: recoveryCodes[0]!.toLowerCase().replace('-', ' ') });
  t.equal(res.statusCode, 303, 'a recovery code stands for the app');
  t.equal(res.headers.location, '/centre');
  const home = await first.get('/centre');
  t.equal(home.statusCode, 200);
  t.same(flashes(home.body), [], 'nine left: no warning');
  t.match((await auditRows(testApp, 'connexion.reussie')).at(-1), { actor_account_id: managerId, details: { second_facteur: 'code de secours' } });
  const used = await auditRows(testApp, 'compte.code_de_secours_utilise');
  t.equal(used.length, 1, 'the use of a recovery code is journalled');
  t.match(used[0], { actor_account_id: managerId, target_id: String(managerId), details: { codes_restants: 9 } });
  await signOut(first);

  const again = await atCodeStep(testApp);
  const reuse = await again.post('/connexion/code', { code: recoveryCodes[0]! });
  t.equal(reuse.statusCode, 401, 'the same recovery code a second time is refused');
  t.match(field(reuse.body, 'code').error, WRONG_CODE);
  t.equal((await again.get('/centre')).statusCode, 302);

  const expected: [number, string | null][] = [
    [8, null],
    [7, null],
    [6, null],
    [5, null],
    [4, null],
    [3, 'Il vous reste 3 codes de secours : générez-en de nouveaux dans « Mon compte ».'],
    [2, 'Il vous reste 2 codes de secours : générez-en de nouveaux dans « Mon compte ».'],
    [1, 'Il vous reste 1 code de secours : générez-en de nouveaux dans « Mon compte ».'],
    [0, 'Vous avez utilisé votre dernier code de secours : générez-en de nouveaux dans « Mon compte ».'],
  ];
  for (const [i, [left, warning]] of expected.entries()) {
    const agent = await atCodeStep(testApp);
    const signIn = await agent.post('/connexion/code', { code: recoveryCodes[i + 1]! });
    t.equal(signIn.statusCode, 303, `recovery code ${i + 2} accepted`);
    const page = await agent.get('/centre');
    t.same(flashes(page.body), warning ? [{ type: 'warning', text: warning }] : [], warning ? `${left} left: the warning` : `${left} left: no warning`);
    t.match((await auditRows(testApp, 'compte.code_de_secours_utilise')).at(-1)?.details, { codes_restants: left });
    await signOut(agent);
  }
  const none = await atCodeStep(testApp);
  t.equal((await none.post('/connexion/code', { code: recoveryCodes[9]! })).statusCode, 401, 'all used: none works any more');
});

t.test('five wrong codes in one sign-in send back to the password', async (t) => {
  const { testApp, secret, managerId } = await enrolledManager(t);
  const { clock } = testApp;
  const agent = await atCodeStep(testApp, { ip: '203.0.113.5' });
  for (let i = 1; i <= 4; i += 1) {
    const res = await agent.post('/connexion/code', { code: wrongCode(secret, clock) });
    t.equal(res.statusCode, 401, `wrong code ${i}: refused`);
    t.equal(h1(res.body), 'Code de vérification', `wrong code ${i}: the code is asked again`);
  }
  const fifth = await agent.post('/connexion/code', { code: 'K7QF9-3MWX2' });
  t.equal(fifth.statusCode, 401);
  t.equal(h1(fifth.body), 'Connexion', 'the fifth wrong code (a made-up recovery code) sends back to the sign-in form');
  t.equal(failureText(fifth.body), CODE_STEP_OVER);

  const right = await agent.post('/connexion/code', { code: code(secret, clock) });
  t.equal(right.statusCode, 401, 'the right code is no use now: the password first');
  t.equal(h1(right.body), 'Connexion');
  t.equal((await agent.get('/connexion/code')).headers.location, '/connexion');
  t.equal((await agent.get('/centre')).statusCode, 302, 'not signed in');

  const failures = await auditRows(testApp, 'connexion.echouee');
  t.equal(failures.length, 1, 'the wrong codes of one address make one journal row');
  t.match(failures[0], { actor_label: DEMO_MANAGER_EMAIL, target_id: String(managerId), ip: '203.0.113.5', details: { motif: 'code de vérification incorrect', tentatives: 5 } });

  const retry = await atCodeStep(testApp, { ip: '203.0.113.5' });
  t.equal((await retry.post('/connexion/code', { code: code(secret, clock) })).statusCode, 303, 'with the password again, the right code works');
});

t.test('the code step waits five minutes at most', async (t) => {
  const { testApp, secret } = await enrolledManager(t);
  const { clock } = testApp;
  const late = await atCodeStep(testApp);
  clock.advance(5 * MINUTE + 1000);
  const res = await late.post('/connexion/code', { code: code(secret, clock) });
  t.equal(res.statusCode, 401, 'the right code, too late');
  t.equal(h1(res.body), 'Connexion', 'back to the sign-in form');
  t.match(visibleText(res.body), CODE_STEP_OVER, 'which says why');
  t.equal((await late.get('/centre')).statusCode, 302, 'not signed in');
  const page = await late.get('/connexion/code');
  t.equal(page.statusCode, 302, 'the code page is gone');
  t.equal(page.headers.location, '/connexion');

  const inTime = await atCodeStep(testApp);
  clock.advance(5 * MINUTE);
  t.equal((await inTime.get('/connexion/code')).statusCode, 200, 'five minutes on, the code page is still there');
  t.equal((await inTime.post('/connexion/code', { code: code(secret, clock) })).statusCode, 303, 'and the code accepted');
});

t.test('ten wrong codes on the account, from several places, lock its code step — the right code too; the administrators are told', async (t) => {
  const { mailer, sent } = recordingMailer();
  const { testApp, secret, managerId } = await enrolledManager(t, { mailer });
  const { clock } = testApp;

  const first = await atCodeStep(testApp, { ip: '192.0.2.1' });
  for (let i = 1; i <= 5; i += 1) {
    const res = await first.post('/connexion/code', { code: wrongCode(secret, clock) });
    t.equal(res.statusCode, 401, `wrong code ${i} from the first place`);
  }
  t.equal(h1((await first.get('/connexion')).body), 'Connexion', 'the first place is back at the password');

  const second = await atCodeStep(testApp, { ip: '192.0.2.2' });
  for (let i = 6; i <= 9; i += 1) {
    const res = await second.post('/connexion/code', { code: wrongCode(secret, clock) });
    t.equal(res.statusCode, 401, `wrong code ${i}, from the second place: refused, not locked`);
  }
  t.same(await auditRows(testApp, 'compte.attaque_suspectee'), [], 'no alert below the limit');

  const tenth = await second.post('/connexion/code', { code: wrongCode(secret, clock) });
  t.equal(tenth.statusCode, 429, `wrong code ${SECOND_FACTOR_POLICY.maxFailures}: the code step of the account is locked`);
  const until = new Date(clock.now().getTime() + SECOND_FACTOR_POLICY.lockMs);
  t.equal(failureText(tenth.body), `${LOCKED} ${retryMessage(until, clock.now())}`, 'it says until when');

  const right = await second.post('/connexion/code', { code: code(secret, clock) });
  t.equal(right.statusCode, 429, 'the right code is refused during the lock');
  t.equal((await second.get('/centre')).statusCode, 302, 'not signed in');
  const third = await atCodeStep(testApp, { ip: '203.0.113.99' });
  const elsewhere = await third.post('/connexion/code', { code: code(secret, clock) });
  t.equal(elsewhere.statusCode, 429, 'from a third place too: the lock is the account’s');
  t.match(failureText(elsewhere.body), LOCKED);

  const alerts = await auditRows(testApp, 'compte.attaque_suspectee');
  t.equal(alerts.length, 1, 'one alert in the journal');
  t.match(alerts[0], { target_id: String(managerId), details: { motif: 'codes de vérification incorrects', echecs: 10 } });
  await waitForMail(sent, 1);
  t.equal(sent.length, 1, 'one e-mail: the demo has one administrator');
  t.equal(sent[0]?.to, DEMO_ADMIN_EMAIL);
  t.match(sent[0]?.subject, 'tentatives de connexion répétées');
  t.match(sent[0]?.text, DEMO_MANAGER_EMAIL);
  t.match(sent[0]?.text, '10 codes de vérification incorrects');
  const failures = await auditRows(testApp, 'connexion.echouee');
  t.same(
    failures.map((f) => [f.ip, f.details?.tentatives]),
    [
      ['192.0.2.1', 5],
      ['192.0.2.2', 5],
    ],
    'the wrong codes are journalled, one row per place',
  );

  clock.advance(SECOND_FACTOR_POLICY.lockMs);
  const after = await atCodeStep(testApp, { ip: '192.0.2.2' });
  const res = await after.post('/connexion/code', { code: code(secret, clock) });
  t.equal(res.statusCode, 303, 'once the lock is over, the right code works');
  t.equal((await after.get('/centre')).statusCode, 200);
  t.equal(sent.length, 1, 'no further e-mail');
});

t.test('an account disabled, or its password changed, between the password and the code: the code step starts over', async (t) => {
  const { testApp, secret, managerId } = await enrolledManager(t);
  const { clock } = testApp;
  const db = testApp.db.kysely;
  const signInsBefore = (await auditRows(testApp, 'connexion.reussie')).length;

  const disabled = await atCodeStep(testApp);
  await db.updateTable('accounts').set({ disabled_at: clock.now().toISOString() }).where('id', '=', managerId).execute();
  const refused = await disabled.post('/connexion/code', { code: code(secret, clock) });
  t.equal(refused.statusCode, 401, 'the right code of a disabled account');
  t.equal(h1(refused.body), 'Connexion', 'back to the sign-in form');
  t.match(visibleText(refused.body), CODE_STEP_OVER);
  t.equal((await disabled.get('/centre')).statusCode, 302, 'not signed in');
  t.equal((await disabled.get('/connexion/code')).headers.location, '/connexion', 'the code step is over');
  await db.updateTable('accounts').set({ disabled_at: null }).where('id', '=', managerId).execute();

  const changed = await atCodeStep(testApp);
  const newPassword = 'un-nouveau-mot-de-passe-2026';
  await upsertAccountWithPassword(db, clock, { email: DEMO_MANAGER_EMAIL, displayName: 'Gestionnaire (démo)', role: 'manager', password: newPassword });
  const stale = await changed.post('/connexion/code', { code: code(secret, clock) });
  t.equal(stale.statusCode, 401, 'the right code after the password was changed');
  t.equal(h1(stale.body), 'Connexion');
  t.equal((await changed.get('/centre')).statusCode, 302, 'not signed in');
  t.equal((await auditRows(testApp, 'connexion.reussie')).length, signInsBefore, 'no sign-in journalled');

  const fresh = await atCodeStep(testApp, { password: newPassword });
  t.equal((await fresh.post('/connexion/code', { code: code(secret, clock) })).statusCode, 303, 'with the new password, the same code works: it was not used up');
});

t.test('the page asked for before signing in is reached after the code', async (t) => {
  const { testApp } = await enrolledManager(t);
  const { app, clock } = testApp;
  // An administrator this time, enrolled as the first sign-in asks.
  const first = new Agent(app);
  await first.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  const adminSecret = await enrolSecondFactor(first);
  await signOut(first);
  clock.advance(STEP_MS);

  const agent = new Agent(app);
  const asked = await agent.get('/admin/centres');
  t.equal(asked.headers.location, '/connexion?suivant=%2Fadmin%2Fcentres');
  await agent.get(String(asked.headers.location));
  const password = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD, suivant: '/admin/centres' });
  t.equal(password.headers.location, '/connexion/code', 'the code first');
  await agent.get('/connexion/code');
  const res = await agent.post('/connexion/code', { code: code(adminSecret, clock) });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/admin/centres', 'then the page asked for');
  t.equal((await agent.get('/admin/centres')).statusCode, 200);

  clock.advance(STEP_MS);
  const home = await atCodeStep(testApp, { email: DEMO_ADMIN_EMAIL });
  const plain = await home.post('/connexion/code', { code: code(adminSecret, clock) });
  t.equal(plain.headers.location, '/admin', 'without one, the home page of the role');
});

t.test('the code page without a sign-in waiting for it', async (t) => {
  const { testApp, secret } = await enrolledManager(t);
  const agent = new Agent(testApp.app);
  const page = await agent.get('/connexion/code');
  t.equal(page.statusCode, 302, 'GET sends to the sign-in page');
  t.equal(page.headers.location, '/connexion');
  await agent.get('/connexion');
  const res = await agent.post('/connexion/code', { code: code(secret, testApp.clock) });
  t.equal(res.statusCode, 401, 'a code posted without the password is refused');
  t.equal(h1(res.body), 'Connexion');
  t.equal((await agent.get('/centre')).statusCode, 302, 'not signed in');
  t.equal((await testApp.db.kysely.selectFrom('accounts').select('totp_last_step').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow()).totp_last_step,
    Math.floor((testApp.clock.now().getTime() - 10 * MINUTE) / STEP_MS), 'and the code was not even checked: still unused');
});

t.test('wrong codes sent together cannot lift the account’s lock', async (t) => {
  const { testApp, secret, managerId } = await enrolledManager(t);
  const { app, clock } = testApp;
  const actor = { accountId: managerId, label: DEMO_MANAGER_EMAIL, ip: '192.0.2.4' };
  const check = (typed: string) => checkSecondFactor(app.db, clock, { accountId: managerId, typed }, { actor });
  const wrong = wrongCode(secret, clock);
  // A burst: sixty guesses and the right code sent at once, as someone with the password would.
  const burst = await Promise.all([...Array.from({ length: 60 }, () => check(wrong)), check(code(secret, clock))]);
  // The tenth wrong code is the one that locks (and says so), the rest meet the lock untried.
  t.equal(burst.filter((r) => !r.ok && r.reason === 'invalid').length, SECOND_FACTOR_POLICY.maxFailures - 1, 'only as many codes are tried as the lock allows');
  t.equal(burst.filter((r) => !r.ok && r.reason === 'locked' && r.alert).length, 1);
  t.match(burst.at(-1), { ok: false, reason: 'locked' }, 'the right code sent after them meets the lock');
  const right = await check(code(secret, clock));
  t.match(right, { ok: false, reason: 'locked' }, 'and waits for the lock to end');
  t.equal((await auditRows(testApp, 'compte.attaque_suspectee')).length, 1, 'one alert');
});

t.test('a sign-in opened before the second factor was set up ends when it is: it never gave a code', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const early = new Agent(testApp.app, '192.0.2.60');
  t.equal((await early.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD)).statusCode, 303);
  t.equal((await early.get('/compte')).statusCode, 200, 'signed in, sent to enrol before /admin');
  const owner = new Agent(testApp.app, '192.0.2.61');
  await owner.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  await enrolSecondFactor(owner);
  t.equal((await owner.get('/admin')).statusCode, 200, 'the session that enrolled goes on');
  const after = await early.get('/admin');
  t.equal(after.statusCode, 302, 'the other one is over');
  t.match(String(after.headers.location), /^\/connexion\?/);
  const manager = await managerAgent(testApp);
  const managerOther = await managerAgent(testApp, { ip: '192.0.2.62' });
  await enrolSecondFactor(manager);
  t.equal((await managerOther.get('/centre')).statusCode, 302, 'a manager’s other sign-ins end too');
  const { id } = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  const removed = await manager.post('/compte/double-authentification/retirer', { code_retrait: await freshTotp(testApp, DEMO_MANAGER_EMAIL) });
  t.equal(removed.statusCode, 303);
  t.equal((await manager.get('/centre')).statusCode, 200, 'removing it keeps the owner’s own sign-in');
  t.equal((await testApp.db.kysely.selectFrom('accounts').select('totp_enabled_at').where('id', '=', id).executeTakeFirstOrThrow()).totp_enabled_at, null);
});

t.test('a server clock set back behind the last code used: codes are refused, not a server error', async (t) => {
  const { testApp, secret } = await enrolledManager(t);
  const { clock } = testApp;
  const signedIn = await atCodeStep(testApp);
  t.equal((await signedIn.post('/connexion/code', { code: code(secret, clock) })).statusCode, 303);
  clock.advance(-3 * STEP_MS);
  const agent = await atCodeStep(testApp, { ip: '192.0.2.5' });
  const res = await agent.post('/connexion/code', { code: code(secret, clock) });
  t.equal(res.statusCode, 401, 'a code of a step already passed is refused');
  t.equal(field(res.body, 'code').error, 'Code incorrect ou déjà utilisé. Saisissez le code affiché maintenant par votre application (vérifiez que votre téléphone est à l’heure), ou un code de secours non utilisé.');
});
