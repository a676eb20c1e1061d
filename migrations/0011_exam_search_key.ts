import { sql, type Kysely } from 'kysely';

/**
 * The key a centre finds a past candidate by (issue 12): names and company with accents, case and
 * apostrophes folded, as src/domain/search-key.ts writes it for new exams. This copy is the rule as
 * it stood when the migration shipped: a migration never imports code that will change.
 */
function frozenSearchKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ß/g, 'ss')
    .replace(/[’'‘`-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('exams')
    .addColumn('search_key', 'text', (c) => c.notNull().defaultTo(''))
    .execute();
  const rows = await sql<{ id: number; last_name: string; first_name: string; company: string | null }>`
    select id, last_name, first_name, company from exams`.execute(db);
  for (const row of rows.rows) {
    const key = frozenSearchKey(`${row.last_name} ${row.first_name} ${row.company ?? ''}`);
    await sql`update exams set search_key = ${key} where id = ${row.id}`.execute(db);
  }
  // A session's candidates (its page, its report, the archives' counts) are read by session.
  await db.schema.createIndex('exams_session').on('exams').column('exam_session_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('exams_session').execute();
  await db.schema.alterTable('exams').dropColumn('search_key').execute();
}
