import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { createOnce } from './data-files.js';
import type { LocalSignIn } from './domain/account-state.js';
import { isPlausibleEmail } from './domain/email.js';

export type NodeEnv = 'development' | 'production' | 'test';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL (several instances may share it) when set; otherwise SQLite in dataDir. */
  databaseUrl: string | null;
  publicUrl: string;
  /** When absent, the secret is generated once and kept in DATA_DIR (see resolveSessionSecret). */
  sessionSecret: string | null;
  nodeEnv: NodeEnv;
  /** Passed as is to Fastify's trustProxy: false, or the proxies' addresses. */
  trustProxy: false | string;
  puppeteerExecutablePath: string | null;
  /** When set, one-time links are emailed (nodemailer); otherwise shown to the administrator. */
  smtpUrl: string | null;
  mailFrom: string;
  /** The national administration's address, shown where a user may need a person (forgotten password, help). */
  contactEmail: string | null;
  /** Sign-in through the ministry's identity service (Cerbère, ProConnect) by OpenID Connect, when set. */
  oidc: OidcSettings | null;
  /** Sign-in through a CAS 2.0 server (Cerbère's historical protocol), when set. */
  cas: CasSettings | null;
  /** Who may sign in with a password: everyone, the national administrators only, or nobody. */
  localSignIn: LocalSignIn;
}

export interface OidcSettings {
  issuer: string;
  clientId: string;
  /** Null: a public client, which proves itself by PKCE alone. */
  clientSecret: string | null;
  label: string;
  scopes: string;
}

export interface CasSettings {
  /** The server's base URL, without a trailing slash: /login, /serviceValidate and /logout are under it. */
  url: string;
  label: string;
}

export type { LocalSignIn };

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function readPort(env: Env): number {
  const raw = env.PORT?.trim();
  if (!raw) return 3000;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError(`PORT doit être un nombre entier de 1 à 65535 (reçu « ${raw} »)`);
  }
  return port;
}

function readNodeEnv(env: Env): NodeEnv {
  const raw = env.NODE_ENV?.trim() || 'development';
  if (raw !== 'development' && raw !== 'production' && raw !== 'test') {
    throw new ConfigError(`NODE_ENV doit valoir development, production ou test (reçu « ${raw} »)`);
  }
  return raw;
}

function readPublicUrl(env: Env, port: number): string {
  const raw = env.PUBLIC_URL?.trim();
  if (!raw) return `http://localhost:${port}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`PUBLIC_URL doit être une adresse http(s) complète (reçu « ${raw} »)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`PUBLIC_URL doit être une adresse http(s) complète (reçu « ${raw} »)`);
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function readSessionSecret(env: Env): string | null {
  const raw = env.SESSION_SECRET;
  if (raw === undefined || raw === '') return null;
  if (raw.length < 32) {
    throw new ConfigError('SESSION_SECRET doit comporter au moins 32 caractères');
  }
  return raw;
}

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(part: string): boolean {
  if (PROXY_KEYWORDS.has(part)) return true;
  const [address, prefix, ...rest] = part.split('/');
  if (rest.length > 0 || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function readTrustProxy(env: Env): Config['trustProxy'] {
  const raw = env.TRUST_PROXY?.trim();
  if (!raw || raw === 'false') return false;
  // Only the proxies' own addresses make X-Forwarded-For trustworthy. `true` would take the client's
  // own header as its address (anyone could escape the throttles and write what they like in the
  // audit log); a hop count is ignored by Fastify 5 for the address (it cannot check the peer).
  if (raw === 'true' || /^\d+$/.test(raw)) {
    throw new ConfigError(
      `TRUST_PROXY=${raw} est refusé : indiquez les adresses des proxys devant le serveur (par exemple loopback, 10.0.0.2 ou 172.16.0.0/12), pour qu’aucun client ne puisse choisir son adresse par X-Forwarded-For.`,
    );
  }
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.every(isProxyAddress)) return parts.join(',');
  throw new ConfigError(
    `TRUST_PROXY doit valoir false ou une liste, séparée par des virgules, d’adresses ou de réseaux de proxys, ou loopback, linklocal, uniquelocal (reçu « ${raw} »)`,
  );
}

function readHost(env: Env): string {
  const raw = env.HOST?.trim();
  if (!raw) return '0.0.0.0';
  if (!/^[A-Za-z0-9.:_-]+$/.test(raw)) throw new ConfigError(`HOST n’est ni un nom de machine ni une adresse valide (reçu « ${raw} »)`);
  return raw;
}

function readSmtpUrl(env: Env): string | null {
  const raw = env.SMTP_URL?.trim();
  if (!raw) return null;
  if (!/^smtps?:\/\/[^\s]+$/.test(raw)) throw new ConfigError('SMTP_URL doit être de la forme smtp://utilisateur:mot-de-passe@serveur:587 ou smtps://…');
  return raw;
}

function readDatabaseUrl(env: Env): string | null {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return null;
  // Never quoted back: the address carries the database's password.
  const example = 'postgres://utilisateur:mot-de-passe@serveur:5432/base';
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`DATABASE_URL n’est pas une adresse valable : indiquez-la sous la forme ${example}`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL doit commencer par postgres:// (seul PostgreSQL est pris en charge ; sans DATABASE_URL, la base SQLite de DATA_DIR sert) : ${example}`,
    );
  }
  if (!url.hostname && !url.searchParams.get('host')) throw new ConfigError(`DATABASE_URL doit nommer le serveur PostgreSQL : ${example}`);
  if (url.pathname.length <= 1) throw new ConfigError(`DATABASE_URL doit nommer la base après le serveur : ${example}`);
  return raw;
}

function readMailFrom(env: Env): string {
  const raw = env.MAIL_FROM?.trim();
  if (!raw) return 'QCM-AIPR <ne-pas-repondre@qcm-aipr.localhost>';
  if (!/@/.test(raw)) throw new ConfigError(`MAIL_FROM doit contenir une adresse électronique (reçu « ${raw} »)`);
  return raw;
}

function readContactEmail(env: Env): string | null {
  const raw = env.CONTACT_EMAIL?.trim();
  if (!raw) return null;
  if (!isPlausibleEmail(raw)) throw new ConfigError(`CONTACT_EMAIL doit être une adresse électronique (reçu « ${raw} »)`);
  return raw;
}

/**
 * An identity provider's address: https, except on this machine's loopback (a provider started by
 * the tests, or a tunnel), where the traffic never leaves the host.
 */
function readProviderUrl(env: Env, name: string): string | null {
  const raw = env[name]?.trim();
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} doit être une adresse https complète (reçu « ${raw} »)`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`${name} doit être une adresse https complète (reçu « ${raw} ») ; http n’est admis que sur la boucle locale`);
  }
  if (url.search || url.hash) throw new ConfigError(`${name} ne doit contenir ni paramètres ni fragment (reçu « ${raw} »)`);
  return raw;
}

function readOidc(env: Env): OidcSettings | null {
  // Kept as written: the provider's metadata must name exactly this issuer (a trailing slash included).
  const issuer = readProviderUrl(env, 'OIDC_ISSUER');
  if (!issuer) {
    const stray = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_LABEL', 'OIDC_SCOPES'].find((name) => env[name]?.trim());
    if (stray) throw new ConfigError(`${stray} est défini mais OIDC_ISSUER ne l’est pas : indiquez l’adresse du fournisseur OpenID Connect`);
    return null;
  }
  const clientId = env.OIDC_CLIENT_ID?.trim();
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID est obligatoire avec OIDC_ISSUER : l’identifiant du client enregistré chez le fournisseur');
  const scopes = (env.OIDC_SCOPES?.trim() || 'openid email profile').split(/\s+/);
  for (const needed of ['openid', 'email']) {
    if (!scopes.includes(needed))
      throw new ConfigError(`OIDC_SCOPES doit contenir « ${needed} » (reçu « ${scopes.join(' ')} ») : le compte est retrouvé par son adresse électronique`);
  }
  return {
    issuer,
    clientId,
    clientSecret: env.OIDC_CLIENT_SECRET?.trim() || null,
    label: env.OIDC_LABEL?.trim() || 'Se connecter avec Cerbère',
    scopes: scopes.join(' '),
  };
}

function readCas(env: Env): CasSettings | null {
  const given = readProviderUrl(env, 'CAS_URL');
  // /login and the others are appended to it.
  const url = given?.replace(/\/+$/, '') ?? null;
  if (!url) {
    if (env.CAS_LABEL?.trim()) throw new ConfigError('CAS_LABEL est défini mais CAS_URL ne l’est pas : indiquez l’adresse du serveur CAS');
    return null;
  }
  return { url, label: env.CAS_LABEL?.trim() || 'Se connecter avec Cerbère (CAS)' };
}

function readLocalSignIn(env: Env, providers: boolean): LocalSignIn {
  const raw = env.LOCAL_SIGN_IN?.trim() || 'on';
  if (raw !== 'on' && raw !== 'admins' && raw !== 'off') throw new ConfigError(`LOCAL_SIGN_IN doit valoir on, admins ou off (reçu « ${raw} »)`);
  if (raw !== 'on' && !providers) {
    throw new ConfigError(
      `LOCAL_SIGN_IN=${raw} demande OIDC_ISSUER ou CAS_URL : sans fournisseur d’identité, les gestionnaires ne pourraient plus se connecter`,
    );
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const port = readPort(env);
  const publicUrl = readPublicUrl(env, port);
  const trustProxy = readTrustProxy(env);
  // The server speaks plain HTTP: an https address means a TLS proxy in front, which must be
  // trusted, or requests look like http and the Secure session cookie is never set.
  if (publicUrl.startsWith('https:') && trustProxy === false) {
    throw new ConfigError('TRUST_PROXY est obligatoire quand PUBLIC_URL est en https (le proxy TLS devant le serveur doit être reconnu)');
  }
  return {
    port,
    host: readHost(env),
    dataDir: resolve(env.DATA_DIR?.trim() || './data'),
    databaseUrl: readDatabaseUrl(env),
    publicUrl,
    sessionSecret: readSessionSecret(env),
    nodeEnv: readNodeEnv(env),
    trustProxy,
    puppeteerExecutablePath: env.PUPPETEER_EXECUTABLE_PATH?.trim() || null,
    smtpUrl: readSmtpUrl(env),
    mailFrom: readMailFrom(env),
    contactEmail: readContactEmail(env),
    ...readSignIn(env),
  };
}

function readSignIn(env: Env): Pick<Config, 'oidc' | 'cas' | 'localSignIn'> {
  const oidc = readOidc(env);
  const cas = readCas(env);
  return { oidc, cas, localSignIn: readLocalSignIn(env, oidc !== null || cas !== null) };
}

/** The configured secret, or the one generated on the first start and kept beside the database. */
export function resolveSessionSecret(config: Config): string {
  if (config.sessionSecret) return config.sessionSecret;
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const file = join(config.dataDir, 'session-secret');
  const existing = existsSync(file);
  if (existing) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  }
  const secret = randomBytes(48).toString('base64url');
  if (existing) {
    // A damaged file is replaced.
    writeFileSync(file, secret + '\n', { mode: 0o600 });
    return secret;
  }
  // Two instances starting at once must not each keep a secret of their own.
  const kept = createOnce(file, secret + '\n').trim();
  if (kept.length < 32) throw new ConfigError(`le secret de session du fichier ${file} est trop court : supprimez ce fichier, puis redémarrez.`);
  return kept;
}

export function isHttps(config: Config): boolean {
  return config.publicUrl.startsWith('https:');
}

/** Whether managers can sign in through an identity provider (OpenID Connect or CAS). */
export function hasIdentityProvider(config: Pick<Config, 'oidc' | 'cas'>): boolean {
  return config.oidc !== null || config.cas !== null;
}
