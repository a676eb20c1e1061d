import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { kindOf } from '../../domain/attestation.js';
import { generateAttestationNumber } from '../../domain/attestation-number.js';
import { transaction } from '../../db/transaction.js';

/**
 * Gives a finished exam its attestation number, inside the transaction that records the result.
 * 74 random bits make a collision unheard of; should a draw be taken all the same, the next one is
 * used (the unique index stays the guarantee).
 */
export async function issueAttestation(trx: Transaction<Database>, input: { examId: number; passed: boolean; examDate: string; at: Date }): Promise<string> {
  const year = Number(input.examDate.slice(0, 4));
  let number = generateAttestationNumber(year);
  while (await trx.selectFrom('attestations').select('exam_id').where('number', '=', number).executeTakeFirst()) {
    number = generateAttestationNumber(year);
  }
  await trx
    .insertInto('attestations')
    .values({ exam_id: input.examId, number, kind: kindOf(input.passed), issued_at: input.at.toISOString() })
    .execute();
  return number;
}

/**
 * Exams finished before attestations existed (migration 0005) get their number, as if issued at
 * their end. Run once at start-up, after the migrations; a no-op afterwards.
 */
export async function issueMissingAttestations(db: Kysely<Database>): Promise<number> {
  const missing = await db
    .selectFrom('exams as e')
    .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
    .leftJoin('attestations as a', 'a.exam_id', 'e.id')
    .select(['e.id', 'e.finished_at', 'e.passed', 's.date'])
    .where('e.finished_at', 'is not', null)
    .where('e.cancelled_at', 'is', null)
    .where('a.exam_id', 'is', null)
    .execute();
  for (const exam of missing) {
    await transaction(db, (trx) => issueAttestation(trx, { examId: exam.id, passed: exam.passed === 1, examDate: exam.date, at: new Date(exam.finished_at!) }));
  }
  return missing.length;
}
