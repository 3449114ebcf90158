import { sql } from 'kysely';
import { insertRows } from '../db/bulk.js';
import type { Capabilities } from '../db/capabilities.js';
import { listRows } from '../db/list-rows.js';
import type { EventTable } from '../db/schema.js';
import type { Executor } from '../db/transactor.js';
import type { ListQuery } from '../list/list-query.js';
import { eventListSpec } from './events.list.js';

export type EventRow = Omit<EventTable, 'workspace_id'> & { workspace_id: string };

const EVENT_COLUMNS = ['id', 'workspace_id', 'type', 'record_id', 'data', 'request_id', 'actor_user_id', 'actor_key_id', 'created_at'] as const;
const fromRow = (row: EventRow): EventRow => ({ ...row, created_at: Number(row.created_at) });

export class EventRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, events: EventRow[]): Promise<void> {
    await insertRows(db, 'events', events);
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<EventRow | undefined> {
    const row = await db.selectFrom('events').select(EVENT_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && fromRow(row);
  }

  async findMany(db: Executor, workspaceId: string, ids: readonly string[]): Promise<EventRow[]> {
    if (ids.length === 0) return [];
    const rows = await db.selectFrom('events').select(EVENT_COLUMNS).where('workspace_id', '=', workspaceId).where('id', 'in', [...new Set(ids)]).execute();
    return rows.map(fromRow);
  }

  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<EventRow>(db, this.capabilities, eventListSpec, workspaceId, query, EVENT_COLUMNS);
    return { ...page, rows: page.rows.map(fromRow) };
  }

  /**
   * The records of `table` that the transaction stamped `at` changed but that
   * have no event at `at` yet. The workspace's change clock gives each write
   * transaction its own `at`, so these are exactly that transaction's knock-on changes.
   */
  async changedWithoutEvent(db: Executor, table: string, workspaceId: string, at: number): Promise<string[]> {
    const result = await sql<{ id: string }>`select id from ${sql.table(table)} where workspace_id = ${workspaceId} and updated_at = ${at}
      and id not in (select record_id from events where workspace_id = ${workspaceId} and created_at = ${at} and record_id is not null)
      order by id`.execute(db);
    return result.rows.map((row) => row.id);
  }

  /** Deletes events older than `before`; returns how many. */
  async prune(db: Executor, before: number): Promise<number> {
    const result = await db.deleteFrom('events').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
