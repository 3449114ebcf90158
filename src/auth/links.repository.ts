import type { AuthLinkTable } from '../db/schema.js';
import type { Executor } from '../db/transactor.js';

export type AuthLinkRow = AuthLinkTable;
export const LINK_KINDS = ['invitation', 'password_reset', 'bootstrap'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

export class AuthLinkRepository {
  async insert(db: Executor, row: AuthLinkRow): Promise<void> {
    await db.insertInto('auth_links').values(row).execute();
  }

  findByToken(db: Executor, tokenHash: string): Promise<(AuthLinkRow & { workspaceName: string }) | undefined> {
    return db
      .selectFrom('auth_links as l')
      .innerJoin('workspaces as w', 'w.id', 'l.workspace_id')
      .selectAll('l')
      .select('w.name as workspaceName')
      .where('l.token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  find(db: Executor, workspaceId: string, kind: LinkKind, id: string): Promise<AuthLinkRow | undefined> {
    return db.selectFrom('auth_links').selectAll().where('workspace_id', '=', workspaceId).where('kind', '=', kind).where('id', '=', id).executeTakeFirst();
  }

  /** Invitations not yet accepted or withdrawn, newest first (expired ones too: the list says so). */
  listOpen(db: Executor, workspaceId: string, kind: LinkKind): Promise<AuthLinkRow[]> {
    return db
      .selectFrom('auth_links')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', kind)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(500)
      .execute();
  }

  /** Marks the link used, unless someone else did first: false then. */
  async use(db: Executor, id: string, at: number): Promise<boolean> {
    const result = await db.updateTable('auth_links').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revoke(db: Executor, id: string, at: number): Promise<void> {
    await db.updateTable('auth_links').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  /** Earlier unused links of this kind for this user end when a new one is made: only the newest works. */
  async revokeOpenForUser(db: Executor, workspaceId: string, userId: string, at: number): Promise<void> {
    await db
      .updateTable('auth_links')
      .set({ revoked_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .execute();
  }
}
