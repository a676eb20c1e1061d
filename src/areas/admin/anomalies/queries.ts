import { sql } from 'kysely';
import { minutesBetween } from '../../../db/portable.js';
import type { Queryable } from '../../../db/schema.js';
import { ANOMALY_WINDOW_DAYS, DONT_KNOW_SHARE, RUSHED_EXAM_MINUTES, SURGE_HISTORY_WEEKS } from '../../../domain/anomalies.js';

const DAY_MS = 24 * 60 * 60_000;
const LIST_LIMIT = 200;

const EXAM_COLUMNS = [
  'e.id',
  'e.centre_id',
  'c.name as centre_name',
  'e.last_name',
  'e.first_name',
  'e.started_at',
  'e.finished_at',
  'e.finish_reason',
  'e.score',
  'e.maximum',
] as const;

/**
 * Exams of the last ANOMALY_WINDOW_DAYS days that the candidate ended within RUSHED_EXAM_MINUTES
 * (src/domain/anomalies.ts `isRushed`, which the page applies again to what it shows), newest first.
 */
export function rushedExams(db: Queryable, now: Date) {
  const since = new Date(now.getTime() - ANOMALY_WINDOW_DAYS * DAY_MS).toISOString();
  return db
    .selectFrom('exams as e')
    .innerJoin('centres as c', 'c.id', 'e.centre_id')
    .select(EXAM_COLUMNS)
    .where('e.started_at', '>=', since)
    .where('e.finish_reason', '=', 'candidat')
    .where(minutesBetween(db, 'e.started_at', 'e.finished_at'), '<', RUSHED_EXAM_MINUTES)
    .orderBy('e.started_at', 'desc')
    .limit(LIST_LIMIT)
    .execute();
}

/** Finished exams of the window answered « Je ne sais pas » for DONT_KNOW_SHARE of their questions or more. */
export function dontKnowExams(db: Queryable, now: Date) {
  const since = new Date(now.getTime() - ANOMALY_WINDOW_DAYS * DAY_MS).toISOString();
  return (
    db
      .selectFrom('exams as e')
      .innerJoin('centres as c', 'c.id', 'e.centre_id')
      .innerJoin('exam_questions as eq', 'eq.exam_id', 'e.id')
      .select(EXAM_COLUMNS)
      .select((eb) => [eb.fn.sum<number>('eq.dont_know').as('dont_know'), eb.fn.countAll<number>().as('questions')])
      .where('e.started_at', '>=', since)
      .where('e.finished_at', 'is not', null)
      // c.id too: PostgreSQL takes a table's other columns only from the tables whose key is grouped.
      .groupBy(['e.id', 'c.id'])
      // The share cast: PostgreSQL would read a bare parameter beside count(*) as an integer.
      .having(sql<boolean>`sum(eq.dont_know) >= cast(${DONT_KNOW_SHARE} as double precision) * count(*)`)
      .orderBy('e.started_at', 'desc')
      .limit(LIST_LIMIT)
      .execute()
  );
}

/** Per centre: exams started in the last seven days, and in the SURGE_HISTORY_WEEKS weeks before. */
export function centreVolumes(db: Queryable, now: Date) {
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS).toISOString();
  const historyStart = new Date(now.getTime() - (7 + 7 * SURGE_HISTORY_WEEKS) * DAY_MS).toISOString();
  return db
    .selectFrom('exams as e')
    .innerJoin('centres as c', 'c.id', 'e.centre_id')
    .select(['c.id', 'c.name'])
    .select([
      sql<number>`sum(case when e.started_at >= ${weekAgo} then 1 else 0 end)`.as('last_week'),
      sql<number>`sum(case when e.started_at < ${weekAgo} then 1 else 0 end)`.as('history'),
    ])
    .where('e.started_at', '>=', historyStart)
    .groupBy('c.id')
    .execute();
}
