import { sql, type Kysely, type Transaction } from 'kysely';
import { isPostgres } from '../../migrations/dialect.js';
import type { Database } from './schema.js';

export { isPostgres };

/**
 * How a PostgreSQL transaction sees the others. `serializable`, the default, makes every lifecycle's
 * « read, decide, write » behave as if it ran alone, as SQLite's single writer makes it: two
 * instances starting an exam with one token, creating a centre or numbering attestations at once
 * cannot both decide on the same state. `read committed` is for a transaction that locks what it
 * reads first and must then see what others committed while it waited (finishing an exam reads the
 * answers after locking the exam row: the answer writer holds that row while it writes; checks of
 * one account's codes lock its row first).
 */
export type Isolation = 'serializable' | 'read committed';

// A serializable transaction that lost a race (40001) or a deadlock's victim (40P01) did nothing:
// running it again on the new state is PostgreSQL's documented answer.
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 8;

function isRetryable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && RETRYABLE.has((err as { code?: string }).code ?? '');
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The one way the platform writes several rows together. On SQLite, one transaction on the single
 * connection (writers already run one at a time). On PostgreSQL, at the isolation asked for, run
 * again when PostgreSQL refuses it for a concurrent one: `work` may therefore run more than once
 * and must do nothing but database work (no mail, no change in memory that outlives it).
 */
export async function transaction<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>) => Promise<T>,
  options: { isolation?: Isolation; oneAtATime?: keyof Database } = {},
): Promise<T> {
  if (!isPostgres(db)) return db.transaction().execute(work);
  const builder = db.transaction().setIsolationLevel(options.isolation ?? 'serializable');
  const table = options.oneAtATime;
  // `oneAtATime`: such transactions wait for each other rather than fail and run again, for a
  // table whose next row is numbered from the last one (centre0002, centre0003… with no gap): twenty
  // at once would otherwise retry each other out. LOCK TABLE comes first because it takes no
  // snapshot: what the previous holder committed is seen. Readers are not held up.
  const run = table
    ? async (trx: Transaction<Database>) => {
        await sql`lock table ${sql.table(table)} in share row exclusive mode`.execute(trx);
        return work(trx);
      }
    : work;
  for (let attempt = 1; ; attempt++) {
    try {
      return await builder.execute(run);
    } catch (err) {
      if (!isRetryable(err) || attempt >= ATTEMPTS) throw err;
      // Spread the retries, further each time: transactions that collided on a busy row must not
      // collide again at once (8 tries wait up to about 2.5 s in all).
      await pause(Math.random() * 10 * 2 ** attempt);
    }
  }
}
