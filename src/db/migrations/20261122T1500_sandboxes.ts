/**
 * Sandboxes: a workspace may be the sandbox of another. Deleting the parent
 * deletes its sandboxes, and deleting a sandbox deletes all of its data (every
 * table cascades from its workspace).
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('workspaces')
    .addColumn('parent_workspace_id', 'text', (c) => c.references('workspaces.id').onDelete('cascade'))
    .execute();
  await db.schema.createIndex('workspaces_parent').on('workspaces').columns(['parent_workspace_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('workspaces_parent').execute();
  await db.schema.alterTable('workspaces').dropColumn('parent_workspace_id').execute();
}
