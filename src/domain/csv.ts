import { formatShortDate, parisDate, parisTime } from './paris-time.js';

/**
 * CSV for the spreadsheets centres open it with (Excel in French): `;` between fields, CRLF between
 * rows, a byte order mark so that accents are read as UTF-8. A field is quoted when it must be.
 * A field that a spreadsheet would take for a formula (= + - @, tab, carriage return at its start)
 * is prefixed with an apostrophe: a candidate's name must never run as a formula on the manager's
 * computer.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | null): string {
  if (value === null) return '';
  // A comma before the decimals, as a French spreadsheet reads a number.
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value).replace('.', ',');
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A date and time as a French spreadsheet reads it: `29/11/2026 09:30`, Paris time; empty when none. */
export function csvDateTime(iso: string | null): string | null {
  return iso ? `${formatShortDate(parisDate(new Date(iso)))} ${parisTime(new Date(iso))}` : null;
}

/** One row and its line end; a file is CSV_START, then its header and rows written this way. */
export function csvRow(row: readonly (string | number | null)[]): string {
  return `${row.map(csvField).join(';')}\r\n`;
}

/** What a file starts with: the byte order mark. */
export const CSV_START = '\uFEFF';

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return CSV_START + [header, ...rows].map(csvRow).join('');
}
