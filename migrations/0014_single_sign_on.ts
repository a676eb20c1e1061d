import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // What the administrator reads on a manager's page: when the account last signed in, and how.
  await db.schema.alterTable('accounts').addColumn('last_sign_in_at', 'text').execute();
  await db.schema
    .alterTable('accounts')
    .addColumn('last_sign_in_method', 'text', (c) => c.check(sql`last_sign_in_method in ('mot de passe', 'oidc', 'cas')`))
    .execute();
  // The subject an identity provider gave the account, one per provider. The e-mail stays the key that
  // links a provider's account to ours; the subject is remembered so that a change is seen and audited.
  await db.schema
    .createTable('account_identities')
    .addColumn('account_id', 'integer', (c) => c.notNull().references('accounts.id'))
    .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('oidc', 'cas')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'text', (c) => c.notNull())
    .addColumn('last_used_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('account_identities_pk', ['account_id', 'provider'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_identities').execute();
  await db.schema.alterTable('accounts').dropColumn('last_sign_in_method').execute();
  await db.schema.alterTable('accounts').dropColumn('last_sign_in_at').execute();
}
