import type { Queryable } from '../../db/schema.js';

/**
 * An attestation with everything its document needs, read live (the snapshot, once printed, wins).
 * `centreId` scopes the read to a centre (null: the administrator, any centre).
 */
function attestationRows(db: Queryable, centreId: number | null) {
  let query = db
    .selectFrom('attestations as a')
    .innerJoin('exams as e', 'e.id', 'a.exam_id')
    .innerJoin('exam_sessions as s', 's.id', 'e.exam_session_id')
    .innerJoin('centres as c', 'c.id', 'e.centre_id')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .innerJoin('exam_tokens as t', 't.id', 'e.token_id')
    .select([
      'a.exam_id',
      'a.number',
      'a.kind',
      'a.issued_at',
      'a.snapshot',
      'a.printed_at',
      'a.corrected_at',
      'a.cancelled_at',
      'a.cancel_reason',
      'e.centre_id',
      'e.last_name',
      'e.first_name',
      'e.birth_date',
      'e.company',
      'e.company_address',
      'e.anonymised_at',
      's.id as session_id',
      's.date as exam_date',
      's.supervisor',
      'q.profile',
      't.code as token_code',
      'c.name as centre_name',
      'c.address as centre_address',
      'c.contact_email as centre_email',
      'c.phone as centre_phone',
      'c.town as centre_town',
      'c.representative_name',
      'c.representative_title',
      'c.stamp_id',
    ]);
  if (centreId !== null) query = query.where('e.centre_id', '=', centreId);
  return query;
}

export type AttestationRow = NonNullable<Awaited<ReturnType<typeof findAttestationOfExam>>>;

export function findAttestationOfExam(db: Queryable, centreId: number | null, examId: number) {
  return attestationRows(db, centreId).where('a.exam_id', '=', examId).executeTakeFirst();
}

export function findAttestationByNumber(db: Queryable, number: string) {
  return attestationRows(db, null).where('a.number', '=', number).executeTakeFirst();
}

const FRENCH_ORDER = new Intl.Collator('fr', { sensitivity: 'base', numeric: true });

/**
 * A session's attestations of one kind, in alphabetical order as French sorts names (« de Villiers »
 * and « Éluard » where a reader looks for them, not after Z as SQLite's byte order puts them).
 */
export async function listSessionAttestations(db: Queryable, centreId: number, sessionId: number, kind: 'admis' | 'echec') {
  const rows = await attestationRows(db, centreId).where('s.id', '=', sessionId).where('a.kind', '=', kind).where('a.cancelled_at', 'is', null).execute();
  return rows.sort((a, b) => FRENCH_ORDER.compare(a.last_name, b.last_name) || FRENCH_ORDER.compare(a.first_name, b.first_name) || a.exam_id - b.exam_id);
}

/** How many attestations of each kind a session can print (cancelled ones are not printed). */
export async function countSessionAttestations(db: Queryable, centreId: number, sessionId: number): Promise<{ admis: number; echec: number }> {
  const rows = await db
    .selectFrom('attestations as a')
    .innerJoin('exams as e', 'e.id', 'a.exam_id')
    .select(['a.kind', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.centre_id', '=', centreId)
    .where('e.exam_session_id', '=', sessionId)
    .where('a.cancelled_at', 'is', null)
    .groupBy('a.kind')
    .execute();
  return { admis: Number(rows.find((r) => r.kind === 'admis')?.n ?? 0), echec: Number(rows.find((r) => r.kind === 'echec')?.n ?? 0) };
}

export function findStamp(db: Queryable, stampId: number) {
  return db.selectFrom('centre_stamps').select(['id', 'mime', 'data']).where('id', '=', stampId).executeTakeFirst();
}

/** A job of the centre's session (another centre's, or another session's, is not found). */
export function findJob(db: Queryable, scope: { centreId: number; sessionId: number }, jobId: string) {
  return db
    .selectFrom('attestation_print_jobs')
    .select(['id', 'kind', 'status', 'done', 'total', 'error', 'created_at', 'finished_at'])
    .where('id', '=', jobId)
    .where('centre_id', '=', scope.centreId)
    .where('exam_session_id', '=', scope.sessionId)
    .executeTakeFirst();
}

/** A finished job's PDF, while it is kept (`since`: the oldest creation time still offered). */
export function findJobPdf(db: Queryable, scope: { centreId: number; sessionId: number }, jobId: string, since: string) {
  return db
    .selectFrom('attestation_print_jobs')
    .select(['pdf', 'kind', 'total'])
    .where('id', '=', jobId)
    .where('created_at', '>=', since)
    .where('centre_id', '=', scope.centreId)
    .where('exam_session_id', '=', scope.sessionId)
    .where('status', '=', 'done')
    .executeTakeFirst();
}

/** The centre's session prints still running (created after `since`: older ones were cut short by a restart). */
export function findRunningJobs(db: Queryable, centreId: number, since: string) {
  return db
    .selectFrom('attestation_print_jobs')
    .select(['id', 'exam_session_id', 'kind'])
    .where('centre_id', '=', centreId)
    .where('status', '=', 'running')
    .where('created_at', '>=', since)
    .execute();
}
