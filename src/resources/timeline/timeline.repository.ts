/** A record's activities, tasks and stage changes, newest first, a page at a time. */
import { sql } from 'kysely';
import type { Executor } from '../../db/transactor.js';
import { ACTIVITY_COLUMNS, activityFromRow, type Activity } from '../activities/activities.repository.js';
import { STAGE_CHANGE_COLUMNS, stageChangeFromRow, type StageChange } from '../deals/deals.repository.js';
import { TASK_COLUMNS, taskFromRow, type Task } from '../tasks/tasks.repository.js';

export type TimelineEntry =
  | { kind: 'activity'; at: number; id: string; activity: Activity }
  | { kind: 'task'; at: number; id: string; task: Task }
  | { kind: 'stage_change'; at: number; id: string; stageChange: StageChange };

export interface TimelinePosition {
  at: number;
  id: string;
}

export type LinkColumn = 'contact_id' | 'company_id' | 'deal_id' | 'lead_id';

export class TimelineRepository {
  async activities(db: Executor, workspaceId: string, link: LinkColumn, id: string, before: TimelinePosition | null, limit: number): Promise<TimelineEntry[]> {
    let query = db.selectFrom('activities').select(ACTIVITY_COLUMNS).where('workspace_id', '=', workspaceId).where(link, '=', id);
    if (before) query = query.where(sql<boolean>`(occurred_at, id) < (${before.at}, ${before.id})`);
    const rows = await query.orderBy('occurred_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => {
      const activity = activityFromRow(row);
      return { kind: 'activity', at: activity.occurred_at, id: activity.id, activity };
    });
  }

  async tasks(db: Executor, workspaceId: string, link: LinkColumn, id: string, before: TimelinePosition | null, limit: number): Promise<TimelineEntry[]> {
    let query = db.selectFrom('tasks').select(TASK_COLUMNS).where('workspace_id', '=', workspaceId).where(link, '=', id);
    if (before) query = query.where(sql<boolean>`(created_at, id) < (${before.at}, ${before.id})`);
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => {
      const task = taskFromRow(row);
      return { kind: 'task', at: task.created_at, id: task.id, task };
    });
  }

  async stageChanges(db: Executor, workspaceId: string, dealId: string, before: TimelinePosition | null, limit: number): Promise<TimelineEntry[]> {
    let query = db
      .selectFrom('deal_stage_changes')
      .select(STAGE_CHANGE_COLUMNS)
      .where('workspace_id', '=', workspaceId)
      .where('deal_id', '=', dealId);
    if (before) query = query.where(sql<boolean>`(changed_at, id) < (${before.at}, ${before.id})`);
    const rows = await query.orderBy('changed_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map((row) => {
      const stageChange = stageChangeFromRow(row);
      return { kind: 'stage_change', at: stageChange.changed_at, id: stageChange.id, stageChange };
    });
  }

  async count(db: Executor, workspaceId: string, table: 'activities' | 'tasks' | 'deal_stage_changes', column: LinkColumn, id: string): Promise<number> {
    const row = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)} where workspace_id = ${workspaceId} and ${sql.ref(column)} = ${id}`.execute(db);
    return Number(row.rows[0]?.n ?? 0);
  }
}
