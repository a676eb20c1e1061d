import { PostgresAdapter, sql, type DialectAdapter, type ColumnDataType, type ColumnDefinitionBuilder, type Expression, type Kysely } from 'kysely';

// What differs between SQLite (the embedded default) and PostgreSQL in the migrations, in one place:
// every migration runs on both and leaves the same tables, columns, constraints and guarantees.

/** Any Kysely or transaction, whatever its tables (the application's code asks too, src/db/portable.ts). */
export function isPostgres(db: { getExecutor(): { readonly adapter: DialectAdapter } }): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** An integer primary key the database numbers itself (an explicit value stays possible). */
export function autoId(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  return isPostgres(db) ? (c) => c.primaryKey().generatedByDefaultAsIdentity() : (c) => c.primaryKey().autoIncrement();
}

/** Bytes (a stamp image, a PDF): SQLite's blob, PostgreSQL's bytea. */
export function bytes(db: Kysely<unknown>): ColumnDataType | Expression<unknown> {
  return isPostgres(db) ? sql`bytea` : 'blob';
}

/**
 * Text compared without regard to case (an e-mail address): SQLite's `collate nocase`, PostgreSQL's
 * citext (a trusted extension: the database's owner may create it), so that `=` and the unique
 * constraint ignore case on both.
 */
export async function caseInsensitiveText(
  db: Kysely<unknown>,
): Promise<{ type: ColumnDataType | Expression<unknown>; modify: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder }> {
  if (!isPostgres(db)) return { type: 'text', modify: (c) => c.modifyEnd(sql`collate nocase`) };
  await sql`create extension if not exists citext`.execute(db);
  return { type: sql`citext`, modify: (c) => c };
}
