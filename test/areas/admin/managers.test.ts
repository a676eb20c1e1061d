/**
 * The administrator's manager accounts (issue 4, item 2): creation with a one-time activation link
 * (shown to the admin without SMTP, emailed with it), the form's French messages, linking to and
 * unlinking from centres, disabling and reactivating, and who may reach these pages.
 */
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import type { Mailer } from '../../../src/services/mailer.js';
import { DEMO_ADMIN_EMAIL, DEMO_MANAGER_EMAIL } from '../../../src/operator/seed-demo.js';
import { adminAgent, enrolSecondFactor, managerAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, recordingMailer, type Teardown, type TestApp, DEMO_PASSWORD } from '../../helpers/app.js';
import { field, flashes, h1, visibleText } from '../../helpers/html.js';
import { signInThroughProvider } from '../../../src/areas/public/sign-in/lifecycle.js';

// ——— Helpers ———————————————————————————————————————————————————————————————————

const HOUR = 3_600_000;
const LINK = /http:\/\/localhost:3000\/compte\/mot-de-passe\/([A-Za-z0-9_-]{20,})/;

/** The demo data, and centre0002 to link managers to. */
async function seededApp(t: Teardown, options: { mailer?: Mailer } = {}): Promise<TestApp> {
  const testApp = await createTestApp(t, { seed: true, ...options });
  await addCentre(testApp, 2, 'Centre AIPR Normandie');
  return testApp;
}

async function addCentre(testApp: TestApp, id: number, name: string): Promise<void> {
  await testApp.db.kysely
    .insertInto('centres')
    .values({
      id,
      name,
      address: `${id} place du Marché, 14000 Caen`,
      siret: '73282932000074',
      contact_email: `centre${id}@aipr.test`,
      status: 'active',
      created_at: testApp.clock.now().toISOString(),
    })
    .execute();
}

function createdManagerId(res: LightMyRequestResponse): number | null {
  const m = /^\/admin\/gestionnaires\/(\d+)$/.exec(String(res.headers.location ?? ''));
  return m ? Number(m[1]) : null;
}

async function accountByEmail(testApp: TestApp, email: string) {
  return testApp.db.kysely.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
}

async function linkedCentres(testApp: TestApp, accountId: number): Promise<number[]> {
  const rows = await testApp.db.kysely.selectFrom('account_centres').select('centre_id').where('account_id', '=', accountId).orderBy('centre_id').execute();
  return rows.map((r) => r.centre_id);
}

async function auditActions(testApp: TestApp, prefix: string) {
  return testApp.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'target_type', 'target_id', 'actor_label', 'details'])
    .where('action', 'like', `${prefix}%`)
    .orderBy('id')
    .execute();
}

const NEW_MANAGER = { nom: 'Camille Martin', email: 'camille.martin@normandie.test', centre: '2' };

// ——— Creation ——————————————————————————————————————————————————————————————————

t.test('an admin creates a manager linked to a centre; without a mailer the answer shows the one-time link, stored nowhere', async (t) => {
  const testApp = await seededApp(t);
  const admin = await adminAgent(testApp);

  const form = await admin.get('/admin/gestionnaires/nouveau?centre=2');
  t.equal(form.statusCode, 200);
  t.equal(h1(form.body), 'Créer un compte de gestionnaire');
  t.equal(field(form.body, 'centre').value, '2', 'the centre named in the URL is preselected');
  t.match(form.body, '<option value="1">centre0001 — Centre de démonstration AIPR</option>');

  const res = await admin.post('/admin/gestionnaires', NEW_MANAGER);
  t.equal(res.statusCode, 200, 'the link is shown in the answer itself');
  const account = await accountByEmail(testApp, NEW_MANAGER.email);
  const id = account?.id;
  t.match(account, { display_name: 'Camille Martin', role: 'manager', password_hash: null, disabled_at: null }, 'a manager account without a password');
  t.same(await linkedCentres(testApp, id!), [2], 'linked to the chosen centre');

  t.equal(h1(res.body), 'Lien à transmettre');
  t.match(visibleText(res.body), `Transmettez ce lien d’activation à ${NEW_MANAGER.email}. Il est valable 48 heures et ne sert qu’une fois.`);
  const secret = LINK.exec(res.body)?.[1];
  t.ok(secret, 'the page holds the link');
  t.equal(res.headers['cache-control'], 'no-store', 'and no cache keeps it');
  t.match(res.body, `href="/admin/gestionnaires/${id}"`, 'a way on to the account');
  // The page cannot be shown again (the link is stored nowhere): the administrator's mail client takes it from here.
  const mailto = /href="(mailto:[^"]+)"/.exec(res.body)?.[1]?.replaceAll('&amp;', '&');
  t.ok(mailto, 'a ready-made e-mail');
  const prepared = new URL(mailto ?? 'mailto:');
  t.equal(decodeURIComponent(prepared.pathname), NEW_MANAGER.email, 'addressed to the manager');
  t.equal(prepared.searchParams.get('subject'), 'QCM-AIPR : activez votre compte de gestionnaire');
  t.match(prepared.searchParams.get('body') ?? '', `/compte/mot-de-passe/${secret}`, 'with the link in its text');
  const stored = await testApp.db.kysely.selectFrom('http_sessions').select('data').execute();
  t.notOk(
    stored.some((row) => row.data.includes(secret!)),
    'the link is kept in no session (a flash would have kept it there for hours)',
  );

  const page = await admin.get(`/admin/gestionnaires/${id}`);
  t.equal(page.statusCode, 200);
  t.same(flashes(page.body), [], 'and no flash repeats it');
  t.notMatch(page.body, '/compte/mot-de-passe/', 'the account page does not show it again');
  t.equal(h1(page.body), 'Camille Martin');
  t.match(visibleText(page.body), 'camille.martin@normandie.test — en attente d’activation');
  t.match(page.body, 'centre0002 — Centre AIPR Normandie');

  // The link is stored as a hash only, valid 48 hours.
  const links = await testApp.db.kysely.selectFrom('account_links').selectAll().where('account_id', '=', id!).execute();
  t.equal(links.length, 1);
  t.match(links[0], { purpose: 'activation', used_at: null, expires_at: new Date(testApp.clock.now().getTime() + 48 * HOUR).toISOString() });
  t.notMatch(links[0]!.token_hash, secret!, 'the secret itself is not stored');

  // The link works for that account.
  const visitor = new Agent(testApp.app);
  const setPage = await visitor.get(`/compte/mot-de-passe/${secret}`);
  t.equal(setPage.statusCode, 200);
  t.match(setPage.body, NEW_MANAGER.email);

  const list = await admin.get('/admin/gestionnaires');
  const row = /<tr>\s*<td><a href="\/admin\/gestionnaires\/\d+">Camille Martin<\/a><\/td>([\s\S]*?)<\/tr>/.exec(list.body)?.[1] ?? '';
  t.match(
    visibleText(row),
    'camille.martin@normandie.test en attente d’activation mot de passe (à définir) jamais centre0002 — Centre AIPR Normandie',
    'the list shows the state and the centre',
  );

  const centrePage = await admin.get('/admin/centres/2');
  t.equal(centrePage.statusCode, 200);
  t.match(visibleText(centrePage.body), 'Camille Martin — camille.martin@normandie.test (en attente d’activation)', 'the centre page lists its manager');

  const audit = await auditActions(testApp, 'gestionnaire.');
  t.same(
    audit.map((a) => [a.action, a.target_id, a.actor_label]),
    [['gestionnaire.cree', String(id), DEMO_ADMIN_EMAIL]],
  );
  t.same(JSON.parse(audit[0]!.details!), { email: NEW_MANAGER.email, centre: 'centre0002' });
});

t.test('with a mailer, the link is emailed to the new manager and the flash says so', async (t) => {
  const { mailer, sent } = recordingMailer();
  const testApp = await seededApp(t, { mailer });
  const admin = await adminAgent(testApp);
  const res = await admin.post('/admin/gestionnaires', NEW_MANAGER);
  t.equal(res.statusCode, 303);
  const id = createdManagerId(res);

  t.equal(sent.length, 1, 'one email');
  t.equal(sent[0]!.to, NEW_MANAGER.email, 'to the new manager');
  t.equal(sent[0]!.subject, 'QCM-AIPR : activez votre compte de gestionnaire');
  t.match(sent[0]!.text, 'Bonjour Camille Martin');
  t.match(sent[0]!.text, '48 heures');
  const secret = LINK.exec(sent[0]!.text)?.[1];
  t.ok(secret, 'the email holds the link');

  const page = await admin.get(`/admin/gestionnaires/${id}`);
  t.same(flashes(page.body), [{ type: 'success', text: `Le lien d’activation a été envoyé à ${NEW_MANAGER.email} (valable 48 heures).` }]);
  t.notMatch(page.body, '/compte/mot-de-passe/', 'the admin does not see the link');

  // The emailed link activates the account.
  const person = new Agent(testApp.app);
  t.equal((await person.get(`/compte/mot-de-passe/${secret}`)).statusCode, 200);
  t.equal(
    (await person.post(`/compte/mot-de-passe/${secret}`, { mot_de_passe: 'un-mot-de-passe-solide', confirmation: 'un-mot-de-passe-solide' })).statusCode,
    303,
  );
  const signIn = await new Agent(testApp.app).signIn(NEW_MANAGER.email, 'un-mot-de-passe-solide');
  t.equal(signIn.statusCode, 303);
  t.equal(signIn.headers.location, '/centre');
});

t.test('when the email cannot be sent, the admin gets the link to pass on', async (t) => {
  const testApp = await seededApp(t, {
    mailer: {
      enabled: true,
      send: async () => {
        throw new Error('SMTP down');
      },
    },
  });
  const admin = await adminAgent(testApp);
  const res = await admin.post('/admin/gestionnaires', NEW_MANAGER);
  t.equal(res.statusCode, 200);
  t.ok(await accountByEmail(testApp, NEW_MANAGER.email), 'the account exists anyway');
  t.match(visibleText(res.body), 'L’envoi du courriel a échoué. Transmettez vous-même ce lien d’activation');
  t.match(res.body, LINK);
});

t.test('a duplicate email is refused at the email field, and the typed values are kept', async (t) => {
  const testApp = await seededApp(t);
  const admin = await adminAgent(testApp);
  const before = await testApp.db.kysely.selectFrom('accounts').select('id').execute();

  for (const email of [DEMO_MANAGER_EMAIL, 'Gestionnaire@Demo.TEST', DEMO_ADMIN_EMAIL]) {
    const res = await admin.post('/admin/gestionnaires', { nom: 'Dominique Petit', email, centre: '2' });
    t.equal(res.statusCode, 400, `${email}: refused`);
    t.equal(h1(res.body), 'Créer un compte de gestionnaire');
    t.same(
      field(res.body, 'email'),
      {
        value: email,
        invalid: true,
        error:
          email === DEMO_ADMIN_EMAIL
            ? 'Un compte existe déjà avec cette adresse électronique.'
            : 'Un compte de gestionnaire existe déjà avec cette adresse électronique : ouvrez sa fiche pour le rattacher à un autre centre.',
      },
      `${email}: the message is at the email field`,
    );
    if (email === DEMO_ADMIN_EMAIL) t.notMatch(res.body, 'Ouvrir la fiche de', 'no manager record to offer for an administrator');
    else t.match(res.body, /href="\/admin\/gestionnaires\/\d+">Ouvrir la fiche de Gestionnaire \(démo\)</, 'the existing manager is one click away');
    t.same(field(res.body, 'nom'), { value: 'Dominique Petit', invalid: false, error: null }, 'the name is kept');
    t.equal(field(res.body, 'centre').value, '2', 'the chosen centre is kept');
  }
  t.equal((await testApp.db.kysely.selectFrom('accounts').select('id').execute()).length, before.length, 'no account was created');
  t.equal((await testApp.db.kysely.selectFrom('account_links').select('token_hash').execute()).length, 0, 'no link was issued');
});

t.test('the other fields of the manager form have their French messages', async (t) => {
  const testApp = await seededApp(t);
  const admin = await adminAgent(testApp);
  const res = await admin.post('/admin/gestionnaires', { nom: '  ', email: 'pas-une-adresse', centre: '' });
  t.equal(res.statusCode, 400);
  t.same(field(res.body, 'nom'), { value: '', invalid: true, error: 'Saisissez le nom et le prénom du gestionnaire.' });
  t.same(field(res.body, 'email'), { value: 'pas-une-adresse', invalid: true, error: 'Saisissez une adresse électronique valide.' });
  t.equal(field(res.body, 'centre').error, 'Choisissez le centre auquel rattacher ce gestionnaire.');
  t.ok(field(res.body, 'centre').invalid);

  const unknownCentre = await admin.post('/admin/gestionnaires', { ...NEW_MANAGER, centre: '999' });
  t.equal(unknownCentre.statusCode, 400);
  t.equal(field(unknownCentre.body, 'centre').error, 'Choisissez le centre auquel rattacher ce gestionnaire.');
  t.equal(field(unknownCentre.body, 'email').value, NEW_MANAGER.email);
  t.notOk(await accountByEmail(testApp, NEW_MANAGER.email), 'no account was created');
});

// ——— Centres of a manager ———————————————————————————————————————————————————————

t.test('an admin links a manager to a second centre, then unlinks one', async (t) => {
  const testApp = await seededApp(t);
  const admin = await adminAgent(testApp);
  const manager = (await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!;

  const page = await admin.get(`/admin/gestionnaires/${manager.id}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, `action="/admin/gestionnaires/${manager.id}/centres/1/detacher"`);
  const linkable = /<select[^>]*id="centre"[\s\S]*?<\/select>/.exec(page.body)?.[0] ?? '';
  t.match(linkable, '<option value="2">centre0002 — Centre AIPR Normandie</option>', 'centre0002 can be linked');
  t.notMatch(linkable, 'value="1"', 'the centre already linked is not offered');

  const link = await admin.post(`/admin/gestionnaires/${manager.id}/centres`, { centre: '2' });
  t.equal(link.statusCode, 303);
  t.equal(link.headers.location, `/admin/gestionnaires/${manager.id}`);
  t.same(await linkedCentres(testApp, manager.id), [1, 2]);
  const linked = await admin.get(`/admin/gestionnaires/${manager.id}`);
  t.same(flashes(linked.body), [{ type: 'success', text: 'Compte rattaché au centre centre0002 : Gestionnaire (démo).' }]);
  t.match(linked.body, `action="/admin/gestionnaires/${manager.id}/centres/2/detacher"`, 'both centres are listed');
  t.match(linked.body, `action="/admin/gestionnaires/${manager.id}/centres/1/detacher"`);
  t.notMatch(linked.body, `action="/admin/gestionnaires/${manager.id}/centres"`, 'no centre is left to link');

  // Linking twice changes nothing and does not fail.
  t.equal((await admin.post(`/admin/gestionnaires/${manager.id}/centres`, { centre: '2' })).statusCode, 303);
  t.same(await linkedCentres(testApp, manager.id), [1, 2]);
  t.equal(flashes((await admin.get(`/admin/gestionnaires/${manager.id}`)).body).length, 1);

  const unlink = await admin.post(`/admin/gestionnaires/${manager.id}/centres/1/detacher`, {});
  t.equal(unlink.statusCode, 303);
  t.same(await linkedCentres(testApp, manager.id), [2], 'only centre0002 is left');
  const after = await admin.get(`/admin/gestionnaires/${manager.id}`);
  t.same(flashes(after.body), [{ type: 'success', text: 'Compte détaché du centre centre0001 : Gestionnaire (démo).' }]);
  t.notMatch(after.body, `/centres/1/detacher`);

  // The manager now works for centre0002 only.
  const person = await managerAgent(testApp);
  const dashboard = await person.get('/centre');
  t.match(dashboard.body, 'Centre AIPR Normandie');
  t.notMatch(dashboard.body, 'Centre de démonstration AIPR');

  // An unknown centre is refused with a message.
  const wrong = await admin.post(`/admin/gestionnaires/${manager.id}/centres`, { centre: '999' });
  t.equal(wrong.statusCode, 303);
  t.same(flashes((await admin.get(`/admin/gestionnaires/${manager.id}`)).body), [{ type: 'error', text: 'Choisissez un centre à rattacher.' }]);
  t.same(await linkedCentres(testApp, manager.id), [2]);

  t.same(
    (await auditActions(testApp, 'gestionnaire.')).map((a) => [a.action, a.target_id, JSON.parse(a.details ?? '{}').centre]),
    [
      ['gestionnaire.rattache', String(manager.id), 'centre0002'],
      ['gestionnaire.rattache', String(manager.id), 'centre0002'],
      ['gestionnaire.detache', String(manager.id), 'centre0001'],
    ],
  );
  t.equal((await admin.get('/admin/gestionnaires/999')).statusCode, 404);
  t.equal(
    (await admin.get(`/admin/gestionnaires/${(await accountByEmail(testApp, DEMO_ADMIN_EMAIL))!.id}`)).statusCode,
    404,
    'an admin account is not a manager',
  );
});

// ——— Disabling ——————————————————————————————————————————————————————————————————

t.test('a disabled manager is signed out at the next request and cannot sign in; reactivated, they can', async (t) => {
  const testApp = await seededApp(t);
  const admin = await adminAgent(testApp);
  const manager = (await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!;
  const person = await managerAgent(testApp);
  t.equal((await person.get('/centre')).statusCode, 200, 'signed in');

  const res = await admin.post(`/admin/gestionnaires/${manager.id}/desactiver`, {});
  t.equal(res.statusCode, 303);
  const page = await admin.get(`/admin/gestionnaires/${manager.id}`);
  t.same(flashes(page.body), [{ type: 'success', text: 'Le compte est désactivé : il ne peut plus se connecter.' }]);
  t.match(page.body, 'compte désactivé');
  t.match(page.body, `action="/admin/gestionnaires/${manager.id}/reactiver"`);
  t.ok((await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!.disabled_at, 'disabled_at is set');
  t.match((await admin.get('/admin/gestionnaires')).body, '<td>désactivé</td>');

  const next = await person.get('/centre');
  t.equal(next.statusCode, 302, 'the open session ends at the next request');
  t.equal(next.headers.location, '/connexion?suivant=%2Fcentre');
  t.equal((await person.get('/centre')).statusCode, 302, 'and stays ended');

  const again = await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(again.statusCode, 401, 'the right password no longer signs in');
  t.match(again.body, 'Adresse électronique ou mot de passe incorrect.');

  const back = await admin.post(`/admin/gestionnaires/${manager.id}/reactiver`, {});
  t.equal(back.statusCode, 303);
  t.same(flashes((await admin.get(`/admin/gestionnaires/${manager.id}`)).body), [{ type: 'success', text: 'Le compte est réactivé.' }]);
  t.equal((await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!.disabled_at, null);
  const signIn = await new Agent(testApp.app).signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(signIn.statusCode, 303, 'the manager signs in again');
  t.equal(signIn.headers.location, '/centre');

  t.same(
    (await auditActions(testApp, 'gestionnaire.')).map((a) => [a.action, a.target_id, a.actor_label]),
    [
      ['gestionnaire.desactive', String(manager.id), DEMO_ADMIN_EMAIL],
      ['gestionnaire.reactive', String(manager.id), DEMO_ADMIN_EMAIL],
    ],
  );
});

// ——— Who may reach these pages —————————————————————————————————————————————————

t.test('a manager gets 403 on the manager admin pages and forms, and nothing changes', async (t) => {
  const testApp = await seededApp(t);
  const self = (await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!;
  const person = await managerAgent(testApp);
  for (const path of ['/admin/gestionnaires', '/admin/gestionnaires/nouveau', `/admin/gestionnaires/${self.id}`]) {
    const res = await person.get(path);
    t.equal(res.statusCode, 403, `GET ${path}: 403`);
    t.match(res.body, 'Accès refusé');
  }
  const posts: [string, Record<string, string>][] = [
    ['/admin/gestionnaires', NEW_MANAGER],
    [`/admin/gestionnaires/${self.id}/centres`, { centre: '2' }],
    [`/admin/gestionnaires/${self.id}/centres/1/detacher`, {}],
    [`/admin/gestionnaires/${self.id}/desactiver`, {}],
    [`/admin/gestionnaires/${self.id}/reactiver`, {}],
    [`/admin/gestionnaires/${self.id}/lien`, {}],
    [`/admin/gestionnaires/${self.id}/double-authentification/retirer`, {}],
  ];
  for (const [path, body] of posts) {
    t.equal((await person.post(path, body)).statusCode, 403, `POST ${path}: 403`);
  }
  t.notOk(await accountByEmail(testApp, NEW_MANAGER.email), 'no account was created');
  t.same(await linkedCentres(testApp, self.id), [1], 'the links are unchanged');
  t.equal((await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!.disabled_at, null);
  t.equal((await testApp.db.kysely.selectFrom('account_links').select('token_hash').execute()).length, 0, 'no link was issued');
  t.equal((await auditActions(testApp, 'gestionnaire.')).length, 0);
});

t.test('an anonymous visitor is sent to sign in from the manager admin pages and forms', async (t) => {
  const testApp = await seededApp(t);
  const self = (await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!;
  const visitor = new Agent(testApp.app);
  for (const path of ['/admin/gestionnaires', '/admin/gestionnaires/nouveau', `/admin/gestionnaires/${self.id}`]) {
    const res = await visitor.get(path);
    t.equal(res.statusCode, 302, `GET ${path}: redirected`);
    t.equal(res.headers.location, `/connexion?suivant=${encodeURIComponent(path)}`);
  }
  await visitor.get('/connexion');
  for (const path of [
    '/admin/gestionnaires',
    `/admin/gestionnaires/${self.id}/centres`,
    `/admin/gestionnaires/${self.id}/desactiver`,
    `/admin/gestionnaires/${self.id}/lien`,
  ]) {
    const res = await visitor.post(path, { ...NEW_MANAGER });
    t.equal(res.statusCode, 303, `POST ${path}: redirected`);
    t.match(String(res.headers.location), /^\/connexion\?/);
  }
  t.notOk(await accountByEmail(testApp, NEW_MANAGER.email));
  t.equal((await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!.disabled_at, null);
  t.same(await linkedCentres(testApp, self.id), [1]);
});

t.test('a manager who lost the phone and the recovery codes: the administrator removes the second factor, audited', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const manager = await managerAgent(testApp);
  await enrolSecondFactor(manager);
  const managerId = (await testApp.db.kysely.selectFrom('accounts').select('id').where('email', '=', DEMO_MANAGER_EMAIL).executeTakeFirstOrThrow()).id;
  const withCode = await new Agent(testApp.app, '192.0.2.40').signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(withCode.headers.location, '/connexion/code', 'enrolled: the sign-in asks for a code');

  const admin = await adminAgent(testApp);
  const page = await admin.get(`/admin/gestionnaires/${managerId}`);
  t.match(visibleText(page.body), /Double authentification : activée le 29\/11\/2026 à 10 h 00/);
  const res = await admin.post(`/admin/gestionnaires/${managerId}/double-authentification/retirer`, {});
  t.equal(res.statusCode, 303);
  const after = await admin.get(String(res.headers.location));
  t.match(flashes(after.body)[0]?.text ?? '', 'la prochaine connexion ne demandera que le mot de passe');
  t.match(visibleText(after.body), 'Double authentification : non activée');
  t.notMatch(after.body, 'double-authentification/retirer', 'nothing left to remove');

  const plain = await new Agent(testApp.app, '192.0.2.41').signIn(DEMO_MANAGER_EMAIL, DEMO_PASSWORD);
  t.equal(plain.headers.location, '/centre', 'the next sign-in asks for the password only');
  const codes = await testApp.db.kysely.selectFrom('recovery_codes').select('id').where('account_id', '=', managerId).execute();
  t.same(codes, [], 'the recovery codes are gone with it');
  const audit = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['actor_label', 'target_id'])
    .where('action', '=', 'compte.double_facteur_retire')
    .execute();
  t.same(audit, [{ actor_label: DEMO_ADMIN_EMAIL, target_id: String(managerId) }]);

  const again = await admin.post(`/admin/gestionnaires/${managerId}/double-authentification/retirer`, {});
  t.match(flashes((await admin.get(String(again.headers.location))).body)[0]?.text ?? '', 'n’a pas de double authentification');
});

// ——— With an identity provider (Cerbère) ——————————————————————————————————————————————————

t.test('with Cerbère configured, a new manager needs no password link; the admin sees how and when each manager signs in', async (t) => {
  const testApp = await createTestApp(t, { seed: true, env: { OIDC_ISSUER: 'https://cerbere.example.gouv.fr', OIDC_CLIENT_ID: 'qcm-aipr' } });
  await addCentre(testApp, 2, 'Centre AIPR Normandie');
  const admin = await adminAgent(testApp);
  await admin.get('/admin/gestionnaires/nouveau');
  const res = await admin.post('/admin/gestionnaires', NEW_MANAGER);
  t.equal(res.statusCode, 303, 'no link page: back to the manager’s page');
  const id = createdManagerId(res);
  t.ok(id, 'on the new account’s page');
  const page = await admin.get(`/admin/gestionnaires/${id}`);
  t.same(flashes(page.body), [
    { type: 'success', text: 'Le compte est créé : Camille Martin se connecte avec son compte Cerbère, à l’adresse camille.martin@normandie.test.' },
  ]);
  const text = visibleText(page.body);
  t.match(text, 'camille.martin@normandie.test — compte actif', 'active at once: the provider is how it signs in');
  t.match(text, 'Connexion : Cerbère (pas encore utilisé) ; dernière connexion : jamais');
  t.match(text, 'Envoyer un lien pour définir un mot de passe', 'passwords stay possible (LOCAL_SIGN_IN=on)');
  t.equal(
    await testApp.db.kysely.selectFrom('account_links').select('token_hash').where('account_id', '=', id!).executeTakeFirst(),
    undefined,
    'no link was made',
  );

  // The manager signs in through the provider (the lifecycle the return route calls).
  testApp.clock.advance(60_000);
  const signedIn = await signInThroughProvider(testApp.db.kysely, testApp.clock, {
    provider: 'oidc',
    email: 'Camille.Martin@normandie.test',
    subject: 'sub-123',
    ip: '10.0.0.1',
  });
  t.equal(signedIn.ok, true);
  const after = visibleText((await admin.get(`/admin/gestionnaires/${id}`)).body);
  t.match(after, 'Connexion : Cerbère ; dernière connexion : 29/11/2026 à 10 h 01 (Cerbère)');
  const row =
    /<tr>\s*<td><a href="\/admin\/gestionnaires\/\d+">Camille Martin<\/a><\/td>([\s\S]*?)<\/tr>/.exec((await admin.get('/admin/gestionnaires')).body)?.[1] ??
    '';
  t.match(visibleText(row), 'camille.martin@normandie.test actif Cerbère 29/11/2026 à 10 h 01 (Cerbère)', 'and in the list');
  const demo =
    /<tr>\s*<td><a href="\/admin\/gestionnaires\/\d+">[^<]+<\/a><\/td>\s*<td>gestionnaire@demo\.test([\s\S]*?)<\/tr>/.exec(
      (await admin.get('/admin/gestionnaires')).body,
    )?.[1] ?? '';
  t.match(visibleText(demo), 'mot de passe (Cerbère pas encore utilisé)', 'a password account not yet linked');
});

t.test('with LOCAL_SIGN_IN=admins, no password link is offered nor made for a manager', async (t) => {
  const testApp = await createTestApp(t, { seed: true, env: { CAS_URL: 'https://cerbere.example.gouv.fr/cas/public', LOCAL_SIGN_IN: 'admins' } });
  const admin = await adminAgent(testApp);
  const manager = (await accountByEmail(testApp, DEMO_MANAGER_EMAIL))!;
  const page = await admin.get(`/admin/gestionnaires/${manager.id}`);
  t.notMatch(visibleText(page.body), 'Envoyer un lien');
  const refused = await admin.post(`/admin/gestionnaires/${manager.id}/lien`, {});
  t.equal(refused.statusCode, 409);
  t.match(visibleText(refused.body), 'les gestionnaires se connectent avec Cerbère, jamais par mot de passe');
  t.equal(await testApp.db.kysely.selectFrom('account_links').select('token_hash').where('account_id', '=', manager.id).executeTakeFirst(), undefined);
});
