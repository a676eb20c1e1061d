import { sql } from 'kysely';
import type { Queryable } from '../../../db/schema.js';

/**
 * A session belongs to the archives once it is over: closed, or its day past (a session left open
 * closes by itself at midnight). Today's sessions still being run stay on the sessions page.
 */
function archived(db: Queryable, centreId: number, today: string) {
  return db
    .selectFrom('exam_sessions as s')
    .where('s.centre_id', '=', centreId)
    .where((eb) => eb.or([eb('s.date', '<', today), eb('s.status', '=', 'closed')]));
}

/** The years the centre has archived sessions in, latest first. */
export async function archiveYears(db: Queryable, centreId: number, today: string): Promise<number[]> {
  const rows = await archived(db, centreId, today)
    .select(sql<string>`substr(s.date, 1, 4)`.as('year'))
    .distinct()
    .orderBy('year', 'desc')
    .execute();
  return rows.map((r) => Number(r.year));
}

/** A year's archived sessions, latest first, with how many candidates sat and how many were admitted. */
export async function archivedSessions(db: Queryable, centreId: number, year: number, today: string) {
  const rows = await archived(db, centreId, today)
    .leftJoin('exams as e', 'e.exam_session_id', 's.id')
    .where('s.date', '>=', `${year}-01-01`)
    .where('s.date', '<=', `${year}-12-31`)
    .select((eb) => [
      's.id',
      's.date',
      's.start_time',
      's.room',
      's.supervisor',
      eb.fn.count<number>('e.id').as('candidates'),
      eb.fn
        .count<number>('e.id')
        .filterWhere((w) => w.and([w('e.passed', '=', 1), w('e.cancelled_at', 'is', null)]))
        .as('admitted'),
    ])
    .groupBy('s.id')
    .orderBy('s.date', 'desc')
    .orderBy('s.start_time', 'desc')
    .execute();
  return rows.map((r) => ({ ...r, candidates: Number(r.candidates), admitted: Number(r.admitted) }));
}
