import type { Capabilities } from '../../db/capabilities.js';
import { listRows } from '../../db/list-rows.js';
import { reassignLinks, releaseLinks } from '../../db/record-links.js';
import type { ActivityTable } from '../../db/schema.js';
import { deleteRecord, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import { clearReference } from '../../db/unlink.js';
import type { JsonObject } from '../../domain/normalize.js';
import type { ReferencedType } from '../../domain/references.js';
import type { ListQuery } from '../../list/list-query.js';
import { activityListSpec } from './activities.list.js';

export type Activity = Omit<ActivityTable, 'workspace_id' | 'custom_fields'> & { custom_fields: JsonObject };
type Row = Omit<ActivityTable, 'workspace_id'>;

export const ACTIVITY_COLUMNS = ['id', 'type', 'subject', 'body', 'occurred_at', 'duration_seconds', 'direction', 'outcome', 'logged_by', 'contact_id', 'company_id', 'deal_id', 'lead_id', 'source', 'external_id', 'custom_fields', 'created_at', 'updated_at', 'version'] as const;

export const activityFromRow = (row: Row): Activity => ({
  ...row,
  custom_fields: JSON.parse(row.custom_fields) as JsonObject,
  occurred_at: Number(row.occurred_at),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});
const toRow = (activity: Activity): Row => ({ ...activity, custom_fields: JSON.stringify(activity.custom_fields) });

export class ActivityRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, activity: Activity): Promise<void> {
    await db.insertInto('activities').values({ ...toRow(activity), workspace_id: workspaceId }).execute();
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<Activity | undefined> {
    const row = await db.selectFrom('activities').select(ACTIVITY_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && activityFromRow(row);
  }

  async findIdByExternalId(db: Executor, workspaceId: string, source: string, externalId: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('activities')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('source', '=', source)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row?.id;
  }

  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<Row>(db, this.capabilities, activityListSpec, workspaceId, query, ACTIVITY_COLUMNS);
    return { ...page, rows: page.rows.map(activityFromRow) };
  }

  async replace(db: Executor, workspaceId: string, activity: Activity, expectedVersion: number): Promise<boolean> {
    const { id, created_at: _created, ...changes } = toRow(activity);
    return replaceRecord(db, 'activities', workspaceId, id, changes, expectedVersion);
  }

  delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    return deleteRecord(db, 'activities', workspaceId, id);
  }

  /** Activities stay when what they are about is deleted; the link goes. */
  async release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
    if (type === 'user') await clearReference(db, 'activities', 'logged_by', workspaceId, id, at);
    else await releaseLinks(db, 'activities', workspaceId, type, id, at);
  }

  /** Activities about a merged record are about the survivor. */
  reassign(db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
    return reassignLinks(db, 'activities', workspaceId, type, fromId, toId, at);
  }
}
