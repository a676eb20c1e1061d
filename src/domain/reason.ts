/** The reason a person gives for an act that others will read (a cancellation, a correction, a pause). */
export const REASON_MIN = 5;
export const REASON_MAX = 500;

/** As typed, on one line: NFC, inner runs of spaces and line breaks as one space, trimmed. */
export function readReason(raw: unknown): string {
  return (typeof raw === 'string' ? raw : '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * Why `reason` cannot be kept (« Indiquez le motif de l’annulation… »), or null; `what` names the act.
 * `asked` and `noun` word it for another kind of text (« Décrivez l’incident », « La description »).
 */
export function reasonProblem(reason: string, what: string, wording: { asked?: string; noun?: string } = {}): string | null {
  if (reason.length < REASON_MIN) return `${wording.asked ?? `Indiquez le motif ${what}`} (au moins ${REASON_MIN} caractères).`;
  if (reason.length > REASON_MAX) return `${wording.noun ?? 'Le motif'} ne doit pas dépasser ${REASON_MAX} caractères.`;
  return null;
}
