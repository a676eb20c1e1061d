/**
 * Sign-in through the ministry's identity service (Cerbère): OpenID Connect and CAS 2.0, against a
 * real provider on the loopback (test/helpers/oidc-provider.ts, cas-server.ts). The app is driven by
 * its Agent (app.inject), the provider by fetch with a cookie jar of its own, as a browser goes from
 * one to the other; the provider's redirect back to PUBLIC_URL is handed to the app's Agent.
 */
import { decodeJwt } from 'jose';
import t, { type Test } from 'tap';
import { ConfigError, loadConfig } from '../../../src/config.js';
import { createAccount, enrolSecondFactor, freshTotp, signedInAgent } from '../../helpers/agents.js';
import { Agent, createTestApp, type TestApp, type Teardown } from '../../helpers/app.js';
import { startCasServer, type TestCasServer } from '../../helpers/cas-server.js';
import { insertCentre, MANAGER_A, suspendCentre } from '../../helpers/exam-fixtures.js';
import { decodeEntities, flashes, h1, visibleText } from '../../helpers/html.js';
import { startOidcProvider, type OidcClient, type OidcUser, type TestOidcProvider } from '../../helpers/oidc-provider.js';
import { Browser } from '../../helpers/provider-http.js';

// A few argon2id hashes (the accounts' passwords) per test, on a shared machine.
t.setTimeout(300_000);

const MINUTE = 60_000;
/** Nothing listens there: the providers only send the browser to it, and the tests hand that to the Agent. */
const PUBLIC_URL = 'http://127.0.0.1:3000';
const SIGN_IN_PAGE = `${PUBLIC_URL}/connexion`;
const REDIRECT_URI = `${PUBLIC_URL}/connexion/oidc/retour`;
/** The service URLs of this app: the return address, with each sign-in's own `flux`. */
const CAS_RETURN = `${PUBLIC_URL}/connexion/cas/retour`;
const SESSION_COOKIE = 'qcm_session';

const CONFIDENTIAL: OidcClient = {
  client_id: 'qcm-aipr',
  client_secret: 'secret-de-test-0123456789',
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [SIGN_IN_PAGE],
};
const PUBLIC_CLIENT: OidcClient = { client_id: 'qcm-aipr-public', redirect_uris: [REDIRECT_URI], post_logout_redirect_uris: [SIGN_IN_PAGE] };

/** Cerbère's account of the manager of centre 1 (MANAGER_A in the app). */
const AGENT_A: OidcUser = { sub: 'cerbere-0001', email: MANAGER_A, given_name: 'Camille', family_name: 'Martin', email_verified: true };
/** The same person's address as Cerbère may spell it, under another subject (a Cerbère account re-created). */
const AGENT_A_AGAIN: OidcUser = { sub: 'cerbere-0002', email: '  Gestionnaire.A@Centre.TEST ', email_verified: true };
/** An address no account of the platform has. */
const STRANGER: OidcUser = { sub: 'cerbere-0099', email: 'inconnu.cerbere@centre.test', email_verified: true };
/** An address the provider says it has not verified. */
const UNVERIFIED: OidcUser = { sub: 'cerbere-0100', email: MANAGER_A, email_verified: false };
const ADMIN_EMAIL = 'administration@aipr.test';
const ADMIN: OidcUser = { sub: 'cerbere-0500', email: ADMIN_EMAIL, email_verified: true };
const USERS = [AGENT_A, AGENT_A_AGAIN, STRANGER, UNVERIFIED, ADMIN];

// What the pages say (src/areas/public/sign-in/providers.ts, routes.ts), by the part that tells each apart.
const DENIED = 'La connexion a été annulée sur Cerbère';
const FLOW_OVER = 'Cette connexion par Cerbère a expiré ou a déjà servi';
const INVALID = 'Cerbère n’a pas pu confirmer votre identité';
const CODE_USED = 'Le code de connexion transmis par Cerbère a expiré ou a déjà servi';
/** Common to FLOW_OVER and CODE_USED: the second of two uses of one answer gets either. */
const USED_UP = 'a expiré ou a déjà servi';
const NO_EMAIL = 'Cerbère n’a pas transmis d’adresse électronique, ou l’a indiquée comme non vérifiée';
const DISABLED = 'Votre compte est désactivé';
const CAS_INVALID = 'Le ticket de connexion transmis par Cerbère est invalide, expiré ou déjà utilisé';
const ADMINS_ONLY_REFUSAL =
  'Adresse électronique ou mot de passe incorrect. Seuls les administrateurs nationaux se connectent ici par mot de passe ; les gestionnaires de centre utilisent le bouton « Se connecter avec Cerbère ».';
const LOCAL_OFF_REFUSAL = 'La connexion par mot de passe est désactivée sur cette plateforme';
const unknownAccount = (email: string) =>
  `Votre compte Cerbère ${email} n’est rattaché à aucun centre : communiquez cette adresse à l’administration nationale.`;

type Response = Awaited<ReturnType<Agent['get']>>;


/** What the app's Agent requests for a URL of PUBLIC_URL (app.inject takes the path). */
function pathOf(url: URL): string {
  if (url.origin !== PUBLIC_URL) throw new Error(`${url.href} is not on the app`);
  return url.pathname + url.search;
}

const sessionIdOf = (agent: Agent) => agent.cookies.get(SESSION_COOKIE)?.split('.')[0];

/** The red alert of the sign-in page, as the user reads it. */
function failureText(body: string): string | null {
  const inner = /fr-alert--error[^>]*>\s*<p>([\s\S]*?)<\/p>/.exec(body)?.[1];
  return inner === undefined ? null : decodeEntities(inner);
}

/** The provider buttons of the sign-in page: where each leads, and what it says. */
function providerButtons(body: string): { href: string; label: string }[] {
  return [...body.matchAll(/<a class="fr-btn" href="([^"]*)">([^<]*)<\/a>/g)].map((m) => ({ href: decodeEntities(m[1]!), label: decodeEntities(m[2]!) }));
}

/** Not signed in: a private page sends to the sign-in page. */
async function assertSignedOut(t: Test, agent: Agent, what: string): Promise<void> {
  const res = await agent.get('/centre');
  t.equal(res.statusCode, 302, `${what}: not signed in`);
  t.match(String(res.headers.location), /^\/connexion\?suivant=/, `${what}: sent to the sign-in page`);
}

async function auditRows(testApp: TestApp, action: string) {
  const rows = await testApp.db.kysely
    .selectFrom('audit_log')
    .select(['at', 'actor_account_id', 'actor_label', 'target_type', 'target_id', 'ip', 'details'])
    .where('action', '=', action)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details ?? 'null') as Record<string, unknown> | null }));
}

function identities(testApp: TestApp) {
  return testApp.db.kysely.selectFrom('account_identities').selectAll().orderBy('account_id').orderBy('provider').execute();
}

function lastSignIn(testApp: TestApp, accountId: number) {
  return testApp.db.kysely.selectFrom('accounts').select(['last_sign_in_at', 'last_sign_in_method']).where('id', '=', accountId).executeTakeFirstOrThrow();
}

interface OidcSetup {
  testApp: TestApp;
  provider: TestOidcProvider;
  /** MANAGER_A, manager of centre 1. */
  managerId: number;
}

/**
 * A provider knowing USERS and one client, and an app configured for it (confidential unless
 * `client` says otherwise), with centre 1 and its manager MANAGER_A (who also has a password).
 */
async function oidcApp(t: Teardown, options: { client?: OidcClient; env?: Record<string, string> } = {}): Promise<OidcSetup> {
  const client = options.client ?? CONFIDENTIAL;
  const provider = await startOidcProvider(t, { users: USERS, clients: [client] });
  const testApp = await createTestApp(t, {
    env: {
      PUBLIC_URL,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: client.client_id,
      ...(client.client_secret === undefined ? {} : { OIDC_CLIENT_SECRET: client.client_secret }),
      ...options.env,
    },
  });
  const centreId = await insertCentre(testApp.db.kysely, testApp.clock, { id: 1, name: 'Centre A de Lyon' });
  const managerId = await createAccount(testApp, { email: MANAGER_A, role: 'manager', centres: [centreId] });
  return { testApp, provider, managerId };
}

/** The sign-in button: the redirect to the provider's authorization endpoint. */
async function startOidc(agent: Agent, suivant?: string): Promise<URL> {
  const res = await agent.get(suivant === undefined ? '/connexion/oidc' : `/connexion/oidc?${new URLSearchParams({ suivant }).toString()}`);
  if (res.statusCode !== 303) throw new Error(`/connexion/oidc: ${res.statusCode} instead of a redirect\n${res.body}`);
  return new URL(String(res.headers.location));
}

/** At the provider: its login form posted with `form`, then its redirect back to the app's redirect URI (not followed). */
async function atProvider(browser: Browser, authorization: URL, form: Record<string, string>): Promise<URL> {
  const interaction = await browser.redirected(authorization);
  const resume = await browser.redirected(interaction, form);
  const back = await browser.redirected(resume);
  if (back.origin + back.pathname !== REDIRECT_URI) throw new Error(`the provider sent the browser to ${back.href}`);
  return back;
}

/** The provider's answer for `user` to a sign-in started now by `agent`: the URL to give the app. */
async function oidcAnswer(agent: Agent, user: OidcUser, options: { suivant?: string; browser?: Browser } = {}): Promise<URL> {
  return atProvider(options.browser ?? new Browser(), await startOidc(agent, options.suivant), { login: user.sub });
}

/** A whole sign-in through the provider: the app's answer to the provider's redirect. */
async function oidcSignIn(agent: Agent, user: OidcUser, options: { suivant?: string; browser?: Browser } = {}): Promise<Response> {
  return agent.get(pathOf(await oidcAnswer(agent, user, options)));
}

/** The sign-out button of a page of the signed-in session. */
async function signOut(agent: Agent): Promise<Response> {
  const page = await agent.get('/compte');
  if (page.statusCode !== 200) throw new Error(`/compte: ${page.statusCode}`);
  return agent.post('/deconnexion', {});
}

t.test('OIDC, confidential client: a manager signs in end to end, under a new session id, linked and journalled', async (t) => {
  const { testApp, provider, managerId } = await oidcApp(t);
  const agent = new Agent(testApp.app, '192.0.2.10');

  const start = await agent.get('/connexion/oidc');
  t.equal(start.statusCode, 303, 'the button sends to the provider');
  const authorization = new URL(String(start.headers.location));
  t.equal(authorization.origin, provider.issuer, 'on the provider');
  const asked = authorization.searchParams;
  t.equal(asked.get('client_id'), CONFIDENTIAL.client_id);
  t.equal(asked.get('redirect_uri'), REDIRECT_URI, 'the redirect URI is PUBLIC_URL + /connexion/oidc/retour');
  t.equal(asked.get('response_type'), 'code');
  t.same(asked.get('scope')?.split(' ').sort(), ['email', 'openid', 'profile']);
  t.equal(asked.get('code_challenge_method'), 'S256', 'PKCE');
  t.ok(asked.get('code_challenge'));
  t.ok(asked.get('state'), 'a state');
  t.ok(asked.get('nonce'), 'a nonce');
  const before = sessionIdOf(agent);
  t.ok(before, 'the start is kept in a session of the browser');
  const stale = agent.cookies.get(SESSION_COOKIE)!;

  const back = await atProvider(new Browser(), authorization, { login: AGENT_A.sub });
  t.equal(back.searchParams.get('state'), asked.get('state'));
  t.same(provider.tokenRequests, { total: 0, refused: 0 }, 'nothing exchanged before the answer reaches the app');
  const res = await agent.get(pathOf(back));
  t.equal(res.statusCode, 303, 'the answer is accepted');
  t.equal(res.headers.location, '/centre', 'the manager’s home');
  t.same(provider.tokenRequests, { total: 1, refused: 0 }, 'the code exchanged once');
  const after = sessionIdOf(agent);
  t.ok(after);
  t.not(after, before, 'a new session id at sign-in');

  const home = await agent.get('/centre');
  t.equal(home.statusCode, 200, 'signed in');
  t.equal(h1(home.body), 'Tableau de bord du centre');
  const planted = new Agent(testApp.app);
  planted.cookies.set(SESSION_COOKIE, stale);
  t.equal((await planted.get('/centre')).statusCode, 302, 'the id of the start signs nobody in');

  const now = testApp.clock.now().toISOString();
  t.same(await identities(testApp), [{ account_id: managerId, provider: 'oidc', subject: AGENT_A.sub, linked_at: now, last_used_at: now }], 'the subject is remembered');
  t.same(await lastSignIn(testApp, managerId), { last_sign_in_at: now, last_sign_in_method: 'oidc' });
  const actor = { actor_account_id: managerId, actor_label: MANAGER_A, target_type: 'compte', target_id: String(managerId), ip: '192.0.2.10' };
  t.same(await auditRows(testApp, 'compte.identite_liee'), [{ at: now, ...actor, details: { fournisseur: 'oidc', sujet: AGENT_A.sub } }], 'the first link journalled');
  t.same(await auditRows(testApp, 'compte.identite_reliee'), []);
  t.same(await auditRows(testApp, 'connexion.reussie'), [{ at: now, ...actor, details: { methode: 'oidc' } }], 'the sign-in journalled with its method');
  t.same(await auditRows(testApp, 'connexion.echouee'), []);
});

t.test('OIDC: the page asked for at the start is reached; another site never is', async (t) => {
  const { testApp } = await oidcApp(t);
  const asked = await oidcSignIn(new Agent(testApp.app), AGENT_A, { suivant: '/centre/parametres' });
  t.equal(asked.statusCode, 303);
  t.equal(asked.headers.location, '/centre/parametres', 'suivant, kept across the provider');

  for (const suivant of ['https://evil.example/', '//evil.example', '/\\evil.example', 'http://127.0.0.1:3000/centre']) {
    const agent = new Agent(testApp.app);
    const res = await oidcSignIn(agent, AGENT_A, { suivant });
    t.equal(res.statusCode, 303, `${JSON.stringify(suivant)}: signed in`);
    t.equal(res.headers.location, '/centre', `${JSON.stringify(suivant)}: the home page instead`);
    t.equal((await agent.get('/centre')).statusCode, 200);
  }
});

t.test('OIDC: the e-mail matches whatever its case and spaces; a new subject for it re-links the account, journalled', async (t) => {
  const { testApp, provider, managerId } = await oidcApp(t);
  const { clock } = testApp;
  t.equal((await oidcSignIn(new Agent(testApp.app), AGENT_A)).statusCode, 303);
  const linkedAt = clock.now().toISOString();

  clock.advance(60 * MINUTE);
  t.equal((await oidcSignIn(new Agent(testApp.app), AGENT_A)).statusCode, 303, 'the same subject again');
  const usedAt = clock.now().toISOString();
  t.same(await identities(testApp), [{ account_id: managerId, provider: 'oidc', subject: AGENT_A.sub, linked_at: linkedAt, last_used_at: usedAt }], 'only its use is dated');
  t.equal((await auditRows(testApp, 'compte.identite_liee')).length, 1, 'no new link journalled');

  clock.advance(60 * MINUTE);
  const agent = new Agent(testApp.app, '192.0.2.20');
  const res = await oidcSignIn(agent, AGENT_A_AGAIN);
  t.equal(res.statusCode, 303, `${JSON.stringify(AGENT_A_AGAIN.email)} is ${MANAGER_A}`);
  t.equal(res.headers.location, '/centre');
  t.equal((await agent.get('/centre')).statusCode, 200, 'the same account signed in');
  const relinkedAt = clock.now().toISOString();
  t.same(await identities(testApp), [{ account_id: managerId, provider: 'oidc', subject: AGENT_A_AGAIN.sub, linked_at: relinkedAt, last_used_at: relinkedAt }], 'the new subject replaces the old');
  t.same(
    await auditRows(testApp, 'compte.identite_reliee'),
    [
      {
        at: relinkedAt,
        actor_account_id: managerId,
        actor_label: MANAGER_A,
        target_type: 'compte',
        target_id: String(managerId),
        ip: '192.0.2.20',
        details: { fournisseur: 'oidc', sujet: AGENT_A_AGAIN.sub, ancien_sujet: AGENT_A.sub },
      },
    ],
    'the change of subject journalled',
  );
  t.same(
    (await auditRows(testApp, 'connexion.reussie')).map((r) => [r.actor_account_id, r.details]),
    [
      [managerId, { methode: 'oidc' }],
      [managerId, { methode: 'oidc' }],
      [managerId, { methode: 'oidc' }],
    ],
  );
  t.same(provider.tokenRequests, { total: 3, refused: 0 });
});

t.test('OIDC: an e-mail no account has gets the page that says so; nobody is signed in', async (t) => {
  const { testApp } = await oidcApp(t);
  const agent = new Agent(testApp.app, '192.0.2.30');
  const res = await oidcSignIn(agent, STRANGER);
  t.equal(res.statusCode, 403);
  t.equal(h1(res.body), 'Compte non rattaché');
  t.match(visibleText(res.body), unknownAccount(STRANGER.email));
  await assertSignedOut(t, agent, 'an unknown e-mail');
  t.same(await identities(testApp), [], 'no subject remembered');
  t.same(await auditRows(testApp, 'connexion.reussie'), []);
  const failures = await auditRows(testApp, 'connexion.echouee');
  t.equal(failures.length, 1, 'the attempt journalled');
  t.match(failures[0], {
    actor_account_id: null,
    actor_label: STRANGER.email,
    target_type: null,
    target_id: null,
    ip: '192.0.2.30',
    details: { motif: 'adresse rattachée à aucun compte', fournisseur: 'oidc', sujet: STRANGER.sub },
  });
});

t.test('OIDC: an e-mail the provider has not verified signs nobody in', async (t) => {
  const { testApp } = await oidcApp(t);
  const agent = new Agent(testApp.app);
  const res = await oidcSignIn(agent, UNVERIFIED);
  t.equal(res.statusCode, 401);
  t.match(failureText(res.body), NO_EMAIL);
  await assertSignedOut(t, agent, 'an unverified e-mail');
  t.same(await identities(testApp), []);
});

t.test('OIDC: a tampered state, an answer used twice, too late, or with an unknown code is refused', async (t) => {
  const { testApp, provider } = await oidcApp(t);
  const { clock } = testApp;

  const victim = new Agent(testApp.app);
  const back = await oidcAnswer(victim, AGENT_A);
  const tampered = new URL(back);
  tampered.searchParams.set('state', 'un-autre-etat');
  const forged = await victim.get(pathOf(tampered));
  t.equal(forged.statusCode, 401, 'a tampered state');
  t.match(failureText(forged.body), INVALID);
  t.equal(provider.tokenRequests.total, 0, 'its code is not even exchanged');
  await assertSignedOut(t, victim, 'a tampered state');
  const afterForgery = await victim.get(pathOf(back));
  t.equal(afterForgery.statusCode, 400, 'the start is used up by the tampered answer');
  t.match(failureText(afterForgery.body), FLOW_OVER);
  await assertSignedOut(t, victim, 'the genuine answer after a tampered one');

  const agent = new Agent(testApp.app);
  const answer = await oidcAnswer(agent, AGENT_A);
  const elsewhere = new Agent(testApp.app);
  const noStart = await elsewhere.get(pathOf(answer));
  t.equal(noStart.statusCode, 400, 'the answer in a browser that started nothing');
  t.match(failureText(noStart.body), FLOW_OVER);
  await assertSignedOut(t, elsewhere, 'another browser');
  const attacker = new Agent(testApp.app);
  await startOidc(attacker);
  const otherStart = await attacker.get(pathOf(answer));
  t.equal(otherStart.statusCode, 401, 'the answer in a browser that started a sign-in of its own');
  t.match(failureText(otherStart.body), INVALID);
  await assertSignedOut(t, attacker, 'a browser with another start');
  t.equal(provider.tokenRequests.total, 0, 'none of them reached the token endpoint');

  const first = await agent.get(pathOf(answer));
  t.equal(first.statusCode, 303, 'the answer in its own browser');
  const replay = await agent.get(pathOf(answer));
  t.equal(replay.statusCode, 400, 'the same answer twice');
  t.match(failureText(replay.body), FLOW_OVER);
  t.same(provider.tokenRequests, { total: 1, refused: 0 }, 'the token endpoint was called once');
  t.equal((await auditRows(testApp, 'connexion.reussie')).length, 1, 'one sign-in');

  const late = new Agent(testApp.app);
  const lateAnswer = await oidcAnswer(late, AGENT_A);
  clock.advance(15 * MINUTE + 1000);
  const tooLate = await late.get(pathOf(lateAnswer));
  t.equal(tooLate.statusCode, 400, 'more than 15 minutes after the start');
  t.match(failureText(tooLate.body), FLOW_OVER);
  await assertSignedOut(t, late, 'too late');
  const inTime = new Agent(testApp.app);
  const inTimeAnswer = await oidcAnswer(inTime, AGENT_A);
  clock.advance(15 * MINUTE - 1000);
  t.equal((await inTime.get(pathOf(inTimeAnswer))).statusCode, 303, 'within 15 minutes');
  t.same(provider.tokenRequests, { total: 2, refused: 0 });

  const unknownCode = new Agent(testApp.app);
  const withCode = new URL(await oidcAnswer(unknownCode, AGENT_A));
  withCode.searchParams.set('code', 'code-inconnu-du-fournisseur');
  const refused = await unknownCode.get(pathOf(withCode));
  t.equal(refused.statusCode, 401, 'a code the provider does not know');
  t.match(failureText(refused.body), CODE_USED);
  t.same(provider.tokenRequests, { total: 3, refused: 1 }, 'refused by the token endpoint');
  await assertSignedOut(t, unknownCode, 'an unknown code');
});

t.test('OIDC: one answer sent twice at once signs in once', async (t) => {
  const { testApp, provider } = await oidcApp(t);
  const agent = new Agent(testApp.app);
  const answer = pathOf(await oidcAnswer(agent, AGENT_A));
  // Two tabs, or a double click: both requests read the session before either is answered, so the
  // session's single use does not stop the second (today both reach the token endpoint, and the
  // provider's own single use of the code refuses it: « le code … a expiré ou a déjà servi »).
  const both = await Promise.all([agent.get(answer), agent.get(answer)]);
  t.equal(both.filter((r) => r.statusCode === 303).length, 1, 'exactly one accepted');
  const other = both.find((r) => r.statusCode !== 303)!;
  t.match(failureText(other.body), USED_UP, 'the other said used');
  t.equal((await auditRows(testApp, 'connexion.reussie')).length, 1, 'one sign-in journalled');
  t.ok(provider.tokenRequests.total - provider.tokenRequests.refused <= 1, 'at most one code exchange succeeded');
});

t.test('OIDC: an ID token with the wrong audience, issuer, expiry, nonce or signature signs nobody in', async (t) => {
  const { testApp, provider } = await oidcApp(t);
  t.teardown(() => provider.tamperIdTokens(null));
  const cases: [string, (claims: Record<string, unknown>) => Record<string, unknown>, { otherKey?: boolean }?][] = [
    ['another audience', (claims) => ({ ...claims, aud: 'un-autre-client' })],
    ['another issuer', (claims) => ({ ...claims, iss: 'https://faux-cerbere.example' })],
    ['expired an hour ago', (claims) => ({ ...claims, iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 })],
    ['another nonce', (claims) => ({ ...claims, nonce: 'un-autre-nonce' })],
    ['signed with a key the provider does not publish', (claims) => claims, { otherKey: true }],
  ];
  for (const [what, edit, options] of cases) {
    provider.tamperIdTokens(edit, options);
    const agent = new Agent(testApp.app);
    const before = provider.tokenRequests.total;
    const res = await oidcSignIn(agent, AGENT_A);
    t.equal(res.statusCode, 401, `${what}: refused`);
    t.match(failureText(res.body), INVALID, `${what}: the invalid message`);
    t.equal(provider.tokenRequests.total, before + 1, `${what}: refused after the token endpoint answered`);
    await assertSignedOut(t, agent, what);
  }
  t.same(await auditRows(testApp, 'connexion.reussie'), [], 'no sign-in journalled');
  t.same(await identities(testApp), [], 'no subject remembered');

  provider.tamperIdTokens(null);
  const agent = new Agent(testApp.app);
  t.equal((await oidcSignIn(agent, AGENT_A)).statusCode, 303, 'the untouched token passes the same checks');
  t.equal((await agent.get('/centre')).statusCode, 200);
});

t.test('OIDC: a refusal at the provider is said so', async (t) => {
  const { testApp, provider } = await oidcApp(t);
  const agent = new Agent(testApp.app);
  const back = await atProvider(new Browser(), await startOidc(agent), { refuser: '1' });
  t.equal(back.searchParams.get('error'), 'access_denied');
  const res = await agent.get(pathOf(back));
  t.equal(res.statusCode, 401);
  t.match(failureText(res.body), DENIED);
  t.equal(provider.tokenRequests.total, 0);
  await assertSignedOut(t, agent, 'a refusal');
});

t.test('OIDC: a wrong client secret signs nobody in', async (t) => {
  const { testApp, provider } = await oidcApp(t, { env: { OIDC_CLIENT_SECRET: 'pas-le-bon-secret' } });
  const agent = new Agent(testApp.app);
  const res = await oidcSignIn(agent, AGENT_A);
  t.equal(res.statusCode, 401);
  t.match(failureText(res.body), INVALID);
  t.same(provider.tokenRequests, { total: 1, refused: 1 }, 'the token endpoint refused the client');
  await assertSignedOut(t, agent, 'a wrong secret');
});

t.test('OIDC, public client: PKCE alone signs in', async (t) => {
  const { testApp, provider, managerId } = await oidcApp(t, { client: PUBLIC_CLIENT });
  t.equal(testApp.config.oidc?.clientSecret, null, 'no secret configured');
  const agent = new Agent(testApp.app);
  const authorization = await startOidc(agent);
  t.equal(authorization.searchParams.get('client_id'), PUBLIC_CLIENT.client_id);
  t.equal(authorization.searchParams.get('code_challenge_method'), 'S256');
  const res = await agent.get(pathOf(await atProvider(new Browser(), authorization, { login: AGENT_A.sub })));
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/centre');
  t.equal((await agent.get('/centre')).statusCode, 200, 'signed in');
  t.same(provider.tokenRequests, { total: 1, refused: 0 });
  t.equal((await lastSignIn(testApp, managerId)).last_sign_in_method, 'oidc');
});

t.test('OIDC: an account with a second factor gives its code after the provider, and only then is signed in', async (t) => {
  const { testApp, provider, managerId } = await oidcApp(t);
  const enrolling = await signedInAgent(testApp, MANAGER_A);
  await enrolSecondFactor(enrolling);
  t.equal((await signOut(enrolling)).headers.location, '/connexion', 'a password sign-in signs out to the sign-in page');
  t.equal((await lastSignIn(testApp, managerId)).last_sign_in_method, 'mot de passe');
  const passwordSignIns = (await auditRows(testApp, 'connexion.reussie')).length;

  const agent = new Agent(testApp.app, '192.0.2.80');
  const browser = new Browser();
  const res = await oidcSignIn(agent, AGENT_A, { suivant: '/centre/parametres', browser });
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/connexion/code', 'the code step');
  const atCode = sessionIdOf(agent);
  await assertSignedOut(t, agent, 'before the code');
  t.equal((await auditRows(testApp, 'connexion.reussie')).length, passwordSignIns, 'no sign-in journalled before the code');
  t.same(await identities(testApp), [], 'nor the provider’s account linked: the provider alone does not change the account');
  const page = await agent.get('/connexion/code');
  t.equal(page.statusCode, 200);
  t.equal(h1(page.body), 'Code de vérification');

  const done = await agent.post('/connexion/code', { code: await freshTotp(testApp, MANAGER_A) });
  t.equal(done.statusCode, 303);
  t.equal(done.headers.location, '/centre/parametres', 'then the page asked for at the start');
  t.not(sessionIdOf(agent), atCode, 'a new session id once the code is right');
  t.equal((await agent.get('/centre')).statusCode, 200, 'signed in');
  const signIns = await auditRows(testApp, 'connexion.reussie');
  t.equal(signIns.length, passwordSignIns + 1);
  t.match(signIns.at(-1), { actor_account_id: managerId, ip: '192.0.2.80', details: { methode: 'oidc', second_facteur: 'application' } });
  t.same(await lastSignIn(testApp, managerId), { last_sign_in_at: testApp.clock.now().toISOString(), last_sign_in_method: 'oidc' });
  t.match(await identities(testApp), [{ account_id: managerId, provider: 'oidc', subject: AGENT_A.sub }], 'linked once the code is right');

  const out = await signOut(agent);
  t.equal(out.statusCode, 303);
  const logout = new URL(String(out.headers.location));
  t.equal(logout.origin, provider.issuer, 'signed in through the provider and the code: the provider’s logout');
  t.equal(decodeJwt(logout.searchParams.get('id_token_hint') ?? '').sub, AGENT_A.sub, 'with the ID token of that sign-in');
});

t.test('OIDC: a disabled account signs nobody in, and the attempt is journalled', async (t) => {
  const { testApp, managerId } = await oidcApp(t);
  await testApp.db.kysely.updateTable('accounts').set({ disabled_at: testApp.clock.now().toISOString() }).where('id', '=', managerId).execute();
  const agent = new Agent(testApp.app);
  const res = await oidcSignIn(agent, AGENT_A);
  t.equal(res.statusCode, 403);
  t.match(failureText(res.body), DISABLED);
  await assertSignedOut(t, agent, 'a disabled account');
  t.same(await identities(testApp), []);
  t.same(await auditRows(testApp, 'connexion.reussie'), []);
  const failures = await auditRows(testApp, 'connexion.echouee');
  t.equal(failures.length, 1);
  t.match(failures[0], { actor_label: MANAGER_A, target_type: 'compte', target_id: String(managerId), details: { motif: 'compte désactivé', fournisseur: 'oidc' } });
  t.same(await lastSignIn(testApp, managerId), { last_sign_in_at: null, last_sign_in_method: null });
  const logoutLink = /<a class="fr-link" href="([^"]+)">Se déconnecter de Cerbère<\/a>/.exec(res.body)?.[1];
  t.ok(logoutLink?.includes('/session/end'), 'the refusal offers to end the provider’s own sign-in (a shared computer)');
});

t.test('OIDC: the manager of a suspended centre signs in and reads the suspension, as after a password', async (t) => {
  const { testApp } = await oidcApp(t);
  await suspendCentre(testApp.db.kysely, 1, 'Dossier de reconnaissance incomplet');
  const agent = new Agent(testApp.app);
  const res = await oidcSignIn(agent, AGENT_A);
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/centre');
  const home = await agent.get('/centre');
  t.equal(home.statusCode, 200);
  t.match(visibleText(home.body), 'Ce centre est suspendu par l’administration nationale. Motif : Dossier de reconnaissance incomplet.');
});

t.test('OIDC: a provider’s account already linked to another account signs nobody in', async (t) => {
  const { testApp, managerId } = await oidcApp(t);
  const otherId = await createAccount(testApp, { email: 'autre.gestionnaire@centre.test', role: 'manager', centres: [] });
  const at = testApp.clock.now().toISOString();
  await testApp.db.kysely.insertInto('account_identities').values({ account_id: otherId, provider: 'oidc', subject: AGENT_A.sub, linked_at: at, last_used_at: at }).execute();
  const agent = new Agent(testApp.app);
  const res = await oidcSignIn(agent, AGENT_A);
  t.equal(res.statusCode, 403);
  t.match(failureText(res.body), 'Ce compte Cerbère est déjà lié à un autre compte de la plateforme');
  await assertSignedOut(t, agent, 'a subject linked elsewhere');
  t.match(await auditRows(testApp, 'connexion.echouee'), [{ target_id: String(managerId), details: { motif: 'identité déjà liée à un autre compte' } }]);
});

t.test('OIDC: sign-out ends the session and sends to the provider’s logout, which sends back to the sign-in page', async (t) => {
  const { testApp, provider } = await oidcApp(t);
  const agent = new Agent(testApp.app);
  const browser = new Browser();
  t.equal((await oidcSignIn(agent, AGENT_A, { browser })).statusCode, 303);
  const stolen = new Map(agent.cookies);

  const res = await signOut(agent);
  t.equal(res.statusCode, 303);
  const logout = new URL(String(res.headers.location));
  t.equal(logout.origin + logout.pathname, `${provider.issuer}/session/end`, 'the end-session endpoint');
  t.equal(logout.searchParams.get('post_logout_redirect_uri'), SIGN_IN_PAGE, 'back to PUBLIC_URL/connexion');
  const hint = decodeJwt(logout.searchParams.get('id_token_hint') ?? '');
  t.match(hint, { iss: provider.issuer, aud: CONFIDENTIAL.client_id, sub: AGENT_A.sub }, 'the ID token of the sign-in as a hint');
  await assertSignedOut(t, agent, 'after the sign-out');
  const replay = new Agent(testApp.app);
  replay.cookies = stolen;
  t.equal((await replay.get('/centre')).statusCode, 302, 'the old cookie signs nobody in');
  t.equal((await auditRows(testApp, 'deconnexion')).length, 1);

  // The provider takes the hint and the address, and after its confirmation sends the browser back.
  const confirmation = await browser.request(logout);
  t.equal(confirmation.status, 200, 'the provider asks for confirmation');
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)">/.exec(confirmation.body)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation.body)?.[1];
  t.ok(action && xsrf, 'its logout form');
  if (action && xsrf) {
    const back = await browser.redirected(new URL(action, logout), { xsrf, logout: 'yes' });
    t.equal(back.href, SIGN_IN_PAGE, 'then sends back to the sign-in page');
    t.same(flashes((await agent.get(pathOf(back))).body), [{ type: 'success', text: 'Vous êtes déconnecté. Pour revenir, reconnectez-vous.' }]);
  }
  const again = await browser.redirected(await startOidc(new Agent(testApp.app)));
  t.match(again.pathname, /^\/interaction\//, 'the provider asks who it is again');

  const withPassword = await signedInAgent(testApp, MANAGER_A);
  const passwordOut = await signOut(withPassword);
  t.equal(passwordOut.headers.location, '/connexion', 'after a password sign-in: the sign-in page');
});

interface CasSetup {
  testApp: TestApp;
  cas: TestCasServer;
  managerId: number;
}

const CAS_STRANGER = 'inconnu.cas@centre.test';

async function casApp(t: Teardown, env: Record<string, string> = {}): Promise<CasSetup> {
  const cas = await startCasServer(t, { users: [MANAGER_A, CAS_STRANGER] });
  const testApp = await createTestApp(t, { env: { PUBLIC_URL, CAS_URL: cas.url, ...env } });
  const centreId = await insertCentre(testApp.db.kysely, testApp.clock, { id: 1, name: 'Centre A de Lyon' });
  const managerId = await createAccount(testApp, { email: MANAGER_A, role: 'manager', centres: [centreId] });
  return { testApp, cas, managerId };
}

/** Starts a CAS sign-in: where the browser is sent, and the service URL of this start (its `flux` included). */
async function startCas(agent: Agent, suivant?: string): Promise<{ login: URL; service: string }> {
  const res = await agent.get(suivant === undefined ? '/connexion/cas' : `/connexion/cas?${new URLSearchParams({ suivant }).toString()}`);
  if (res.statusCode !== 303) throw new Error(`/connexion/cas: ${res.statusCode} instead of a redirect\n${res.body}`);
  const login = new URL(String(res.headers.location));
  return { login, service: login.searchParams.get('service') ?? '' };
}

/** The path the CAS server sends the browser back to, with a ticket. */
const casReturn = (service: string, ticket: string) => `${pathOf(new URL(service))}&ticket=${ticket}`;

t.test('CAS: a manager signs in through the CAS login form, with the exact service URL; sign-out goes through CAS’s logout', async (t) => {
  const { testApp, cas, managerId } = await casApp(t);
  const agent = new Agent(testApp.app, '192.0.2.90');
  const { login, service: CAS_SERVICE } = await startCas(agent, '/centre/parametres');
  t.equal(login.origin + login.pathname, `${cas.url}/login`, 'CAS_URL/login');
  t.same([...login.searchParams.keys()], ['service']);
  t.match(CAS_SERVICE, new RegExp(`^${CAS_RETURN.replace(/[.?]/g, '\\$&')}\\?flux=[A-Za-z0-9_-]{43}$`), 'the return address with this start’s own value, without the page asked for');
  const before = sessionIdOf(agent);
  t.ok(before);

  const browser = new Browser();
  const form = await browser.request(login);
  t.equal(form.status, 200);
  const service = /<input type="hidden" name="service" value="([^"]*)">/.exec(form.body)?.[1];
  t.equal(service && decodeEntities(service), CAS_SERVICE);
  const back = await browser.redirected(new URL(`${cas.url}/login`), { username: MANAGER_A, service: CAS_SERVICE });
  t.equal(back.origin + back.pathname, CAS_RETURN);
  const ticket = back.searchParams.get('ticket')!;

  const res = await agent.get(pathOf(back));
  t.equal(res.statusCode, 303);
  t.equal(res.headers.location, '/centre/parametres', 'the page asked for');
  t.not(sessionIdOf(agent), before, 'a new session id');
  t.equal((await agent.get('/centre')).statusCode, 200, 'signed in');
  t.same(cas.validations, [{ service: CAS_SERVICE, ticket }], 'validated once, for this start’s exact service URL');
  const now = testApp.clock.now().toISOString();
  t.same(await identities(testApp), [{ account_id: managerId, provider: 'cas', subject: MANAGER_A, linked_at: now, last_used_at: now }]);
  t.same(await lastSignIn(testApp, managerId), { last_sign_in_at: now, last_sign_in_method: 'cas' });
  t.match(await auditRows(testApp, 'connexion.reussie'), [{ actor_account_id: managerId, ip: '192.0.2.90', details: { methode: 'cas' } }]);
  t.equal((await auditRows(testApp, 'compte.identite_liee')).length, 1);

  const out = await signOut(agent);
  t.equal(out.statusCode, 303);
  const logout = new URL(String(out.headers.location));
  t.equal(logout.origin + logout.pathname, `${cas.url}/logout`, 'CAS_URL/logout');
  t.same([...logout.searchParams.entries()], [['service', SIGN_IN_PAGE]], 'back to PUBLIC_URL/connexion');
  await assertSignedOut(t, agent, 'after the sign-out');
  t.equal((await browser.redirected(logout)).href, SIGN_IN_PAGE, 'the CAS server sends back to the sign-in page');

  const direct = new Agent(testApp.app);
  const directStart = await startCas(direct);
  const issued = await direct.get(casReturn(directStart.service, cas.issueTicket(MANAGER_A, directStart.service)));
  t.equal(issued.statusCode, 303, 'a ticket issued for the service URL');
  t.equal(issued.headers.location, '/centre');
});

t.test('CAS: a ticket used twice, for another service, unknown, missing, malformed or without a start is refused', async (t) => {
  const { testApp, cas } = await casApp(t);

  const agent = new Agent(testApp.app);
  const first = await startCas(agent);
  const ticket = cas.issueTicket(MANAGER_A, first.service);
  t.equal((await agent.get(casReturn(first.service, ticket))).statusCode, 303, 'the first use');
  const again = await agent.get(casReturn(first.service, ticket));
  t.equal(again.statusCode, 400, 'the same answer again');
  t.match(failureText(again.body), FLOW_OVER);
  const other = new Agent(testApp.app);
  const second = await startCas(other);
  const reused = await other.get(casReturn(second.service, ticket));
  t.equal(reused.statusCode, 401, 'the ticket after a new start');
  t.match(failureText(reused.body), CAS_INVALID);
  await assertSignedOut(t, other, 'a used ticket');
  t.equal(cas.validations.length, 2, 'the CAS server said so');

  // Login CSRF: a page sends a visitor who started a sign-in back with a ticket someone else got
  // (for their own start) — refused, by the app (another start's value) or by CAS (another service).
  const victim = new Agent(testApp.app);
  const victimStart = await startCas(victim);
  const attacker = new Agent(testApp.app);
  const attackerStart = await startCas(attacker);
  const attackersTicket = cas.issueTicket(MANAGER_A, attackerStart.service);
  const planted = await victim.get(casReturn(attackerStart.service, attackersTicket));
  t.equal(planted.statusCode, 400, 'the attacker’s return address: not this browser’s start');
  await assertSignedOut(t, victim, 'a planted return');
  const victimAgain = new Agent(testApp.app);
  const victimSecond = await startCas(victimAgain);
  const swapped = await victimAgain.get(casReturn(victimSecond.service, cas.issueTicket(MANAGER_A, attackerStart.service)));
  t.equal(swapped.statusCode, 401, 'a ticket issued for another start’s service URL: refused by the CAS server');
  await assertSignedOut(t, victimAgain, 'a swapped ticket');
  t.ok(victimStart.service !== attackerStart.service, 'each start has its own service URL');

  const refusals: [string, (service: string) => string, number, boolean][] = [
    ['a ticket for another service', () => `ticket=${cas.issueTicket(MANAGER_A, `${PUBLIC_URL}/autre/retour`)}`, 401, true],
    ['a ticket for the service with a trailing slash', (service) => `ticket=${cas.issueTicket(MANAGER_A, `${service}/`)}`, 401, true],
    ['an unknown ticket', () => 'ticket=ST-0123456789abcdef', 401, true],
    ['no ticket', () => '', 400, false],
    ['an empty ticket', () => 'ticket=', 400, false],
    ['a ticket with a space', () => 'ticket=ST-01%2023', 400, false],
    ['two tickets', (service) => `ticket=${cas.issueTicket(MANAGER_A, service)}&ticket=${cas.issueTicket(MANAGER_A, service)}`, 400, false],
  ];
  for (const [what, query, status, validated] of refusals) {
    const visitor = new Agent(testApp.app);
    const { service } = await startCas(visitor);
    const validations = cas.validations.length;
    const extra = query(service);
    const res = await visitor.get(`${pathOf(new URL(service))}${extra ? `&${extra}` : ''}`);
    t.equal(res.statusCode, status, `${what}: refused`);
    t.match(failureText(res.body), CAS_INVALID, `${what}: the invalid ticket message`);
    t.equal(cas.validations.length, validations + (validated ? 1 : 0), validated ? `${what}: checked with the CAS server` : `${what}: not even sent to the CAS server`);
    await assertSignedOut(t, visitor, what);
  }

  const unstarted = new Agent(testApp.app);
  const someone = await startCas(new Agent(testApp.app));
  const withoutStart = await unstarted.get(casReturn(someone.service, cas.issueTicket(MANAGER_A, someone.service)));
  t.equal(withoutStart.statusCode, 400, 'a valid ticket in a browser that started nothing');
  t.match(failureText(withoutStart.body), FLOW_OVER);
  await assertSignedOut(t, unstarted, 'without a start');

  const stranger = new Agent(testApp.app);
  const strangerStart = await startCas(stranger);
  const unknown = await stranger.get(casReturn(strangerStart.service, cas.issueTicket(CAS_STRANGER, strangerStart.service)));
  t.equal(unknown.statusCode, 403, 'a CAS user no account has');
  t.equal(h1(unknown.body), 'Compte non rattaché');
  t.match(visibleText(unknown.body), unknownAccount(CAS_STRANGER));
  await assertSignedOut(t, stranger, 'an unknown CAS user');
  t.match(await auditRows(testApp, 'connexion.echouee'), [{ actor_label: CAS_STRANGER, details: { motif: 'adresse rattachée à aucun compte', fournisseur: 'cas' } }]);
  t.equal((await auditRows(testApp, 'connexion.reussie')).length, 1, 'only the first sign-in');
});

t.test('the sign-in page shows each provider’s button with its label, the page asked for in its link', async (t) => {
  const oidcLabel = 'Se connecter avec l’identité "Cerbère" <OIDC>';
  const casLabel = 'Cerbère (CAS) & co';
  const { testApp, provider } = await oidcApp(t, { env: { OIDC_LABEL: oidcLabel, CAS_URL: 'http://127.0.0.1:9/cas', CAS_LABEL: casLabel } });
  const agent = new Agent(testApp.app);
  const page = await agent.get('/connexion?suivant=%2Fcentre%2Fparametres');
  t.equal(page.statusCode, 200);
  t.same(providerButtons(page.body), [
    { href: '/connexion/oidc?suivant=%2Fcentre%2Fparametres', label: oidcLabel },
    { href: '/connexion/cas?suivant=%2Fcentre%2Fparametres', label: casLabel },
  ]);
  t.notMatch(page.body, '<OIDC>', 'the labels are escaped');
  t.match(page.body, /<form method="post" action="\/connexion"/, 'the password form too (LOCAL_SIGN_IN=on)');
  t.same(
    providerButtons((await agent.get('/connexion')).body).map((b) => b.href),
    ['/connexion/oidc', '/connexion/cas'],
    'without suivant',
  );
  t.same(
    providerButtons((await agent.get('/connexion?suivant=%2F%2Fevil.example')).body).map((b) => b.href),
    ['/connexion/oidc', '/connexion/cas'],
    'another site is not carried',
  );

  const button = providerButtons(page.body)[0]!.href;
  const res = await agent.get(pathOf(await atProvider(new Browser(), await startOidcAt(agent, button), { login: AGENT_A.sub })));
  t.equal(res.headers.location, '/centre/parametres', 'the button leads there through the provider');
  t.equal(provider.tokenRequests.total, 1);

  const plain = await createTestApp(t, { env: { PUBLIC_URL } });
  const withoutProviders = await new Agent(plain.app).get('/connexion');
  t.same(providerButtons(withoutProviders.body), [], 'no provider configured: no button');
  t.notMatch(visibleText(withoutProviders.body), 'Cerbère');
  t.equal((await new Agent(plain.app).get('/connexion/oidc')).statusCode, 404, 'nor its route');
  t.equal((await new Agent(plain.app).get('/connexion/cas')).statusCode, 404);
});

/** A button's link followed: the redirect to the provider. */
async function startOidcAt(agent: Agent, href: string): Promise<URL> {
  const res = await agent.get(href);
  if (res.statusCode !== 303) throw new Error(`${href}: ${res.statusCode}`);
  return new URL(String(res.headers.location));
}

/** The CSRF token the layout gives htmx, for a page without a form. */
function pageToken(body: string): string {
  const token = /"x-csrf-token": "([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error('no CSRF token on the page');
  return token;
}

t.test('LOCAL_SIGN_IN=admins: managers go through Cerbère, a manager’s right password is refused, an admin’s accepted', async (t) => {
  const { testApp, managerId } = await oidcApp(t, { env: { LOCAL_SIGN_IN: 'admins' } });
  await createAccount(testApp, { email: ADMIN_EMAIL, role: 'admin' });
  const page = await new Agent(testApp.app).get('/connexion');
  const text = visibleText(page.body);
  t.match(text, 'Les gestionnaires de centre se connectent avec leur compte Cerbère.');
  t.match(text, 'Administration nationale : avec votre mot de passe');
  t.match(page.body, /<form method="post" action="\/connexion"/, 'the password form stays');
  t.equal(providerButtons(page.body).length, 1, 'under the provider’s button');

  const right = new Agent(testApp.app, '192.0.2.101');
  const refused = await right.signIn(MANAGER_A, 'mot-de-passe-de-test-2026');
  t.equal(refused.statusCode, 401, 'a manager’s right password');
  t.equal(failureText(refused.body), ADMINS_ONLY_REFUSAL);
  await assertSignedOut(t, right, 'a manager’s right password');
  const wrong = await new Agent(testApp.app, '192.0.2.102').signIn(MANAGER_A, 'pas-le-bon-mot-de-passe');
  t.equal(wrong.statusCode, 401, 'a manager’s wrong password');
  t.equal(failureText(wrong.body), failureText(refused.body), 'the same answer: nothing tells the password was right');
  t.equal((await lastSignIn(testApp, managerId)).last_sign_in_method, null);

  const admin = await new Agent(testApp.app, '192.0.2.103').signIn(ADMIN_EMAIL, 'mot-de-passe-de-test-2026');
  t.equal(admin.statusCode, 303, 'an administrator’s password');
  t.equal(admin.headers.location, '/admin');

  const manager = new Agent(testApp.app);
  t.equal((await oidcSignIn(manager, AGENT_A)).statusCode, 303, 'the manager signs in through Cerbère');
  t.equal((await manager.get('/centre')).statusCode, 200);
});

t.test('LOCAL_SIGN_IN=off: no password form, and a password posted anyway signs nobody in', async (t) => {
  const { testApp } = await oidcApp(t, { env: { LOCAL_SIGN_IN: 'off' } });
  await createAccount(testApp, { email: ADMIN_EMAIL, role: 'admin' });
  const agent = new Agent(testApp.app);
  const page = await agent.get('/connexion');
  t.equal(page.statusCode, 200);
  t.notMatch(page.body, /action="\/connexion"/, 'no password form');
  t.notMatch(page.body, 'name="mot_de_passe"');
  t.same(
    providerButtons(page.body).map((b) => b.href),
    ['/connexion/oidc'],
    'the provider’s button alone',
  );

  const csrf = pageToken(page.body);
  for (const email of [ADMIN_EMAIL, MANAGER_A]) {
    const res = await agent.post('/connexion', { email, mot_de_passe: 'mot-de-passe-de-test-2026' }, { csrf });
    t.equal(res.statusCode, 403, `${email}: refused`);
    t.match(failureText(res.body), LOCAL_OFF_REFUSAL, `${email}: the page says why`);
    t.equal((await agent.get('/admin')).statusCode, 302, `${email}: nobody signed in`);
    await assertSignedOut(t, agent, email);
  }
  t.same(await auditRows(testApp, 'connexion.reussie'), []);

  const admin = new Agent(testApp.app);
  const res = await oidcSignIn(admin, ADMIN);
  t.equal(res.statusCode, 303, 'an administrator signs in through Cerbère');
  t.equal(res.headers.location, '/admin');
});

/** The error loadConfig throws for `env`, or null when it throws none (or another kind). */
function configErrorOf(env: Record<string, string>): ConfigError | null {
  try {
    loadConfig({ NODE_ENV: 'test', ...env });
  } catch (err) {
    return err instanceof ConfigError ? err : null;
  }
  return null;
}

t.test('a wrong provider configuration stops the start with a French line naming the variable', async (t) => {
  const issuer = { OIDC_ISSUER: 'https://cerbere.example.gouv.fr', OIDC_CLIENT_ID: 'qcm-aipr' };
  const cases: [string, Record<string, string>, RegExp][] = [
    ['OIDC_CLIENT_ID without OIDC_ISSUER', { OIDC_CLIENT_ID: 'qcm-aipr' }, /^OIDC_CLIENT_ID est défini mais OIDC_ISSUER ne l’est pas/],
    ['OIDC_CLIENT_SECRET without OIDC_ISSUER', { OIDC_CLIENT_SECRET: 'secret' }, /^OIDC_CLIENT_SECRET est défini mais OIDC_ISSUER/],
    ['OIDC_LABEL without OIDC_ISSUER', { OIDC_LABEL: 'Cerbère' }, /^OIDC_LABEL est défini mais OIDC_ISSUER/],
    ['OIDC_ISSUER without OIDC_CLIENT_ID', { OIDC_ISSUER: issuer.OIDC_ISSUER }, /^OIDC_CLIENT_ID est obligatoire avec OIDC_ISSUER/],
    ['OIDC_ISSUER in http, not on the loopback', { ...issuer, OIDC_ISSUER: 'http://example.org' }, /^OIDC_ISSUER doit être une adresse https complète .*http n’est admis que sur la boucle locale/],
    ['OIDC_ISSUER not an address', { ...issuer, OIDC_ISSUER: 'cerbere' }, /^OIDC_ISSUER doit être une adresse https complète/],
    ['OIDC_ISSUER with a query', { ...issuer, OIDC_ISSUER: 'https://cerbere.example.gouv.fr/?realm=x' }, /^OIDC_ISSUER ne doit contenir ni paramètres ni fragment/],
    ['OIDC_SCOPES without email', { ...issuer, OIDC_SCOPES: 'openid profile' }, /^OIDC_SCOPES doit contenir « email »/],
    ['OIDC_SCOPES without openid', { ...issuer, OIDC_SCOPES: 'email profile' }, /^OIDC_SCOPES doit contenir « openid »/],
    ['CAS_LABEL without CAS_URL', { CAS_LABEL: 'Cerbère' }, /^CAS_LABEL est défini mais CAS_URL ne l’est pas/],
    ['CAS_URL in http, not on the loopback', { CAS_URL: 'http://cas.example.org/cas' }, /^CAS_URL doit être une adresse https complète/],
    ['LOCAL_SIGN_IN=off without a provider', { LOCAL_SIGN_IN: 'off' }, /^LOCAL_SIGN_IN=off demande OIDC_ISSUER ou CAS_URL/],
    ['LOCAL_SIGN_IN=admins without a provider', { LOCAL_SIGN_IN: 'admins' }, /^LOCAL_SIGN_IN=admins demande OIDC_ISSUER ou CAS_URL/],
    ['LOCAL_SIGN_IN of another value', { ...issuer, LOCAL_SIGN_IN: 'non' }, /^LOCAL_SIGN_IN doit valoir on, admins ou off/],
  ];
  for (const [what, env, message] of cases) {
    const error = configErrorOf(env);
    t.ok(error, `${what}: refused with a ConfigError`);
    t.match(error?.message, message, `${what}: ${error?.message ?? 'no message'}`);
  }

  const oidc = loadConfig({ NODE_ENV: 'test', ...issuer, OIDC_ISSUER: 'https://cerbere.example.gouv.fr/realms/agents/' });
  t.same(
    oidc.oidc,
    { issuer: 'https://cerbere.example.gouv.fr/realms/agents/', clientId: 'qcm-aipr', clientSecret: null, label: 'Se connecter avec Cerbère', scopes: 'openid email profile' },
    'a public client with the defaults, the issuer as written (its metadata must name it exactly)',
  );
  t.equal(oidc.cas, null);
  t.equal(oidc.localSignIn, 'on');
  for (const loopback of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080']) {
    t.equal(configErrorOf({ OIDC_ISSUER: loopback, OIDC_CLIENT_ID: 'qcm-aipr' }), null, `${loopback}: http on the loopback is accepted`);
  }
  const cas = loadConfig({ NODE_ENV: 'test', CAS_URL: 'https://cas.example.gouv.fr/cas/', LOCAL_SIGN_IN: 'off' });
  t.same(cas.cas, { url: 'https://cas.example.gouv.fr/cas', label: 'Se connecter avec Cerbère (CAS)' });
  t.equal(cas.localSignIn, 'off');
  t.equal(loadConfig({ NODE_ENV: 'test' }).localSignIn, 'on', 'passwords by default');
});
