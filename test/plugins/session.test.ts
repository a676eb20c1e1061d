import { promisify } from 'node:util';
import type { LightMyRequestResponse, Session } from 'fastify';
import t from 'tap';
import { adminAgent, managerAgent } from '../helpers/agents.js';
import { SESSION_COOKIE } from '../../src/plugins/session.js';
import { SessionStore, storedSessionKey } from '../../src/plugins/session-store.js';
import { Agent, createTestApp, DEMO_PASSWORD, type TestApp } from '../helpers/app.js';
import { admit } from '../helpers/kiosk.js';
import { DEMO_ADMIN_EMAIL } from '../../src/operator/seed-demo.js';
import { up } from '../../migrations/0006_hashed_session_ids.js';

interface SetCookie {
  name: string;
  value: string;
  httpOnly?: boolean;
  sameSite?: string;
  path?: string;
  maxAge?: number;
  expires?: Date;
}

const HOUR = 60 * 60 * 1000;

function sessionCookie(res: LightMyRequestResponse): SetCookie | undefined {
  return (res.cookies as SetCookie[]).find((c) => c.name === SESSION_COOKIE);
}

function isClearing(cookie: SetCookie | undefined): boolean {
  return !!cookie && (cookie.value === '' || cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() < Date.now()));
}

async function sessionRows(testApp: TestApp) {
  return testApp.db.kysely.selectFrom('http_sessions').select(['id', 'data', 'expires_at']).orderBy('id').execute();
}

/** The store's callback interface (the one @fastify/session calls), as promises. */
function storeOf(testApp: TestApp) {
  const store = new SessionStore(testApp.db.kysely, testApp.clock, 12 * HOUR);
  return {
    store,
    get: promisify<string, Session | null | undefined>(store.get.bind(store)),
    set: promisify<string, Session, void>(store.set.bind(store)),
    destroy: promisify<string>(store.destroy.bind(store)),
  };
}

t.test('a session is stored only once something is put in it, under a signed, HTTP-only cookie', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = new Agent(testApp.app);

  const health = await agent.get('/healthz');
  t.equal(sessionCookie(health), undefined, 'a page that keeps nothing sets no cookie');
  t.same(await sessionRows(testApp), [], 'and stores no session');

  const form = await agent.get('/connexion');
  t.equal(sessionCookie(form), undefined, 'nor does a page with a form: its CSRF secret goes in a cookie of its own');
  t.same(await sessionRows(testApp), []);

  // The kiosk's admission keeps a flash (and then a CSRF secret) for this browser: a session starts.
  const admitted = await admit(agent);
  const cookie = sessionCookie(admitted);
  t.ok(cookie, 'something put in the session starts it');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Lax');
  t.equal(cookie?.path, '/');
  const [id, signature] = cookie!.value.split('.');
  t.match(id, /^[A-Za-z0-9_-]{32}$/, 'a random id of 24 bytes');
  t.match(signature, /^[A-Za-z0-9+/]{43}$/, 'signed with HMAC-SHA256');
  const rows = await sessionRows(testApp);
  t.equal(rows.length, 1);
  t.equal(rows[0]!.id, storedSessionKey(id!), 'the cookie names the stored row, which keeps only its hash');
  t.not(rows[0]!.id, id, 'the database holds no usable session id');
  t.notOk(rows[0]!.data.includes(signature!), 'the signature is not stored');
});

t.test('a request that changes nothing writes nothing and sets no cookie', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  // Its home page's forms put a CSRF secret in the session.
  const agent = await adminAgent(testApp);
  const before = await sessionRows(testApp);

  testApp.clock.advance(10 * 1000);
  const page = await agent.get('/admin');
  t.equal(page.statusCode, 200);
  t.equal(sessionCookie(page), undefined, 'no Set-Cookie');
  t.same(await sessionRows(testApp), before, 'the row is untouched (not even its expiry)');
});

t.test('a forged or altered cookie is worth nothing, and is replaced or cleared', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const owner = await adminAgent(testApp);
  const [id, signature] = owner.cookies.get(SESSION_COOKIE)!.split('.');

  const other = new Agent(testApp.app);
  await admit(other);
  const [, otherSignature] = other.cookies.get(SESSION_COOKIE)!.split('.');

  for (const [label, value] of [
    ['the id alone', id!],
    ['a wrong signature', `${id}.${'A'.repeat(43)}`],
    ["another session's signature", `${id}.${otherSignature}`],
    ['a truncated signature', `${id}.${signature!.slice(0, 20)}`],
    ['an altered id', `${id!.slice(0, -1)}${id!.endsWith('A') ? 'B' : 'A'}.${signature}`],
  ] as const) {
    const intruder = new Agent(testApp.app);
    intruder.cookies.set(SESSION_COOKIE, value);
    const res = await intruder.get('/admin');
    t.equal(res.statusCode, 302, `${label}: not signed in`);
    t.ok(isClearing(sessionCookie(res)), `${label}: the browser is told to forget the cookie`);
  }
  t.equal((await owner.get('/admin')).statusCode, 200, 'the genuine cookie still works');
});

t.test('an expired row counts as no session, and the purge removes it', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = await adminAgent(testApp);
  t.equal((await sessionRows(testApp)).length, 1);

  testApp.clock.advance(13 * HOUR);
  t.equal((await agent.get('/admin')).statusCode, 302, 'the expired session signs nobody in');
  await agent.get('/connexion');
  const res = await agent.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD });
  const cookie = sessionCookie(res);
  t.ok(cookie && !isClearing(cookie), 'a new session is started');
  const rows = await sessionRows(testApp);
  t.equal(rows.length, 2, 'the expired row is left for the purge, the new one is stored');
  t.ok(
    rows.some((r) => r.id === storedSessionKey(cookie!.value.split('.')[0]!)),
    'under a new id',
  );
});

t.test('sign-out drops the session row and the cookie', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = await adminAgent(testApp);
  const [id] = agent.cookies.get(SESSION_COOKIE)!.split('.');
  const stolen = agent.cookies.get(SESSION_COOKIE)!;

  const res = await agent.post('/deconnexion', {});
  t.equal(res.statusCode, 303);
  t.notOk(
    (await sessionRows(testApp)).some((r) => r.id === storedSessionKey(id!)),
    'the row is deleted',
  );
  const replay = new Agent(testApp.app);
  replay.cookies.set(SESSION_COOKIE, stolen);
  t.equal((await replay.get('/admin')).statusCode, 302, 'a copy of the old cookie no longer signs anyone in');
});

t.test('a session deleted by one request is not brought back by another that read it before', async (t) => {
  const testApp = await createTestApp(t);
  const { store, get, set, destroy } = storeOf(testApp);
  await set('id-1', { accountId: 1 } as Session);
  const read = await get('id-1');
  t.same(read, { accountId: 1 });
  // As the plugin does for the session the library builds from what the store returned.
  store.readFromRow(read!);
  read!.flash = [];
  await set('id-1', read!);
  t.same(await get('id-1'), { accountId: 1, flash: [] }, 'an existing session is rewritten');

  await destroy('id-1'); // the sign-out
  read!.lastSeenAt = 'x';
  await set('id-1', read!);
  t.equal(await get('id-1'), null, 'the late write of the other request does not bring it back');
  t.same(await sessionRows(testApp), []);
});

t.test('the store: a new session that holds nothing gets no row; only the hash of the id is stored; expiry follows the clock', async (t) => {
  const testApp = await createTestApp(t);
  const { store, get, set } = storeOf(testApp);
  // What regenerate() of @fastify/session saves at once: an empty session under a new id.
  await set('empty', { cookie: { originalMaxAge: null } });
  t.same(await sessionRows(testApp), [], 'an empty new session is not stored');

  const saved = testApp.clock.now().getTime();
  await set('id-2', { accountId: 2, cookie: { originalMaxAge: null, path: '/' } });
  const rows = await sessionRows(testApp);
  t.same(
    rows,
    [{ id: storedSessionKey('id-2'), data: '{"accountId":2}', expires_at: new Date(saved + 12 * HOUR).toISOString() }],
    'keyed by the hash of the id, without the cookie options, for 12 hours after the save',
  );

  testApp.clock.advance(12 * HOUR - 1);
  t.same(await get('id-2'), { accountId: 2 }, 'read until its expiry');
  await store.purgeExpired();
  t.equal((await sessionRows(testApp)).length, 1, 'and kept by the purge');
  testApp.clock.advance(1);
  t.equal(await get('id-2'), null, 'expired at the clock of the app, not of the machine');
  await store.purgeExpired();
  t.same(await sessionRows(testApp), [], 'and purged');
});

t.test('reads asked in the same turn are made together, each answered with a session of its own', async (t) => {
  const testApp = await createTestApp(t);
  const { get, set } = storeOf(testApp);
  await set('a', { accountId: 1 } as Session);
  await set('b', { accountId: 2 } as Session);
  const [a1, a2, b, none] = await Promise.all([get('a'), get('a'), get('b'), get('c')]);
  t.same([a1, a2, b, none], [{ accountId: 1 }, { accountId: 1 }, { accountId: 2 }, null]);
  t.not(a1, a2, 'two requests of one browser do not share an object');
});

t.test('concurrent requests of several visitors each find their own sign-in', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const admin = await adminAgent(testApp);
  const manager = await managerAgent(testApp, { ip: '198.51.100.9' });
  const statuses = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? manager : admin).get('/admin').then((res) => res.statusCode)));
  t.same(statuses, [200, 403, 200, 403, 200, 403, 200, 403, 200, 403], 'the administrator is let in, the manager is refused');
});

t.test('a session deleted in the database by someone else is refused at the next request', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agent = await adminAgent(testApp);
  t.equal((await agent.get('/admin')).statusCode, 200);
  await testApp.db.kysely.deleteFrom('http_sessions').execute();
  const res = await agent.get('/admin');
  t.equal(res.statusCode, 302, 'nothing in this process keeps the sign-in alive');
  t.ok(isClearing(sessionCookie(res)), 'and the browser is told to forget the cookie');
});

t.test('two instances on one database: a sign-out through one is a sign-out on the other', async (t) => {
  const first = await createTestApp(t, { seed: true });
  const second = await createTestApp(t, { dataDir: first.dataDir, clock: first.clock });
  const agent = await adminAgent(first);
  const cookie = agent.cookies.get(SESSION_COOKIE)!;

  const elsewhere = new Agent(second.app);
  elsewhere.cookies.set(SESSION_COOKIE, cookie);
  t.equal((await elsewhere.get('/admin')).statusCode, 200, 'a sign-in through one instance holds on the other');

  await agent.get('/admin');
  t.equal((await agent.post('/deconnexion', {})).statusCode, 303);
  t.equal((await elsewhere.get('/admin')).statusCode, 302, 'the other instance refuses it once signed out');
  // The data are the first instance's to remove, with it.
  await second.close(true);
});

t.test('sessions stored before their ids were hashed (migration 0006) keep their sign-in', async (t) => {
  const first = await createTestApp(t, { seed: true });
  const agent = await adminAgent(first);
  const cookie = agent.cookies.get(SESSION_COOKIE)!;
  const [id] = cookie.split('.');
  // The row as the previous code stored it: under the id itself.
  await first.db.kysely.updateTable('http_sessions').set({ id: id! }).where('id', '=', storedSessionKey(id!)).execute();
  await first.close(true);

  const stale = await createTestApp(t, { dataDir: first.dataDir, clock: first.clock });
  agent.app = stale.app;
  t.equal((await agent.get('/admin')).statusCode, 302, 'a row under the bare id is not found by the new code');
  await up(stale.db.kysely as never);
  t.same(await sessionRows(stale), [{ ...(await sessionRows(stale))[0]!, id: storedSessionKey(id!) }], 'the migration rekeys it by its hash');
  await stale.close(true);

  const after = await createTestApp(t, { dataDir: first.dataDir, clock: first.clock });
  agent.app = after.app;
  agent.cookies.set(SESSION_COOKIE, cookie);
  t.equal((await agent.get('/admin')).statusCode, 200, 'and the administrator is still signed in');
});

t.test('anonymous visitors cost no session row: pages, forms and 404s alike (issue 11, medium item 5)', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const urls = ['/connexion', '/mot-de-passe-oublie', '/verifier', '/aide', '/examen', '/nulle-part', '/admin', '/centre/sessions'];
  for (let i = 0; i < 100; i++) {
    const res = await new Agent(testApp.app, `198.51.100.${(i % 50) + 1}`).get(urls[i % urls.length]!);
    t.ok(res.statusCode < 500, `${urls[i % urls.length]}: answered`);
  }
  t.same(await sessionRows(testApp), [], '100 requests without a cookie: no row');

  // Their forms work all the same, with the token their page gave (a failed sign-in still writes no session).
  const visitor = new Agent(testApp.app);
  await visitor.get('/connexion');
  t.ok(visitor.cookies.has('qcm_csrf'));
  t.equal((await visitor.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: 'mauvais-mot-de-passe' })).statusCode, 401);
  t.same(await sessionRows(testApp), [], 'a refused sign-in keeps nothing either');
  t.equal((await visitor.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD })).statusCode, 303);
  t.equal((await sessionRows(testApp)).length, 1, 'the sign-in starts the first session');

  // The cookie's secret is signed: a cookie made up elsewhere (say, by a sibling site) is worth nothing.
  const forger = new Agent(testApp.app);
  await forger.get('/connexion');
  const [secret] = forger.cookies.get('qcm_csrf')!.split('.');
  forger.cookies.set('qcm_csrf', `${secret}.${'A'.repeat(43)}`);
  const refused = await forger.post('/connexion', { email: DEMO_ADMIN_EMAIL, mot_de_passe: DEMO_PASSWORD });
  t.equal(refused.statusCode, 403);
  t.match(refused.body, 'Ce formulaire a expiré');
});
