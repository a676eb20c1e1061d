/**
 * Calendar days and wall-clock times in Europe/Paris, where every exam centre's day is counted
 * (metropolitan France; a session's date and start time are read on the room's clock).
 * The time-zone rules come from the ICU data shipped with Node.js, so summer time is handled.
 */

export const PARIS_TIME_ZONE = 'Europe/Paris';

const PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: PARIS_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function parisWallClock(now: Date): WallClock {
  const parts: Record<string, number> = {};
  for (const p of PARTS.formatToParts(now)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** The day in Paris at `now`, `AAAA-MM-JJ`. */
export function parisDate(now: Date): string {
  const w = parisWallClock(now);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** The time in Paris at `now`, `HH:MM` (24 h). */
export function parisTime(now: Date): string {
  const w = parisWallClock(now);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** The time in Paris at `now` to the second, « 14 h 32 min 05 s »: to compare a terminal's clock with by eye. */
export function parisWallClockText(now: Date): string {
  const w = parisWallClock(now);
  return `${pad(w.hour)} h ${pad(w.minute)} min ${pad(w.second)} s`;
}

/** `HH h MM`, as a sentence says an hour (« valable jusqu’à 10 h 30 »); `time` is `HH:MM` or a moment. */
export function formatHour(time: string | Date): string {
  return (typeof time === 'string' ? time : parisTime(time)).replace(':', ' h ');
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `AAAA-MM-JJ` naming a day that exists (no 31 April, 29 February only in leap years). */
export function isValidDate(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const probe = new Date(Date.UTC(year, month - 1, day));
  probe.setUTCFullYear(year); // Date.UTC maps years 0–99 to 1900–1999
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** `HH:MM`, 00:00 to 23:59. */
export function isValidTime(value: string): boolean {
  return TIME.test(value);
}

function dayParts(date: string): [number, number, number] {
  if (!isValidDate(date)) throw new RangeError(`not a date AAAA-MM-JJ: ${JSON.stringify(date)}`);
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

/** The day `days` after `date` (negative: before), `AAAA-MM-JJ`. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = dayParts(date);
  const moved = new Date(Date.UTC(y, m - 1, d + days));
  return `${pad(moved.getUTCFullYear(), 4)}-${pad(moved.getUTCMonth() + 1)}-${pad(moved.getUTCDate())}`;
}

/** The month in Paris at `now`, `AAAA-MM`: the exams' figures are counted by it. */
export function parisMonth(now: Date): string {
  return parisDate(now).slice(0, 7);
}

/** Whether `value` is a month `AAAA-MM` (from 2000 to 2999, as a date field accepts). */
export function isValidMonth(value: string): boolean {
  return /^2\d{3}-(0[1-9]|1[0-2])$/.test(value);
}

/** The month `months` after `month` (negative: before), `AAAA-MM`. */
export function addMonths(month: string, months: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const index = y * 12 + (m - 1) + months;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}`;
}

/** The months from `from` to `to`, both included, in order (none when `from` is after `to`). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let month = from; month <= to; month = addMonths(month, 1)) months.push(month);
  return months;
}

const MONTH_NAME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const SHORT_MONTH_NAME = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'short', year: '2-digit' });

/** `2026-03` → `mars 2026`. */
export function formatMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return MONTH_NAME.format(new Date(Date.UTC(y, m - 1, 1)));
}

/** `2026-03` → `de mars 2026`, `2026-04` → `d’avril 2026` (before avril, août and octobre, « de » elides). */
export function ofMonth(month: string): string {
  const name = formatMonth(month);
  return /^[aeiouy]/.test(name) ? `d’${name}` : `de ${name}`;
}

/** `2026-03` → `mars 26`, where a chart's axis has little room. */
export function formatShortMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return SHORT_MONTH_NAME.format(new Date(Date.UTC(y, m - 1, 1)));
}

/** Paris's offset from UTC at `at`, in milliseconds (+1 h in winter, +2 h in summer). */
function parisOffsetMs(at: number): number {
  const w = parisWallClock(new Date(at));
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant midnight starts `date` in Paris (midnight is never skipped nor repeated there). */
export function parisStartOfDay(date: string): Date {
  const [y, m, d] = dayParts(date);
  const wall = Date.UTC(y, m - 1, d);
  let instant = wall - parisOffsetMs(wall);
  // The offset at the guess may differ from the offset at the answer near a change of time.
  instant = wall - parisOffsetMs(instant);
  return new Date(instant);
}

/** The Paris day holding `now`: its date and its instants from `start` (included) to `end` (excluded), 23 to 25 hours apart. */
export function parisDayBounds(now: Date): { date: string; start: Date; end: Date } {
  const date = parisDate(now);
  return { date, start: parisStartOfDay(date), end: parisStartOfDay(addDays(date, 1)) };
}

/** The last millisecond of `date` in Paris: when a session of that day closes by itself. */
export function parisEndOfDay(date: string): Date {
  return new Date(parisStartOfDay(addDays(date, 1)).getTime() - 1);
}

const LONG_DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });

/** `2026-11-29` → `dimanche 29 novembre 2026`. */
export function formatLongDate(date: string): string {
  const [y, m, d] = dayParts(date);
  return LONG_DATE.format(new Date(Date.UTC(y, m - 1, d)));
}

const FULL_DATE = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });

/** `2026-11-01` → `1er novembre 2026`, `2026-11-29` → `29 novembre 2026`, as a document writes a date. */
export function formatFullDate(date: string): string {
  const [y, m, d] = dayParts(date);
  const text = FULL_DATE.format(new Date(Date.UTC(y, m - 1, d)));
  return d === 1 ? text.replace(/^1 /, '1er ') : text;
}

/** `2026-11-29` → `29/11/2026`. A calendar day with no time zone in it, so also a birth date as shown to its person. */
export function formatShortDate(date: string): string {
  const [y, m, d] = dayParts(date);
  return `${pad(d)}/${pad(m)}/${pad(y, 4)}`;
}

/** An ISO instant → `29/11/2026 à 10 h 00`, Paris time: an hour is written the one way people read (« 10 h 00 », not « 10:00 »). */
export function formatParisDateTime(iso: string): string {
  const at = new Date(iso);
  return `${formatShortDate(parisDate(at))} à ${formatHour(at)}`;
}

/** An instant as a session's pages say it: its hour alone on the session's day, else its date and hour. */
export function momentOnSessionDay(iso: string, sessionDate: string): string {
  const at = new Date(iso);
  return parisDate(at) === sessionDate ? formatHour(at) : formatParisDateTime(iso);
}
