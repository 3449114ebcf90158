/**
 * Sandboxes: a workspace of its own, made from another, to test an
 * integration without touching real data. It starts with copies of the
 * parent's users, tags, pipelines and stages (optionally a sample data set)
 * and a `trl_test_` key. Every query is scoped to one workspace, so a sandbox
 * key never reaches the parent's data, nor the reverse; the sandbox's events
 * and webhooks stay in it.
 */
import { requireAdmin, type Actor } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import type { Transactor } from '../../db/transactor.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import type { ApiKeyService, IssuedKey } from '../api-keys/api-keys.service.js';
import type { WorkspaceRepository, WorkspaceRow } from '../workspaces/workspaces.repository.js';
import type { SandboxRepository } from './sandboxes.repository.js';
import type { SampleData } from './sample-data.js';

/** Enough for every integration and test environment a team runs; each holds a full copy of the set-up. */
export const MAX_SANDBOXES = 20;

export interface CreatedSandbox {
  sandbox: WorkspaceRow;
  apiKey: IssuedKey;
}

export class SandboxService {
  constructor(
    private readonly tx: Transactor,
    private readonly clock: Clock,
    private readonly workspaces: WorkspaceRepository,
    private readonly sandboxes: SandboxRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly sampleData: SampleData,
  ) {}

  async create(actor: Actor, input: { name?: string; sample_data?: boolean }): Promise<CreatedSandbox> {
    requireAdmin(actor);
    const created = await this.tx.writeIn(actor.workspaceId, async (db) => {
      const parent = await this.workspaces.find(db, actor.workspaceId);
      if (!parent) throw notFound('workspace');
      if (parent.parent_workspace_id !== null) throw new DomainError('unprocessable', 'A sandbox cannot have sandboxes of its own; create them from the workspace it was made from.');
      const existing = await this.workspaces.sandboxesOf(db, parent.id);
      if (existing.length >= MAX_SANDBOXES) throw new DomainError('unprocessable', `A workspace may have at most ${MAX_SANDBOXES} sandboxes; delete one first.`, { sandbox_count: existing.length });
      // The sandbox's own rows take their times from its own change clock, which starts here.
      const now = this.clock.now();
      const sandbox: WorkspaceRow = {
        id: newId('workspace'),
        name: input.name?.trim() || `${parent.name} (sandbox)`,
        plan: parent.plan,
        parent_workspace_id: parent.id,
        created_at: now,
        updated_at: now,
        version: 1,
      };
      await this.workspaces.insert(db, sandbox);
      const users = await this.sandboxes.copySetup(db, parent.id, sandbox.id, now);
      const holder = users.get(actor.userId);
      if (!holder) throw new Error(`the acting user ${actor.userId} was not copied into the sandbox`);
      const apiKey = await this.apiKeys.issue(db, sandbox.id, holder, { name: 'Sandbox key', scope: 'full' }, now, { mode: 'test' });
      return { sandbox, apiKey, holder };
    });
    if (input.sample_data) {
      const { sandbox, apiKey, holder } = created;
      await this.sampleData.fill({ ...actor, workspaceId: sandbox.id, userId: holder, keyId: apiKey.key.id, scope: 'full', grants: [] });
    }
    return { sandbox: created.sandbox, apiKey: created.apiKey };
  }

  async list(actor: Actor): Promise<WorkspaceRow[]> {
    requireAdmin(actor);
    return this.workspaces.sandboxesOf(this.tx.db, actor.workspaceId);
  }

  async get(actor: Actor, id: string): Promise<WorkspaceRow> {
    requireAdmin(actor);
    const sandbox = await this.workspaces.find(this.tx.db, id);
    if (!sandbox || sandbox.parent_workspace_id !== actor.workspaceId) throw notFound('sandbox');
    return sandbox;
  }

  /** Deletes the sandbox with all its data, keys and webhook endpoints. */
  async delete(actor: Actor, id: string): Promise<void> {
    requireAdmin(actor);
    await this.tx.writeIn(actor.workspaceId, async (db) => {
      const sandbox = await this.workspaces.find(db, id);
      if (!sandbox || sandbox.parent_workspace_id !== actor.workspaceId) throw notFound('sandbox');
      await this.workspaces.delete(db, id);
    });
    await this.apiKeys.forgetWorkspace(id);
  }
}
