export type IntegerOutcome = { ok: true; value: number } | { ok: false; message: string };

/** A whole number typed in a form field (spaces allowed around it), or null. */
export function parseWholeNumber(raw: string): number | null {
  const text = raw.trim();
  if (!/^[0-9]{1,9}$/.test(text)) return null;
  return Number(text);
}
