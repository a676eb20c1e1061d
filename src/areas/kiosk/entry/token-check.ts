import type { Kysely } from 'kysely';
import type { Database } from '../../../db/schema.js';
import { parseCentreId } from '../../../domain/centre-id.js';
import { normalizeTokenEntry } from '../../../domain/token-code.js';
import { findOpenSessions, type ExamSession } from '../../../services/exam/sessions.js';
import { SPENT_TOKEN_MESSAGE } from '../../../services/exam/lifecycle.js';
import { findTokenByCode } from './queries.js';

/**
 * What the kiosk tells a candidate whose entry is refused. Some refusals deliberately read the
 * same: an unknown centre and a suspended one; an unknown token and another centre's token (so
 * that nobody learns which codes exist elsewhere); a revoked, used or retired one.
 */
export const ENTRY_MESSAGES = {
  centre: 'Ce centre d’examen n’est pas reconnu ou n’est pas actif.',
  noOpenSession: 'Aucune session d’examen n’est ouverte dans ce centre en ce moment.',
  unknownToken: 'Ce jeton n’est pas reconnu. Vérifiez les caractères saisis.',
  spentToken: SPENT_TOKEN_MESSAGE,
} as const;

export type EntryRefusal =
  | { ok: false; reason: 'unknown_centre'; message: string }
  | { ok: false; reason: 'no_open_session'; message: string }
  | { ok: false; reason: 'unknown_token'; message: string }
  | { ok: false; reason: 'token_revoked' | 'token_used' | 'questionnaire_retired'; message: string };

export type EntryCheck = { ok: true; centreId: number; tokenId: number; questionnaireId: number; openSessions: ExamSession[] } | EntryRefusal;

/**
 * May this centre ID and token start an exam now? Checks, in this order: the centre exists and is
 * active; it has a session open for exams (so a leaked token is useless outside the room); the
 * token is this centre's and still available; its questionnaire is still published.
 * Reads only: the kiosk marks the token used when the exam actually starts.
 */
export async function checkTokenEntry(db: Kysely<Database>, now: Date, centreInput: string, tokenInput: string): Promise<EntryCheck> {
  const centreId = parseCentreId(centreInput);
  const centre = centreId === null ? undefined : await db.selectFrom('centres').select(['id', 'status']).where('id', '=', centreId).executeTakeFirst();
  if (!centre || centre.status !== 'active') return { ok: false, reason: 'unknown_centre', message: ENTRY_MESSAGES.centre };

  const openSessions = await findOpenSessions(db, centre.id, now);
  if (openSessions.length === 0) return { ok: false, reason: 'no_open_session', message: ENTRY_MESSAGES.noOpenSession };

  const code = normalizeTokenEntry(tokenInput);
  const token = code === null ? undefined : await findTokenByCode(db, code);
  if (!token || token.centre_id !== centre.id) return { ok: false, reason: 'unknown_token', message: ENTRY_MESSAGES.unknownToken };
  if (token.status === 'revoked') return { ok: false, reason: 'token_revoked', message: ENTRY_MESSAGES.spentToken };
  if (token.status === 'used') return { ok: false, reason: 'token_used', message: ENTRY_MESSAGES.spentToken };
  if (token.questionnaire_status !== 'published') {
    return { ok: false, reason: 'questionnaire_retired', message: ENTRY_MESSAGES.spentToken };
  }
  return { ok: true, centreId: centre.id, tokenId: token.id, questionnaireId: token.questionnaire_id, openSessions };
}
