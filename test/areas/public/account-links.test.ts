/**
 * One-time links to set one's password (issue 4, item 2): the link sets the password, serves once,
 * expires after 48 hours, is voided by a newer one; the password rules and their French messages;
 * and the "mot de passe oublié" page, which reveals no account.
 */
import t from 'tap';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { writeAccountLink } from '../../../src/services/accounts/links.js';
import { verifyPassword } from '../../../src/services/accounts/passwords.js';
import { adminAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, recordingMailer, type TestApp, DEMO_PASSWORD } from '../../helpers/app.js';
import { field, flashes, h1, visibleText } from '../../helpers/html.js';

// ——— Helpers ———————————————————————————————————————————————————————————————————

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LINK = /http:\/\/localhost:3000\/compte\/mot-de-passe\/([A-Za-z0-9_-]{20,})/;
const NO_LONGER_VALID = 'Ce lien n’est plus valable';
const NEW_PASSWORD = 'cheval-batterie-agrafe';

/** The admin creates a manager (linked to centre0001) and reads the link from the page that shows it. */
async function newManagerLink(testApp: TestApp, admin: Agent, email = 'alex.durand@centre.test'): Promise<{ id: number; secret: string }> {
  const res = await admin.post('/admin/gestionnaires', { nom: 'Alex Durand', email, centre: '1' });
  if (res.statusCode !== 200) throw new Error(`manager creation failed: ${res.statusCode}`);
  const secret = LINK.exec(res.body)?.[1];
  if (!secret) throw new Error('no link on the page');
  const row = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  return { id: row.id, secret };
}

/** The admin asks for a new link for this account and reads it from the page that shows it. */
async function reissue(admin: Agent, accountId: number): Promise<{ secret: string; text: string }> {
  const res = await admin.post(`/admin/gestionnaires/${accountId}/lien`, {});
  if (res.statusCode !== 200) throw new Error(`link request failed: ${res.statusCode}`);
  const text = visibleText(res.body);
  const secret = LINK.exec(text)?.[1];
  if (!secret) throw new Error('no link on the page');
  return { secret, text };
}

async function passwordHash(testApp: TestApp, id: number): Promise<string | null> {
  return (await testApp.db.kysely.selectFrom('accounts').select('password_hash').where('id', '=', id).executeTakeFirstOrThrow()).password_hash;
}

async function setPassword(agent: Agent, secret: string, password: string, confirmation = password) {
  await agent.get(`/compte/mot-de-passe/${secret}`);
  return agent.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: password, confirmation });
}

// ——— The link sets the password ————————————————————————————————————————————————

t.test('the activation link sets the password, then the manager signs in with it', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { id, secret } = await newManagerLink(testApp, admin);
  t.equal(await passwordHash(testApp, id), null, 'no password before');
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', NEW_PASSWORD)).statusCode, 401, 'nobody can sign in before');

  const person = new Agent(testApp.app);
  const page = await person.get(`/compte/mot-de-passe/${secret}`);
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Choisir votre mot de passe');
  t.match(page.body, 'alex.durand@centre.test');
  t.equal(page.headers['referrer-policy'], 'no-referrer', 'the secret does not leak through the Referer header');

  const res = await person.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/connexion');
  const signInPage = await person.get('/connexion');
  t.same(flashes(signInPage.body), [{ type: 'success', text: 'Votre mot de passe est enregistré. Vous pouvez maintenant vous connecter.' }]);
  t.ok(await passwordHash(testApp, id), 'a password is set');

  const signIn = await person.signIn('alex.durand@centre.test', NEW_PASSWORD);
  t.equal(signIn.statusCode, 303, 'the new password signs in');
  t.equal(signIn.headers.location, '/centre');
  t.match((await person.get('/centre')).body, 'Centre de démonstration AIPR');
  t.match((await admin.get(`/admin/gestionnaires/${id}`)).body, 'compte actif', 'the admin sees the account active');

  const audit = await testApp.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'compte.active').execute();
  t.same(audit.map((a) => [a.target_id, a.actor_label]), [[String(id), 'alex.durand@centre.test']]);
});

t.test('a link serves once: a second visit gets 410', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { id, secret } = await newManagerLink(testApp, admin);
  const person = new Agent(testApp.app);
  t.equal((await setPassword(person, secret, NEW_PASSWORD)).statusCode, 303);
  const hash = await passwordHash(testApp, id);

  const again = await person.get(`/compte/mot-de-passe/${secret}`);
  t.equal(again.statusCode, 410);
  t.equal(h1(again.body), 'Lien expiré');
  t.match(again.body, NO_LONGER_VALID);
  t.notMatch(again.body, 'name="mot_de_passe"', 'no form is offered');

  // Even a form kept open in another tab cannot use it.
  await person.get('/connexion');
  const replay = await person.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: 'un-autre-mot-de-passe', confirmation: 'un-autre-mot-de-passe' });
  t.equal(replay.statusCode, 410);
  t.match(replay.body, NO_LONGER_VALID);
  t.equal(await passwordHash(testApp, id), hash, 'the password is unchanged');
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', 'un-autre-mot-de-passe')).statusCode, 401);
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', NEW_PASSWORD)).statusCode, 303);
});

t.test('two tabs submitting the same link at once: only one sets the password', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { secret } = await newManagerLink(testApp, admin);
  const tabA = new Agent(testApp.app);
  const tabB = new Agent(testApp.app);
  await tabA.get(`/compte/mot-de-passe/${secret}`);
  await tabB.get(`/compte/mot-de-passe/${secret}`);
  const [a, b] = await Promise.all([
    tabA.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: 'mot-de-passe-onglet-a', confirmation: 'mot-de-passe-onglet-a' }),
    tabB.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: 'mot-de-passe-onglet-b', confirmation: 'mot-de-passe-onglet-b' }),
  ]);
  t.same([a.statusCode, b.statusCode].sort(), [303, 410]);
  const winner = a.statusCode === 303 ? 'mot-de-passe-onglet-a' : 'mot-de-passe-onglet-b';
  const loser = a.statusCode === 303 ? 'mot-de-passe-onglet-b' : 'mot-de-passe-onglet-a';
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', winner)).statusCode, 303);
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', loser)).statusCode, 401);
});

t.test('a link expires after 48 hours', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { id, secret } = await newManagerLink(testApp, admin);
  const person = new Agent(testApp.app);

  testApp.clock.advance(48 * HOUR - MINUTE);
  t.equal((await person.get(`/compte/mot-de-passe/${secret}`)).statusCode, 200, 'still valid a minute before the end');

  testApp.clock.advance(2 * MINUTE); // 48 h + 1 min after it was issued
  const expired = await person.get(`/compte/mot-de-passe/${secret}`);
  t.equal(expired.statusCode, 410);
  t.match(expired.body, NO_LONGER_VALID);
  t.match(expired.body, '48 heures');
  const post = await person.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
  t.equal(post.statusCode, 410, 'a form opened before the end cannot be sent after it');
  t.equal(await passwordHash(testApp, id), null, 'no password was set');
});

t.test('a password under 12 characters or a wrong confirmation is refused at its field', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { id, secret } = await newManagerLink(testApp, admin);
  const person = new Agent(testApp.app);

  const short = await setPassword(person, secret, 'court-11car');
  t.equal(short.statusCode, 400);
  t.same(field(short.body, 'mot_de_passe'), { invalid: true, error: 'Le mot de passe doit comporter au moins 12 caractères.', value: '' });
  t.equal(field(short.body, 'confirmation').error, null);

  const mismatch = await setPassword(person, secret, NEW_PASSWORD, `${NEW_PASSWORD}!`);
  t.equal(mismatch.statusCode, 400);
  t.same(field(mismatch.body, 'confirmation'), { invalid: true, error: 'Les deux mots de passe saisis ne sont pas identiques.', value: '' });
  t.equal(field(mismatch.body, 'mot_de_passe').error, null);
  t.notMatch(mismatch.body, NEW_PASSWORD, 'the password is not sent back');

  t.equal(await passwordHash(testApp, id), null, 'nothing was set');
  const exactly12 = 'douze-carac.';
  t.equal(exactly12.length, 12);
  t.equal((await setPassword(person, secret, exactly12)).statusCode, 303, 'the link still works after the mistakes; 12 characters are enough');
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', exactly12)).statusCode, 303);
});

t.test('issuing a new link voids the previous one', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { id, secret: first } = await newManagerLink(testApp, admin);
  const { secret: second, text } = await reissue(admin, id);
  t.not(second, first);
  t.match(text, 'Transmettez ce lien d’activation', 'an account still without a password gets an activation link');

  const person = new Agent(testApp.app);
  const old = await person.get(`/compte/mot-de-passe/${first}`);
  t.equal(old.statusCode, 410, 'the first link no longer works');
  t.match(old.body, NO_LONGER_VALID);
  t.equal((await setPassword(person, second, NEW_PASSWORD)).statusCode, 303, 'the second one does');
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', NEW_PASSWORD)).statusCode, 303);
});

t.test('an admin resets the password of an active manager with a new link', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  const page = await admin.get(`/admin/gestionnaires/${manager.id}`);
  t.match(page.body, 'Envoyer un lien de réinitialisation du mot de passe');

  const { secret: first } = await reissue(admin, manager.id);
  const { secret, text } = await reissue(admin, manager.id);
  t.match(text, 'Transmettez ce lien de réinitialisation du mot de passe à gestionnaire@demo.test.');
  t.equal((await new Agent(testApp.app).get(`/compte/mot-de-passe/${first}`)).statusCode, 410, 'the earlier reset link is void');

  // Until the link is used, the old password still works.
  t.equal((await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 303);
  t.equal((await setPassword(new Agent(testApp.app), secret, NEW_PASSWORD)).statusCode, 303);
  t.equal((await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 401, 'the old password is gone');
  t.equal((await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, NEW_PASSWORD)).statusCode, 303, 'the new one works');

  const actions = (await testApp.db.kysely.selectFrom('audit_log').select('action').where('target_id', '=', String(manager.id)).orderBy('id').execute()).map((a) => a.action);
  t.same(
    actions.filter((a) => a.startsWith('gestionnaire.') || a.startsWith('compte.')),
    ['gestionnaire.lien_reinitialisation', 'gestionnaire.lien_reinitialisation', 'compte.mot_de_passe_reinitialise'],
  );
});

t.test('the link of a disabled account does not work', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const { id, secret } = await newManagerLink(testApp, admin);
  await admin.post(`/admin/gestionnaires/${id}/desactiver`, {});
  const res = await new Agent(testApp.app).get(`/compte/mot-de-passe/${secret}`);
  t.equal(res.statusCode, 410);
  t.equal(await passwordHash(testApp, id), null);
});

t.test('an unknown or malformed link gets 410', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  for (const secret of ['inconnu', 'A'.repeat(43), '%E2%80%99']) {
    const res = await new Agent(testApp.app).get(`/compte/mot-de-passe/${secret}`);
    t.equal(res.statusCode, 410, secret);
    t.match(res.body, NO_LONGER_VALID);
  }
});

// ——— Mot de passe oublié ————————————————————————————————————————————————————————

/** The page as the visitor sees it, with the address typed and the per-session tokens blanked. */
function comparable(body: string, email: string): string {
  return body
    .replaceAll(email, '«adresse»')
    .replace(/"x-csrf-token": "[^"]*"/g, '"x-csrf-token": "…"')
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="…"');
}

t.test('/mot-de-passe-oublie answers the same for an existing and an unknown address; only the existing one gets a link', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await createTestApp(t, { seed: true, mailer });

  const visitor = new Agent(testApp.app);
  const form = await visitor.get('/mot-de-passe-oublie');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Mot de passe oublié');
  t.match(form.body, 'action="/mot-de-passe-oublie"');

  const known = await visitor.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL });
  await visitor.get('/mot-de-passe-oublie');
  const unknown = await visitor.post('/mot-de-passe-oublie', { email: 'personne@inconnu.test' });
  t.equal(known.statusCode, 200);
  t.equal(unknown.statusCode, 200);
  t.match(known.body, `Si un compte actif correspond à l’adresse ${DEMO_MANAGER_EMAIL}, un lien de réinitialisation vient de lui être envoyé.`);
  t.equal(comparable(known.body, DEMO_MANAGER_EMAIL), comparable(unknown.body, 'personne@inconnu.test'), 'the two answers are the same page');

  // The link is sent after the answer (same answer time whether the account exists or not).
  for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(sent.length, 1, 'one email only');
  t.equal(sent[0]!.to, DEMO_MANAGER_EMAIL, 'to the existing account');
  t.equal(sent[0]!.subject, 'QCM-AIPR : réinitialisation de votre mot de passe');
  const secret = LINK.exec(sent[0]!.text)?.[1];
  t.ok(secret, 'the email holds the link');

  t.equal((await setPassword(new Agent(testApp.app), secret!, NEW_PASSWORD)).statusCode, 303, 'the emailed link sets a new password');
  t.equal((await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, NEW_PASSWORD)).statusCode, 303);
  t.equal((await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 401);
});

t.test('/mot-de-passe-oublie: many addresses together cannot flood one mailbox (three links an hour), and the page does not tell', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await createTestApp(t, { seed: true, mailer });
  const answers: string[] = [];
  for (let i = 0; i < 6; i++) {
    const visitor = new Agent(testApp.app, `10.30.0.${i + 1}`);
    await visitor.get('/mot-de-passe-oublie');
    const res = await visitor.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL });
    t.equal(res.statusCode, 200, `request ${i + 1} answered as usual`);
    answers.push(comparable(res.body, DEMO_MANAGER_EMAIL));
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
  for (let i = 0; i < 100 && sent.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 100));
  t.equal(sent.length, 3, `three links, whatever the number of addresses asking (got ${sent.length})`);
  t.equal(new Set(answers).size, 1, 'the same page every time');

  testApp.clock.advance(61 * 60_000);
  const later = new Agent(testApp.app, '10.30.1.1');
  await later.get('/mot-de-passe-oublie');
  await later.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL });
  for (let i = 0; i < 100 && sent.length < 4; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  t.equal(sent.length, 4, 'an hour later, a link again');
});

t.test('/mot-de-passe-oublie sends nothing for a disabled account, and refuses a malformed address', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await createTestApp(t, { seed: true, mailer });
  await testApp.db.kysely.updateTable('accounts').set({ disabled_at: testApp.clock.now().toISOString() }).where('email', '=', DEMO_MANAGER_EMAIL).execute();
  const visitor = new Agent(testApp.app);
  await visitor.get('/mot-de-passe-oublie');
  const res = await visitor.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL });
  t.equal(res.statusCode, 200);
  t.match(res.body, 'Si un compte actif correspond');
  t.equal(sent.length, 0);

  await visitor.get('/mot-de-passe-oublie');
  const bad = await visitor.post('/mot-de-passe-oublie', { email: 'pas une adresse' });
  t.equal(bad.statusCode, 400);
  t.same(field(bad.body, 'email'), { invalid: true, error: 'Saisissez une adresse électronique valide.', value: 'pas une adresse' });
  t.equal(sent.length, 0);
});

t.test('without a mailer, /mot-de-passe-oublie sends people to the administration, whatever the address', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const visitor = new Agent(testApp.app);
  const page = await visitor.get('/mot-de-passe-oublie');
  t.equal(page.statusCode, 200);
  t.match(page.body, 'Demandez un lien de réinitialisation à l’administration nationale');
  t.notMatch(page.body, 'mailto:', 'no contact address configured: none invented');

  await visitor.get('/connexion');
  const known = await visitor.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL });
  await visitor.get('/connexion');
  const unknown = await visitor.post('/mot-de-passe-oublie', { email: 'personne@inconnu.test' });
  t.equal(known.statusCode, unknown.statusCode);
  t.equal(comparable(known.body, DEMO_MANAGER_EMAIL), comparable(unknown.body, 'personne@inconnu.test'), 'the same answer');
  t.equal((await testApp.db.kysely.selectFrom('account_links').select('token_hash').execute()).length, 0, 'no link was made');
});

t.test('a new password ends every sign-in made with the old one', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  const intruder = new Agent(testApp.app, '10.40.0.1');
  t.equal((await intruder.signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD)).statusCode, 303, 'someone knew the old password');
  t.equal((await intruder.get('/centre')).statusCode, 200);

  const { secret } = await reissue(admin, manager.id);
  t.equal((await setPassword(new Agent(testApp.app), secret, NEW_PASSWORD)).statusCode, 303);
  const after = await intruder.get('/centre');
  t.equal(after.statusCode, 302, 'that sign-in has ended');
  t.match(String(after.headers.location), /^\/connexion\?/);
  t.equal((await admin.get('/admin')).statusCode, 200, 'other accounts keep theirs');
});

t.test('once a password is chosen, no other link of the account works (an activation link sent before a reset)', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await createTestApp(t, { seed: true, mailer });
  const admin = await adminAgent(testApp);
  t.equal((await admin.post('/admin/gestionnaires', { nom: 'Alex Durand', email: 'alex.durand@centre.test', centre: '1' })).statusCode, 303);
  for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const activation = LINK.exec(sent[0]?.text ?? '')?.[1] ?? '';
  t.ok(activation, 'the activation link was emailed');
  const visitor = new Agent(testApp.app);
  await visitor.get('/mot-de-passe-oublie');
  await visitor.post('/mot-de-passe-oublie', { email: 'alex.durand@centre.test' });
  for (let i = 0; i < 100 && sent.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const reset = LINK.exec(sent[1]?.text ?? '')?.[1];
  t.ok(reset, 'a reset link was emailed');
  t.equal((await new Agent(testApp.app).get(`/compte/mot-de-passe/${activation}`)).statusCode, 200, 'both links work until one is used');

  t.equal((await setPassword(new Agent(testApp.app), reset!, NEW_PASSWORD)).statusCode, 303);
  t.equal((await new Agent(testApp.app).get(`/compte/mot-de-passe/${activation}`)).statusCode, 410, 'the activation link is void');
  const late = new Agent(testApp.app);
  await late.get('/connexion'); // a CSRF token of its own, as a tab opened earlier would have
  const refused = await late.post(`/compte/mot-de-passe/${activation}`, { mot_de_passe: 'un-autre-mot-de-passe-2026', confirmation: 'un-autre-mot-de-passe-2026' });
  t.equal(refused.statusCode, 410, 'and cannot set another password');
  t.equal((await new Agent(testApp.app).signIn('alex.durand@centre.test', NEW_PASSWORD)).statusCode, 303);
});

t.test('a sign-in still checking the old password when the new one is saved ends too', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  const { secret } = await reissue(admin, manager.id);
  const owner = new Agent(testApp.app, '10.40.0.2');
  await owner.get(`/compte/mot-de-passe/${secret}`);
  const intruder = new Agent(testApp.app, '10.40.0.3');
  await intruder.get('/connexion');
  // The intruder's sign-in reads the old hash, then argon2 takes its time; the owner's new password lands meanwhile.
  const [signIn, reset] = await Promise.all([
    intruder.post('/connexion', { email: DEMO_MANAGER_EMAIL, mot_de_passe: DEMO_PASSWORD }),
    new Promise((resolve) => setTimeout(resolve, 5)).then(() => owner.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD })),
  ]);
  t.equal(reset.statusCode, 303, 'the new password is saved');
  t.equal(signIn.statusCode, 303, 'the old password was still right when it was checked');
  t.equal((await intruder.get('/centre')).statusCode, 302, 'but that sign-in is over as soon as it is used');
});

t.test('a password set through a reset link ends the slow-downs and the alert window of the account', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await createTestApp(t, { seed: true, mailer });
  const db = testApp.db.kysely;
  for (const ip of ['198.51.100.1', '198.51.100.2']) {
    for (let i = 0; i < 5; i++) await new Agent(testApp.app, ip).signIn(DEMO_MANAGER_EMAIL, `mauvais-${i}`);
  }
  const before = await db.selectFrom('sign_in_throttle').select('key').where('key', 'like', `compte%${DEMO_MANAGER_EMAIL}%`).orderBy('key').execute();
  t.same(
    before.map((r) => r.key),
    [`compte-alerte:${DEMO_MANAGER_EMAIL}`, `compte:${DEMO_MANAGER_EMAIL}:198.51.100.1`, `compte:${DEMO_MANAGER_EMAIL}:198.51.100.2`],
    'two slowed places and the alert count',
  );

  const visitor = new Agent(testApp.app, '203.0.113.4');
  await visitor.get('/mot-de-passe-oublie');
  await visitor.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL });
  for (let i = 0; i < 100 && sent.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
  const secret = LINK.exec(sent[0]!.text)?.[1];
  t.equal((await setPassword(new Agent(testApp.app), secret!, NEW_PASSWORD)).statusCode, 303);
  const after = await db.selectFrom('sign_in_throttle').select('key').where('key', 'like', `compte%${DEMO_MANAGER_EMAIL}%`).execute();
  t.same(after, [], 'nothing of the account is counted any more');
  t.ok(await db.selectFrom('sign_in_throttle').select('key').where('key', '=', 'adresse:198.51.100.1').executeTakeFirst(), 'the addresses keep their own count');
});

t.test('with CONTACT_EMAIL, the forgotten-password page and the help give the national administration’s address', async (t) => {
  const withoutMail = await createTestApp(t, { seed: true, env: { CONTACT_EMAIL: 'aipr@ministere.test' } });
  const page = await new Agent(withoutMail.app).get('/mot-de-passe-oublie');
  t.match(visibleText(page.body), /Demandez un lien de réinitialisation à l’administration nationale \(\s*aipr@ministere\.test\s*\)/);
  t.match(page.body, '<a href="mailto:aipr@ministere.test">aipr@ministere.test</a>', 'as a link');
  t.match((await new Agent(withoutMail.app).get('/aide')).body, 'href="mailto:aipr@ministere.test"', 'the help says it too');

  const { mailer } = recordingMailer();
  const withMail = await createTestApp(t, { seed: true, mailer, env: { CONTACT_EMAIL: 'aipr@ministere.test' } });
  const form = visibleText((await new Agent(withMail.app).get('/mot-de-passe-oublie')).body);
  t.match(form, /Aucun courriel reçu, ou plus d’accès à cette adresse \? Écrivez à l’administration nationale : aipr@ministere\.test\s*\./, 'with a mailer, for whoever gets no mail');
});

t.test('LOCAL_SIGN_IN=admins: no reset link for a manager, and a manager’s link made before no longer sets a password; an administrator’s still does', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await createTestApp(t, {
    seed: true,
    mailer,
    env: { OIDC_ISSUER: 'https://cerbere.example.gouv.fr', OIDC_CLIENT_ID: 'qcm-aipr', LOCAL_SIGN_IN: 'admins' },
  });
  const manager = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow();
  const admin = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_ADMIN_EMAIL).executeTakeFirstOrThrow();
  // Links made while passwords were allowed to everyone.
  const [managerSecret, adminSecret] = await testApp.db.kysely
    .transaction()
    .execute(async (trx) => [await writeAccountLink(trx, testApp.clock.now(), manager.id, 'reset'), await writeAccountLink(trx, testApp.clock.now(), admin.id, 'reset')]);

  const visitor = new Agent(testApp.app);
  const page = await visitor.get(`/compte/mot-de-passe/${managerSecret}`);
  t.equal(page.statusCode, 410);
  t.match(visibleText(page.body), 'les gestionnaires de centre se connectent avec Cerbère : ce lien ne permet plus de choisir un mot de passe');
  await visitor.get('/connexion');
  const posted = await visitor.post(`/compte/mot-de-passe/${managerSecret}`, { mot_de_passe: NEW_PASSWORD, confirmation: NEW_PASSWORD });
  t.equal(posted.statusCode, 410, 'nor by posting the form');
  const stored = await testApp.db.kysely.selectFrom('accounts').select('password_hash').where('id', '=', manager.id).executeTakeFirstOrThrow();
  t.ok(await verifyPassword(stored.password_hash!, DEMO_PASSWORD), 'the manager’s password is unchanged');

  t.equal((await setPassword(new Agent(testApp.app), adminSecret, NEW_PASSWORD)).statusCode, 303, 'an administrator’s link still works');

  await visitor.get('/mot-de-passe-oublie');
  t.equal((await visitor.post('/mot-de-passe-oublie', { email: DEMO_MANAGER_EMAIL })).statusCode, 200, 'the same answer as ever');
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.same(sent, [], 'but no link for a manager');
});

t.test('LOCAL_SIGN_IN=off: no forgotten-password page, no link works', async (t) => {
  const testApp = await createTestApp(t, { seed: true, env: { CAS_URL: 'https://cerbere.example.gouv.fr/cas/public', LOCAL_SIGN_IN: 'off' } });
  const admin = await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_ADMIN_EMAIL).executeTakeFirstOrThrow();
  const secret = await testApp.db.kysely.transaction().execute((trx) => writeAccountLink(trx, testApp.clock.now(), admin.id, 'reset'));
  const visitor = new Agent(testApp.app);
  for (const url of ['/mot-de-passe-oublie', `/compte/mot-de-passe/${secret}`]) {
    const res = await visitor.get(url);
    t.equal(res.statusCode, 404, url);
    t.match(visibleText(res.body), 'Sur cette plateforme, la connexion se fait avec Cerbère : aucun mot de passe n’est à choisir ni à réinitialiser.', url);
  }
  t.notMatch(visibleText((await visitor.get('/connexion')).body), 'Mot de passe oublié', 'nor a link to it');
});
