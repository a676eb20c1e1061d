/**
 * A real OpenID Connect provider (oidc-provider v8) on a loopback port, for the tests of the sign-in
 * through Cerbère's OIDC: the app discovers it from OIDC_ISSUER and talks to it over HTTP as it would
 * to the real one. Login and consent are one page of its own (/interaction/:uid), fillable by Chromium
 * or posted by an HTTP test; ID tokens can be tampered with on their way out of the token endpoint.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider, { type Adapter, type AdapterFactory, type AdapterPayload, type ClientMetadata } from 'oidc-provider';
import type { Teardown } from './app.js';
import { escapeHtml } from './html.js';
import { page, send } from './provider-http.js';

export interface OidcUser {
  sub: string;
  email: string;
  given_name?: string;
  family_name?: string;
  email_verified?: boolean;
}

export interface OidcClient {
  client_id: string;
  /** Absent: a public client (token_endpoint_auth_method 'none'). Present: taken in the Authorization header or in the body alike. */
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
}

export interface TestOidcProvider {
  /** What the app puts in OIDC_ISSUER, e.g. 'http://127.0.0.1:PORT' (discovery at issuer + '/.well-known/openid-configuration'). */
  issuer: string;
  /**
   * Each ID token the token endpoint returns next is re-signed after `edit` changes its claims (iss, aud, exp, nonce…);
   * `otherKey: true` signs with a key the provider does not publish. null: untouched again.
   */
  tamperIdTokens(edit: ((claims: Record<string, unknown>) => Record<string, unknown>) | null, options?: { otherKey?: boolean }): void;
  /** How many token requests reached the token endpoint, and how many it refused (e.g. a code used twice → invalid_grant). */
  readonly tokenRequests: { total: number; refused: number };
  /**
   * The sub the login interactions sign in when their form is posted without a login, for HTTP tests that do not
   * fill the form (the form's own field wins when posted). null: a login is needed.
   */
  nextLogin: string | null;
  close(): Promise<void>;
}

const SCOPE = 'openid email profile';
const CLAIMS = { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] };
const KID = 'cerbere-test';
const HOUR = 60 * 60;

/** The provider on a free loopback port, closed when `t` ends. */
export async function startOidcProvider(t: Teardown, options: { users: OidcUser[]; clients: OidcClient[] }): Promise<TestOidcProvider> {
  const [signing, foreign] = await Promise.all([generateKeyPair('RS256', { extractable: true }), generateKeyPair('RS256')]);
  // The issuer holds the port, and the provider its issuer from the start: listen first, handle requests once it exists.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  t.teardown(close);
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: options.clients.map(clientMetadata),
    jwks: { keys: [{ ...(await exportJWK(signing.privateKey)), kid: KID, alg: 'RS256', use: 'sig' }] },
    scopes: SCOPE.split(' '),
    claims: CLAIMS,
    // Claims asked for by scope go in the ID token too (by default only userinfo has them when an access
    // token is issued): the app may read them from either.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Without keys the provider warns at each start; its cookies stay unsigned all the same (no `signed` option).
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx, sub) => {
      const user = options.users.find((u) => u.sub === sub);
      return user && { accountId: sub, claims: () => ({ ...user }) };
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = page(
            'Déconnexion',
            `<p>Voulez-vous vous déconnecter de Cerbère ?</p>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Se déconnecter</button>`,
          );
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Déconnexion', '<p>Vous êtes déconnecté de Cerbère.</p>');
        },
      },
    },
    // Set rather than left to the defaults, which announce on stdout that they should be changed.
    ttl: { AccessToken: HOUR, IdToken: HOUR, Interaction: HOUR, Session: HOUR, Grant: HOUR },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Erreur', `<p>${escapeHtml(out.error)}</p><p>${escapeHtml(out.error_description ?? '')}</p>`);
    },
  });

  let tampering: { edit: (claims: Record<string, unknown>) => Record<string, unknown>; otherKey: boolean } | null = null;
  const tokenRequests = { total: 0, refused: 0 };
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token') return;
    tokenRequests.total += 1;
    if (ctx.status >= 400) tokenRequests.refused += 1;
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (!tampering || ctx.status !== 200 || typeof body?.id_token !== 'string') return;
    const header = decodeProtectedHeader(body.id_token);
    const claims = tampering.edit(decodeJwt(body.id_token)) as JWTPayload;
    const key = tampering.otherKey ? foreign.privateKey : signing.privateKey;
    ctx.body = { ...body, id_token: await new SignJWT(claims).setProtectedHeader({ ...header, alg: header.alg! }).sign(key) };
  });

  const helper: TestOidcProvider = {
    issuer,
    tokenRequests,
    nextLogin: null,
    tamperIdTokens(edit, tamperOptions = {}) {
      tampering = edit && { edit, otherKey: tamperOptions.otherKey ?? false };
    },
    close,
  };

  /** Login and consent at once: the grant covers every scope and claim, the user only says who they are. */
  async function interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') return send(res, 200, loginPage());
    const form = new URLSearchParams(Buffer.concat(await req.toArray()).toString());
    if (form.get('refuser') === '1') {
      const refusal = { error: 'access_denied', error_description: 'Refus de l’utilisateur' };
      return provider.interactionFinished(req, res, refusal, { mergeWithLastSubmission: false });
    }
    const login = form.get('login') || helper.nextLogin;
    const user = options.users.find((u) => u.sub === login);
    if (!user) return send(res, 400, loginPage(login ?? ''));
    const grant = new provider.Grant({ accountId: user.sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(SCOPE);
    grant.addOIDCClaims(Object.values(CLAIMS).flat());
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { login: { accountId: user.sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  const callback = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const interaction = /^\/interaction\/[^/]+$/.test(new URL(req.url ?? '/', issuer).pathname) && (req.method === 'GET' || req.method === 'POST');
    if (!interaction) return void callback(req, res);
    // Mostly a missing or stale _interaction cookie: the provider's own error, as a page.
    interact(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 400, page('Erreur', `<p>${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`));
      else res.destroy();
    });
  });
  return helper;
}

function clientMetadata(client: OidcClient): ClientMetadata {
  return {
    client_id: client.client_id,
    // A secret client keeps the default method, client_secret_basic, which takes the secret in the body too (lib/shared/token_auth.js).
    ...(client.client_secret === undefined ? { token_endpoint_auth_method: 'none' } : { client_secret: client.client_secret }),
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
}

/**
 * The provider's storage, one per provider: its built-in in-memory adapter is shared by the whole
 * process (a bounded cache) and warns on each start that it is for development only.
 */
function memoryAdapter(): AdapterFactory {
  const stored = new Map<string, { payload: AdapterPayload; expiresAt: number }>();
  const live = (entry: { payload: AdapterPayload; expiresAt: number } | undefined) => (entry && entry.expiresAt > Date.now() ? entry.payload : undefined);
  return (model): Adapter => {
    const own = () => [...stored].filter(([key]) => key.startsWith(`${model}:`)).map(([, entry]) => live(entry));
    return {
      async upsert(id, payload, expiresIn) {
        stored.set(`${model}:${id}`, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      },
      async find(id) {
        return live(stored.get(`${model}:${id}`));
      },
      async findByUid(uid) {
        return own().find((payload) => payload?.uid === uid);
      },
      async findByUserCode(userCode) {
        return own().find((payload) => payload?.userCode === userCode);
      },
      async consume(id) {
        const payload = live(stored.get(`${model}:${id}`));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id) {
        stored.delete(`${model}:${id}`);
      },
      async revokeByGrantId(grantId) {
        for (const [key, entry] of stored) if (entry.payload.grantId === grantId) stored.delete(key);
      },
    };
  };
}

function loginPage(login?: string): string {
  const error = login === undefined ? '' : `<p id="login-erreur" role="alert">Identifiant inconnu : « ${escapeHtml(login)} ».</p>`;
  return page(
    'Connexion à Cerbère',
    `<form method="post">
<label for="login">Identifiant Cerbère (sub)</label>
<input type="text" id="login" name="login" value="${escapeHtml(login ?? '')}" autocomplete="username" required${error && ' aria-invalid="true" aria-describedby="login-erreur"'}>
${error}
<button type="submit">Se connecter</button>
<button type="submit" name="refuser" value="1" formnovalidate>Refuser</button>
</form>`,
  );
}
