import type { Capabilities } from '../../db/capabilities.js';
import { listRows, type Page } from '../../db/list-rows.js';
import type { ApiKeyTable } from '../../db/schema.js';
import { prepared } from '../../db/prepared.js';
import type { Executor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { apiKeyListSpec } from './api-keys.list.js';

/** A key as it may be shown: never the hash. */
export type ApiKeyRow = Omit<ApiKeyTable, 'workspace_id' | 'secret_hash'>;
const COLUMNS = ['id', 'user_id', 'name', 'prefix', 'scope', 'grants', 'expires_at', 'last_used_at', 'revoked_at', 'rate_limit_per_minute', 'created_at', 'updated_at', 'version'] as const;

/** What authentication needs, in one indexed look-up by hash. */
export interface Credential {
  keyId: string;
  secretHash: string;
  workspaceId: string;
  userId: string;
  userEmail: string;
  role: string;
  scope: string;
  grants: string;
  expiresAt: number | null;
  revokedAt: number | null;
  keyRateLimit: number | null;
  plan: string | null;
}

export class ApiKeyRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, workspaceId: string, row: ApiKeyRow, secretHash: string): Promise<void> {
    await db.insertInto('api_keys').values({ ...row, workspace_id: workspaceId, secret_hash: secretHash }).execute();
  }

  find(db: Executor, workspaceId: string, id: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_keys').select(COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  }

  list(db: Executor, workspaceId: string, query: ListQuery): Promise<Page<ApiKeyRow>> {
    return listRows<ApiKeyRow>(db, this.capabilities, apiKeyListSpec, workspaceId, query, COLUMNS);
  }

  async revoke(db: Executor, workspaceId: string, id: string, at: number): Promise<void> {
    await db
      .updateTable('api_keys')
      .set((eb) => ({ revoked_at: at, updated_at: at, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Sets when the key stops working (a rotation's overlap). */
  async expire(db: Executor, workspaceId: string, id: string, expiresAt: number, at: number): Promise<void> {
    await db
      .updateTable('api_keys')
      .set((eb) => ({ expires_at: expiresAt, updated_at: at, version: eb('version', '+', 1) }))
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  async findCredential(db: Executor, secretHash: string): Promise<Credential | undefined> {
    const [row] = await this.credentialQuery(db, secretHash);
    return row;
  }

  private readonly credentialQuery = prepared((db: Executor, secretHash: string) =>
    db
      .selectFrom('api_keys as k')
      .innerJoin('users as u', 'u.id', 'k.user_id')
      .innerJoin('workspaces as w', 'w.id', 'k.workspace_id')
      .select([
        'k.id as keyId',
        'k.secret_hash as secretHash',
        'k.workspace_id as workspaceId',
        'k.user_id as userId',
        'u.email as userEmail',
        'u.role as role',
        'k.scope as scope',
        'k.grants as grants',
        'k.expires_at as expiresAt',
        'k.revoked_at as revokedAt',
        'k.rate_limit_per_minute as keyRateLimit',
        'w.plan as plan',
      ])
      .where('k.secret_hash', '=', secretHash),
  );

  /** Records when keys were last used; never moves a time backwards. */
  async touch(db: Executor, usage: Map<string, number>): Promise<void> {
    for (const [id, at] of usage) {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: at })
        .where('id', '=', id)
        .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
        .execute();
    }
  }
}
