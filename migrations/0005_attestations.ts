import { sql, type Kysely } from 'kysely';
import { autoId, bytes } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // What the attestation's « Je, soussigné(e) … » and « Fait à … » need, and the header's telephone.
  await db.schema
    .createTable('centre_stamps')
    .addColumn('id', 'integer', autoId(db))
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('mime', 'text', (c) => c.notNull().check(sql`mime in ('image/png', 'image/jpeg')`))
    .addColumn('data', bytes(db), (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('centres').addColumn('representative_name', 'text').execute();
  await db.schema.alterTable('centres').addColumn('representative_title', 'text').execute();
  await db.schema.alterTable('centres').addColumn('town', 'text').execute();
  await db.schema.alterTable('centres').addColumn('phone', 'text').execute();
  // A stamp replaced later stays in centre_stamps: an attestation printed with it reprints with it.
  await db.schema
    .alterTable('centres')
    .addColumn('stamp_id', 'integer', (c) => c.references('centre_stamps.id'))
    .execute();

  await db.schema.alterTable('exams').addColumn('company_address', 'text').execute();

  await db.schema
    .createTable('attestations')
    .addColumn('exam_id', 'integer', (c) => c.primaryKey().references('exams.id'))
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('admis', 'echec')`))
    .addColumn('issued_at', 'text', (c) => c.notNull())
    // The fields as first printed (JSON), so that a reprint years later is the same document.
    .addColumn('snapshot', 'text')
    .addColumn('printed_at', 'text')
    .addColumn('corrected_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('cancel_reason', 'text')
    .execute();

  await db.schema
    .createTable('attestation_print_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('centre_id', 'integer', (c) => c.notNull().references('centres.id'))
    .addColumn('exam_session_id', 'integer', (c) => c.notNull().references('exam_sessions.id'))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('admis', 'echec')`))
    .addColumn('requested_by', 'integer', (c) => c.references('accounts.id'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('running', 'done', 'failed')`))
    .addColumn('done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('pdf', bytes(db))
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('attestation_print_jobs_created').on('attestation_print_jobs').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('attestation_print_jobs').execute();
  await db.schema.dropTable('attestations').execute();
  await db.schema.alterTable('exams').dropColumn('company_address').execute();
  for (const column of ['stamp_id', 'phone', 'town', 'representative_title', 'representative_name']) {
    await db.schema.alterTable('centres').dropColumn(column).execute();
  }
  await db.schema.dropTable('centre_stamps').execute();
}
