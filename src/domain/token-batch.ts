import { formatInteger } from './french.js';
import { parseWholeNumber, type IntegerOutcome } from './whole-number.js';

/** How many tokens one table may hold, and the bounds of a centre's low-stock threshold. */
export const BATCH_MIN = 1;
export const BATCH_MAX = 500;
/** Above this many tokens, the manager confirms the count first: a slip (« 125 » for « 12,5 ») costs a quota's worth. */
export const BATCH_CONFIRM_ABOVE = 100;
export const THRESHOLD_MIN = 0;
export const THRESHOLD_MAX = 10_000;

export function parseBatchCount(raw: string): IntegerOutcome {
  if (raw.trim() === '') return { ok: false, message: 'Indiquez le nombre de jetons à générer.' };
  const n = parseWholeNumber(raw);
  if (n === null || n < BATCH_MIN || n > BATCH_MAX) {
    return { ok: false, message: `Le nombre de jetons doit être un nombre entier entre ${BATCH_MIN} et ${BATCH_MAX}.` };
  }
  return { ok: true, value: n };
}

export function parseThreshold(raw: string): IntegerOutcome {
  if (raw.trim() === '') return { ok: false, message: 'Indiquez le seuil d’alerte.' };
  const n = parseWholeNumber(raw);
  if (n === null || n < THRESHOLD_MIN || n > THRESHOLD_MAX) {
    return { ok: false, message: `Le seuil d’alerte doit être un nombre entier entre ${THRESHOLD_MIN} et ${formatInteger(THRESHOLD_MAX)}.` };
  }
  return { ok: true, value: n };
}
