/**
 * What every record table shares: rows belong to a workspace, have an id and a
 * version. These run the common statements on any of them, so each repository
 * keeps only what is its own.
 */
import type { Kysely } from 'kysely';
import type { Executor } from './transactor.js';

export type RecordTable = 'users' | 'companies' | 'contacts' | 'leads' | 'deals' | 'activities' | 'tasks';

// Table names vary at run time here; the columns used are common to every record table.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (db: Executor) => db as unknown as Kysely<any>;

export async function recordExists(db: Executor, table: RecordTable, workspaceId: string, id: string): Promise<boolean> {
  const row = await untyped(db).selectFrom(table).select('id').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Writes `changes` if the record is still at `expectedVersion`; false when another write got there first. */
export async function replaceRecord(db: Executor, table: RecordTable, workspaceId: string, id: string, changes: Record<string, unknown>, expectedVersion: number): Promise<boolean> {
  const result = await untyped(db)
    .updateTable(table)
    .set(changes)
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .where('version', '=', expectedVersion)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function deleteRecord(db: Executor, table: RecordTable, workspaceId: string, id: string): Promise<void> {
  await untyped(db).deleteFrom(table).where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
}

