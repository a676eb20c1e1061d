import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { formatCentreId } from '../../../domain/centre-id.js';
import { generateTokenCode } from '../../../domain/token-code.js';
import { BATCH_MAX, BATCH_MIN } from '../../../domain/token-batch.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { suspendedCentreMessage } from '../../../domain/centre-suspension.js';
import { checkDailyQuota } from '../../../domain/token-quota.js';
import { centreDailyQuota } from '../../../services/centres/token-quota.js';
import { countIssuedTokens } from '../../../services/exam/figures.js';
import { findCentreForTokens, getBatch, getBatchToken, getPublishedQuestionnaire, type QuestionnaireRef } from './queries.js';
import { transaction } from '../../../db/transaction.js';

/** A fresh code cannot collide more often than this with a sound random source (59 bits each). */
const MAX_DRAWS_PER_TOKEN = 50;

export const NO_TOKENS_WHILE_SUSPENDED = 'aucun jeton ne peut être généré';

export type BatchFailureReason = 'centre_unknown' | 'centre_suspended' | 'questionnaire' | 'count' | 'quota';

/**
 * `enforced`: the batch must fit in what is left of the centre's daily quota (the manager's form).
 * `exempt`: only for the server's operator (CLI generate-tokens, demo seed, benchmarks), who is
 * trusted with the machine anyway; the batch still counts in the centre's day.
 */
export type DailyQuotaRule = 'enforced' | 'exempt';

export type BatchOutcome =
  { ok: true; batchId: number; questionnaire: QuestionnaireRef; codes: string[] } | { ok: false; reason: BatchFailureReason; message: string };

/**
 * The one way to create a table of tokens (manager's form, CLI, demo): the quota check, the batch,
 * its codes and the audit row land in one transaction. Codes are unique across the platform: a
 * code that already exists (the UNIQUE index says so) is drawn again.
 */
export async function createTokenBatch(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; questionnaireId: number; count: number; createdBy: string; dailyQuota: DailyQuotaRule; newCode?: () => string } & Acting,
): Promise<BatchOutcome> {
  const newCode = input.newCode ?? (() => generateTokenCode());
  if (!Number.isInteger(input.count) || input.count < BATCH_MIN || input.count > BATCH_MAX) {
    return { ok: false, reason: 'count', message: `Le nombre de jetons doit être un nombre entier entre ${BATCH_MIN} et ${BATCH_MAX}.` };
  }
  return transaction(db, async (trx): Promise<BatchOutcome> => {
    // A write first: two generations for one centre then run one after the other, each counting
    // the other's batch (SQLite: the write lock from here; PostgreSQL: the centre's row lock).
    if (input.dailyQuota === 'enforced') await lockCentreForTokens(trx, input.centreId);
    const centre = await findCentreForTokens(trx, input.centreId);
    if (!centre) return { ok: false, reason: 'centre_unknown', message: 'Ce centre d’examen n’existe pas.' };
    if (centre.status === 'suspended')
      return { ok: false, reason: 'centre_suspended', message: suspendedCentreMessage(NO_TOKENS_WHILE_SUSPENDED, centre.suspension_reason) };
    const questionnaire = await getPublishedQuestionnaire(trx, input.questionnaireId);
    if (!questionnaire) {
      return { ok: false, reason: 'questionnaire', message: 'Choisissez un questionnaire publié : celui-ci n’existe pas ou n’est plus publié.' };
    }
    const at = clock.now();
    if (input.dailyQuota === 'enforced') {
      const day = await centreDailyQuota(trx, centre.id, at);
      const check = checkDailyQuota(day!, input.count);
      if (!check.ok) return { ok: false, reason: 'quota', message: check.message };
    }
    const now = at.toISOString();
    const batchId = await insertBatch(trx, {
      centreId: centre.id,
      questionnaireId: questionnaire.id,
      size: input.count,
      createdAt: now,
      createdBy: input.createdBy,
    });
    const codes: string[] = [];
    for (let i = 0; i < input.count; i += 1) {
      for (let draw = 1; ; draw += 1) {
        const code = newCode();
        if (await insertTokenIfNew(trx, { code, batchId, centreId: centre.id, questionnaireId: questionnaire.id })) {
          codes.push(code);
          break;
        }
        if (draw >= MAX_DRAWS_PER_TOKEN) throw new Error('token codes keep colliding: the random source is broken');
      }
    }
    // Last: the counters' row is shared with the exams of this centre, month and version, whose
    // finishes (and, behind them, the answer saves of their terminals) wait for it while it is held.
    await countIssuedTokens(trx, { at: now, centreId: centre.id, questionnaireId: questionnaire.id }, input.count);
    await recordAudit(trx, clock, {
      action: 'jetons.generes',
      actor: input.actor,
      target: { type: 'lot_jetons', id: batchId },
      details: {
        centre: formatCentreId(centre.id),
        questionnaire: questionnaire.id,
        profil: questionnaire.profile,
        version: questionnaire.version,
        nombre: input.count,
      },
    });
    return { ok: true, batchId, questionnaire, codes };
  });
}

/** null: no such token in this batch of this centre (the caller answers 404). */
/** `code`: the token's canonical code, for the message that names it. */
export type RevokeOutcome = { ok: true; code: string } | { ok: false; message: string } | null;

export async function revokeToken(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; batchId: number; tokenId: number } & Acting,
): Promise<RevokeOutcome> {
  return transaction(db, async (trx): Promise<RevokeOutcome> => {
    const token = await getBatchToken(trx, input.centreId, input.batchId, input.tokenId);
    if (!token) return null;
    if (token.status === 'used') return { ok: false, message: 'Ce jeton a déjà servi à un examen : il ne peut plus être révoqué.' };
    if (token.status === 'revoked') return { ok: false, message: 'Ce jeton est déjà révoqué.' };
    if (!(await revokeAvailableToken(trx, input.centreId, token.id, clock.now().toISOString()))) {
      return { ok: false, message: 'Ce jeton vient de changer d’état : rechargez la page.' };
    }
    await recordAudit(trx, clock, {
      action: 'jeton.revoque',
      actor: input.actor,
      target: { type: 'jeton', id: token.id },
      details: { centre: formatCentreId(input.centreId), lot: input.batchId },
    });
    return { ok: true, code: token.code };
  });
}

/** Revokes every unused token of the batch; null when the batch is not this centre's. */
export async function revokeBatch(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; batchId: number } & Acting,
): Promise<{ revoked: number } | null> {
  return transaction(db, async (trx) => {
    const batch = await getBatch(trx, input.centreId, input.batchId);
    if (!batch) return null;
    const revoked = await revokeAvailableTokensOfBatch(trx, input.centreId, batch.id, clock.now().toISOString());
    await recordAudit(trx, clock, {
      action: 'lot_jetons.revoque',
      actor: input.actor,
      target: { type: 'lot_jetons', id: batch.id },
      details: { centre: formatCentreId(input.centreId), jetons_revoques: revoked },
    });
    return { revoked };
  });
}

export async function changeLowStockThreshold(
  db: Kysely<Database>,
  clock: Clock,
  input: { centreId: number; threshold: number; previous: number } & Acting,
): Promise<void> {
  await transaction(db, async (trx) => {
    await setLowStockThreshold(trx, input.centreId, input.threshold);
    await recordAudit(trx, clock, {
      action: 'centre.seuil_jetons_modifie',
      actor: input.actor,
      target: { type: 'centre', id: formatCentreId(input.centreId) },
      details: { avant: input.previous, apres: input.threshold },
    });
  });
}

// The writes themselves, only ever run inside the transactions above.

/** Writes the centre's row without changing it, to hold it until the transaction ends. */
async function lockCentreForTokens(trx: Transaction<Database>, centreId: number): Promise<void> {
  await trx
    .updateTable('centres')
    .set((eb) => ({ daily_token_quota: eb.ref('daily_token_quota') }))
    .where('id', '=', centreId)
    .execute();
}

async function insertBatch(
  trx: Transaction<Database>,
  batch: { centreId: number; questionnaireId: number; size: number; createdAt: string; createdBy: string },
): Promise<number> {
  const row = await trx
    .insertInto('token_batches')
    .values({
      centre_id: batch.centreId,
      questionnaire_id: batch.questionnaireId,
      size: batch.size,
      created_at: batch.createdAt,
      created_by: batch.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Inserts one token; false when the code already exists anywhere on the platform (UNIQUE index). */
async function insertTokenIfNew(
  trx: Transaction<Database>,
  token: { code: string; batchId: number; centreId: number; questionnaireId: number },
): Promise<boolean> {
  const row = await trx
    .insertInto('exam_tokens')
    .values({ code: token.code, batch_id: token.batchId, centre_id: token.centreId, questionnaire_id: token.questionnaireId, used_at: null, revoked_at: null })
    .onConflict((oc) => oc.column('code').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Revokes one available token of the centre; false when it was not available any more. */
async function revokeAvailableToken(db: Queryable, centreId: number, tokenId: number, at: string): Promise<boolean> {
  const result = await db
    .updateTable('exam_tokens')
    .set({ status: 'revoked', revoked_at: at })
    .where('id', '=', tokenId)
    .where('centre_id', '=', centreId)
    .where('status', '=', 'available')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Revokes every available token of a batch of the centre; used tokens stay as they are. */
async function revokeAvailableTokensOfBatch(db: Queryable, centreId: number, batchId: number, at: string): Promise<number> {
  const result = await db
    .updateTable('exam_tokens')
    .set({ status: 'revoked', revoked_at: at })
    .where('batch_id', '=', batchId)
    .where('centre_id', '=', centreId)
    .where('status', '=', 'available')
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

async function setLowStockThreshold(db: Queryable, centreId: number, threshold: number): Promise<void> {
  await db.updateTable('centres').set({ low_stock_threshold: threshold }).where('id', '=', centreId).execute();
}
