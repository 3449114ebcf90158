import type { Capabilities } from '../../db/capabilities.js';
import { chunks, IN_LIST_MAX, insertRows } from '../../db/bulk.js';
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

/** An activity's identity in the system that logged it. */
export interface ExternalKey {
  source: string;
  external_id: string;
}

/** A (source, external id) pair as one map key. */
export const externalKey = (source: string, externalId: string): string => `${source}\u0000${externalId}`;

export class ActivityRepository {
  constructor(private readonly capabilities: Capabilities) {}

  /** New activities in multi-row statements. */
  async insertMany(db: Executor, workspaceId: string, activities: Activity[]): Promise<void> {
    await insertRows(db, 'activities', activities.map((activity) => ({ workspace_id: workspaceId, ...toRow(activity) })));
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

  /**
   * The activities that have these (source, external id) pairs, one query per
   * thousand pairs: externalKey → id. Each query asks for the pieces' sources
   * and external ids as two lists, which both databases answer from the
   * (workspace, source, external id) index; pairs it finds that were not asked
   * for are left out.
   */
  async idsByExternalIds(db: Executor, workspaceId: string, keys: ExternalKey[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    const unique = [...new Map(keys.map((k) => [externalKey(k.source, k.external_id), k])).values()];
    for (const piece of chunks(unique, IN_LIST_MAX)) {
      const asked = new Set(piece.map((k) => externalKey(k.source, k.external_id)));
      const rows = await db
        .selectFrom('activities')
        .select(['id', 'source', 'external_id'])
        .where('workspace_id', '=', workspaceId)
        .where('source', 'in', [...new Set(piece.map((k) => k.source))])
        .where('external_id', 'in', [...new Set(piece.map((k) => k.external_id))])
        .execute();
      for (const row of rows) {
        if (row.source === null || row.external_id === null) continue;
        const key = externalKey(row.source, row.external_id);
        if (asked.has(key)) ids.set(key, row.id);
      }
    }
    return ids;
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
