export type IntegerOutcome = { ok: true; value: number } | { ok: false; message: string };

/** A whole number typed in a form field (spaces allowed around it), or null. */
export function parseWholeNumber(raw: string): number | null {
  const text = raw.trim();
  if (!/^[0-9]{1,9}$/.test(text)) return null;
  return Number(text);
}

/** The largest integer a column holds on PostgreSQL (32 bits); SQLite's are wider. */
const LARGEST_INTEGER = 2_147_483_647;

/**
 * A positive whole number written in digits (an id from a URL, a form or a cookie), or null. Beyond
 * what a column holds is null too: PostgreSQL would refuse the query rather than find nothing.
 */
export function positiveInteger(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^[0-9]{1,10}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= LARGEST_INTEGER ? n : null;
}
