import type { SessionTable } from '../db/schema.js';
import type { Executor } from '../db/transactor.js';

export type SessionRow = SessionTable;

/** A session found by its cookie, with what its actor needs. */
export interface SessionCredential extends SessionRow {
  role: string;
  email: string;
  userName: string;
  workspaceName: string;
  plan: string | null;
}

export class SessionRepository {
  async insert(db: Executor, row: SessionRow): Promise<void> {
    await db.insertInto('sessions').values(row).execute();
  }

  findCredential(db: Executor, tokenHash: string): Promise<SessionCredential | undefined> {
    return db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .innerJoin('workspaces as w', 'w.id', 's.workspace_id')
      .selectAll('s')
      .select(['u.role as role', 'u.email as email', 'u.name as userName', 'w.name as workspaceName', 'w.plan as plan'])
      .where('s.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  find(db: Executor, workspaceId: string, userId: string, id: string): Promise<SessionRow | undefined> {
    return db.selectFrom('sessions').selectAll().where('workspace_id', '=', workspaceId).where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
  }

  listForUser(db: Executor, workspaceId: string, userId: string, now: number): Promise<SessionRow[]> {
    return db
      .selectFrom('sessions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('expires_at', '>', now)
      .orderBy('last_used_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
  }

  /** Slides the session: used now, expiring `lifetime` from now. */
  async touch(db: Executor, id: string, at: number, expiresAt: number): Promise<void> {
    await db.updateTable('sessions').set({ last_used_at: at, expires_at: expiresAt }).where('id', '=', id).execute();
  }

  async delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  /** Ends every session of a user but `keep` (the one asking, when it stays signed in); answers how many ended. */
  async deleteForUser(db: Executor, workspaceId: string, userId: string, keep?: string): Promise<number> {
    let query = db.deleteFrom('sessions').where('workspace_id', '=', workspaceId).where('user_id', '=', userId);
    if (keep !== undefined) query = query.where('id', '!=', keep);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(db: Executor, now: number): Promise<void> {
    await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
