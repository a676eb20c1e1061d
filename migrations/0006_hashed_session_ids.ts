import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

/**
 * Session rows are keyed by the SHA-256 of their id from now on (a copy of the database must hold no
 * cookie that signs anyone in): the rows already there are rekeyed, so that nobody is signed out.
 * The hash is written out here rather than imported: a migration never changes once shipped.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ id: string }>`select id from http_sessions`.execute(db);
  for (const { id } of rows.rows) {
    const key = createHash('sha256').update(id).digest('base64url');
    await sql`update http_sessions set id = ${key} where id = ${id}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // A hash cannot be reversed: the sessions are ended (people sign in again).
  await sql`delete from http_sessions`.execute(db);
}
