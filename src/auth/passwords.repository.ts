import type { Executor } from '../db/transactor.js';

/** Users' password hashes, kept apart from the users table so no query of users can return one. */
export class PasswordRepository {
  async find(db: Executor, userId: string): Promise<string | undefined> {
    const row = await db.selectFrom('user_passwords').select('password_hash').where('user_id', '=', userId).executeTakeFirst();
    return row?.password_hash;
  }

  /** The users with this email (in any workspace) who have a password: who may sign in with it. */
  candidates(db: Executor, email: string, workspaceId?: string) {
    let query = db
      .selectFrom('users as u')
      .innerJoin('user_passwords as p', 'p.user_id', 'u.id')
      .innerJoin('workspaces as w', 'w.id', 'u.workspace_id')
      .select(['u.id as userId', 'u.workspace_id as workspaceId', 'p.password_hash as passwordHash'])
      .where('u.email', '=', email);
    if (workspaceId !== undefined) query = query.where('u.workspace_id', '=', workspaceId);
    return query.orderBy('w.created_at').orderBy('w.id').limit(10).execute();
  }

  async set(db: Executor, workspaceId: string, userId: string, hash: string, at: number): Promise<void> {
    await db
      .insertInto('user_passwords')
      .values({ user_id: userId, workspace_id: workspaceId, password_hash: hash, changed_at: at })
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ password_hash: hash, changed_at: at }))
      .execute();
  }
}
