import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { CENTRE_ID_MAX, formatCentreId, parseCentreId } from '../domain/centre-id.js';
import { isProfile, PROFILE_LABELS, PROFILES } from '../domain/profiles.js';
import { formatTokenCode } from '../domain/token-code.js';
import { createTokenBatch, type BatchFailureReason } from '../areas/centre/tokens/lifecycle.js';
import { newestPublishedQuestionnaire, type QuestionnaireRef } from '../areas/centre/tokens/queries.js';

export interface GenerateTokensInput {
  /** `centreXXXX` as typed, or the centre's number. */
  centreId: string | number;
  /** `concepteur`, `encadrant` or `operateur`. */
  profile: string;
  count: number;
  /** Who asked, as the audit log and the batch show it (e.g. "CLI"). */
  actorLabel: string;
  /** The signed-in account, when a person asked through the web. */
  actorAccountId?: number | null;
}

export type GenerateTokensOutcome =
  | {
      ok: true;
      batchId: number;
      centre: string;
      questionnaire: QuestionnaireRef;
      /** Canonical codes, 12 symbols each. */
      codes: string[];
      /** The same codes as printed, `K7QF-93MW-XT4P`. */
      formattedCodes: string[];
    }
  | { ok: false; reason: BatchFailureReason | 'profile'; message: string };

/**
 * A table of tokens for the newest published questionnaire of a profile: the operator CLI's
 * `generate-tokens --centre centreXXXX --profil <profil> --count N`, and the demo seed.
 * It goes through createTokenBatch, like the manager's form, but the centre's daily quota does not
 * bind the server's operator (the batch still counts in the centre's day).
 */
export async function generateTokens(db: Kysely<Database>, clock: Clock, input: GenerateTokensInput): Promise<GenerateTokensOutcome> {
  const centreId = typeof input.centreId === 'number' ? input.centreId : parseCentreId(input.centreId);
  if (centreId === null || !Number.isInteger(centreId) || centreId < 1 || centreId > CENTRE_ID_MAX) {
    return {
      ok: false,
      reason: 'centre_unknown',
      message: `Identifiant de centre invalide : ${String(input.centreId)} (attendu : centreXXXX, par exemple centre0001).`,
    };
  }
  if (!isProfile(input.profile)) {
    return { ok: false, reason: 'profile', message: `Profil inconnu : ${input.profile} (attendu : ${PROFILES.join(', ')}).` };
  }
  const questionnaire = await newestPublishedQuestionnaire(db, input.profile);
  if (!questionnaire) {
    return {
      ok: false,
      reason: 'questionnaire',
      message: `Aucun questionnaire ${PROFILE_LABELS[input.profile]} n’est publié : publiez-en un avant de générer des jetons.`,
    };
  }
  const outcome = await createTokenBatch(db, clock, {
    centreId,
    questionnaireId: questionnaire.id,
    count: input.count,
    createdBy: input.actorLabel,
    dailyQuota: 'exempt',
    actor: { accountId: input.actorAccountId ?? null, label: input.actorLabel },
  });
  if (!outcome.ok) {
    const message = outcome.reason === 'centre_unknown' ? `Centre inconnu : ${formatCentreId(centreId)}.` : outcome.message;
    return { ok: false, reason: outcome.reason, message };
  }
  return {
    ok: true,
    batchId: outcome.batchId,
    centre: formatCentreId(centreId),
    questionnaire: outcome.questionnaire,
    codes: outcome.codes,
    formattedCodes: outcome.codes.map(formatTokenCode),
  };
}
