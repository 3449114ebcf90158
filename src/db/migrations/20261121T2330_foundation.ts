/**
 * Workspaces, users, API keys, companies and contacts.
 * Frozen: migrations use an untyped Kysely and import no application code.
 * Types are chosen to mean the same in SQLite and PostgreSQL.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('plan', 'text')
    .addColumn('change_clock', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_workspace_email').unique().on('users').columns(['workspace_id', 'email']).execute();
  await db.schema.createIndex('users_workspace_created').on('users').columns(['workspace_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('grants', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .addColumn('rate_limit_per_minute', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_keys_secret_hash').unique().on('api_keys').column('secret_hash').execute();
  await db.schema.createIndex('api_keys_workspace_created').on('api_keys').columns(['workspace_id', 'created_at', 'id']).execute();

  const address = <T extends { addColumn: (name: string, type: 'text') => T }>(table: T): T =>
    table
      .addColumn('address_street', 'text')
      .addColumn('address_city', 'text')
      .addColumn('address_state', 'text')
      .addColumn('address_postal_code', 'text')
      .addColumn('address_country', 'text');

  await address(
    db.schema
      .createTable('companies')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('domain', 'text')
      .addColumn('industry', 'text')
      .addColumn('employee_count', 'integer')
      .addColumn('phone', 'text')
      .addColumn('website', 'text')
      .addColumn('owner_id', 'text', (c) => c.references('users.id'))
      .addColumn('custom_fields', 'text', (c) => c.notNull()),
  )
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('companies_workspace_domain').unique().on('companies').columns(['workspace_id', 'domain']).execute();
  await db.schema.createIndex('companies_workspace_created').on('companies').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('companies_workspace_updated').on('companies').columns(['workspace_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('companies_workspace_name').on('companies').columns(['workspace_id', 'name']).execute();

  await address(
    db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
      .addColumn('first_name', 'text')
      .addColumn('last_name', 'text')
      .addColumn('email', 'text')
      .addColumn('emails', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('phones', 'text', (c) => c.notNull())
      .addColumn('title', 'text')
      .addColumn('company_id', 'text', (c) => c.references('companies.id'))
      .addColumn('owner_id', 'text', (c) => c.references('users.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('source', 'text')
      .addColumn('custom_fields', 'text', (c) => c.notNull()),
  )
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('contacts_workspace_created').on('contacts').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('contacts_workspace_updated').on('contacts').columns(['workspace_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('contacts_workspace_last_name').on('contacts').columns(['workspace_id', 'last_name']).execute();
  await db.schema.createIndex('contacts_company').on('contacts').column('company_id').execute();
  await db.schema.createIndex('contacts_owner').on('contacts').column('owner_id').execute();

  await db.schema
    .createTable('contact_emails')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('label', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('contact_emails_pk', ['workspace_id', 'email'])
    .execute();
  await db.schema.createIndex('contact_emails_contact').on('contact_emails').column('contact_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['contact_emails', 'contacts', 'companies', 'api_keys', 'users', 'workspaces']) {
    await db.schema.dropTable(table).execute();
  }
}
