import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import t from 'tap';
import { ConfigError, isHttps, loadConfig, resolveSessionSecret, type Config } from '../src/config.js';

/** The error loadConfig throws for `env`, or a failure when it throws none (or another kind). */
function configErrorOf(env: Record<string, string>): ConfigError | null {
  try {
    loadConfig(env);
  } catch (err) {
    return err instanceof ConfigError ? err : null;
  }
  return null;
}

t.test('defaults when nothing is set', async (t) => {
  const config = loadConfig({});
  t.equal(config.port, 3000);
  t.equal(config.host, '0.0.0.0');
  t.ok(isAbsolute(config.dataDir), 'DATA_DIR is resolved to an absolute path');
  t.equal(config.dataDir, resolve(process.cwd(), 'data'));
  t.equal(config.publicUrl, 'http://localhost:3000');
  t.equal(config.nodeEnv, 'development');
  t.equal(config.trustProxy, false);
  t.equal(config.sessionSecret, null);
  t.equal(config.puppeteerExecutablePath, null);
  t.equal(config.contactEmail, null, 'no contact address unless one is given');
  t.equal(isHttps(config), false);
});

t.test('loadConfig reads only the env it is given', async (t) => {
  const saved = { PORT: process.env.PORT, NODE_ENV: process.env.NODE_ENV };
  process.env.PORT = '4567';
  process.env.NODE_ENV = 'production';
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const config = loadConfig({});
  t.equal(config.port, 3000, 'process.env.PORT is not read when an env is passed');
  t.equal(config.nodeEnv, 'development');
  t.same(loadConfig({ PORT: '8080' }), loadConfig({ PORT: '8080' }), 'same env, same config');
});

t.test('bad values are refused with a ConfigError naming the variable', async (t) => {
  const cases: [Record<string, string>, string][] = [
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '0' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV'],
    [{ PUBLIC_URL: 'ftp://x' }, 'PUBLIC_URL'],
    [{ PUBLIC_URL: 'not-a-url' }, 'PUBLIC_URL'],
    [{ SESSION_SECRET: 'too-short-secret' }, 'SESSION_SECRET'],
    [{ SESSION_SECRET: 'x'.repeat(31) }, 'SESSION_SECRET'],
    [{ TRUST_PROXY: 'maybe' }, 'TRUST_PROXY'],
    [{ HOST: 'my host' }, 'HOST'],
    [{ HOST: 'localhost; rm -rf /' }, 'HOST'],
    [{ CONTACT_EMAIL: 'administration' }, 'CONTACT_EMAIL'],
  ];
  for (const [env, variable] of cases) {
    const err = configErrorOf(env);
    t.ok(err, `${JSON.stringify(env)} is refused with a ConfigError`);
    if (err) t.match(err.message, variable, `the message for ${JSON.stringify(env)} names ${variable}`);
  }
});

t.test('TRUST_PROXY values that only look like addresses are refused at configuration time', async (t) => {
  // These pass the address-like pattern of readTrustProxy but are not addresses: Fastify
  // (proxy-addr) then throws a bare TypeError inside buildApp, after the configuration was accepted.
  for (const value of ['cafe', '10.0.0.999', '1.2.3.4/99']) {
    const err = configErrorOf({ TRUST_PROXY: value });
    t.ok(err, `TRUST_PROXY=${value} is refused with a ConfigError`);
    if (err) t.match(err.message, 'TRUST_PROXY');
  }
});

t.test('good values are parsed', async (t) => {
  const config = loadConfig({
    PORT: ' 8080 ',
    HOST: '127.0.0.1',
    DATA_DIR: '/srv/aipr/data',
    PUBLIC_URL: 'https://aipr.example.fr/',
    TRUST_PROXY: 'loopback',
    SESSION_SECRET: 's'.repeat(32),
    NODE_ENV: 'production',
    PUPPETEER_EXECUTABLE_PATH: '/usr/bin/chromium',
  });
  t.equal(config.port, 8080);
  t.equal(config.host, '127.0.0.1');
  t.equal(config.dataDir, '/srv/aipr/data');
  t.equal(config.publicUrl, 'https://aipr.example.fr', 'the trailing slash is dropped');
  t.equal(config.trustProxy, 'loopback', 'a proxy keyword is accepted');
  t.equal(isHttps(config), true);
  t.equal(config.sessionSecret, 's'.repeat(32));
  t.equal(config.nodeEnv, 'production');
  t.equal(config.puppeteerExecutablePath, '/usr/bin/chromium');

  t.equal(loadConfig({ PORT: '8080' }).publicUrl, 'http://localhost:8080', 'the default public URL follows PORT');
  t.equal(loadConfig({ NODE_ENV: 'test' }).nodeEnv, 'test');
  t.equal(loadConfig({ HOST: '::' }).host, '::');
  t.equal(loadConfig({ DATA_DIR: 'relative/dir' }).dataDir, resolve(process.cwd(), 'relative/dir'));

  for (const value of ['true', '1', '2']) {
    t.throws(
      () => loadConfig({ TRUST_PROXY: value }),
      { message: new RegExp(`TRUST_PROXY=${value} est refusé : indiquez les adresses des proxys`) },
      `${value} is refused: no client may choose its address`,
    );
  }
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false);
  t.equal(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).trustProxy, '10.0.0.1,192.168.0.0/16');
  t.equal(loadConfig({ TRUST_PROXY: '::1' }).trustProxy, '::1');
});

t.test('resolveSessionSecret', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qcm-aipr-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  t.test('generated once and kept in DATA_DIR', async (t) => {
    const dataDir = join(dir, 'generated');
    const config: Config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveSessionSecret(config);
    t.ok(first.length >= 32, 'a generated secret is long enough for @fastify/session');
    const file = join(dataDir, 'session-secret');
    t.ok(existsSync(file), 'kept in DATA_DIR/session-secret');
    t.equal(readFileSync(file, 'utf8').trim(), first);
    t.equal(statSync(file).mode & 0o077, 0, 'readable by its owner only');
    const second = resolveSessionSecret(loadConfig({ DATA_DIR: dataDir }));
    t.equal(second, first, 'the same secret on the next start');

    const other = resolveSessionSecret(loadConfig({ DATA_DIR: join(dir, 'other') }));
    t.not(other, first, 'another data folder gets its own secret');
  });

  t.test('a damaged secret file is replaced; the data folder is private', async (t) => {
    const dataDir = join(dir, 'damaged');
    mkdirSync(dataDir, { recursive: true });
    const file = join(dataDir, 'session-secret');
    writeFileSync(file, 'court\n');
    const secret = resolveSessionSecret(loadConfig({ DATA_DIR: dataDir }));
    t.ok(secret.length >= 32, 'a new secret');
    t.equal(readFileSync(file, 'utf8').trim(), secret, 'written over the damaged one');
    const fresh = join(dir, 'fresh');
    resolveSessionSecret(loadConfig({ DATA_DIR: fresh }));
    t.equal(statSync(fresh).mode & 0o777, 0o700, 'a new data folder is open to its owner only');
  });

  t.test('a configured secret is used as is', async (t) => {
    const dataDir = join(dir, 'configured');
    const secret = 'configured-secret-0123456789-abcdefghij';
    const config = loadConfig({ DATA_DIR: dataDir, SESSION_SECRET: secret });
    t.equal(resolveSessionSecret(config), secret);
    t.notOk(existsSync(join(dataDir, 'session-secret')), 'no secret file is written');
  });
});

t.test('an https PUBLIC_URL without TRUST_PROXY is refused, naming TRUST_PROXY', async (t) => {
  t.throws(() => loadConfig({ PUBLIC_URL: 'https://aipr.example.fr' }), { name: 'Error', message: /TRUST_PROXY/ });
});

t.test('DATABASE_URL chooses PostgreSQL, and a wrong one is refused in French without quoting its password', async (t) => {
  t.equal(loadConfig({}).databaseUrl, null, 'absent: SQLite in DATA_DIR');
  t.equal(loadConfig({ DATABASE_URL: '  ' }).databaseUrl, null, 'blank counts as absent');
  for (const url of ['postgres://aipr:secret@db.example.test:5432/aipr', 'postgresql://aipr@db.example.test/aipr', 'postgres:///aipr?host=/run/postgresql']) {
    t.equal(loadConfig({ DATABASE_URL: url }).databaseUrl, url, `${url} is accepted as it is`);
  }
  const password = 'Mot-De-Passe-Secret-42';
  const cases: [string, RegExp][] = [
    [`mysql://aipr:${password}@db.example.test/aipr`, /^DATABASE_URL doit commencer par postgres:\/\/ \(seul PostgreSQL est pris en charge/],
    [`postgres://aipr:${password}@db.example.test:5432`, /^DATABASE_URL doit nommer la base après le serveur/],
    [`postgres://aipr:${password}@db.example.test:5432/`, /^DATABASE_URL doit nommer la base après le serveur/],
    ['postgres:///aipr', /^DATABASE_URL doit nommer le serveur PostgreSQL/],
    [`postgres://aipr:${password}@db.example.test:cinq/aipr`, /^DATABASE_URL n’est pas une adresse valable/],
  ];
  for (const [url, message] of cases) {
    const err = configErrorOf({ DATABASE_URL: url });
    t.ok(err, `${url} is refused with a ConfigError`);
    t.match(err?.message, message, `${url}: the French reason`);
    t.notMatch(err?.message, password, `${url}: the password is not in the message`);
  }
});
