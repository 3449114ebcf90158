/** Clears a reference column on every row that points at `id`, moving those rows' version and updated_at on. */
import { sql } from 'kysely';
import type { Executor } from './transactor.js';

export async function clearReference(db: Executor, table: string, column: string, workspaceId: string, id: string, at: number): Promise<void> {
  await sql`update ${sql.table(table)} set ${sql.ref(column)} = null, updated_at = ${at}, version = version + 1
    where workspace_id = ${workspaceId} and ${sql.ref(column)} = ${id}`.execute(db);
}
