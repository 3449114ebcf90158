/** Who a key (or a browser session) is: its user, workspace, scope and rate limit. Any valid key may ask. */
import type { Actor } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { budgetFor } from '../../domain/rate-limits.js';
import type { Transactor } from '../../db/transactor.js';
import type { Budget } from '../../platform/rate-limiter.js';
import type { ApiKeyRepository, ApiKeyRow } from '../api-keys/api-keys.repository.js';
import type { UserRepository, UserRow } from '../users/users.repository.js';
import type { WorkspaceRepository, WorkspaceRow } from '../workspaces/workspaces.repository.js';

export interface Me {
  user: UserRow;
  workspace: WorkspaceRow;
  /** Undefined for a browser session. */
  apiKey: ApiKeyRow | undefined;
  budget: Budget;
}

export class MeService {
  constructor(
    private readonly tx: Transactor,
    private readonly users: UserRepository,
    private readonly workspaces: WorkspaceRepository,
    private readonly keys: ApiKeyRepository,
    private readonly defaultRateLimit: number,
  ) {}

  async describe(actor: Actor): Promise<Me> {
    const [user, workspace, apiKey] = await Promise.all([
      this.users.find(this.tx.db, actor.workspaceId, actor.userId),
      this.workspaces.find(this.tx.db, actor.workspaceId),
      actor.sessionId === undefined ? this.keys.find(this.tx.db, actor.workspaceId, actor.keyId) : undefined,
    ]);
    if (!user || !workspace || (!apiKey && actor.sessionId === undefined)) throw notFound('API key');
    return { user, workspace, apiKey, budget: budgetFor(workspace.plan, apiKey?.rate_limit_per_minute ?? null, this.defaultRateLimit) };
  }
}
