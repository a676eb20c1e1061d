import { sql, type Kysely } from 'kysely';

/** The national default when the platform is installed: a busy centre's day, far from what extraction needs. */
const INITIAL_NATIONAL_QUOTA = 200;

export async function up(db: Kysely<unknown>): Promise<void> {
  // The platform's own settings: one row, set by the national administration.
  await db.schema
    .createTable('platform_settings')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('daily_token_quota', 'integer', (c) => c.notNull().check(sql`daily_token_quota > 0`))
    .execute();
  await sql`insert into platform_settings (id, daily_token_quota) values (1, ${INITIAL_NATIONAL_QUOTA})`.execute(db);

  // A centre's own quota of tokens issued per day; none means the national default.
  await db.schema
    .alterTable('centres')
    .addColumn('daily_token_quota', 'integer', (c) => c.check(sql`daily_token_quota > 0`))
    .execute();
  // The tokens a centre issued today are summed from its batches of the day.
  await db.schema.createIndex('token_batches_centre_created').on('token_batches').columns(['centre_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('token_batches_centre_created').execute();
  await db.schema.alterTable('centres').dropColumn('daily_token_quota').execute();
  await db.schema.dropTable('platform_settings').execute();
}
