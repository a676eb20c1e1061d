import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Nullable, so that the banks already imported stay as they are: a published bank is frozen by
  // the triggers of 0002, which watch whole rows and so cover these columns too.
  await db.schema.alterTable('questions').addColumn('image_description', 'text').execute();
  await db.schema.alterTable('questions').addColumn('reference', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('questions').dropColumn('reference').execute();
  await db.schema.alterTable('questions').dropColumn('image_description').execute();
}
