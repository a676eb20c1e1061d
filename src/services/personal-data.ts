import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import type { Database, Queryable } from '../db/schema.js';
import { transaction } from '../db/transaction.js';
import type { AttestationFields } from '../domain/attestation.js';
import { parisDate } from '../domain/paris-time.js';
import { ANONYMISED_IDENTITY, retentionCutoff, type PurgeReport } from '../domain/retention.js';
import { candidateSearchKey } from '../domain/search-key.js';
import { recordAudit, type Actor } from './audit.js';

/** Exams anonymised per transaction: a first purge of years of exams holds no lock for long. */
const BATCH_SIZE = 500;

/** The retention period of candidates' identities, in years, as the national administration set it. */
export async function identityRetentionYears(db: Queryable): Promise<number> {
  const row = await db.selectFrom('platform_settings').select('identity_retention_years').where('id', '=', 1).executeTakeFirstOrThrow();
  return row.identity_retention_years;
}

function dueExams(db: Queryable, cutoff: string) {
  return db
    .selectFrom('exams as e')
    .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
    .where('s.date', '<', cutoff)
    .where('e.anonymised_at', 'is', null);
}

/**
 * Replaces the identity of every exam past the retention period by neutral values, in the exam and
 * in its attestation's stored copy; idempotent (an anonymised exam is marked). `dryRun` only counts.
 * One audit row per run that changed something, with the counts, never a candidate's name.
 */
export async function purgePersonalData(db: Kysely<Database>, clock: Clock, options: { dryRun: boolean; actor: Actor }): Promise<PurgeReport> {
  const now = clock.now();
  const years = await identityRetentionYears(db);
  const cutoff = retentionCutoff(parisDate(now), years);
  const due = await dueExams(db, cutoff)
    .leftJoin('attestations as a', 'a.exam_id', 'e.id')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('exams'),
      eb.fn.count<number | string>('a.snapshot').as('attestations'),
      eb.fn.min('s.date').as('oldest'),
      eb.fn.max('s.date').as('newest'),
    ])
    .executeTakeFirstOrThrow();
  const report: PurgeReport = {
    dryRun: options.dryRun,
    years,
    cutoff,
    exams: Number(due.exams),
    attestations: Number(due.attestations),
    oldest: due.oldest ?? null,
    newest: due.newest ?? null,
  };
  if (options.dryRun || report.exams === 0) return report;
  // Counted again as written: an exam of the period that another instance anonymised meanwhile is not counted twice.
  let exams = 0;
  let attestations = 0;
  for (;;) {
    const batch = await transaction(db, (trx) => anonymiseBatch(trx, cutoff, now.toISOString()));
    exams += batch.exams;
    attestations += batch.attestations;
    if (batch.exams < BATCH_SIZE) break;
  }
  Object.assign(report, { exams, attestations });
  if (exams > 0) {
    await recordAudit(db, clock, {
      action: 'donnees.identites_anonymisees',
      actor: options.actor,
      details: { examens: exams, attestations, duree_annees: years, avant_le: cutoff, du: report.oldest, au: report.newest },
    });
  }
  return report;
}

async function anonymiseBatch(trx: Queryable, cutoff: string, at: string): Promise<{ exams: number; attestations: number }> {
  const ids = (await dueExams(trx, cutoff).select('e.id').orderBy('e.id').limit(BATCH_SIZE).execute()).map((r) => r.id);
  if (ids.length === 0) return { exams: 0, attestations: 0 };
  const neutral = ANONYMISED_IDENTITY;
  await trx
    .updateTable('exams')
    .set({
      last_name: neutral.lastName,
      first_name: neutral.firstName,
      birth_date: neutral.birthDate,
      company: neutral.company,
      company_address: neutral.companyAddress,
      search_key: candidateSearchKey(neutral),
      anonymised_at: at,
    })
    .where('id', 'in', ids)
    .execute();
  const printed = await trx.selectFrom('attestations').select(['exam_id', 'snapshot']).where('exam_id', 'in', ids).where('snapshot', 'is not', null).execute();
  for (const row of printed) {
    const fields = JSON.parse(row.snapshot!) as AttestationFields;
    await trx
      .updateTable('attestations')
      .set({ snapshot: JSON.stringify({ ...fields, candidate: neutral }) })
      .where('exam_id', '=', row.exam_id)
      .execute();
  }
  return { exams: ids.length, attestations: printed.length };
}
