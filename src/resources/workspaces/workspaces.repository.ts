import { sql } from 'kysely';
import { prepared } from '../../db/prepared.js';
import type { Executor } from '../../db/transactor.js';
import type { WorkspaceTable } from '../../db/schema.js';

export type WorkspaceRow = Omit<WorkspaceTable, 'change_clock' | 'webhook_endpoints_enabled'>;

/** What taking the change clock tells a write transaction. */
export interface ChangeTime {
  at: number;
  /** Whether the workspace has enabled webhook endpoints (events need their subscribers looked up). */
  hasWebhookEndpoints: boolean;
}
const COLUMNS = ['id', 'name', 'plan', 'parent_workspace_id', 'created_at', 'updated_at', 'version'] as const;

export class WorkspaceRepository {
  async insert(db: Executor, row: WorkspaceRow): Promise<void> {
    await db.insertInto('workspaces').values({ ...row, change_clock: row.updated_at, webhook_endpoints_enabled: 0 }).execute();
  }

  find(db: Executor, id: string): Promise<WorkspaceRow | undefined> {
    return db.selectFrom('workspaces').select(COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  async update(db: Executor, id: string, changes: Partial<Pick<WorkspaceRow, 'name' | 'plan'>>, at: number): Promise<void> {
    await db
      .updateTable('workspaces')
      .set((eb) => ({ ...changes, updated_at: at, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  /** Every workspace, oldest first (for the instance operator). */
  all(db: Executor): Promise<WorkspaceRow[]> {
    return db.selectFrom('workspaces').select(COLUMNS).orderBy('created_at').orderBy('id').execute();
  }

  /** The workspace's first owner: whom the instance operator acts as inside it. */
  async firstOwner(db: Executor, workspaceId: string): Promise<{ id: string; role: string } | undefined> {
    return db.selectFrom('users').select(['id', 'role']).where('workspace_id', '=', workspaceId).where('role', '=', 'owner').orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
  }

  /** A workspace's sandboxes, oldest first. */
  sandboxesOf(db: Executor, parentId: string): Promise<WorkspaceRow[]> {
    return db.selectFrom('workspaces').select(COLUMNS).where('parent_workspace_id', '=', parentId).orderBy('created_at').orderBy('id').execute();
  }

  /** Deletes the workspace and, by cascade, everything in it. */
  async delete(db: Executor, id: string): Promise<void> {
    await db.deleteFrom('workspaces').where('id', '=', id).execute();
    // Its counters have no foreign key (see the record_counts and deal_stage_counts migrations).
    await db.deleteFrom('record_counts').where('workspace_id', '=', id).execute();
    await db.deleteFrom('deal_stage_counts').where('workspace_id', '=', id).execute();
  }

  async any(db: Executor): Promise<boolean> {
    const row = await db.selectFrom('workspaces').select('id').limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The time to stamp this transaction's changes with: the wall clock, but always
   * later than the workspace's previous change. Updating the workspace's clock row
   * locks it until commit, so a workspace's changes commit in the order of their
   * timestamps and a client walking `updated_at` never misses one.
   */
  async nextChangeTime(db: Executor, workspaceId: string, now: number): Promise<ChangeTime> {
    const [row] = await this.clockQuery(db, now, workspaceId);
    if (!row) throw new Error(`workspace ${workspaceId} does not exist`);
    return { at: Number(row.change_clock), hasWebhookEndpoints: Number(row.webhook_endpoints_enabled) > 0 };
  }

  /** Recounts the workspace's enabled webhook endpoints, after any change to them. */
  async recountWebhookEndpoints(db: Executor, workspaceId: string): Promise<void> {
    await sql`update workspaces set webhook_endpoints_enabled =
      (select count(*) from webhook_endpoints e where e.workspace_id = ${workspaceId} and e.enabled = 1) where id = ${workspaceId}`.execute(db);
  }

  private readonly clockQuery = prepared((db: Executor, now: number, workspaceId: string) =>
    db
      .updateTable('workspaces')
      .set((eb) => ({
        change_clock: eb.case().when('change_clock', '>=', now).then(sql<number>`change_clock + 1`).else(now).end(),
      }))
      .where('id', '=', workspaceId)
      .returning(['change_clock', 'webhook_endpoints_enabled']),
  );
}
