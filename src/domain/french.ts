/** Numbers and counted nouns written as French writes them. */

/** Digits grouped by non-breaking spaces: 1048576 → « 1 048 576 ». */
export function formatInteger(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
}

/** A share as a French percentage, one decimal at most: 0.7125 → « 71,3 % » (a null share: « — »). */
export function formatPercent(share: number | null): string {
  if (share === null) return '—';
  const rounded = Math.round(share * 1000) / 10;
  return `${String(rounded).replace('.', ',')}\u00a0%`;
}

/** A number with one decimal at most, decimal comma: 52.25 → « 52,3 ». */
export function formatDecimal(n: number): string {
  return String(Math.round(n * 10) / 10).replace('.', ',');
}

/**
 * The count and its noun: « 0 jeton », « 1 jeton », « 2 jetons », since French puts 0 and 1 in
 * the singular. Without `pluralForm`, the plural adds an « s » unless the word already ends in
 * s, x or z (« 2 fois »); pass it for anything else (« 2 travaux », « 2 jetons disponibles »).
 */
export function plural(count: number, singular: string, pluralForm?: string): string {
  const word = Math.abs(count) < 2 ? singular : (pluralForm ?? (/[sxz]$/.test(singular) ? singular : `${singular}s`));
  return `${formatInteger(count)} ${word}`;
}

/** « a », « a et b », « a, b et c ». */
export function listInFrench(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} et ${parts.at(-1)!}`;
}

/**
 * A room in a sentence: « salle B », but « Salle du 1er étage » as named, never « salle Salle B »
 * (centres often type the word themselves).
 */
export function roomInSentence(room: string): string {
  return /^salle\b/iu.test(room.trim()) ? room.trim() : `salle ${room.trim()}`;
}

/**
 * Free text (a reason typed by someone) closing a sentence: its own final stop, « ! », « ? » or
 * « … » is kept, else a full stop is added — never « dossier incomplet.. ».
 */
export function closingSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]$/u.test(trimmed) ? trimmed : `${trimmed}.`;
}
