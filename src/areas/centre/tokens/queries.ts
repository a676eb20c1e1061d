import type { Queryable } from '../../../db/schema.js';
import type { QuestionnaireStatus, TokenStatus } from '../../../domain/statuses.js';
import { PROFILE_LABELS, type Profile } from '../../../domain/profiles.js';

export interface QuestionnaireRef {
  id: number;
  profile: Profile;
  profileLabel: string;
  version: string;
  title: string;
}

export interface TokenCounts {
  available: number;
  used: number;
  revoked: number;
}

export interface QuestionnaireStock extends QuestionnaireRef, TokenCounts {}

export interface BatchSummary extends TokenCounts {
  id: number;
  centreId: number;
  questionnaire: QuestionnaireRef & { status: QuestionnaireStatus };
  size: number;
  createdAt: string;
  createdBy: string;
}

export interface BatchToken {
  id: number;
  code: string;
  status: TokenStatus;
  usedAt: string | null;
  revokedAt: string | null;
  /** The exam this token started, once used. */
  examId: number | null;
}

const countsOf = (row: { available: number | null; used: number | null; revoked: number | null }): TokenCounts => ({
  available: Number(row.available ?? 0),
  used: Number(row.used ?? 0),
  revoked: Number(row.revoked ?? 0),
});

function ref(row: { id: number; profile: Profile; version: string; title: string }): QuestionnaireRef {
  return { id: row.id, profile: row.profile, profileLabel: PROFILE_LABELS[row.profile], version: row.version, title: row.title };
}

/** The published questionnaires, by profile, newest publication first. */
export async function listPublishedQuestionnaires(db: Queryable): Promise<QuestionnaireRef[]> {
  const rows = await db
    .selectFrom('questionnaires')
    .select(['id', 'profile', 'version', 'title'])
    .where('status', '=', 'published')
    .orderBy('profile')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(ref);
}

export async function getPublishedQuestionnaire(db: Queryable, id: number): Promise<QuestionnaireRef | null> {
  const row = await db
    .selectFrom('questionnaires')
    .select(['id', 'profile', 'version', 'title'])
    .where('id', '=', id)
    .where('status', '=', 'published')
    .executeTakeFirst();
  return row ? ref(row) : null;
}

/** The most recently published questionnaire of a profile, or null. */
export async function newestPublishedQuestionnaire(db: Queryable, profile: Profile): Promise<QuestionnaireRef | null> {
  const row = await db
    .selectFrom('questionnaires')
    .select(['id', 'profile', 'version', 'title'])
    .where('profile', '=', profile)
    .where('status', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return row ? ref(row) : null;
}

/**
 * For each published questionnaire, the centre's tokens available, used and revoked
 * (zero when the centre has none yet). For the token page and the manager's dashboard.
 */
export async function tokenStockByQuestionnaire(db: Queryable, centreId: number): Promise<QuestionnaireStock[]> {
  const rows = await db
    .selectFrom('questionnaires as q')
    .leftJoin('exam_tokens as t', (join) => join.onRef('t.questionnaire_id', '=', 'q.id').on('t.centre_id', '=', centreId))
    .select((eb) => [
      'q.id',
      'q.profile',
      'q.version',
      'q.title',
      eb.fn.count<number>('t.id').filterWhere('t.status', '=', 'available').as('available'),
      eb.fn.count<number>('t.id').filterWhere('t.status', '=', 'used').as('used'),
      eb.fn.count<number>('t.id').filterWhere('t.status', '=', 'revoked').as('revoked'),
    ])
    .where('q.status', '=', 'published')
    .groupBy('q.id')
    .orderBy('q.profile')
    .orderBy('q.published_at', 'desc')
    .orderBy('q.id', 'desc')
    .execute();
  return rows.map((r) => ({ ...ref(r), ...countsOf(r) }));
}

/** Available tokens of one questionnaire in one centre. */
export async function countAvailableTokens(db: Queryable, centreId: number, questionnaireId: number): Promise<number> {
  const row = await db
    .selectFrom('exam_tokens')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('centre_id', '=', centreId)
    .where('questionnaire_id', '=', questionnaireId)
    .where('status', '=', 'available')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function batchQuery(db: Queryable, centreId: number) {
  return (
    db
      .selectFrom('token_batches as b')
      .innerJoin('questionnaires as q', 'q.id', 'b.questionnaire_id')
      .leftJoin('exam_tokens as t', 't.batch_id', 'b.id')
      .select((eb) => [
        'b.id',
        'b.centre_id',
        'b.size',
        'b.created_at',
        'b.created_by',
        'q.id as questionnaire_id',
        'q.profile',
        'q.version',
        'q.title',
        'q.status as questionnaire_status',
        eb.fn.count<number>('t.id').filterWhere('t.status', '=', 'available').as('available'),
        eb.fn.count<number>('t.id').filterWhere('t.status', '=', 'used').as('used'),
        eb.fn.count<number>('t.id').filterWhere('t.status', '=', 'revoked').as('revoked'),
      ])
      .where('b.centre_id', '=', centreId)
      // q.id too: PostgreSQL takes a table's other columns only from the tables whose key is grouped.
      .groupBy(['b.id', 'q.id'])
  );
}

function toBatch(row: Awaited<ReturnType<ReturnType<typeof batchQuery>['executeTakeFirstOrThrow']>>): BatchSummary {
  return {
    id: row.id,
    centreId: row.centre_id,
    questionnaire: {
      ...ref({ id: row.questionnaire_id, profile: row.profile, version: row.version, title: row.title }),
      status: row.questionnaire_status,
    },
    size: row.size,
    createdAt: row.created_at,
    // The operator's command line writes « CLI »: not a word for a manager.
    createdBy: row.created_by === 'CLI' ? 'l’exploitation de la plateforme' : row.created_by,
    ...countsOf(row),
  };
}

/** The centre's batches, newest first, with their counts. */
export async function listBatches(db: Queryable, centreId: number): Promise<BatchSummary[]> {
  const rows = await batchQuery(db, centreId).orderBy('b.created_at', 'desc').orderBy('b.id', 'desc').execute();
  return rows.map(toBatch);
}

/** One batch of the centre, or null (also for another centre's batch: its URLs answer 404). */
export async function getBatch(db: Queryable, centreId: number, batchId: number): Promise<BatchSummary | null> {
  const row = await batchQuery(db, centreId).where('b.id', '=', batchId).executeTakeFirst();
  return row ? toBatch(row) : null;
}

/** The tokens of a batch of the centre, in the order they were generated. */
export async function listBatchTokens(db: Queryable, centreId: number, batchId: number): Promise<BatchToken[]> {
  const rows = await db
    .selectFrom('exam_tokens as t')
    .leftJoin('exams as e', 'e.token_id', 't.id')
    .select(['t.id', 't.code', 't.status', 't.used_at', 't.revoked_at', 'e.id as exam_id'])
    .where('t.batch_id', '=', batchId)
    .where('t.centre_id', '=', centreId)
    .orderBy('t.id')
    .execute();
  return rows.map((r) => ({ id: r.id, code: r.code, status: r.status, usedAt: r.used_at, revokedAt: r.revoked_at, examId: r.exam_id }));
}

export async function getBatchToken(db: Queryable, centreId: number, batchId: number, tokenId: number) {
  return db
    .selectFrom('exam_tokens')
    .select(['id', 'code', 'status'])
    .where('id', '=', tokenId)
    .where('batch_id', '=', batchId)
    .where('centre_id', '=', centreId)
    .executeTakeFirst();
}

export async function findCentreForTokens(db: Queryable, centreId: number) {
  return db.selectFrom('centres').select(['id', 'name', 'status', 'suspension_reason', 'low_stock_threshold']).where('id', '=', centreId).executeTakeFirst();
}
