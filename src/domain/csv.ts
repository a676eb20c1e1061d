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
  if (typeof value === 'number') return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[";\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  return `\uFEFF${[header, ...rows].map((row) => row.map(csvField).join(';')).join('\r\n')}\r\n`;
}
