import type { Capabilities } from '../../db/capabilities.js';
import { listRows, type Page } from '../../db/list-rows.js';
import type { UserTable } from '../../db/schema.js';
import { deleteRecord, recordExists, replaceRecord } from '../../db/records.js';
import type { Executor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { userListSpec } from './users.list.js';

export type UserRow = Omit<UserTable, 'workspace_id'>;
const COLUMNS = ['id', 'email', 'name', 'role', 'created_at', 'updated_at', 'version'] as const;

export class UserRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, row: UserRow): Promise<void> {
    await db.insertInto('users').values({ ...row, workspace_id: workspaceId }).execute();
  }

  find(db: Executor, workspaceId: string, id: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }

  findByEmail(db: Executor, workspaceId: string, email: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').select(COLUMNS).where('workspace_id', '=', workspaceId).where('email', '=', email).executeTakeFirst();
  }

  exists(db: Executor, workspaceId: string, id: string): Promise<boolean> {
    return recordExists(db, 'users', workspaceId, id);
  }

  async countOwners(db: Executor, workspaceId: string): Promise<number> {
    const row = await db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', workspaceId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  list(db: Executor, workspaceId: string, query: ListQuery): Promise<Page<UserRow>> {
    return listRows<UserRow>(db, this.capabilities, userListSpec, workspaceId, query, COLUMNS);
  }

  /** Applies the changes if the version is still `expectedVersion`; false when it moved on. */
  async update(db: Executor, workspaceId: string, id: string, expectedVersion: number, changes: Partial<Pick<UserRow, 'email' | 'name' | 'role'>>, at: number): Promise<boolean> {
    return replaceRecord(db, 'users', workspaceId, id, { ...changes, updated_at: at, version: expectedVersion + 1 }, expectedVersion);
  }

  delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    return deleteRecord(db, 'users', workspaceId, id);
  }
}
