/**
 * What every record table shares: rows belong to a workspace, have an id and a
 * version. These run the common statements on any of them, so each repository
 * keeps only what is its own.
 */
import type { Kysely } from 'kysely';
import { chunks, IN_LIST_MAX } from './bulk.js';
import type { Executor } from './transactor.js';

export type RecordTable = 'users' | 'companies' | 'contacts' | 'leads' | 'deals' | 'activities' | 'tasks';

// Table names vary at run time here; the columns used are common to every record table.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const untyped = (db: Executor) => db as unknown as Kysely<any>;

export async function recordExists(db: Executor, table: RecordTable, workspaceId: string, id: string): Promise<boolean> {
  const row = await untyped(db).selectFrom(table).select('id').where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

/** Which of `ids` are records of the workspace: one query for a whole list (imports check a batch's references at once). */
export async function existingIds(db: Executor, table: RecordTable, workspaceId: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (const piece of chunks([...new Set(ids)], IN_LIST_MAX)) {
    const rows = await untyped(db).selectFrom(table).select('id').where('workspace_id', '=', workspaceId).where('id', 'in', piece).execute();
    for (const row of rows as { id: string }[]) found.add(row.id);
  }
  return found;
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

