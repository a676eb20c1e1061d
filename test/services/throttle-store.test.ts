/** Failure counters are purged once they no longer count (issue 11, medium item 5). */
import t from 'tap';
import { countFailure, purgeStaleThrottles, readThrottle } from '../../src/services/throttle-store.js';
import { ADDRESS_POLICY, KIOSK_ROOM_POLICY } from '../../src/domain/throttle.js';
import { createTestApp } from '../helpers/app.js';

const HOUR = 60 * 60_000;

t.test('counters older than a day and not locked are deleted; the others stay', async (t) => {
  const { db, clock } = await createTestApp(t);
  const kysely = db.kysely;
  const start = clock.now();
  await countFailure(kysely, 'adresse:192.0.2.1', start, ADDRESS_POLICY);
  // A lock that outlives the day (as none does today): kept until it ends.
  await kysely
    .insertInto('sign_in_throttle')
    .values({
      key: 'adresse:192.0.2.9',
      failures: 20,
      window_started_at: start.toISOString(),
      locked_until: new Date(start.getTime() + 30 * HOUR).toISOString(),
    })
    .execute();
  clock.advance(23 * HOUR);
  await countFailure(kysely, 'kiosque:1:10.0.0.1', clock.now(), KIOSK_ROOM_POLICY);
  t.equal(await purgeStaleThrottles(kysely, clock.now()), 0, 'nothing is a day old yet');

  clock.advance(2 * HOUR);
  t.equal(await purgeStaleThrottles(kysely, clock.now()), 1, 'the day-old counter goes');
  t.equal(await readThrottle(kysely, 'adresse:192.0.2.1'), null);
  t.ok(await readThrottle(kysely, 'kiosque:1:10.0.0.1'), 'a recent counter stays');
  t.ok(await readThrottle(kysely, 'adresse:192.0.2.9'), 'a running lock stays');
  clock.advance(6 * HOUR);
  t.equal(await purgeStaleThrottles(kysely, clock.now()), 1, 'the lock goes once it is over');
  t.equal(await readThrottle(kysely, 'adresse:192.0.2.9'), null);
  clock.advance(17 * HOUR);
  t.equal(await purgeStaleThrottles(kysely, clock.now()), 1, 'and the last one a day after its window started');
});
