import type { Capabilities } from '../../db/capabilities.js';
import { listRows } from '../../db/list-rows.js';
import { reassignLinks, releaseLinks } from '../../db/record-links.js';
import type { TaskTable } from '../../db/schema.js';
import { deleteRecord, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference } from '../../db/unlink.js';
import type { JsonObject } from '../../domain/normalize.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import { taskListSpec } from './tasks.list.js';

export type Task = Omit<TaskTable, 'workspace_id' | 'custom_fields'> & { custom_fields: JsonObject };
type Row = Omit<TaskTable, 'workspace_id'>;

export const TASK_COLUMNS = ['id', 'title', 'description', 'due_at', 'priority', 'assignee_id', 'status', 'completed_at', 'contact_id', 'company_id', 'deal_id', 'lead_id', 'custom_fields', 'created_at', 'updated_at', 'version'] as const;

const number = (value: number | null): number | null => (value === null ? null : Number(value));
export const taskFromRow = (row: Row): Task => ({
  ...row,
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
  due_at: number(row.due_at),
  completed_at: number(row.completed_at),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});
const toRow = (task: Task): Row => ({ ...task, custom_fields: JSON.stringify(task.custom_fields) });

export class TaskRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, task: Task): Promise<void> {
    await db.insertInto('tasks').values({ ...toRow(task), workspace_id: workspaceId }).execute();
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Task | undefined> {
    const row = await db.selectFrom('tasks').select(TASK_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && taskFromRow(row);
  }

  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<Row>(db, this.capabilities, taskListSpec, workspaceId, query, TASK_COLUMNS);
    return { ...page, rows: page.rows.map(taskFromRow) };
  }

  async replace(db: Executor, workspaceId: string, task: Task, expectedVersion: number): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(task);
    return replaceRecord(db, 'tasks', workspaceId, id, changes, expectedVersion);
  }

  delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    return deleteRecord(db, 'tasks', workspaceId, id);
  }

  /** Tasks stay when what they are about, or their assignee, is deleted; the link goes. */
  async release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
    if (type === 'user') await clearReference(db, 'tasks', 'assignee_id', workspaceId, id, at);
    else await releaseLinks(db, 'tasks', workspaceId, type, id, at);
  }

  /** Tasks about a merged record are about the survivor. */
  reassign(db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
    return reassignLinks(db, 'tasks', workspaceId, type, fromId, toId, at);
  }
}
