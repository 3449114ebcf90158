/**
 * How many enabled webhook endpoints a workspace has, on the workspace row that
 * every write transaction already updates (the change clock): a write in a
 * workspace without endpoints need not look for subscribers to its events.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('webhook_endpoints_enabled', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update workspaces set webhook_endpoints_enabled = (select count(*) from webhook_endpoints e where e.workspace_id = workspaces.id and e.enabled = 1)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').dropColumn('webhook_endpoints_enabled').execute();
}
