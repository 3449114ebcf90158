/**
 * Indexes for the filters integrations use most, so that each is an index
 * look-up whatever the planner's statistics say (see src/db/list-rows.ts and
 * test/query-plans.test.ts): a record by its phone, by its owner, an activity
 * by its external id. Each ends with the default order (created_at, id), so
 * the first page of a filtered list reads 26 index entries and sorts nothing.
 * Email and tag filters look up their own tables' keys (contact_emails,
 * record_tags); stage has deals_workspace_stage already.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

const INDEXES: [name: string, table: string, column: string][] = [
  ['contacts_workspace_phone', 'contacts', 'phone'],
  ['companies_workspace_phone', 'companies', 'phone'],
  ['leads_workspace_phone', 'leads', 'phone'],
  ['contacts_workspace_owner', 'contacts', 'owner_id'],
  ['companies_workspace_owner', 'companies', 'owner_id'],
  ['leads_workspace_owner', 'leads', 'owner_id'],
  ['deals_workspace_owner', 'deals', 'owner_id'],
  ['activities_workspace_external_id', 'activities', 'external_id'],
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).columns(['workspace_id', column, 'created_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [name] of INDEXES) await db.schema.dropIndex(name).execute();
}
