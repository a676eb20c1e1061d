import { runInNewContext } from 'node:vm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { deadlineFor, EXTRA_MINUTES_MAX, formatRemaining, isPastDeadline, parseExtraMinutes, remainingSeconds } from '../../src/domain/exam-clock.js';
import { PUBLIC_DIR } from '../../src/paths.js';

const START = new Date('2026-11-29T09:00:00.000Z');
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) }).map((ms) => new Date(ms));

t.test('the deadline is the start plus the duration plus any extra time', async (t) => {
  t.equal(deadlineFor(START, 60).toISOString(), '2026-11-29T10:00:00.000Z');
  t.equal(deadlineFor(START, 60, 20).toISOString(), '2026-11-29T10:20:00.000Z');
  t.equal(deadlineFor(START, 45, 0).toISOString(), '2026-11-29T09:45:00.000Z');
  t.equal(START.toISOString(), '2026-11-29T09:00:00.000Z', 'the start is not modified');
  fc.assert(
    fc.property(instant, fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 600 }), (start, duration, extra) => {
      return deadlineFor(start, duration, extra).getTime() - start.getTime() === (duration + extra) * 60_000;
    }),
  );
  t.pass('property holds');
});

t.test('the remaining time counts whole seconds down to zero, never below', async (t) => {
  const deadline = deadlineFor(START, 60);
  t.equal(remainingSeconds(deadline, START), 3600);
  t.equal(remainingSeconds(deadline, new Date(START.getTime() + 1)), 3599, 'a started second is not counted');
  t.equal(remainingSeconds(deadline, new Date(deadline.getTime() - 999)), 0);
  t.equal(remainingSeconds(deadline, deadline), 0);
  t.equal(remainingSeconds(deadline, new Date(deadline.getTime() + 3_600_000)), 0, 'zero, not negative, after the deadline');
  fc.assert(
    fc.property(instant, fc.integer({ min: -7_200_000, max: 7_200_000 }), (deadline, offset) => {
      const now = new Date(deadline.getTime() - offset);
      const r = remainingSeconds(deadline, now);
      return Number.isInteger(r) && r >= 0 && r === Math.max(0, Math.floor(offset / 1000));
    }),
  );
  t.pass('property holds');
  fc.assert(
    fc.property(instant, fc.integer({ min: -7_200_000, max: 7_200_000 }), fc.integer({ min: 0, max: 7_200_000 }), (deadline, offset, later) => {
      const now = new Date(deadline.getTime() - offset);
      return remainingSeconds(deadline, new Date(now.getTime() + later)) <= remainingSeconds(deadline, now);
    }),
    { numRuns: 200 },
  );
  t.pass('property holds');
});

t.test('answers are refused from the deadline on, the deadline itself included', async (t) => {
  const deadline = deadlineFor(START, 60);
  t.equal(isPastDeadline(deadline, new Date(deadline.getTime() - 1)), false);
  t.equal(isPastDeadline(deadline, deadline), true);
  t.equal(isPastDeadline(deadline, new Date(deadline.getTime() + 1)), true);
  fc.assert(
    fc.property(instant, instant, (deadline, now) => {
      const past = isPastDeadline(deadline, now);
      // Past the deadline, nothing remains; while something remains, the deadline is not past.
      return (
        past === now.getTime() >= deadline.getTime() && (!past || remainingSeconds(deadline, now) === 0) && (remainingSeconds(deadline, now) === 0 || !past)
      );
    }),
  );
  t.pass('property holds');
});

t.test('the remaining time as the candidate reads it', async (t) => {
  t.equal(formatRemaining(3600), '1 h 00 min 00 s', 'from an hour on, in hours and minutes');
  t.equal(formatRemaining(102 * 60 + 59), '1 h 42 min 59 s', 'not « 102 min »');
  t.equal(formatRemaining(3599), '59 min 59 s');
  t.equal(formatRemaining(42 * 60 + 5), '42 min 05 s');
  t.equal(formatRemaining(60), '1 min 00 s');
  t.equal(formatRemaining(59), '59 s');
  t.equal(formatRemaining(5), '5 s');
  t.equal(formatRemaining(0), '0 s');
  t.equal(formatRemaining(-12), '0 s', 'never negative');
  t.equal(formatRemaining(59.9), '59 s', 'whole seconds');
  const READ = /^(?:(?:(\d+) h (\d{2}) min|(\d{1,2}) min) (\d{2}) s|(\d{1,2}) s)$/;
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), (s) => {
      const m = READ.exec(formatRemaining(s));
      if (!m) return false;
      if (m[5] !== undefined) return s < 60 && Number(m[5]) === s;
      const minutes = Number(m[2] ?? m[3]);
      const back = Number(m[1] ?? 0) * 3600 + minutes * 60 + Number(m[4]);
      return back === s && minutes < 60 && Number(m[4]) < 60 && s >= 3600 === (m[1] !== undefined);
    }),
  );
  t.pass('property holds');
});

t.test('the terminal’s countdown (public/js/kiosk.js) writes the time as the server does', async (t) => {
  const script = readFileSync(join(PUBLIC_DIR, 'js', 'kiosk.js'), 'utf8');
  const source = /var format = (function \(s\) \{[\s\S]*?\n\s*\});/.exec(script)?.[1];
  t.ok(source, 'kiosk.js has its format function');
  if (!source) return;
  // The client's own function, evaluated as the browser would: the property compares its output with the server's.
  const clientFormat = runInNewContext(`(${source})`) as (s: number) => string;
  fc.assert(fc.property(fc.integer({ min: 0, max: 4 * 3600 }), (s) => clientFormat(s) === formatRemaining(s)));
  t.pass('property holds');
});

t.test('extra minutes: a whole number from 1 to what is left of the maximum', async (t) => {
  t.same(parseExtraMinutes('20', 0), { ok: true, value: 20 });
  t.same(parseExtraMinutes(' 5 ', 0), { ok: true, value: 5 }, 'spaces around are ignored');
  t.same(parseExtraMinutes('60', 0), { ok: true, value: 60 });
  t.same(parseExtraMinutes('', 0), { ok: false, message: 'Indiquez le nombre de minutes à ajouter.' });
  for (const raw of ['0', '61', '-1', '1.5', '1,5', '1e1', 'dix', '0x10', '２']) {
    t.same(parseExtraMinutes(raw, 0), { ok: false, message: 'Indiquez un nombre entier de minutes entre 1 et 60.' }, `"${raw}" is refused`);
  }
  t.same(parseExtraMinutes('11', 50), { ok: false, message: 'Indiquez un nombre entier de minutes entre 1 et 10.' });
  t.same(parseExtraMinutes('2', 59), { ok: false, message: 'Il ne reste qu’une minute supplémentaire possible : indiquez 1.' });
  t.same(parseExtraMinutes('1', 60), { ok: false, message: 'Cet examen a déjà reçu 60 minutes supplémentaires : c’est le maximum.' });
  fc.assert(
    fc.property(fc.integer({ min: 0, max: EXTRA_MINUTES_MAX }), fc.integer({ min: -100, max: 200 }), (granted, minutes) => {
      const outcome = parseExtraMinutes(String(minutes), granted);
      const allowed = minutes >= 1 && granted + minutes <= EXTRA_MINUTES_MAX;
      return outcome.ok === allowed && (!outcome.ok || outcome.value === minutes);
    }),
  );
  t.pass('accepted exactly when the total stays within the maximum');
});
