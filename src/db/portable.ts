import { sql, type RawBuilder } from 'kysely';
import { isPostgres } from '../../migrations/dialect.js';
import type { Queryable } from './schema.js';

// The few expressions that SQLite and PostgreSQL write differently, in one place (the migrations'
// differences are in migrations/dialect.ts). Times are ISO 8601 text on both.

/** Minutes from one stored time to another. */
export function minutesBetween(db: Queryable, from: string, to: string): RawBuilder<number> {
  return isPostgres(db)
    ? sql<number>`(extract(epoch from (cast(${sql.ref(to)} as timestamptz) - cast(${sql.ref(from)} as timestamptz))) / 60)`
    : sql<number>`((julianday(${sql.ref(to)}) - julianday(${sql.ref(from)})) * 1440)`;
}

/**
 * A column written so that SQLite's planner does not pick its index (unary +): where another index
 * is far narrower, or already in the order wanted. PostgreSQL's planner weighs both by their statistics.
 */
export function withoutIndex<T>(db: Queryable, column: string): RawBuilder<T> {
  return isPostgres(db) ? sql<T>`${sql.ref(column)}` : sql<T>`+${sql.ref(column)}`;
}

/** `column = value`, without the column's index on SQLite (see withoutIndex). */
export function equalsWithoutIndex(db: Queryable, column: string, value: number): RawBuilder<boolean> {
  return sql<boolean>`${withoutIndex(db, column)} = ${value}`;
}

/**
 * After rows were inserted with ids of their own (the demo centre is centre0001): PostgreSQL's
 * identity sequence does not see them and would hand the same number out next; SQLite's
 * AUTOINCREMENT already moved on.
 */
export async function advancePastExplicitIds(db: Queryable, table: 'centres'): Promise<void> {
  if (!isPostgres(db)) return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), (select max(id) from ${sql.table(table)}))`.execute(db);
}
