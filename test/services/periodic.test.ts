import t from 'tap';
import { ManualClock } from '../../src/clock.js';
import { claimPeriod } from '../../src/services/periodic.js';
import { createTestApp } from '../helpers/app.js';

const PERIOD_MS = 15_000;

t.test('two instances on one database: each period is claimed by one of them', async (t) => {
  const clock = new ManualClock();
  const first = await createTestApp(t, { clock });
  // The second instance: another connection to the same database (the same folder, or the same PostgreSQL database).
  const second = await createTestApp(t, { clock, dataDir: first.dataDir });
  const now = clock.now();
  const claims = await Promise.all([claimPeriod(first.db.kysely, 'balayage', now, PERIOD_MS), claimPeriod(second.db.kysely, 'balayage', now, PERIOD_MS)]);
  t.same(claims.filter(Boolean).length, 1, 'one of two simultaneous claims wins');
  t.notOk(await claimPeriod(second.db.kysely, 'balayage', new Date(now.getTime() + 5_000), PERIOD_MS), 'within the period, nobody else');
  t.ok(await claimPeriod(second.db.kysely, 'purge-compteurs', now, PERIOD_MS), 'another job has its own periods');
  const next = new Date(now.getTime() + PERIOD_MS);
  t.ok(await claimPeriod(second.db.kysely, 'balayage', next, PERIOD_MS), 'the next period goes to whoever asks first');
  t.notOk(await claimPeriod(first.db.kysely, 'balayage', next, PERIOD_MS), 'and only to it');
  t.ok(await claimPeriod(first.db.kysely, 'balayage', new Date(now.getTime() - 60_000), PERIOD_MS), 'a clock put back does not stop the job');
});
