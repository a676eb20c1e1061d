import { sql, type Kysely } from 'kysely';

/**
 * The item analysis' flags changed (a discrimination below −0.1, a strong distractor of at least two
 * upper-group choosers 10 points ahead): the cached analyses hold flags of the old rules, and the
 * hourly job recomputes a version only when its exams change. Emptied, they are all computed again
 * at the job's next run; until then the page says they are not computed yet.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`delete from item_statistics`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to restore: the job fills the cache again by itself.
}
