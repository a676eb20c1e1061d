import type { Kysely } from 'kysely';
import { equalsWithoutIndex, withoutIndex } from '../../../db/portable.js';
import type { Database } from '../../../db/schema.js';
import { formatCentreId } from '../../../domain/centre-id.js';
import type { CentreCounters, MonthCounters, VersionRef } from '../../../domain/figures.js';
import { parisMonth } from '../../../domain/paris-time.js';

/** The national figures of the administrator's dashboard. */
export async function nationalCounts(db: Kysely<Database>): Promise<{ centreCount: number; managerCount: number }> {
  const [centres, managers] = await Promise.all([
    db
      .selectFrom('centres')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'manager')
      .executeTakeFirstOrThrow(),
  ]);
  return { centreCount: Number(centres.n), managerCount: Number(managers.n) };
}

/** The first month any figure was counted in (the period filter starts there), or null. */
export async function firstFiguresMonth(db: Kysely<Database>): Promise<string | null> {
  const row = await db
    .selectFrom('exam_figures')
    .select((eb) => eb.fn.min('month').as('first'))
    .executeTakeFirst();
  return row?.first ?? null;
}

export interface Period {
  from: string;
  to: string;
  /** One centre's figures; the whole platform's without it. */
  centreId?: number;
}

/**
 * The counters of the period summed per month and version, plus the exams running now (which the
 * counters take in only at their end), from the index of unfinished exams: a handful of rows.
 */
export async function monthCounters(db: Kysely<Database>, period: Period): Promise<MonthCounters[]> {
  const { from, to, centreId } = period;
  const [counted, running] = await Promise.all([
    db
      .selectFrom('exam_figures')
      .select((eb) => [
        'month',
        'questionnaire_id',
        eb.fn.sum<number>('finished').as('finished'),
        eb.fn.sum<number>('passed').as('passed'),
        eb.fn.sum<number>('cancelled').as('cancelled'),
        eb.fn.sum<number>('score_sum').as('score_sum'),
        eb.fn.sum<number>('maximum_sum').as('maximum_sum'),
        eb.fn.sum<number>('tokens_issued').as('tokens_issued'),
      ])
      .where('month', '>=', from)
      .where('month', '<=', to)
      .$if(centreId !== undefined, (q) => q.where('centre_id', '=', centreId!))
      .groupBy(['month', 'questionnaire_id'])
      .execute(),
    db
      .selectFrom('exams')
      .select(['started_at', 'questionnaire_id'])
      .where('finished_at', 'is', null)
      // The index of unfinished exams (a handful), not the centre's whole history.
      .$if(centreId !== undefined, (q) => q.where(equalsWithoutIndex(db, 'centre_id', centreId!)))
      .execute(),
  ]);
  const rows = new Map<string, MonthCounters>();
  for (const c of counted) {
    rows.set(`${c.month}|${c.questionnaire_id}`, {
      month: c.month,
      questionnaireId: c.questionnaire_id,
      finished: Number(c.finished),
      passed: Number(c.passed),
      cancelled: Number(c.cancelled),
      scoreSum: Number(c.score_sum),
      maximumSum: Number(c.maximum_sum),
      tokensIssued: Number(c.tokens_issued),
      running: 0,
    });
  }
  for (const exam of running) {
    const month = parisMonth(new Date(exam.started_at));
    if (month < from || month > to) continue;
    const key = `${month}|${exam.questionnaire_id}`;
    const row = rows.get(key) ?? {
      month,
      questionnaireId: exam.questionnaire_id,
      finished: 0,
      passed: 0,
      cancelled: 0,
      scoreSum: 0,
      maximumSum: 0,
      tokensIssued: 0,
      running: 0,
    };
    row.running += 1;
    rows.set(key, row);
  }
  return [...rows.values()];
}

/** Every centre with a scored exam in the period, its counts summed over the period's months. */
export async function centreCounters(db: Kysely<Database>, period: Period): Promise<CentreCounters[]> {
  // Centre after centre through the covering index (centre_id, month, …): already grouped, never
  // sorted nor looked up, where the primary key's range of months would need both.
  const month = withoutIndex<string>(db, 'month');
  const totals = db
    .selectFrom('exam_figures')
    .select((eb) => ['centre_id', eb.fn.sum<number>('finished').as('finished'), eb.fn.sum<number>('passed').as('passed')])
    .where(month, '>=', period.from)
    .where(month, '<=', period.to)
    .groupBy('centre_id')
    .having((eb) => eb.fn.sum('finished'), '>', 0)
    .as('f');
  const rows = await db
    .selectFrom(totals)
    .innerJoin('centres as c', 'c.id', 'f.centre_id')
    .select(['f.centre_id', 'c.name', 'f.finished', 'f.passed'])
    .execute();
  return rows.map((r) => ({ centreId: r.centre_id, code: formatCentreId(r.centre_id), name: r.name, finished: Number(r.finished), passed: Number(r.passed) }));
}

/** Every questionnaire version (a handful): the figures name them by profile and version. */
export async function versionRefs(db: Kysely<Database>): Promise<VersionRef[]> {
  return db.selectFrom('questionnaires').select(['id', 'profile', 'version']).execute();
}

/** The counters row by row, for the CSV: month, centre, version. */
export async function figuresRows(db: Kysely<Database>, period: Period) {
  return (
    db
      .selectFrom('exam_figures as f')
      .innerJoin('centres as c', 'c.id', 'f.centre_id')
      .innerJoin('questionnaires as q', 'q.id', 'f.questionnaire_id')
      .select([
        'f.month',
        'f.centre_id',
        'c.name',
        'q.profile',
        'q.version',
        'f.finished',
        'f.passed',
        'f.cancelled',
        'f.score_sum',
        'f.maximum_sum',
        'f.tokens_issued',
      ])
      .where('f.month', '>=', period.from)
      .where('f.month', '<=', period.to)
      .$if(period.centreId !== undefined, (q) => q.where('f.centre_id', '=', period.centreId!))
      // The primary key's order: read in its order, never sorted.
      .orderBy('f.month')
      .orderBy('f.centre_id')
      .orderBy('f.questionnaire_id')
      .execute()
  );
}
