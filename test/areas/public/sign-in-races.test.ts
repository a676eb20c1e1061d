import t from 'tap';
import { ACCOUNT_POLICY, ADDRESS_POLICY } from '../../../src/domain/throttle.js';
import { Agent, createTestApp, DEMO_PASSWORD } from '../../helpers/app.js';

t.test('parallel wrong passwords on one account from one place are all counted: the slow-down starts at the limit', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agents = Array.from({ length: ACCOUNT_POLICY.maxFailures + 2 }, () => new Agent(testApp.app, '10.1.0.1'));
  for (const agent of agents) await agent.get('/connexion');
  const answers = await Promise.all(agents.map((a) => a.post('/connexion', { email: 'admin@demo.test', mot_de_passe: 'wrong-password-123' })));
  t.same(
    answers.map((r) => r.statusCode),
    agents.map(() => 401),
    'each is told « incorrect »: the account is not locked',
  );
  const pair = await testApp.db.kysely.selectFrom('sign_in_throttle').selectAll().where('key', '=', 'compte:admin@demo.test:10.1.0.1').executeTakeFirstOrThrow();
  t.equal(pair.failures, ACCOUNT_POLICY.maxFailures, 'counted one after the other up to the limit, none lost');
  t.ok(pair.locked_until, 'from then on that place is slowed down');
  const right = new Agent(testApp.app, '10.1.1.1');
  t.equal((await right.signIn('admin@demo.test', DEMO_PASSWORD)).statusCode, 303, 'the right password from elsewhere is not held up');
});

t.test('parallel guesses on many accounts from one address are all counted: the address lock holds', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const agents = Array.from({ length: ADDRESS_POLICY.maxFailures + 10 }, () => new Agent(testApp.app, '10.3.0.1'));
  for (const agent of agents) await agent.get('/connexion');
  const answers = await Promise.all(agents.map((a, i) => a.post('/connexion', { email: `personne${i}@inconnu.test`, mot_de_passe: 'wrong-password-123' })));
  t.equal(answers.filter((r) => r.statusCode === 401).length, ADDRESS_POLICY.maxFailures - 1, 'only the attempts before the limit are checked');
  const checked = await testApp.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'connexion.echouee').executeTakeFirstOrThrow();
  t.equal(Number(checked.n), ADDRESS_POLICY.maxFailures, 'no more passwords were tried than the limit allows');
});

t.test('« Mot de passe oublié » is limited per address', async (t) => {
  const testApp = await createTestApp(t);
  const agent = new Agent(testApp.app, '10.2.0.1');
  // Without SMTP the page shows no form; the sign-in page gives this session's CSRF token.
  await agent.get('/connexion');
  let last = await agent.post('/mot-de-passe-oublie', { email: 'a@b.fr' });
  for (let i = 0; i < 5; i++) last = await agent.post('/mot-de-passe-oublie', { email: 'a@b.fr' });
  t.equal(last.statusCode, 429);
  t.match(last.body, 'Trop de demandes depuis ce poste. Réessayez à');
  const other = new Agent(testApp.app, '10.2.0.2');
  await other.get('/connexion');
  t.equal((await other.post('/mot-de-passe-oublie', { email: 'a@b.fr' })).statusCode, 200, 'another address is not affected');
});

t.test('behind a proxy (TRUST_PROXY=loopback), a forged X-Forwarded-For does not escape the address lock', async (t) => {
  const testApp = await createTestApp(t, { seed: true, env: { TRUST_PROXY: 'loopback' } });
  const statuses: number[] = [];
  for (let i = 0; i < ADDRESS_POLICY.maxFailures + 3; i++) {
    // What the proxy forwards: whatever the client wrote, then the client's real address.
    const agent = new Agent(testApp.app, '127.0.0.1');
    const headers = { 'x-forwarded-for': `10.8.${i}.1, 192.0.2.10` };
    await agent.get('/connexion', headers);
    statuses.push((await agent.post('/connexion', { email: `personne${i}@inconnu.test`, mot_de_passe: 'wrong-password-123' }, { headers })).statusCode);
  }
  t.equal(statuses.filter((s) => s === 429).length, 4, 'the real address is locked after the limit, whatever the client forged');
  const addresses = await testApp.db.kysely.selectFrom('audit_log').select('ip').distinct().where('action', '=', 'connexion.echouee').execute();
  t.same(addresses, [{ ip: '192.0.2.10' }], 'the journal records the real address');
});

t.test('an IPv6 client rotating its address within its /64 meets the same address lock', async (t) => {
  const testApp = await createTestApp(t, { seed: true });
  const statuses: number[] = [];
  for (let i = 0; i < ADDRESS_POLICY.maxFailures + 2; i++) {
    const agent = new Agent(testApp.app, `2001:db8:7:1:${(i + 1).toString(16)}::1`);
    await agent.get('/connexion');
    statuses.push((await agent.post('/connexion', { email: `personne${i}@inconnu.test`, mot_de_passe: 'wrong-password-123' })).statusCode);
  }
  t.equal(statuses.filter((s) => s === 429).length, 3, 'locked after the limit, whichever address of the /64 asks');
  const neighbour = new Agent(testApp.app, '2001:db8:7:2::1');
  await neighbour.get('/connexion');
  t.equal((await neighbour.post('/connexion', { email: 'personne@inconnu.test', mot_de_passe: 'wrong-password-123' })).statusCode, 401, 'the next /64 is not');
});
