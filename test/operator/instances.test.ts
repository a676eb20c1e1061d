import t from 'tap';
import { ManualClock } from '../../src/clock.js';
import { InstanceMismatchError, joinInstances, sessionSecretDigest, STALE_AFTER_MS, type InstanceSecrets } from '../../src/operator/instances.js';
import { createTestApp, type Teardown } from '../helpers/app.js';
import { TEST_DATABASE_KIND } from '../helpers/postgres.js';

const SHARED: InstanceSecrets = { signingKeyId: 'cle-partagee', sessionSecret: 'x'.repeat(48) };
const OTHER_KEY: InstanceSecrets = { ...SHARED, signingKeyId: 'autre-cle' };
const OTHER_SECRET: InstanceSecrets = { ...SHARED, sessionSecret: 'y'.repeat(48) };

const noWarning = (message: string, err?: unknown) => {
  throw new Error(`unexpected warning: ${message} ${String(err)}`);
};

/** Two connections to one database: two instances of a deployment, as the periodic jobs' test makes them. */
async function twoConnections(t: Teardown, clock: ManualClock) {
  const first = await createTestApp(t, { clock });
  const second = await createTestApp(t, { clock, dataDir: first.dataDir });
  return { a: first.db.kysely, b: second.db.kysely };
}

t.test('instances with the same secrets all run; one that stops leaves', async (t) => {
  const clock = new ManualClock();
  const { a, b } = await twoConnections(t, clock);
  const first = await joinInstances(a, clock, SHARED, noWarning);
  const second = await joinInstances(b, clock, SHARED, noWarning);
  const rows = await a.selectFrom('running_instances').selectAll().execute();
  t.equal(rows.length, 2, 'both are recorded');
  t.ok(
    rows.every((r) => r.signing_key_id === 'cle-partagee' && r.session_secret_digest === sessionSecretDigest(SHARED.sessionSecret)),
    'with what names their secrets',
  );
  t.notOk(JSON.stringify(rows).includes(SHARED.sessionSecret), 'never the session secret itself');
  await second.leave();
  t.equal((await a.selectFrom('running_instances').selectAll().execute()).length, 1, 'the one that stopped is gone');
  await first.leave();
});

t.test('an instance whose signing key or session secret differs from a running one refuses to start', async (t) => {
  const clock = new ManualClock();
  const { a, b } = await twoConnections(t, clock);
  const running = await joinInstances(a, clock, SHARED, noWarning);

  await t.rejects(
    joinInstances(b, clock, OTHER_KEY, noWarning),
    {
      name: 'InstanceMismatchError',
      message: /clé de signature des attestations de ce DATA_DIR \(autre-cle\).*dont la clé est cle-partagee.*même dossier DATA_DIR/,
    },
    'another DATA_DIR: refused, saying why',
  );
  await t.rejects(
    joinInstances(b, clock, OTHER_SECRET, noWarning),
    { name: 'InstanceMismatchError', message: /secret de session.*même valeur de SESSION_SECRET/ },
    'another SESSION_SECRET: refused, saying why',
  );
  t.equal((await a.selectFrom('running_instances').selectAll().execute()).length, 1, 'neither refused instance is recorded');
  await running.leave();
});

t.test('an instance that ended without a word stops counting after a while: the secrets may then change', async (t) => {
  const clock = new ManualClock();
  const { a, b } = await twoConnections(t, clock);
  const killed = await joinInstances(a, clock, SHARED, noWarning);
  const survivor = await joinInstances(a, clock, SHARED, noWarning);

  clock.advance(STALE_AFTER_MS / 2);
  await survivor.renew();
  clock.advance(STALE_AFTER_MS / 2 + 1000);
  await t.rejects(joinInstances(b, clock, OTHER_KEY, noWarning), { name: 'InstanceMismatchError' }, 'the one renewing still counts');

  await survivor.leave();
  const rotated = await joinInstances(b, clock, OTHER_KEY, noWarning);
  const rows = await b.selectFrom('running_instances').select('signing_key_id').execute();
  t.same(
    rows.map((r) => r.signing_key_id),
    ['autre-cle'],
    'the silent one, last seen long ago, is forgotten; the new key is recorded',
  );
  await rotated.leave();
  await killed.leave();
});

t.test('an instance whose row was forgotten while it was paused joins again when it wakes, checking the secrets again', async (t) => {
  const clock = new ManualClock();
  const { a, b } = await twoConnections(t, clock);
  const sleeper = await joinInstances(a, clock, SHARED, noWarning);
  clock.advance(STALE_AFTER_MS + 1000);
  const newcomer = await joinInstances(b, clock, OTHER_KEY, noWarning);
  await t.rejects(sleeper.renew(), { name: 'InstanceMismatchError' }, 'the secrets differ from the one that started meanwhile');
  await newcomer.leave();
  await sleeper.renew();
  t.equal((await a.selectFrom('running_instances').selectAll().execute()).length, 1, 'alone again, it is recorded again');
  await sleeper.leave();
});

t.test('two instances with different secrets starting at once: one of them runs (a race on PostgreSQL; on SQLite, one process, in turn)', async (t) => {
  const clock = new ManualClock();
  const connections = await twoConnections(t, clock);
  // SQLite serves one process: there, the two starts share its connection, whose writer runs one at a time.
  const [a, b] = TEST_DATABASE_KIND === 'postgres' ? [connections.a, connections.b] : [connections.a, connections.a];
  for (let round = 0; round < 10; round++) {
    const outcomes = await Promise.allSettled([joinInstances(a, clock, SHARED, noWarning), joinInstances(b, clock, OTHER_KEY, noWarning)]);
    const started = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof InstanceMismatchError);
    if (started.length !== 1 || refused.length !== 1) {
      t.fail(`round ${round}: ${JSON.stringify(outcomes.map((o) => (o.status === 'rejected' ? String(o.reason) : 'started')))}`);
      return;
    }
    await (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof joinInstances>>>).value.leave();
  }
  t.pass('ten rounds: each time one started and the other was refused');
});

t.test('a renewal under way when the instance leaves does not record it again', async (t) => {
  const clock = new ManualClock();
  const { a } = await twoConnections(t, clock);
  const instance = await joinInstances(a, clock, SHARED, noWarning);
  const renewal = instance.renew();
  await instance.leave();
  await renewal;
  await instance.renew();
  t.same(await a.selectFrom('running_instances').selectAll().execute(), [], 'gone for good');
});
