/**
 * The identity providers of the sign-in tests, checked on their own before the app relies on them:
 * the OIDC provider driven by openid-client as the app drives it, the CAS server by hand.
 */
import { XMLParser } from 'fast-xml-parser';
import * as client from 'openid-client';
import t from 'tap';
import { startCasServer, type TestCasServer } from './cas-server.js';
import { startOidcProvider } from './oidc-provider.js';
import { Browser } from './provider-http.js';

/** Where the redirects lead; nothing listens there, the tests only read the redirects. */
const PUBLIC_URL = 'http://localhost:3000';
const REDIRECT_URI = `${PUBLIC_URL}/connexion/oidc/retour`;
const CAS_SERVICE = `${PUBLIC_URL}/connexion/cas/retour`;

const USER = { sub: 'agent-0001', email: 'camille.martin@example.fr', given_name: 'Camille', family_name: 'Martin', email_verified: true };
const CONFIDENTIAL = {
  client_id: 'qcm-aipr',
  client_secret: 'secret-de-test',
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [`${PUBLIC_URL}/connexion`],
};
const PUBLIC = { client_id: 'qcm-aipr-public', redirect_uris: [REDIRECT_URI] };

/** An authorization request as the app makes it: PKCE, state and nonce, and the checks to exchange its code with. */
async function authorize(config: client.Configuration) {
  const pkceCodeVerifier = client.randomPKCECodeVerifier();
  const expectedState = client.randomState();
  const expectedNonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await client.calculatePKCECodeChallenge(pkceCodeVerifier),
    code_challenge_method: 'S256',
    state: expectedState,
    nonce: expectedNonce,
  });
  return { url, checks: { pkceCodeVerifier, expectedState, expectedNonce, idTokenExpected: true } };
}

/** From the authorization URL to the redirect back to the app, the interaction form posted with `form`. */
async function throughProvider(browser: Browser, authorizationUrl: URL, form: Record<string, string> = { login: USER.sub }): Promise<URL> {
  const interaction = await browser.redirected(authorizationUrl);
  const resume = await browser.redirected(interaction, form);
  return browser.redirected(resume);
}

const oidc = await startOidcProvider(t, { users: [USER], clients: [CONFIDENTIAL, PUBLIC] });
const insecure = { execute: [client.allowInsecureRequests] };
const confidential = await client.discovery(new URL(oidc.issuer), CONFIDENTIAL.client_id, CONFIDENTIAL.client_secret, undefined, insecure);

t.test('OIDC: a confidential client signs a user in through the form, and its code works once', async (t) => {
  const browser = new Browser();
  const { url, checks } = await authorize(confidential);
  const interaction = await browser.redirected(url);
  t.match(interaction.pathname, /^\/interaction\/[\w-]+$/);
  const form = await browser.request(interaction);
  t.equal(form.status, 200);
  t.match(form.body, /<html lang="fr">[\s\S]*<title>[^<]+<\/title>[\s\S]*<main>[\s\S]*<form method="post">/);
  t.match(form.body, '<label for="login">Identifiant Cerbère (sub)</label>');
  t.match(form.body, /<input type="text" id="login" name="login"/);
  t.match(form.body, '<button type="submit">Se connecter</button>');

  const callback = await browser.redirected(await browser.redirected(interaction, { login: USER.sub }));
  t.equal(callback.origin + callback.pathname, REDIRECT_URI);
  t.ok(callback.searchParams.get('code'));
  t.equal(callback.searchParams.get('state'), checks.expectedState);

  const before = { ...oidc.tokenRequests };
  const tokens = await client.authorizationCodeGrant(confidential, callback, checks);
  t.match(tokens.claims(), { iss: oidc.issuer, aud: CONFIDENTIAL.client_id, ...USER, nonce: checks.expectedNonce });
  await t.rejects(
    client.authorizationCodeGrant(confidential, callback, checks),
    { code: 'OAUTH_RESPONSE_BODY_ERROR', error: 'invalid_grant' },
    'a code is used once',
  );
  t.same(oidc.tokenRequests, { total: before.total + 2, refused: before.refused + 1 });
});

t.test('OIDC: tampered ID tokens, as openid-client takes them', async (t) => {
  t.teardown(() => oidc.tamperIdTokens(null));
  const signIn = async (config: client.Configuration) => {
    const { url, checks } = await authorize(config);
    return client.authorizationCodeGrant(config, await throughProvider(new Browser(), url), checks);
  };

  oidc.tamperIdTokens((claims) => ({ ...claims, aud: 'autre' }));
  await t.rejects(signIn(confidential), { code: 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' }, 'another audience');
  oidc.tamperIdTokens((claims) => ({ ...claims, exp: Math.floor(Date.now() / 1000) - 3600 }));
  await t.rejects(signIn(confidential), { code: 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED' }, 'expired');

  // The token endpoint is trusted through TLS unless told otherwise: the signature is checked only on demand.
  oidc.tamperIdTokens((claims) => claims, { otherKey: true });
  t.ok((await signIn(confidential)).claims(), 'signature unchecked by default');
  const checked = await client.discovery(new URL(oidc.issuer), CONFIDENTIAL.client_id, CONFIDENTIAL.client_secret, undefined, {
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  });
  await t.rejects(
    signIn(checked),
    { code: 'OAUTH_INVALID_RESPONSE', cause: { message: 'JWT signature verification failed' } },
    'signed with a key the provider does not publish',
  );
  oidc.tamperIdTokens(null);
  t.equal((await signIn(checked)).claims()?.sub, USER.sub, 'the untouched token passes the same checks');
});

t.test('OIDC: the secret in the Authorization header does as well as in the body', async (t) => {
  const basic = await client.discovery(new URL(oidc.issuer), CONFIDENTIAL.client_id, undefined, client.ClientSecretBasic(CONFIDENTIAL.client_secret), insecure);
  const { url, checks } = await authorize(basic);
  t.equal((await client.authorizationCodeGrant(basic, await throughProvider(new Browser(), url), checks)).claims()?.sub, USER.sub);
  const wrong = await client.discovery(new URL(oidc.issuer), CONFIDENTIAL.client_id, undefined, client.ClientSecretBasic('faux'), insecure);
  const second = await authorize(wrong);
  await t.rejects(
    client.authorizationCodeGrant(wrong, await throughProvider(new Browser(), second.url), second.checks),
    { code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', status: 401 },
    'a wrong secret is refused (a 401 challenge, not an error body)',
  );
});

t.test('OIDC: a public client signs in with PKCE alone', async (t) => {
  const config = await client.discovery(new URL(oidc.issuer), PUBLIC.client_id, undefined, client.None(), insecure);
  const { url, checks } = await authorize(config);
  const tokens = await client.authorizationCodeGrant(config, await throughProvider(new Browser(), url), checks);
  t.equal(tokens.claims()?.email, USER.email);

  const withoutPkce = new URL(url);
  withoutPkce.searchParams.delete('code_challenge');
  withoutPkce.searchParams.delete('code_challenge_method');
  const refused = await new Browser().redirected(withoutPkce);
  t.equal(refused.searchParams.get('error'), 'invalid_request', 'PKCE is required');
});

t.test('OIDC: the user refuses', async (t) => {
  const { url, checks } = await authorize(confidential);
  const callback = await throughProvider(new Browser(), url, { refuser: '1' });
  t.equal(callback.origin + callback.pathname, REDIRECT_URI);
  t.equal(callback.searchParams.get('error'), 'access_denied');
  t.equal(callback.searchParams.get('error_description'), 'Refus de l’utilisateur');
  t.equal(callback.searchParams.get('state'), checks.expectedState);
});

t.test('OIDC: an unknown sub, and nextLogin for a form posted without one', async (t) => {
  const browser = new Browser();
  const { url, checks } = await authorize(confidential);
  const interaction = await browser.redirected(url);
  const unknown = await browser.request(interaction, { login: 'inconnu' });
  t.equal(unknown.status, 400);
  t.match(unknown.body, 'Identifiant inconnu : « inconnu »');
  t.equal((await browser.request(interaction, {})).status, 400, 'no login and no nextLogin');

  oidc.nextLogin = USER.sub;
  t.teardown(() => (oidc.nextLogin = null));
  const callback = await browser.redirected(await browser.redirected(interaction, {}));
  t.equal((await client.authorizationCodeGrant(confidential, callback, checks)).claims()?.sub, USER.sub);
});

t.test('OIDC: the provider keeps its session until a logout from the app, confirmed on the provider', async (t) => {
  const browser = new Browser();
  const { url, checks } = await authorize(confidential);
  const tokens = await client.authorizationCodeGrant(confidential, await throughProvider(browser, url), checks);
  const again = await browser.redirected((await authorize(confidential)).url);
  t.equal(again.origin + again.pathname, REDIRECT_URI, 'signed in again without the form (its _session cookie)');
  const logout = client.buildEndSessionUrl(confidential, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: `${PUBLIC_URL}/connexion` });
  const confirmation = await browser.request(logout);
  t.equal(confirmation.status, 200);
  t.match(confirmation.body, /<html lang="fr">[\s\S]*<main>/);
  t.match(confirmation.body, '<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>');
  const action = /<form id="op.logoutForm" method="post" action="([^"]+)">/.exec(confirmation.body)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirmation.body)?.[1];
  if (!action || !xsrf) throw new Error(`no logout form:\n${confirmation.body}`);
  const back = await browser.redirected(new URL(action, logout), { xsrf, logout: 'yes' });
  t.equal(back.href, `${PUBLIC_URL}/connexion`);
  const afterLogout = await browser.redirected((await authorize(confidential)).url);
  t.match(afterLogout.pathname, /^\/interaction\//, 'the form again');
});

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });

/** What /serviceValidate says: the user, or the failure's code. */
async function serviceValidate(cas: TestCasServer, params: Record<string, string>): Promise<{ user: string } | { code: string }> {
  const res = await fetch(`${cas.url}/serviceValidate?${new URLSearchParams(params)}`);
  if (res.headers.get('content-type') !== 'application/xml; charset=utf-8') throw new Error(`content type ${res.headers.get('content-type')}`);
  const response = xml.parse(await res.text())['cas:serviceResponse'];
  if (response['xmlns:cas'] !== 'http://www.yale.edu/tp/cas') throw new Error('no CAS namespace');
  const success = response['cas:authenticationSuccess'];
  return success ? { user: success['cas:user'] } : { code: response['cas:authenticationFailure'].code };
}

const AGENT = 'agent@example.fr';
/** The XML escaping, in an address that is valid after all. */
const ODD = "o'neil&co@example.fr";
const cas = await startCasServer(t, { users: [AGENT, ODD] });

t.test('CAS: the login form gives a ticket, validated once', async (t) => {
  const login = await fetch(`${cas.url}/login?${new URLSearchParams({ service: CAS_SERVICE })}`);
  t.equal(login.status, 200);
  const form = await login.text();
  t.match(form, /<html lang="fr">[\s\S]*<title>[^<]+<\/title>[\s\S]*<main>[\s\S]*<form method="post"/);
  t.match(form, '<label for="username">Identifiant Cerbère</label>');
  t.match(form, `<input type="hidden" name="service" value="${CAS_SERVICE}">`);

  const post = (fields: Record<string, string>) => fetch(`${cas.url}/login`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  const unknown = await post({ username: 'inconnu@example.fr', service: CAS_SERVICE });
  t.equal(unknown.status, 401);
  t.match(await unknown.text(), 'Identifiant inconnu');
  const known = await post({ username: AGENT, service: CAS_SERVICE });
  t.equal(known.status, 303);
  const back = new URL(known.headers.get('location')!);
  t.equal(back.origin + back.pathname, CAS_SERVICE);
  const ticket = back.searchParams.get('ticket')!;
  t.match(ticket, /^ST-[0-9a-f]+$/);
  t.ok(ticket.length <= 32);

  t.same(await serviceValidate(cas, { service: CAS_SERVICE, ticket }), { user: AGENT });
  t.same(await serviceValidate(cas, { service: CAS_SERVICE, ticket }), { code: 'INVALID_TICKET' }, 'a ticket is used once');
  t.same(cas.validations.slice(-2), [
    { service: CAS_SERVICE, ticket },
    { service: CAS_SERVICE, ticket },
  ]);

  const withQuery = await post({ username: AGENT, service: `${CAS_SERVICE}?suite=%2Fcentre` });
  t.match(withQuery.headers.get('location'), /\/connexion\/cas\/retour\?suite=%2Fcentre&ticket=ST-/);
});

t.test('CAS: the failures of /serviceValidate', async (t) => {
  const ticket = cas.issueTicket(ODD, CAS_SERVICE);
  t.same(await serviceValidate(cas, { service: `${CAS_SERVICE}/`, ticket }), { code: 'INVALID_SERVICE' }, 'services are compared exactly');
  t.same(await serviceValidate(cas, { service: CAS_SERVICE, ticket }), { code: 'INVALID_TICKET' }, 'even a failed validation uses the ticket');
  t.same(await serviceValidate(cas, { service: CAS_SERVICE, ticket: 'ST-inconnu' }), { code: 'INVALID_TICKET' });
  t.same(await serviceValidate(cas, { service: CAS_SERVICE }), { code: 'INVALID_REQUEST' });
  t.same(await serviceValidate(cas, { ticket: cas.issueTicket(ODD, CAS_SERVICE) }), { code: 'INVALID_REQUEST' });
  t.same(await serviceValidate(cas, { service: CAS_SERVICE, ticket: cas.issueTicket(ODD, CAS_SERVICE) }), { user: ODD }, 'the user id is escaped');
  t.throws(() => cas.issueTicket('inconnu@example.fr', CAS_SERVICE));
});

t.test('CAS: logout, and nothing else', async (t) => {
  const toService = await fetch(`${cas.url}/logout?${new URLSearchParams({ service: `${PUBLIC_URL}/connexion` })}`, { redirect: 'manual' });
  t.equal(toService.status, 303);
  t.equal(toService.headers.get('location'), `${PUBLIC_URL}/connexion`);
  const page = await fetch(`${cas.url}/logout`);
  t.equal(page.status, 200);
  t.match(await page.text(), 'Vous êtes déconnecté de Cerbère.');
  t.equal((await fetch(`${cas.url}/proxyValidate`)).status, 404);
  t.equal((await fetch(new URL('/login', cas.url))).status, 404, 'the base path is part of the URL');
});
