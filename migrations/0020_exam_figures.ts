import { sql, type Kysely } from 'kysely';

/**
 * The national figures (issue 15) read from counters kept per month, centre and questionnaire
 * version, never from the exams themselves: the dashboard answers in the same time with 100,000
 * exams as with 100. The exam lifecycle keeps them in step from now on (src/services/exam/figures.ts);
 * here, the counters of the exams and token tables written before.
 */

// The month in Paris, as src/domain/paris-time.ts counted it when this migration shipped: a
// migration never imports code that will change.
const PARIS_MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit' });
function frozenParisMonth(iso: string): string {
  const parts = Object.fromEntries(PARIS_MONTH.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}`;
}

interface Counters {
  month: string;
  centre_id: number;
  questionnaire_id: number;
  finished: number;
  passed: number;
  cancelled: number;
  score_sum: number;
  maximum_sum: number;
  tokens_issued: number;
}

const READ_BATCH = 10_000;
const WRITE_BATCH = 100;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('exam_figures')
    .addColumn('month', 'text', (c) => c.notNull())
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('questionnaire_id', 'integer', (c) => c.notNull().references('questionnaires.id'))
    // Exams scored and not cancelled, counted in the month they started.
    .addColumn('finished', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('passed', 'integer', (c) => c.notNull().defaultTo(0))
    // Cancelled exams, whether they had ended or not: their tokens were used all the same.
    .addColumn('cancelled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('score_sum', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('maximum_sum', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens_issued', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('exam_figures_pk', ['month', 'centre_id', 'questionnaire_id'])
    .execute();
  // Each reading of the dashboard has an index holding every column it reads, in the order it groups
  // by: the rows are read from the index alone, already grouped, never looked up nor sorted (the
  // primary key serves the CSV, by month then centre). The platform's months by version:
  await db.schema
    .createIndex('exam_figures_month_version')
    .on('exam_figures')
    .columns(['month', 'questionnaire_id', 'finished', 'passed', 'cancelled', 'score_sum', 'maximum_sum', 'tokens_issued'])
    .execute();
  // One centre's months by version (its own page), and the centres over a period (the list of
  // centres, the distribution of their rates), read centre after centre:
  await db.schema
    .createIndex('exam_figures_centre')
    .on('exam_figures')
    .columns(['centre_id', 'month', 'questionnaire_id', 'finished', 'passed', 'cancelled', 'score_sum', 'maximum_sum', 'tokens_issued'])
    .execute();

  const counters = new Map<string, Counters>();
  const counterOf = (month: string, centreId: number, questionnaireId: number): Counters => {
    const key = `${month}|${centreId}|${questionnaireId}`;
    let row = counters.get(key);
    if (!row) {
      row = {
        month,
        centre_id: centreId,
        questionnaire_id: questionnaireId,
        finished: 0,
        passed: 0,
        cancelled: 0,
        score_sum: 0,
        maximum_sum: 0,
        tokens_issued: 0,
      };
      counters.set(key, row);
    }
    return row;
  };
  for (let after = 0; ;) {
    const { rows } = await sql<{
      id: number;
      centre_id: number;
      questionnaire_id: number;
      started_at: string;
      passed: number | null;
      score: number | null;
      maximum: number | null;
      cancelled_at: string | null;
    }>`select id, centre_id, questionnaire_id, started_at, passed, score, maximum, cancelled_at from exams
       where finished_at is not null and id > ${after} order by id limit ${READ_BATCH}`.execute(db);
    if (rows.length === 0) break;
    for (const exam of rows) {
      const row = counterOf(frozenParisMonth(exam.started_at), exam.centre_id, exam.questionnaire_id);
      if (exam.cancelled_at !== null) row.cancelled += 1;
      else {
        row.finished += 1;
        row.passed += Number(exam.passed ?? 0);
        row.score_sum += Number(exam.score ?? 0);
        row.maximum_sum += Number(exam.maximum ?? 0);
      }
    }
    after = rows[rows.length - 1]!.id;
  }
  const { rows: batches } = await sql<{ centre_id: number; questionnaire_id: number; created_at: string; size: number }>`
    select centre_id, questionnaire_id, created_at, size from token_batches`.execute(db);
  for (const batch of batches) counterOf(frozenParisMonth(batch.created_at), batch.centre_id, batch.questionnaire_id).tokens_issued += Number(batch.size);

  const all = [...counters.values()];
  for (let i = 0; i < all.length; i += WRITE_BATCH) {
    await (db as Kysely<{ exam_figures: Counters }>)
      .insertInto('exam_figures')
      .values(all.slice(i, i + WRITE_BATCH))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exam_figures').execute();
}
