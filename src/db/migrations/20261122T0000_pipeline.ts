/**
 * The sales pipeline: tags, pipelines and stages, leads, deals with their
 * contacts and stage history, activities and tasks.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

const timestamps = <T extends { addColumn: (name: string, type: 'bigint' | 'integer', build: (c: any) => any) => T }>(table: T): T =>
  table
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull());

const workspaceColumn = (c: any) => c.notNull().references('workspaces.id').onDelete('cascade');

export async function up(db: Kysely<any>): Promise<void> {
  await timestamps(
    db.schema
      .createTable('tags')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', workspaceColumn)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('color', 'text'),
  ).execute();
  await db.schema.createIndex('tags_workspace_name').unique().on('tags').columns(['workspace_id', 'name_key']).execute();
  await db.schema.createIndex('tags_workspace_created').on('tags').columns(['workspace_id', 'created_at', 'id']).execute();

  // Which records carry which tags; record_type is contact, company, lead or deal.
  await db.schema
    .createTable('record_tags')
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('tag_id', 'text', (c) => c.notNull().references('tags.id').onDelete('cascade'))
    .addColumn('record_type', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('record_tags_pk', ['record_type', 'record_id', 'tag_id'])
    .execute();
  await db.schema.createIndex('record_tags_tag').on('record_tags').columns(['tag_id', 'record_type']).execute();

  await timestamps(
    db.schema
      .createTable('pipelines')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', workspaceColumn)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0)),
  ).execute();
  await db.schema.createIndex('pipelines_workspace_created').on('pipelines').columns(['workspace_id', 'created_at', 'id']).execute();

  await timestamps(
    db.schema
      .createTable('stages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', workspaceColumn)
      .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('probability', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('stages_pipeline_position').on('stages').columns(['pipeline_id', 'position']).execute();
  await db.schema.createIndex('stages_workspace_created').on('stages').columns(['workspace_id', 'created_at', 'id']).execute();

  await timestamps(
    db.schema
      .createTable('leads')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', workspaceColumn)
      .addColumn('first_name', 'text', (c) => c.notNull())
      .addColumn('last_name', 'text', (c) => c.notNull())
      // lower-cased, single-spaced "first|last|company", for the name rule of dedup
      .addColumn('name_key', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('phone', 'text')
      .addColumn('company_name', 'text')
      .addColumn('website', 'text')
      .addColumn('source', 'text')
      .addColumn('address', 'text')
      .addColumn('city', 'text')
      .addColumn('state', 'text')
      .addColumn('zipcode', 'text')
      .addColumn('country', 'text')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('owner_id', 'text', (c) => c.references('users.id'))
      .addColumn('created_by', 'text', (c) => c.references('users.id'))
      .addColumn('custom_fields', 'text', (c) => c.notNull())
      .addColumn('converted_at', 'bigint')
      .addColumn('converted_contact_id', 'text')
      .addColumn('converted_company_id', 'text')
      .addColumn('converted_deal_id', 'text'),
  ).execute();
  await db.schema.createIndex('leads_workspace_email').unique().on('leads').columns(['workspace_id', 'email']).execute();
  await db.schema.createIndex('leads_workspace_name_key').on('leads').columns(['workspace_id', 'name_key']).execute();
  await db.schema.createIndex('leads_workspace_created').on('leads').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('leads_workspace_updated').on('leads').columns(['workspace_id', 'updated_at', 'id']).execute();

  await timestamps(
    db.schema
      .createTable('deals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', workspaceColumn)
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('amount', 'bigint')
      .addColumn('currency', 'text')
      .addColumn('pipeline_id', 'text', (c) => c.notNull().references('pipelines.id'))
      .addColumn('stage_id', 'text', (c) => c.notNull().references('stages.id'))
      .addColumn('status', 'text', (c) => c.notNull())
      // null: the stage's probability applies
      .addColumn('probability', 'integer')
      .addColumn('owner_id', 'text', (c) => c.references('users.id'))
      .addColumn('company_id', 'text', (c) => c.references('companies.id'))
      .addColumn('expected_close_date', 'text')
      .addColumn('closed_at', 'bigint')
      .addColumn('lost_reason', 'text')
      .addColumn('source', 'text')
      .addColumn('custom_fields', 'text', (c) => c.notNull())
      .addColumn('stage_entered_at', 'bigint', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('deals_workspace_created').on('deals').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('deals_workspace_updated').on('deals').columns(['workspace_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('deals_workspace_stage').on('deals').columns(['workspace_id', 'stage_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('deals_pipeline').on('deals').columns(['pipeline_id']).execute();
  await db.schema.createIndex('deals_company').on('deals').columns(['company_id']).execute();
  await db.schema.createIndex('deals_owner').on('deals').columns(['owner_id']).execute();

  await db.schema
    .createTable('deal_contacts')
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('deal_id', 'text', (c) => c.notNull().references('deals.id').onDelete('cascade'))
    .addColumn('contact_id', 'text', (c) => c.notNull().references('contacts.id').onDelete('cascade'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('deal_contacts_pk', ['deal_id', 'contact_id'])
    .execute();
  await db.schema.createIndex('deal_contacts_contact').on('deal_contacts').column('contact_id').execute();

  await db.schema
    .createTable('deal_stage_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', workspaceColumn)
    .addColumn('deal_id', 'text', (c) => c.notNull().references('deals.id').onDelete('cascade'))
    .addColumn('from_stage_id', 'text')
    .addColumn('to_stage_id', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .addColumn('changed_by', 'text')
    .addColumn('ms_in_previous_stage', 'bigint')
    .execute();
  await db.schema.createIndex('deal_stage_changes_deal').on('deal_stage_changes').columns(['deal_id', 'changed_at', 'id']).execute();
  await db.schema.createIndex('deal_stage_changes_workspace').on('deal_stage_changes').columns(['workspace_id', 'changed_at']).execute();

  const links = <T extends { addColumn: (name: string, type: 'text', build?: (c: any) => any) => T }>(table: T): T =>
    table
      .addColumn('contact_id', 'text', (c) => c.references('contacts.id'))
      .addColumn('company_id', 'text', (c) => c.references('companies.id'))
      .addColumn('deal_id', 'text', (c) => c.references('deals.id'))
      .addColumn('lead_id', 'text', (c) => c.references('leads.id'));

  await timestamps(
    links(
      db.schema
        .createTable('activities')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', workspaceColumn)
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text')
        .addColumn('occurred_at', 'bigint', (c) => c.notNull())
        .addColumn('duration_seconds', 'integer')
        .addColumn('direction', 'text')
        .addColumn('outcome', 'text')
        .addColumn('logged_by', 'text', (c) => c.references('users.id'))
        .addColumn('source', 'text')
        .addColumn('external_id', 'text')
        .addColumn('custom_fields', 'text', (c) => c.notNull()),
    ),
  ).execute();
  await db.schema.createIndex('activities_workspace_external').unique().on('activities').columns(['workspace_id', 'source', 'external_id']).execute();
  await db.schema.createIndex('activities_workspace_created').on('activities').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('activities_workspace_occurred').on('activities').columns(['workspace_id', 'occurred_at', 'id']).execute();
  for (const link of ['contact_id', 'company_id', 'deal_id', 'lead_id']) {
    await db.schema.createIndex(`activities_${link}`).on('activities').column(link).execute();
  }

  await timestamps(
    links(
      db.schema
        .createTable('tasks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('workspace_id', 'text', workspaceColumn)
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('due_at', 'bigint')
        .addColumn('priority', 'text', (c) => c.notNull())
        .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('completed_at', 'bigint')
        .addColumn('custom_fields', 'text', (c) => c.notNull()),
    ),
  ).execute();
  await db.schema.createIndex('tasks_workspace_created').on('tasks').columns(['workspace_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('tasks_workspace_due').on('tasks').columns(['workspace_id', 'status', 'due_at']).execute();
  for (const link of ['contact_id', 'company_id', 'deal_id', 'lead_id', 'assignee_id']) {
    await db.schema.createIndex(`tasks_${link}`).on('tasks').column(link).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['tasks', 'activities', 'deal_stage_changes', 'deal_contacts', 'deals', 'leads', 'stages', 'pipelines', 'record_tags', 'tags']) {
    await db.schema.dropTable(table).execute();
  }
}
