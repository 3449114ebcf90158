/**
 * Activities and tasks by (workspace, updated_at), as the other synced records
 * have: for `updated_at[gte]` walks and for finding a transaction's knock-on changes.
 * Frozen: migrations use an untyped Kysely and import no application code.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('activities_workspace_updated').on('activities').columns(['workspace_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('tasks_workspace_updated').on('tasks').columns(['workspace_id', 'updated_at', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('tasks_workspace_updated').execute();
  await db.schema.dropIndex('activities_workspace_updated').execute();
}
