import { sql, type Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('centres')
    .addColumn('low_stock_threshold', 'integer', (c) => c.notNull().defaultTo(10))
    .execute();

  await db.schema
    .createTable('account_links')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('activation', 'reset')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  await db.schema
    .createTable('exam_sessions')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('date', 'text', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('room', 'text', (c) => c.notNull())
    .addColumn('supervisor', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('planned')
        .check(sql`status in ('planned', 'open', 'closed')`),
    )
    .addColumn('opened_at', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('exam_sessions_centre_date').on('exam_sessions').columns(['centre_id', 'date']).execute();

  await db.schema
    .createTable('token_batches')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('questionnaire_id', 'integer', (c) => c.notNull().references('questionnaires.id'))
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('exam_tokens')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('batch_id', 'integer', (c) => c.notNull().references('token_batches.id'))
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('questionnaire_id', 'integer', (c) => c.notNull().references('questionnaires.id'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('available')
        .check(sql`status in ('available', 'used', 'revoked')`),
    )
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('exam_tokens_batch').on('exam_tokens').column('batch_id').execute();
  await db.schema.createIndex('exam_tokens_centre_status').on('exam_tokens').columns(['centre_id', 'questionnaire_id', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('exam_tokens').execute();
  await db.schema.dropTable('token_batches').execute();
  await db.schema.dropTable('exam_sessions').execute();
  await db.schema.dropTable('account_links').execute();
  await db.schema.alterTable('centres').dropColumn('low_stock_threshold').execute();
}
