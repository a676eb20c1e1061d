import t from 'tap';
import fc from 'fast-check';
import {
  formatHour,
  addDays,
  addMonths,
  formatMonth,
  formatShortMonth,
  isValidMonth,
  monthsBetween,
  parisMonth,
  formatLongDate,
  formatParisDateTime,
  formatShortDate,
  isValidDate,
  isValidTime,
  momentOnSessionDay,
  parisDate,
  parisDayBounds,
  parisEndOfDay,
  parisStartOfDay,
  parisTime,
} from '../../src/domain/paris-time.js';

/**
 * An oracle independent of ICU: the EU rule (since 1996) puts Paris on UTC+2 from the last
 * Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC, UTC+1 otherwise.
 */
function lastSundayAt1Utc(year: number, month: number): number {
  const lastDay = new Date(Date.UTC(year, month + 1, 0));
  const day = lastDay.getUTCDate() - lastDay.getUTCDay();
  return Date.UTC(year, month, day, 1);
}
function referenceWallClock(at: Date): { date: string; time: string } {
  const year = at.getUTCFullYear();
  const summer = at.getTime() >= lastSundayAt1Utc(year, 2) && at.getTime() < lastSundayAt1Utc(year, 9);
  const wall = new Date(at.getTime() + (summer ? 2 : 1) * 3_600_000);
  const iso = wall.toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}

t.test('parisDate and parisTime in winter and summer', async (t) => {
  t.equal(parisDate(new Date('2026-11-29T09:00:00Z')), '2026-11-29');
  t.equal(parisTime(new Date('2026-11-29T09:00:00Z')), '10:00', 'UTC+1 in winter');
  t.equal(parisTime(new Date('2026-07-14T09:00:00Z')), '11:00', 'UTC+2 in summer');
  t.equal(parisDate(new Date('2026-12-31T23:30:00Z')), '2027-01-01', 'new year comes an hour earlier in Paris');
  t.equal(parisTime(new Date('2026-12-31T23:30:00Z')), '00:30');
  t.equal(parisDate(new Date('2026-06-30T22:30:00Z')), '2026-07-01', 'two hours ahead in summer');
  t.equal(parisDate(new Date('2026-06-30T21:59:59Z')), '2026-06-30');
  t.equal(parisTime(new Date('2026-06-30T21:59:59Z')), '23:59');
});

t.test('the changes of time (last Sundays of March and October)', async (t) => {
  // 2026-03-29: 02:00 becomes 03:00 (01:00 UTC).
  t.equal(parisTime(new Date('2026-03-29T00:59:00Z')), '01:59');
  t.equal(parisTime(new Date('2026-03-29T01:00:00Z')), '03:00');
  // 2026-10-25: 03:00 becomes 02:00 (01:00 UTC); 02:30 happens twice.
  t.equal(parisTime(new Date('2026-10-25T00:30:00Z')), '02:30');
  t.equal(parisTime(new Date('2026-10-25T01:30:00Z')), '02:30');
  t.equal(parisDate(new Date('2026-10-25T22:59:00Z')), '2026-10-25');
  t.equal(parisDate(new Date('2026-10-25T23:00:00Z')), '2026-10-26');
});

t.test('parisDate and parisTime agree with the EU summer-time rule for any instant', async (t) => {
  fc.assert(
    fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
      const ref = referenceWallClock(at);
      return parisDate(at) === ref.date && parisTime(at) === ref.time;
    }),
    { numRuns: 5000 },
  );
  t.pass('5000 instants checked');
});

t.test('a Paris day starts at its midnight and ends one millisecond before the next', async (t) => {
  t.equal(parisStartOfDay('2026-11-29').toISOString(), '2026-11-28T23:00:00.000Z');
  t.equal(parisStartOfDay('2026-07-14').toISOString(), '2026-07-13T22:00:00.000Z');
  t.equal(parisEndOfDay('2026-11-29').toISOString(), '2026-11-29T22:59:59.999Z');
  t.equal(parisEndOfDay('2026-03-28').toISOString(), '2026-03-28T22:59:59.999Z', 'the day before summer time');
  t.equal(parisEndOfDay('2026-03-29').toISOString(), '2026-03-29T21:59:59.999Z', 'a 23-hour day');
  t.equal(parisEndOfDay('2026-10-25').toISOString(), '2026-10-25T22:59:59.999Z', 'a 25-hour day');
  fc.assert(
    fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
      const day = parisDate(at);
      const end = parisEndOfDay(day);
      const start = parisStartOfDay(day);
      return (
        parisDate(end) === day &&
        parisDate(new Date(end.getTime() + 1)) === addDays(day, 1) &&
        parisDate(start) === day &&
        parisDate(new Date(start.getTime() - 1)) === addDays(day, -1) &&
        parisTime(start) === '00:00'
      );
    }),
    { numRuns: 2000 },
  );
});

t.test('parisDayBounds: the Paris day holding an instant, start included, end excluded', async (t) => {
  const iso = (b: { date: string; start: Date; end: Date }) => ({ date: b.date, start: b.start.toISOString(), end: b.end.toISOString() });
  t.same(iso(parisDayBounds(new Date('2026-11-29T09:00:00Z'))), { date: '2026-11-29', start: '2026-11-28T23:00:00.000Z', end: '2026-11-29T23:00:00.000Z' });
  t.same(
    iso(parisDayBounds(new Date('2026-11-29T23:30:00Z'))),
    { date: '2026-11-30', start: '2026-11-29T23:00:00.000Z', end: '2026-11-30T23:00:00.000Z' },
    'half past midnight in Paris is already the next day',
  );
  t.same(
    iso(parisDayBounds(new Date('2026-03-29T12:00:00Z'))),
    { date: '2026-03-29', start: '2026-03-28T23:00:00.000Z', end: '2026-03-29T22:00:00.000Z' },
    '23 hours',
  );
  t.same(
    iso(parisDayBounds(new Date('2026-10-25T12:00:00Z'))),
    { date: '2026-10-25', start: '2026-10-24T22:00:00.000Z', end: '2026-10-25T23:00:00.000Z' },
    '25 hours',
  );
  fc.assert(
    fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
      const { date, start, end } = parisDayBounds(at);
      return (
        date === parisDate(at) &&
        start.getTime() <= at.getTime() &&
        at.getTime() < end.getTime() &&
        parisDate(start) === date &&
        parisDate(new Date(end.getTime() - 1)) === date &&
        parisDate(end) === addDays(date, 1)
      );
    }),
    { numRuns: 2000 },
  );
});

t.test('isValidDate accepts real calendar days only, in AAAA-MM-JJ', async (t) => {
  for (const good of ['2026-11-29', '2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01']) t.ok(isValidDate(good), good);
  for (const bad of [
    '',
    '2026-02-29',
    '1900-02-29',
    '2026-04-31',
    '2026-13-01',
    '2026-00-10',
    '2026-01-00',
    '2026-1-01',
    '26-01-01',
    '29/11/2026',
    '2026-11-29T10:00',
    ' 2026-11-29',
    '２０２６-11-29',
  ]) {
    t.notOk(isValidDate(bad), JSON.stringify(bad));
  }
  fc.assert(
    fc.property(fc.date({ min: new Date('1000-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }), (d) =>
      isValidDate(d.toISOString().slice(0, 10)),
    ),
  );
});

t.test('isValidTime accepts HH:MM from 00:00 to 23:59', async (t) => {
  for (const good of ['00:00', '09:30', '12:05', '23:59']) t.ok(isValidTime(good), good);
  for (const bad of ['', '24:00', '9:30', '09:60', '09h30', '09:30:00', '0930', ' 09:30']) t.notOk(isValidTime(bad), JSON.stringify(bad));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), (h, m) =>
      isValidTime(`${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
    ),
  );
});

t.test('addDays crosses months, years and leap days', async (t) => {
  t.equal(addDays('2026-11-30', 1), '2026-12-01');
  t.equal(addDays('2026-12-31', 1), '2027-01-01');
  t.equal(addDays('2024-03-01', -1), '2024-02-29');
  t.equal(addDays('2026-03-01', -1), '2026-02-28');
  t.throws(() => addDays('2026-02-30', 1), RangeError);
});

t.test('French formats', async (t) => {
  t.equal(formatLongDate('2026-11-29'), 'dimanche 29 novembre 2026');
  t.equal(formatShortDate('2026-01-05'), '05/01/2026');
  t.equal(formatShortDate('1985-03-14'), '14/03/1985', 'a birth date');
  t.equal(formatParisDateTime('2026-11-29T09:00:00.000Z'), '29/11/2026 à 10 h 00');
  t.equal(formatParisDateTime('2026-06-30T22:30:00.000Z'), '01/07/2026 à 00 h 30');
});

t.test('formatHour: an hour as a sentence says it', async (t) => {
  t.equal(formatHour('09:05'), '09 h 05');
  t.equal(formatHour(new Date('2026-12-07T09:30:00Z')), '10 h 30', 'a moment, in Paris (winter: UTC+1)');
  t.equal(formatHour(new Date('2026-07-07T09:30:00Z')), '11 h 30', 'in summer: UTC+2');
});

t.test('momentOnSessionDay: the hour alone on the session’s day (Paris), else the date and the hour', async (t) => {
  t.equal(momentOnSessionDay('2026-11-29T09:10:00.000Z', '2026-11-29'), '10 h 10');
  t.equal(momentOnSessionDay('2026-11-29T22:59:59.999Z', '2026-11-29'), '23 h 59', 'the last instant of the day in Paris');
  t.equal(momentOnSessionDay('2026-11-29T23:00:00.000Z', '2026-11-29'), '30/11/2026 à 00 h 00', 'midnight in Paris is the next day');
  t.equal(momentOnSessionDay('2026-07-14T21:30:00.000Z', '2026-07-14'), '23 h 30', 'summer time');
});

// ——— Months (the figures are counted by the Paris month) ——————————————————————————

t.test('parisMonth: the month on the Paris calendar, at its boundaries', async (t) => {
  // Summer time from 29 March 2026: UTC+2 at the end of March.
  t.equal(parisMonth(new Date('2026-03-31T21:59:59Z')), '2026-03', '23:59:59 on 31 March in Paris');
  t.equal(parisMonth(new Date('2026-03-31T22:00:00Z')), '2026-04', 'midnight on 1 April in Paris, still 31 March in UTC');
  // Winter: UTC+1.
  t.equal(parisMonth(new Date('2026-12-31T22:59:00Z')), '2026-12');
  t.equal(parisMonth(new Date('2026-12-31T23:00:00Z')), '2027-01', 'a new year an hour before UTC’s');
  t.equal(parisMonth(new Date('2026-02-28T22:59:59.999Z')), '2026-02');
  t.equal(parisMonth(new Date('2026-02-28T23:00:00Z')), '2026-03');
  t.equal(parisMonth(new Date('2026-10-31T22:59:59Z')), '2026-10', 'back to winter time since 25 October');
  t.equal(parisMonth(new Date('2026-10-31T23:00:00Z')), '2026-11');
  fc.assert(
    fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
      const month = parisMonth(at);
      return month === referenceWallClock(at).date.slice(0, 7) && isValidMonth(month);
    }),
    { numRuns: 2000 },
  );
});

t.test('isValidMonth: AAAA-MM from 2000 to 2999', async (t) => {
  for (const good of ['2026-03', '2000-01', '2999-12', '2026-10']) t.ok(isValidMonth(good), good);
  for (const bad of ['', '2026-00', '2026-13', '2026-3', '1999-12', '3000-01', '26-03', '2026-03-01', '2026/03', ' 2026-03', '2026-03 ', '２０２６-03']) {
    t.notOk(isValidMonth(bad), JSON.stringify(bad));
  }
  fc.assert(fc.property(fc.integer({ min: 2000, max: 2999 }), fc.integer({ min: 1, max: 12 }), (y, m) => isValidMonth(`${y}-${String(m).padStart(2, '0')}`)));
});

t.test('addMonths: across years, backwards too', async (t) => {
  t.equal(addMonths('2026-03', 0), '2026-03');
  t.equal(addMonths('2026-03', 1), '2026-04');
  t.equal(addMonths('2026-12', 1), '2027-01');
  t.equal(addMonths('2026-01', -1), '2025-12');
  t.equal(addMonths('2026-03', -11), '2025-04', 'the start of the default period of twelve months');
  t.equal(addMonths('2026-03', -27), '2023-12');
  t.equal(addMonths('2026-03', 22), '2028-01');
  t.equal(addMonths('2026-12', 12), '2027-12');
  t.equal(addMonths('2000-01', -1), '1999-12');
});

const monthArb = fc
  .record({ y: fc.integer({ min: 2000, max: 2999 }), m: fc.integer({ min: 1, max: 12 }) })
  .map(({ y, m }) => `${y}-${String(m).padStart(2, '0')}`);

t.test('addMonths for any month: the inverse of itself, and as Date counts months', async (t) => {
  fc.assert(
    fc.property(monthArb, fc.integer({ min: -600, max: 600 }), (month, k) => {
      const moved = addMonths(month, k);
      const [y, m] = month.split('-').map(Number) as [number, number];
      const reference = new Date(Date.UTC(y, m - 1 + k, 1)).toISOString().slice(0, 7);
      return addMonths(moved, -k) === month && moved === reference;
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 months moved and back');
});

t.test('monthsBetween: both ends included, in order, none when reversed', async (t) => {
  t.same(monthsBetween('2025-11', '2026-02'), ['2025-11', '2025-12', '2026-01', '2026-02']);
  t.same(monthsBetween('2026-03', '2026-03'), ['2026-03']);
  t.same(monthsBetween('2026-03', '2026-02'), [], 'reversed');
  t.same(monthsBetween('2027-01', '2026-12'), [], 'reversed across a year');
  fc.assert(
    fc.property(monthArb, fc.integer({ min: 0, max: 240 }), (from, k) => {
      const months = monthsBetween(from, addMonths(from, k));
      return months.length === k + 1 && months.every((m, i) => m === addMonths(from, i));
    }),
  );
  fc.assert(fc.property(monthArb, fc.integer({ min: 1, max: 240 }), (to, k) => monthsBetween(addMonths(to, k), to).length === 0));
});

t.test('formatMonth and formatShortMonth: the month in French', async (t) => {
  t.equal(formatMonth('2026-03'), 'mars 2026');
  t.equal(formatMonth('2026-01'), 'janvier 2026');
  t.equal(formatMonth('2025-12'), 'décembre 2025');
  t.equal(formatMonth('2026-08'), 'août 2026');
  t.equal(formatShortMonth('2026-03'), 'mars 26');
  t.equal(formatShortMonth('2026-02'), 'févr. 26');
  t.equal(formatShortMonth('2025-12'), 'déc. 25');
  t.equal(formatShortMonth('2026-06'), 'juin 26');
  t.equal(formatShortMonth('2026-07'), 'juil. 26');
  t.equal(formatShortMonth('2030-09'), 'sept. 30');
  fc.assert(
    fc.property(monthArb, (month) => {
      const [y] = month.split('-');
      return formatMonth(month).endsWith(` ${y}`) && formatShortMonth(month).endsWith(` ${y!.slice(2)}`);
    }),
  );
  t.same(
    monthsBetween('2026-01', '2026-12').map(formatMonth),
    ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'].map((m) => `${m} 2026`),
    'each month its own name, whatever the time zone of the machine',
  );
});
