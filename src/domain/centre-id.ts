/**
 * Exam centre IDs, `centre0001` to `centre9999`: assigned by the platform, typed by candidates
 * on the kiosk and by centres in their terminal scripts.
 */

export const CENTRE_ID_MIN = 1;
export const CENTRE_ID_MAX = 9999;

export function formatCentreId(n: number): string {
  if (!Number.isInteger(n) || n < CENTRE_ID_MIN || n > CENTRE_ID_MAX) {
    throw new RangeError(`centre number out of range 1–${CENTRE_ID_MAX}: ${n}`);
  }
  return `centre${String(n).padStart(4, '0')}`;
}

const CENTRE_ID = /^centre([0-9]{4})$/i;

/** The centre number from what was typed (case-insensitive, surrounding spaces ignored), or null. */
export function parseCentreId(input: string): number | null {
  const match = CENTRE_ID.exec(input.trim());
  if (match === null) return null;
  const n = Number(match[1]);
  return n >= CENTRE_ID_MIN ? n : null;
}
