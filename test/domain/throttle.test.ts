import t from 'tap';
import fc from 'fast-check';
import { parisTime } from '../../src/domain/paris-time.js';
import {
  ACCOUNT_POLICY,
  ADDRESS_POLICY,
  FORGOTTEN_PASSWORD_ACCOUNT_POLICY,
  FORGOTTEN_PASSWORD_POLICY,
  KIOSK_ROOM_POLICY,
  VERIFICATION_POLICY,
  afterFailure,
  lockedUntil,
  retryMessage,
  type ThrottlePolicy,
  type ThrottleState,
} from '../../src/domain/throttle.js';

// ——— Generators ———————————————————————————————————————————————————————————————

const MINUTE = 60_000;

const policyArb: fc.Arbitrary<ThrottlePolicy> = fc.oneof(
  fc.constantFrom(ACCOUNT_POLICY, ADDRESS_POLICY, FORGOTTEN_PASSWORD_POLICY, FORGOTTEN_PASSWORD_ACCOUNT_POLICY, KIOSK_ROOM_POLICY, VERIFICATION_POLICY),
  fc.record({
    maxFailures: fc.integer({ min: 1, max: 8 }),
    windowMs: fc.integer({ min: 1, max: 30 * MINUTE }),
    lockMs: fc.integer({ min: 1, max: 30 * MINUTE }),
  }),
);

/** An instant between 2000 and 2100. */
const instantArb = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });

/** Gaps between attempts, often right at the edges of the window and of the lock. */
const gapArb = (p: ThrottlePolicy) =>
  fc
    .oneof(
      fc.integer({ min: 0, max: Math.ceil(p.windowMs / Math.max(1, p.maxFailures)) }),
      fc.integer({ min: 0, max: 2 * Math.max(p.windowMs, p.lockMs) }),
      fc.constantFrom(0, 1, p.windowMs - 1, p.windowMs, p.windowMs + 1, p.lockMs - 1, p.lockMs, p.lockMs + 1),
    )
    .map((gap) => Math.max(0, gap));

/** A policy and the increasing times at which someone tries and fails. */
const attemptsArb = policyArb.chain((policy) =>
  fc.tuple(instantArb, fc.array(gapArb(policy), { minLength: 1, maxLength: 3 * Math.min(policy.maxFailures, 20) + 5 })).map(([start, gaps]) => {
    let at = start;
    return { policy, times: gaps.map((gap) => (at += gap)) };
  }),
);

const stateArb: fc.Arbitrary<ThrottleState | null> = fc.option(
  fc.record({
    failures: fc.integer({ min: 1, max: 300 }),
    windowStartedAt: instantArb.map((ms) => new Date(ms)),
    lockedUntil: fc.option(instantArb.map((ms) => new Date(ms))),
  }),
);

/** fast-check throws the shrunk counterexample on failure; the pass records that the property ran. */
function holds<Ts extends [unknown, ...unknown[]]>(t: Tap, property: fc.IProperty<Ts>): void {
  fc.assert(property, { numRuns: 300 });
  t.pass('holds for every generated case');
}
type Tap = Pick<typeof t, 'pass'>;

/**
 * What the module's comments promise, written out independently: failures are counted from the
 * first one of a window; reaching `maxFailures` within `windowMs` of it locks for `lockMs`; an
 * attempt while locked is refused and not counted; after a lock, or once the window has passed,
 * counting starts again.
 */
function expected(policy: ThrottlePolicy, times: number[]): { refused: boolean; lockEnd: number | null; count: number }[] {
  let windowStart: number | null = null;
  let count = 0;
  let lockEnd: number | null = null;
  return times.map((at) => {
    if (lockEnd !== null && at < lockEnd) return { refused: true, lockEnd, count };
    if (lockEnd !== null || windowStart === null || at >= windowStart + policy.windowMs) {
      windowStart = at;
      count = 0;
      lockEnd = null;
    }
    count++;
    if (count === policy.maxFailures) lockEnd = at + policy.lockMs;
    return { refused: false, lockEnd, count };
  });
}

/** What the callers do (services/throttle-store.ts): refuse while locked, else count the failure. */
function run(policy: ThrottlePolicy, times: number[]): { refused: boolean; state: ThrottleState | null }[] {
  let state: ThrottleState | null = null;
  return times.map((at) => {
    const now = new Date(at);
    if (lockedUntil(state, now) !== null) return { refused: true, state };
    state = afterFailure(state, now, policy);
    return { refused: false, state };
  });
}

// ——— Properties ———————————————————————————————————————————————————————————————

t.test('the lock engages exactly when failures within the window reach the limit, and only then', async (t) => {
  holds(
    t,
    fc.property(attemptsArb, ({ policy, times }) => {
      const model = expected(policy, times);
      return run(policy, times).every(({ refused, state }, i) => {
        const m = model[i];
        if (m === undefined || refused !== m.refused) return false;
        if (refused) return true;
        return state?.failures === m.count && (state.lockedUntil?.getTime() ?? null) === m.lockEnd;
      });
    }),
  );
});

t.test('maxFailures failures within the window lock at the last one, for lockMs from it', async (t) => {
  const caseArb = policyArb.chain((policy) =>
    fc.tuple(
      fc.constant(policy),
      instantArb,
      fc.array(fc.integer({ min: 0, max: policy.windowMs - 1 }), {
        minLength: policy.maxFailures,
        maxLength: policy.maxFailures,
      }),
    ),
  );
  holds(
    t,
    fc.property(caseArb, ([policy, start, offsets]) => {
      const times = offsets.sort((a, b) => a - b).map((offset) => start + offset);
      const steps = run(policy, times);
      const last = times.at(-1)!;
      return (
        steps.every(({ refused }) => !refused) &&
        steps.slice(0, -1).every(({ state }) => state?.lockedUntil === null) &&
        steps.at(-1)?.state?.lockedUntil?.getTime() === last + policy.lockMs
      );
    }),
  );
});

t.test('failures a whole window apart never lock, unless one failure is the limit', async (t) => {
  holds(
    t,
    fc.property(policyArb, fc.array(fc.nat({ max: 10 * MINUTE }), { maxLength: 30 }), (policy, extras) => {
      let at = Date.UTC(2030, 0, 1);
      const times = extras.map((extra) => (at += policy.windowMs + extra));
      return run(policy, times).every(({ state }) => (state?.lockedUntil !== null) === (policy.maxFailures === 1));
    }),
  );
});

t.test('a failure once the window has passed, or once a lock is over, starts the count again', async (t) => {
  const caseArb = fc.tuple(policyArb, stateArb, fc.nat({ max: 60 * MINUTE })).map(([policy, state, extra]) => {
    // Callers count a failure only when no lock holds: a locked state is met from its end on.
    const from = state?.lockedUntil ?? new Date((state?.windowStartedAt.getTime() ?? 0) + policy.windowMs);
    return { policy, state, now: new Date(from.getTime() + extra) };
  });
  holds(
    t,
    fc.property(caseArb, ({ policy, state, now }) => {
      const after = afterFailure(state, now, policy);
      return after.failures === 1 && after.windowStartedAt.getTime() === now.getTime();
    }),
  );
});

t.test('within the window and unlocked, a failure adds one and keeps the window', async (t) => {
  const inWindowArb = fc.tuple(policyArb, instantArb, fc.integer({ min: 1, max: 300 }), fc.nat()).map(([policy, start, failures, offset]) => ({
    policy,
    state: { failures, windowStartedAt: new Date(start), lockedUntil: null } satisfies ThrottleState,
    now: new Date(start + (offset % policy.windowMs)),
  }));
  holds(
    t,
    fc.property(inWindowArb, ({ policy, state, now }) => {
      const after = afterFailure(state, now, policy);
      return after.failures === state.failures + 1 && after.windowStartedAt.getTime() === state.windowStartedAt.getTime();
    }),
  );
});

t.test('lockedUntil is never in the past: the stated end while locked, null from that end on', async (t) => {
  holds(
    t,
    fc.property(stateArb, instantArb, (state, nowMs) => {
      const now = new Date(nowMs);
      const until = lockedUntil(state, now);
      const end = state?.lockedUntil?.getTime();
      if (end !== undefined && end > nowMs) return until?.getTime() === end;
      return until === null;
    }),
  );
  holds(
    t,
    fc.property(policyArb, instantArb, fc.nat({ max: 60 * MINUTE }), (policy, nowMs, later) => {
      const locking: ThrottleState = { failures: policy.maxFailures - 1, windowStartedAt: new Date(nowMs), lockedUntil: null };
      const state = afterFailure(locking, new Date(nowMs), policy);
      const end = nowMs + policy.lockMs;
      const at = nowMs + later;
      const until = lockedUntil(state, new Date(at));
      return state.lockedUntil?.getTime() === end && (at < end ? until?.getTime() === end : until === null);
    }),
  );
});

t.test('retryMessage names a positive wait in whole minutes and the Paris time of the end', async (t) => {
  const MESSAGE = /^Réessayez à (\d{2}) h (\d{2}) \(dans (\d{1,3}(?:\u00a0\d{3})*) (minutes?)\)\.$/;
  holds(
    t,
    fc.property(instantArb, fc.integer({ min: -10 * MINUTE, max: 24 * 60 * MINUTE }), (nowMs, wait) => {
      const until = new Date(nowMs + wait);
      const match = MESSAGE.exec(retryMessage(until, new Date(nowMs)));
      if (!match) return false;
      const [, hours, minutes, count, unit] = match;
      // Digits are grouped by three as French writes them (« 1 000 minutes »).
      const n = Number(count!.replace(/\u00a0/g, ''));
      const covers = wait <= 0 ? n === 1 : n * MINUTE >= wait && (n - 1) * MINUTE < wait;
      return n >= 1 && covers && unit === (n === 1 ? 'minute' : 'minutes') && `${hours}:${minutes}` === parisTime(until);
    }),
  );
  t.equal(
    retryMessage(new Date('2026-03-29T01:10:00Z'), new Date('2026-03-29T00:55:00Z')),
    'Réessayez à 03 h 10 (dans 15 minutes).',
    'across the change to summer time (29 March 2026, 01:00 UTC)',
  );
  t.equal(retryMessage(new Date('2026-01-10T10:00:30Z'), new Date('2026-01-10T10:00:00Z')), 'Réessayez à 11 h 00 (dans 1 minute).');
});
