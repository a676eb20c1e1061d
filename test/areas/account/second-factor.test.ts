import { createHmac } from 'node:crypto';
import t from 'tap';
import { ManualClock } from '../../../src/clock.js';
import { TOKEN_ALPHABET } from '../../../src/domain/token-code.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { ENROLMENT_PATH } from '../../../src/plugins/auth.js';
import { currentTotp, enrolmentQrSvg, enrolmentUri, removeSecondFactor } from '../../../src/services/accounts/second-factor.js';
import { CLI_ACTOR } from '../../../src/services/audit.js';
import { adminAgent, enrolSecondFactor, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, DEMO_PASSWORD, type TestApp } from '../../helpers/app.js';
import { decodeEntities, field, flashes, h1, visibleText } from '../../helpers/html.js';

// Every test signs in through the password form (argon2id, 64 MiB): slow on a busy machine.
t.setTimeout(300_000);

const STEP_MS = 30_000;
const MINUTE = 60_000;
const WRONG_CODE = 'Code incorrect ou déjà utilisé.';
const RECOVERY_SHOWN = new RegExp(`^[${TOKEN_ALPHABET}]{5}-[${TOKEN_ALPHABET}]{5}$`);

// ——— An authenticator app, written from RFC 6238 and RFC 4648 rather than taken from the library the platform uses ———

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error(`not base32: ${c}`);
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The six digits an authenticator app shows at `at` for `secret` (HMAC-SHA-1, 30-second steps). */
function appCode(secret: string, at: Date): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at.getTime() / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// ——— Reading the pages ———

/** The secret as the enrolment page shows it for typing (groups of four), and without its spaces. */
function shownSecret(html: string): { grouped: string; secret: string } {
  const shown = /<code class="app-enrolment-secret">([^<]+)<\/code>/.exec(html)?.[1];
  if (!shown) throw new Error('no secret on the page');
  const grouped = decodeEntities(shown);
  return { grouped, secret: grouped.replace(/\s/g, '') };
}

/** The SVG drawn in the QR code's box. */
function shownQr(html: string): string | null {
  return /<div class="app-enrolment-qr"[^>]*>([\s\S]*?<\/svg>)/.exec(html)?.[1]?.trim() ?? null;
}

function shownRecoveryCodes(html: string): string[] {
  const list = /<ul class="app-recovery-codes">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li><code>([^<]+)<\/code><\/li>/g)].map((m) => decodeEntities(m[1]!));
}

/** A code that none of the three acceptable steps around `at` shows. */
function wrongCode(secret: string, at: Date): string {
  const acceptable = [-1, 0, 1].map((k) => appCode(secret, new Date(at.getTime() + k * STEP_MS)));
  for (let n = 0; ; n += 1) {
    const candidate = String((123_456 + n * 7_919) % 1_000_000).padStart(6, '0');
    if (!acceptable.includes(candidate)) return candidate;
  }
}

/** Enrols through the page as its owner would, typing the code an app computes from the secret shown. */
async function enrol(agent: Agent, clock: ManualClock): Promise<{ secret: string; codes: string[] }> {
  const page = await agent.get(ENROLMENT_PATH);
  const { secret } = shownSecret(page.body);
  const res = await agent.post(ENROLMENT_PATH, { code: appCode(secret, clock.now()) });
  if (res.statusCode !== 200) throw new Error(`enrolment refused: ${res.statusCode}`);
  return { secret, codes: shownRecoveryCodes(res.body) };
}

// ——— Reading the database ———

async function accountRow(testApp: TestApp, email: string) {
  return testApp.db.kysely
    .selectFrom('accounts')
    .select(['id', 'totp_secret', 'totp_enabled_at', 'totp_last_step'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
}

async function recoveryRows(testApp: TestApp, accountId: number) {
  return testApp.db.kysely.selectFrom('recovery_codes').select(['code_hash', 'used_at']).where('account_id', '=', accountId).orderBy('id').execute();
}

async function auditRows(testApp: TestApp, action: string) {
  return testApp.db.kysely
    .selectFrom('audit_log')
    .select(['actor_account_id', 'actor_label', 'target_type', 'target_id', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
}

/** A seeded app whose clock stands in the middle of a 30-second step: a step boundary is never a coin toss. */
async function seededApp(t: Parameters<typeof createTestApp>[0]): Promise<TestApp> {
  const testApp = await createTestApp(t, { seed: true });
  testApp.clock.advance(STEP_MS / 2);
  return testApp;
}

t.test('the codes expected are those of RFC 6238 — what every authenticator app computes', async (t) => {
  // RFC 6238, appendix B: the SHA-1 key "12345678901234567890", its 8-digit codes cut to the 6 an app shows.
  const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
  const vectors: [number, string][] = [
    [59, '287082'],
    [1111111109, '081804'],
    [1111111111, '050471'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ];
  for (const [seconds, code] of vectors) {
    const at = new Date(seconds * 1000);
    t.equal(appCode(secret, at), code, `the test's app at ${seconds} s`);
    t.equal(currentTotp(secret, new ManualClock(at)), code, `the platform at ${seconds} s`);
  }
});

t.test('a manager may do without a second factor: the centre works, « Mon compte » offers it', async (t) => {
  const testApp = await seededApp(t);
  const agent = await managerAgent(testApp);
  t.equal((await agent.get('/centre')).statusCode, 200, 'the centre area is open without a second factor');
  const overview = await agent.get('/compte');
  t.equal(overview.statusCode, 200);
  t.equal(h1(overview.body), 'Mon compte');
  const text = visibleText(overview.body);
  t.match(text, 'Activer la double authentification');
  t.notMatch(text, 'Activée le');
  t.notMatch(text, 'Elle est obligatoire', 'nothing says it is required of a manager');
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_enabled_at, null);
});

t.test('enrolment: the QR code carries the secret shown; a wrong code enables nothing; the right one shows ten recovery codes, once', async (t) => {
  const testApp = await seededApp(t);
  const { clock } = testApp;
  const agent = await managerAgent(testApp);
  const manager = await accountRow(testApp, DEMO_MANAGER_EMAIL);

  const page = await agent.get(ENROLMENT_PATH);
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Double authentification');
  const { grouped, secret } = shownSecret(page.body);
  t.match(secret, /^[A-Z2-7]{32}$/, 'a base32 secret of 160 bits');
  t.match(grouped, /^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/, 'shown in groups of four');
  t.notMatch(visibleText(page.body), 'obligatoire pour l’administration nationale', 'optional for a manager');

  const qr = shownQr(page.body);
  t.ok(qr?.startsWith('<svg'), 'the QR code is an SVG drawn in the page');
  const uri = new URL(enrolmentUri(secret, DEMO_MANAGER_EMAIL));
  t.equal(uri.protocol, 'otpauth:');
  t.equal(uri.host, 'totp');
  t.equal(uri.searchParams.get('secret'), secret, 'the address for the app carries the secret shown as text');
  t.equal(uri.searchParams.get('issuer'), 'QCM-AIPR');
  t.match(decodeURIComponent(uri.pathname), DEMO_MANAGER_EMAIL, 'and names the account');
  t.equal(qr, (await enrolmentQrSvg(enrolmentUri(secret, DEMO_MANAGER_EMAIL))).trim(), 'the QR code drawn is the one of that address');

  const empty = await agent.post(ENROLMENT_PATH, { code: '' });
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'code').error, 'Saisissez le code affiché par votre application.');

  const wrong = await agent.post(ENROLMENT_PATH, { code: wrongCode(secret, clock.now()) });
  t.equal(wrong.statusCode, 400, 'a wrong code is refused');
  t.ok(field(wrong.body, 'code').invalid, 'at the field');
  t.match(field(wrong.body, 'code').error, WRONG_CODE);
  t.equal(shownSecret(wrong.body).secret, secret, 'the same secret is shown again, to try again');
  const afterWrong = await accountRow(testApp, DEMO_MANAGER_EMAIL);
  t.equal(afterWrong.totp_secret, null, 'nothing is enabled');
  t.equal(afterWrong.totp_enabled_at, null);
  t.same(await recoveryRows(testApp, manager.id), [], 'no recovery code exists');
  t.same(await auditRows(testApp, 'compte.double_facteur_active'), []);

  // Typed as the app shows it, « 123 456 ».
  const typed = appCode(secret, clock.now()).replace(/^(\d{3})/, '$1 ');
  const done = await agent.post(ENROLMENT_PATH, { code: typed });
  t.equal(done.statusCode, 200, 'the code of an app holding the secret is accepted');
  t.equal(h1(done.body), 'Vos codes de secours');
  t.match(visibleText(done.body), 'La double authentification est activée sur votre compte.');
  const codes = shownRecoveryCodes(done.body);
  t.equal(codes.length, 10, 'ten recovery codes');
  t.equal(new Set(codes).size, 10, 'all different');
  for (const code of codes) t.match(code, RECOVERY_SHOWN, `${code} is two groups of five symbols of the alphabet`);

  const enrolled = await accountRow(testApp, DEMO_MANAGER_EMAIL);
  t.equal(enrolled.totp_secret, secret, 'the secret is the account’s');
  t.equal(enrolled.totp_enabled_at, clock.now().toISOString(), 'enabled now');
  t.equal(enrolled.totp_last_step, Math.floor(clock.now().getTime() / STEP_MS), 'the enrolment’s code is used up');
  const rows = await recoveryRows(testApp, manager.id);
  t.equal(rows.length, 10, 'ten codes kept');
  t.ok(
    rows.every((r) => r.used_at === null),
    'none used',
  );
  t.equal(new Set(rows.map((r) => r.code_hash)).size, 10);
  for (const code of codes) {
    const canonical = code.replace('-', '');
    t.notOk(
      rows.some((r) => r.code_hash.includes(canonical) || r.code_hash.includes(code)),
      `${code} is kept hashed, not in clear`,
    );
  }
  const audit = await auditRows(testApp, 'compte.double_facteur_active');
  t.equal(audit.length, 1, 'the enrolment is journalled');
  t.match(audit[0], { actor_account_id: manager.id, actor_label: DEMO_MANAGER_EMAIL, target_type: 'compte', target_id: String(manager.id) });

  const overview = await agent.get('/compte');
  const text = visibleText(overview.body);
  t.match(text, 'Activée le');
  t.match(text, 'Codes de secours non utilisés : 10.');
  for (const code of codes) t.notMatch(overview.body, code, 'the recovery codes are not shown again');

  const again = await agent.get(ENROLMENT_PATH);
  t.not(shownSecret(again.body).secret, secret, 'a new enrolment starts from a new secret');
  t.equal(field(again.body, 'code_actuel').value, '', 'and asks for a code of the current app');
});

t.test('a reload of the enrolment page shows the same secret for 15 minutes, then a new one', async (t) => {
  const testApp = await seededApp(t);
  const { clock } = testApp;
  const agent = await managerAgent(testApp);
  const first = shownSecret((await agent.get(ENROLMENT_PATH)).body).secret;
  const reload = await agent.get(ENROLMENT_PATH);
  t.equal(shownSecret(reload.body).secret, first, 'a reload shows the same secret');
  t.equal(shownQr(reload.body), (await enrolmentQrSvg(enrolmentUri(first, DEMO_MANAGER_EMAIL))).trim(), 'and the same QR code');

  clock.advance(14 * MINUTE);
  t.equal(shownSecret((await agent.get(ENROLMENT_PATH)).body).secret, first, 'still the same after 14 minutes');

  clock.advance(MINUTE + 1000);
  const later = shownSecret((await agent.get(ENROLMENT_PATH)).body).secret;
  t.not(later, first, 'past 15 minutes, a new secret');
  const stale = await agent.post(ENROLMENT_PATH, { code: appCode(first, clock.now()) });
  t.equal(stale.statusCode, 400, 'an app holding the abandoned secret is not accepted');
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, null);
  const res = await agent.post(ENROLMENT_PATH, { code: appCode(later, clock.now()) });
  t.equal(res.statusCode, 200, 'the new secret is the one to confirm');
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, later);
});

t.test('a new phone: the enrolment of an enrolled account asks for a code of the current app, or a recovery code', async (t) => {
  const testApp = await seededApp(t);
  const { clock } = testApp;
  const agent = await managerAgent(testApp);
  const manager = await accountRow(testApp, DEMO_MANAGER_EMAIL);
  const { secret: oldSecret } = await enrol(agent, clock);
  const oldHashes = (await recoveryRows(testApp, manager.id)).map((r) => r.code_hash);
  clock.advance(STEP_MS);

  const page = await agent.get(ENROLMENT_PATH);
  const newSecret = shownSecret(page.body).secret;
  t.not(newSecret, oldSecret);
  t.match(visibleText(page.body), 'Code de votre application actuelle');

  const without = await agent.post(ENROLMENT_PATH, { code: appCode(newSecret, clock.now()) });
  t.equal(without.statusCode, 400, 'refused without a code of the current app');
  t.equal(field(without.body, 'code_actuel').error, 'Saisissez un code de votre application, ou un code de secours.');
  t.ok(field(without.body, 'code_actuel').invalid);
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, oldSecret, 'the second factor is unchanged');

  const wrong = await agent.post(ENROLMENT_PATH, { code_actuel: wrongCode(oldSecret, clock.now()), code: appCode(newSecret, clock.now()) });
  t.equal(wrong.statusCode, 400, 'refused with a wrong code of the current app');
  t.equal(field(wrong.body, 'code_actuel').error, WRONG_CODE);
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, oldSecret);
  t.same(await auditRows(testApp, 'compte.double_facteur_remplace'), []);

  const mistyped = await agent.post(ENROLMENT_PATH, { code_actuel: appCode(oldSecret, clock.now()), code: wrongCode(newSecret, clock.now()) });
  t.equal(mistyped.statusCode, 400, 'a wrong code of the new app is refused');
  t.ok(field(mistyped.body, 'code').error, 'at its field');
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, oldSecret);

  // The current app's code typed with the mistake above was not used up: it still works now.
  const res = await agent.post(ENROLMENT_PATH, { code_actuel: appCode(oldSecret, clock.now()), code: appCode(newSecret, clock.now()) });
  t.equal(res.statusCode, 200, 'accepted with both codes');
  t.equal(h1(res.body), 'Vos codes de secours');
  const codes = shownRecoveryCodes(res.body);
  t.equal(codes.length, 10);
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, newSecret, 'the new phone’s secret is the account’s');
  const newHashes = (await recoveryRows(testApp, manager.id)).map((r) => r.code_hash);
  t.equal(newHashes.length, 10);
  t.notOk(
    newHashes.some((h) => oldHashes.includes(h)),
    'the old recovery codes are gone',
  );
  t.equal((await auditRows(testApp, 'compte.double_facteur_remplace')).length, 1, 'the replacement is journalled');
  t.equal((await auditRows(testApp, 'compte.double_facteur_active')).length, 1, 'as a replacement, not a second enrolment');

  // Once more, the phone lost this time: a recovery code stands for the current app.
  clock.advance(STEP_MS);
  const third = shownSecret((await agent.get(ENROLMENT_PATH)).body).secret;
  const byRecovery = await agent.post(ENROLMENT_PATH, { code_actuel: codes[0]!.toLowerCase(), code: appCode(third, clock.now()) });
  t.equal(byRecovery.statusCode, 200, 'a recovery code is accepted as the current code');
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, third);
});

t.test('new recovery codes void the old ones', async (t) => {
  const testApp = await seededApp(t);
  const { clock } = testApp;
  const agent = await managerAgent(testApp);
  const manager = await accountRow(testApp, DEMO_MANAGER_EMAIL);
  const { secret, codes: first } = await enrol(agent, clock);
  const firstHashes = (await recoveryRows(testApp, manager.id)).map((r) => r.code_hash);
  clock.advance(STEP_MS);
  await agent.get('/compte');

  const empty = await agent.post('/compte/codes-de-secours', { code: '' });
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'code').error, 'Saisissez un code de votre application, ou un code de secours.');
  const wrong = await agent.post('/compte/codes-de-secours', { code: wrongCode(secret, clock.now()) });
  t.equal(wrong.statusCode, 400, 'a wrong code renews nothing');
  t.equal(field(wrong.body, 'code').error, WRONG_CODE);
  t.same(
    (await recoveryRows(testApp, manager.id)).map((r) => r.code_hash),
    firstHashes,
  );

  const renewed = await agent.post('/compte/codes-de-secours', { code: appCode(secret, clock.now()) });
  t.equal(renewed.statusCode, 200);
  t.equal(h1(renewed.body), 'Vos codes de secours');
  t.match(visibleText(renewed.body), 'Les codes précédents ne fonctionnent plus.');
  const second = shownRecoveryCodes(renewed.body);
  t.equal(second.length, 10);
  t.notOk(
    second.some((c) => first.includes(c)),
    'ten new codes',
  );
  const secondHashes = (await recoveryRows(testApp, manager.id)).map((r) => r.code_hash);
  t.equal(secondHashes.length, 10, 'ten codes kept, not twenty');
  t.notOk(
    secondHashes.some((h) => firstHashes.includes(h)),
    'none of the old ones',
  );
  const audit = await auditRows(testApp, 'compte.codes_de_secours_renouveles');
  t.equal(audit.length, 1, 'the renewal is journalled');
  t.match(audit[0], { actor_account_id: manager.id, target_id: String(manager.id) });

  await agent.get('/compte');
  const old = await agent.post('/compte/codes-de-secours', { code: first[1]! });
  t.equal(old.statusCode, 400, 'an old recovery code no longer works');
  t.equal(field(old.body, 'code').error, WRONG_CODE);
  const byNew = await agent.post('/compte/codes-de-secours', { code: second[1]!.toLowerCase().replace('-', ' ') });
  t.equal(byNew.statusCode, 200, 'a new one does');
  t.equal((await auditRows(testApp, 'compte.codes_de_secours_renouveles')).length, 2);
});

t.test('a manager removes the second factor with a code; a wrong code leaves it', async (t) => {
  const testApp = await seededApp(t);
  const { app, clock } = testApp;
  const agent = await managerAgent(testApp);
  const manager = await accountRow(testApp, DEMO_MANAGER_EMAIL);
  const { secret } = await enrol(agent, clock);
  clock.advance(STEP_MS);
  const overview = await agent.get('/compte');
  t.equal(field(overview.body, 'code_retrait').value, '', 'a manager is offered the removal');

  const empty = await agent.post('/compte/double-authentification/retirer', { code_retrait: '' });
  t.equal(empty.statusCode, 400);
  t.equal(field(empty.body, 'code_retrait').error, 'Saisissez un code de votre application, ou un code de secours.');
  const wrong = await agent.post('/compte/double-authentification/retirer', { code_retrait: wrongCode(secret, clock.now()) });
  t.equal(wrong.statusCode, 400, 'a wrong code removes nothing');
  t.equal(field(wrong.body, 'code_retrait').error, WRONG_CODE);
  t.ok(field(wrong.body, 'code_retrait').invalid);
  t.equal((await accountRow(testApp, DEMO_MANAGER_EMAIL)).totp_secret, secret, 'still enrolled');
  t.equal((await recoveryRows(testApp, manager.id)).length, 10);

  const res = await agent.post('/compte/double-authentification/retirer', { code_retrait: appCode(secret, clock.now()) });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/compte');
  const after = await agent.get('/compte');
  t.same(
    flashes(after.body).map((f) => f.type),
    ['success'],
  );
  t.match(flashes(after.body)[0]?.text, 'La double authentification est retirée de votre compte');
  t.match(visibleText(after.body), 'Activer la double authentification');
  t.match(await accountRow(testApp, DEMO_MANAGER_EMAIL), { totp_secret: null, totp_enabled_at: null, totp_last_step: null });
  t.same(await recoveryRows(testApp, manager.id), [], 'the recovery codes are deleted');
  const audit = await auditRows(testApp, 'compte.double_facteur_retire');
  t.equal(audit.length, 1, 'the removal is journalled');
  t.match(audit[0], { actor_account_id: manager.id, target_id: String(manager.id) });

  const next = new Agent(app);
  const signIn = await next.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(signIn.statusCode, 303);
  t.equal(signIn.headers.location, '/centre', 'the next sign-in asks for no code');
  t.equal((await next.get('/centre')).statusCode, 200);
});

t.test('an administrator may not remove the second factor', async (t) => {
  const testApp = await seededApp(t);
  const { clock } = testApp;
  const agent = await adminAgent(testApp);
  clock.advance(STEP_MS);
  const overview = await agent.get('/compte');
  t.equal(overview.statusCode, 200);
  t.equal(field(overview.body, 'code_retrait').value, null, 'the removal is not offered');
  const admin = await accountRow(testApp, DEMO_ADMIN_EMAIL);
  t.ok(admin.totp_secret);

  const res = await agent.post('/compte/double-authentification/retirer', { code_retrait: appCode(admin.totp_secret!, clock.now()) });
  t.equal(res.statusCode, 403, 'refused, even with the right code');
  t.equal(h1(res.body), 'Accès refusé');
  t.equal((await accountRow(testApp, DEMO_ADMIN_EMAIL)).totp_enabled_at, admin.totp_enabled_at, 'still enrolled');
  t.same(await auditRows(testApp, 'compte.double_facteur_retire'), []);
  t.equal((await agent.get('/admin')).statusCode, 200);
});

t.test('an administrator without a second factor must enrol before any /admin page or form', async (t) => {
  const testApp = await seededApp(t);
  const { app, clock } = testApp;
  const agent = new Agent(app);
  const signIn = await agent.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD);
  t.equal(signIn.statusCode, 303);
  t.equal(signIn.headers.location, '/admin');

  for (const path of ['/admin', '/admin/centres', '/admin/gestionnaires']) {
    const res = await agent.get(path);
    t.equal(res.statusCode, 303, `${path} is not served yet`);
    t.equal(res.headers.location, ENROLMENT_PATH, `${path} sends to the enrolment`);
  }
  const htmx = await agent.get('/admin/centres', { 'hx-request': 'true' });
  t.equal(htmx.headers['hx-redirect'], ENROLMENT_PATH, 'htmx is told to load the enrolment page as a whole');
  t.equal(htmx.body, '', 'and gets nothing of the admin page');

  const overview = await agent.get('/compte');
  t.equal(overview.statusCode, 200, '« Mon compte » is open to an administrator without a second factor');
  t.match(visibleText(overview.body), 'Elle est obligatoire pour l’administration nationale.');
  const page = await agent.get(ENROLMENT_PATH);
  t.equal(page.statusCode, 200);
  t.match(visibleText(page.body), 'La double authentification est obligatoire pour l’administration nationale');
  t.notMatch(page.body, 'href="/compte">Annuler', 'no way around it but signing out');

  // A form of the admin area, with a valid CSRF token of this session: refused all the same.
  const accountsBefore = await testApp.db.kysely.selectFrom('accounts').select('email').execute();
  const post = await agent.post('/admin/gestionnaires', { nom: 'Nouveau Gestionnaire', email: 'nouveau@exemple.test', centre: '1' });
  t.equal(post.statusCode, 303, 'a form posted to /admin is not handled');
  t.equal(post.headers.location, ENROLMENT_PATH);
  t.same(await testApp.db.kysely.selectFrom('accounts').select('email').execute(), accountsBefore, 'no account was created');

  const admin = await accountRow(testApp, DEMO_ADMIN_EMAIL);
  await enrol(agent, clock);
  const home = await agent.get('/admin');
  t.equal(home.statusCode, 200, 'once enrolled, /admin is served');
  t.equal(h1(home.body), 'Administration nationale');
  const htmxAfter = await agent.get('/admin/centres', { 'hx-request': 'true' });
  t.equal(htmxAfter.statusCode, 200);
  t.equal(htmxAfter.headers['hx-redirect'], undefined);
  const audit = await auditRows(testApp, 'compte.double_facteur_active');
  t.equal(audit.length, 1);
  t.match(audit[0], { actor_account_id: admin.id, actor_label: DEMO_ADMIN_EMAIL, target_id: String(admin.id) });
});

t.test('an administrator whose second factor was removed by the operator is signed out, and must enrol again at the next sign-in', async (t) => {
  const testApp = await seededApp(t);
  const agent = await adminAgent(testApp);
  const admin = await accountRow(testApp, DEMO_ADMIN_EMAIL);
  t.equal((await agent.get('/admin')).statusCode, 200);

  t.type(await removeSecondFactor(testApp.db.kysely, testApp.clock, admin.id, { actor: CLI_ACTOR }), 'string', 'removed');
  const res = await agent.get('/admin');
  t.equal(res.statusCode, 302, 'the sign-in made with the removed factor is over');
  t.match(String(res.headers.location), /^\/connexion\?/);
  const audit = await auditRows(testApp, 'compte.double_facteur_retire');
  t.equal(audit.length, 1);
  t.match(audit[0], { actor_label: 'CLI', target_id: String(admin.id) });
  t.equal(await removeSecondFactor(testApp.db.kysely, testApp.clock, admin.id, { actor: CLI_ACTOR }), null, 'nothing left to remove');
  t.equal((await auditRows(testApp, 'compte.double_facteur_retire')).length, 1, 'and nothing more journalled');

  const again = new Agent(testApp.app, '192.0.2.77');
  t.equal((await again.signIn(DEMO_ADMIN_EMAIL, DEMO_PASSWORD)).headers.location, '/admin', 'the password alone signs in');
  const next = await again.get('/admin');
  t.equal(next.statusCode, 303, 'and the administrator is sent to enrol again');
  t.equal(next.headers.location, ENROLMENT_PATH);
  await enrolSecondFactor(again);
  t.equal((await again.get('/admin')).statusCode, 200);
});
