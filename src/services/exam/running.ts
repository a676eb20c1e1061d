import { sql, type RawBuilder } from 'kysely';

/**
 * An exam still in progress, as every reader must see it: not finished, and its time not run out —
 * unless it is paused, when its deadline may pass while its time stands still (the resumption moves
 * the deadline by the time paused). `table` is the exams table's name or alias in the query.
 */
export function stillRunning(table: string, now: Date): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${table}.${name}`);
  return sql<boolean>`(${column('finished_at')} is null and (${column('paused_at')} is not null or ${column('deadline_at')} > ${now.toISOString()}))`;
}

/**
 * An exam standing paused: paused and not over (a cancellation clears the pause; a finished exam has
 * none). `table` as for stillRunning.
 */
export function standingPaused(table: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(`${table}.paused_at`)} is not null and ${sql.ref(`${table}.finished_at`)} is null)`;
}
