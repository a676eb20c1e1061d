import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../../../clock.js';
import type { Database, Queryable } from '../../../db/schema.js';
import { parseCsvBank, parseJsonBank, type Bank, type BankError } from '../../../domain/bank/index.js';
import { drawProblems } from '../../../domain/draw.js';
import { PROFILE_LABELS } from '../../../domain/profiles.js';
import { recordAudit, type Acting } from '../../../services/audit.js';
import { getDrawableQuestions } from '../../../services/exam/questions.js';
import { findQuestionnaireByVersion, getQuestionnaire } from './queries.js';
import type { QuestionnaireStatus } from '../../../domain/statuses.js';
import { transaction } from '../../../db/transaction.js';

export type BankSource = { format: 'json'; text: string } | { format: 'csv'; csv: string; header: string };

export type ImportOutcome = { ok: true; questionnaireId: number; published: boolean } | { ok: false; errors: BankError[] };

export type ChangeOutcome = { ok: true } | { ok: false; reasons: string[] };

/** A UTF-8 file as text, without the byte-order mark some editors put in front. */
export function decodeUpload(data: Buffer): string {
  return data.toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * Reads, checks and stores a bank in one transaction: either every question lands, or nothing
 * does and every error is returned. With `publish`, the new version is published in the same step.
 */
export async function importQuestionnaire(
  db: Kysely<Database>,
  clock: Clock,
  source: BankSource,
  options: Acting & { publish: boolean },
): Promise<ImportOutcome> {
  const parsed = source.format === 'json' ? parseJsonBank(source.text) : parseCsvBank(source.csv, source.header);
  if (!parsed.ok) return parsed;
  const bank = parsed.bank;

  return transaction(db, async (trx) => {
    if (await findQuestionnaireByVersion(trx, bank.profile, bank.version)) {
      return {
        ok: false,
        errors: [
          {
            where: 'version',
            message: `La version « ${bank.version} » du questionnaire ${PROFILE_LABELS[bank.profile]} existe déjà. Une correction se publie sous un nouveau numéro de version.`,
          },
        ],
      };
    }
    const now = clock.now().toISOString();
    const questionnaireId = await insertBank(trx, bank, now);
    await recordAudit(trx, clock, {
      action: 'questionnaire.importe',
      actor: options.actor,
      target: { type: 'questionnaire', id: questionnaireId },
      details: { profil: bank.profile, version: bank.version, questions: bank.questions.length },
    });
    if (options.publish) {
      const problems = drawProblems(await getDrawableQuestions(trx, questionnaireId), bank.rules);
      if (problems.length > 0) throw new Error(problems.join(' '));
      await setStatus(trx, questionnaireId, 'published', now);
      await recordAudit(trx, clock, {
        action: 'questionnaire.publie',
        actor: options.actor,
        target: { type: 'questionnaire', id: questionnaireId },
      });
    }
    return { ok: true, questionnaireId, published: options.publish };
  });
}

/** Draft → published, once the bank is known to satisfy its own rules. */
export async function publishQuestionnaire(db: Kysely<Database>, clock: Clock, id: number, options: Acting): Promise<ChangeOutcome> {
  return transaction(db, async (trx) => {
    const questionnaire = await getQuestionnaire(trx, id);
    if (!questionnaire) return { ok: false, reasons: ['Ce questionnaire n’existe pas.'] };
    if (questionnaire.status !== 'draft') return { ok: false, reasons: ['Seul un questionnaire en brouillon peut être publié.'] };
    const problems = drawProblems(await getDrawableQuestions(trx, id), questionnaire.rules);
    if (problems.length > 0) return { ok: false, reasons: problems };
    await setStatus(trx, id, 'published', clock.now().toISOString());
    await recordAudit(trx, clock, {
      action: 'questionnaire.publie',
      actor: options.actor,
      target: { type: 'questionnaire', id },
      details: { profil: questionnaire.profile, version: questionnaire.version },
    });
    return { ok: true };
  });
}

/** Published → retired: no new exam on it; past results stay readable since nothing is deleted. */
export async function retireQuestionnaire(db: Kysely<Database>, clock: Clock, id: number, options: Acting): Promise<ChangeOutcome> {
  return transaction(db, async (trx) => {
    const questionnaire = await getQuestionnaire(trx, id);
    if (!questionnaire) return { ok: false, reasons: ['Ce questionnaire n’existe pas.'] };
    if (questionnaire.status !== 'published') return { ok: false, reasons: ['Seul un questionnaire publié peut être retiré.'] };
    await setStatus(trx, id, 'retired', clock.now().toISOString());
    await recordAudit(trx, clock, {
      action: 'questionnaire.retire',
      actor: options.actor,
      target: { type: 'questionnaire', id },
      details: { profil: questionnaire.profile, version: questionnaire.version },
    });
    return { ok: true };
  });
}

// The writes themselves, only ever run inside the transactions above.

/** Stores a validated bank as a draft; the caller's transaction makes the import all or nothing. */
async function insertBank(trx: Transaction<Database>, bank: Bank, createdAt: string): Promise<number> {
  const { id } = await trx
    .insertInto('questionnaires')
    .values({
      profile: bank.profile,
      version: bank.version,
      title: bank.title,
      rules: JSON.stringify(bank.rules),
      status: 'draft',
      created_at: createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const [position, q] of bank.questions.entries()) {
    const question = await trx
      .insertInto('questions')
      .values({
        questionnaire_id: id,
        position,
        code: q.code,
        theme: q.theme,
        priority: q.priority ? 1 : 0,
        statement: q.statement,
        image_mime: q.image?.mime ?? null,
        image_data: q.image?.data ?? null,
        image_description: q.imageDescription,
        reference: q.reference,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('answers')
      .values(q.answers.map((a, i) => ({ question_id: question.id, position: i, text: a.text, correct: a.correct ? 1 : 0 })))
      .execute();
  }
  return id;
}

async function setStatus(trx: Queryable, id: number, status: QuestionnaireStatus, at: string): Promise<void> {
  await trx
    .updateTable('questionnaires')
    .set(status === 'published' ? { status, published_at: at } : { status, retired_at: at })
    .where('id', '=', id)
    .execute();
}
