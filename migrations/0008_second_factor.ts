import type { Kysely } from 'kysely';
import { autoId } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // A time-based one-time password (RFC 6238): the shared secret, since when it is required, and the
  // last time step accepted, so that a code seen over a shoulder cannot be used a second time.
  await db.schema.alterTable('accounts').addColumn('totp_secret', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('totp_enabled_at', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('totp_last_step', 'integer').execute();

  // Codes for the day the phone is lost: each works once; only their hashes are kept.
  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('recovery_codes_account').on('recovery_codes').column('account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('recovery_codes').execute();
  await db.schema.alterTable('accounts').dropColumn('totp_last_step').execute();
  await db.schema.alterTable('accounts').dropColumn('totp_enabled_at').execute();
  await db.schema.alterTable('accounts').dropColumn('totp_secret').execute();
}
