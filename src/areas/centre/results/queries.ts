import { containsText } from '../../../db/like.js';
import type { Queryable } from '../../../db/schema.js';
import { addDays, parisStartOfDay } from '../../../domain/paris-time.js';
import { RESULTS_PAGE_SIZE, type ResultsFilter } from '../../../domain/results-filter.js';

/** The centre's exams the filter keeps; every condition on an indexed column or on the centre's own rows. */
function filtered(db: Queryable, centreId: number, filter: ResultsFilter) {
  let query = db.selectFrom('exams as e').innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id').where('e.centre_id', '=', centreId);
  if (filter.from) query = query.where('e.started_at', '>=', parisStartOfDay(filter.from).toISOString());
  if (filter.to) query = query.where('e.started_at', '<', parisStartOfDay(addDays(filter.to, 1)).toISOString());
  if (filter.profile) query = query.where('q.profile', '=', filter.profile);
  if (filter.verdict === 'running') query = query.where('e.finished_at', 'is', null);
  else if (filter.verdict === 'cancelled') query = query.where('e.cancelled_at', 'is not', null);
  else if (filter.verdict) {
    query = query
      .where('e.finished_at', 'is not', null)
      .where('e.cancelled_at', 'is', null)
      .where('e.passed', '=', filter.verdict === 'passed' ? 1 : 0);
  }
  // LIKE's own wildcards in a typed word are searched for as themselves.
  for (const word of filter.words?.split(' ') ?? []) query = query.where(containsText('e.search_key', word));
  return query;
}

export async function countResults(db: Queryable, centreId: number, filter: ResultsFilter): Promise<number> {
  const row = await filtered(db, centreId, filter)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const COLUMNS = [
  'e.id',
  'e.exam_session_id',
  'e.last_name',
  'e.first_name',
  'e.birth_date',
  'e.company',
  'e.started_at',
  'e.finished_at',
  'e.finish_reason',
  'e.score',
  'e.maximum',
  'e.passed',
  'e.cancelled_at',
  'q.profile',
  'q.version',
] as const;

/**
 * One page of the centre's results, the latest exam first: the page's ids are picked from the
 * covering index (exams_centre_results, migration 0012), and only those 50 rows are then read, so a
 * far page costs no more than the first.
 */
export async function listResults(db: Queryable, centreId: number, filter: ResultsFilter, page: number) {
  const ids = filtered(db, centreId, filter)
    .select('e.id')
    .orderBy('e.started_at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(RESULTS_PAGE_SIZE)
    .offset((page - 1) * RESULTS_PAGE_SIZE);
  return db
    .selectFrom('exams as e')
    .innerJoin('questionnaires as q', 'q.id', 'e.questionnaire_id')
    .select(COLUMNS)
    .where('e.id', 'in', ids)
    .orderBy('e.started_at', 'desc')
    .orderBy('e.id', 'desc')
    .execute();
}

const CHUNK = 1000;

/**
 * Every result the filter keeps, for the CSV, a thousand at a time from where the last chunk ended
 * (latest first): memory stays flat in the number of rows, and no query holds the database while
 * a slow download drains (one long read would make every candidate's save wait behind it).
 */
export async function* resultsInChunks(db: Queryable, centreId: number, filter: ResultsFilter) {
  let after: { startedAt: string; id: number } | null = null;
  for (;;) {
    let query = filtered(db, centreId, filter).select(COLUMNS);
    if (after) {
      const { startedAt, id } = after;
      query = query.where((eb) => eb.or([eb('e.started_at', '<', startedAt), eb.and([eb('e.started_at', '=', startedAt), eb('e.id', '<', id)])]));
    }
    const rows = await query.orderBy('e.started_at', 'desc').orderBy('e.id', 'desc').limit(CHUNK).execute();
    yield* rows;
    if (rows.length < CHUNK) return;
    const last = rows.at(-1)!;
    after = { startedAt: last.started_at, id: last.id };
  }
}

export type ResultRow = Awaited<ReturnType<typeof listResults>>[number];
