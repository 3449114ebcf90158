/**
 * Reference columns of rows that point at a deleted or merged record: cleared,
 * or moved to the survivor. Either way those rows' version and updated_at move on.
 */
import { sql } from 'kysely';
import type { Executor } from './transactor.js';

export async function clearReference(db: Executor, table: string, column: string, workspaceId: string, id: string, at: number): Promise<void> {
  await sql`update ${sql.table(table)} set ${sql.ref(column)} = null, updated_at = ${at}, version = version + 1
    where workspace_id = ${workspaceId} and ${sql.ref(column)} = ${id}`.execute(db);
}

/** Points the column of every row that names `fromId` at `toId`; answers the ids of those rows. */
export async function moveReference(db: Executor, table: string, column: string, workspaceId: string, fromId: string, toId: string, at: number): Promise<string[]> {
  const result = await sql<{ id: string }>`update ${sql.table(table)} set ${sql.ref(column)} = ${toId}, updated_at = ${at}, version = version + 1
    where workspace_id = ${workspaceId} and ${sql.ref(column)} = ${fromId} returning id`.execute(db);
  return result.rows.map((row) => row.id);
}
