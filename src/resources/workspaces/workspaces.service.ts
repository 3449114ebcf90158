/**
 * Workspaces: the tenant boundary. Created by the instance operator (or on
 * first start, by bootstrap) together with an owner and the owner's first key.
 */
import { requireAccess, requireAdmin, type Actor } from '../../domain/actor.js';
import { notFound } from '../../domain/errors.js';
import { checkIfMatch } from '../../domain/versioning.js';
import type { Plan } from '../../domain/rate-limits.js';
import type { Capabilities } from '../../db/capabilities.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import type { ApiKeyService, IssuedKey } from '../api-keys/api-keys.service.js';
import type { UserRow } from '../users/users.repository.js';
import type { UserService } from '../users/users.service.js';
import type { WorkspaceRepository, WorkspaceRow } from './workspaces.repository.js';

export interface NewWorkspace {
  name: string;
  plan?: Plan | null;
  owner: { email: string; name: string };
}

export interface CreatedWorkspace {
  workspace: WorkspaceRow;
  owner: UserRow;
  apiKey: IssuedKey;
}

/** Something every new workspace gets (a default pipeline, …), inside its creating transaction. */
export type WorkspaceSetup = (db: Executor, workspace: WorkspaceRow, owner: UserRow, at: number) => Promise<void>;

export class WorkspaceService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly clock: Clock,
    private readonly workspaces: WorkspaceRepository,
    private readonly users: UserService,
    private readonly apiKeys: ApiKeyService,
    private readonly setups: WorkspaceSetup[] = [],
  ) {}

  /** For the instance operator; the caller has already checked the operator token. */
  create(input: NewWorkspace, firstKeySecret?: string): Promise<CreatedWorkspace> {
    return this.tx.write((db) => this.createIn(db, input, firstKeySecret));
  }

  /**
   * The first start's workspace, unless there is one already. Instances
   * starting together take turns (one lock until commit), so only one creates it.
   */
  createFirst(input: NewWorkspace, firstKeySecret?: string): Promise<CreatedWorkspace | undefined> {
    return this.tx.write(async (db) => {
      await this.capabilities.lockUntilCommit(db, 'trellis:first-start');
      if (await this.workspaces.any(db)) return undefined;
      return this.createIn(db, input, firstKeySecret);
    });
  }

  private async createIn(db: Executor, input: NewWorkspace, firstKeySecret: string | undefined): Promise<CreatedWorkspace> {
    const now = this.clock.now();
    const workspace: WorkspaceRow = { id: newId('workspace'), name: input.name.trim(), plan: input.plan ?? null, parent_workspace_id: null, created_at: now, updated_at: now, version: 1 };
    await this.workspaces.insert(db, workspace);
    const owner = await this.users.insert(db, workspace.id, { email: input.owner.email, name: input.owner.name, role: 'owner' }, now);
    const apiKey = await this.apiKeys.issue(db, workspace.id, owner.id, { name: 'Owner key', scope: 'full' }, now, firstKeySecret === undefined ? {} : { secret: firstKeySecret });
    for (const setup of this.setups) await setup(db, workspace, owner, now);
    return { workspace, owner, apiKey };
  }

  /** For the instance operator (`trellis workspaces list`): every workspace. */
  listAll(): Promise<WorkspaceRow[]> {
    return this.workspaces.all(this.tx.db);
  }

  /**
   * The instance operator inside a workspace (`trellis keys …`): acts as its
   * first owner with full access, so the services' own checks apply unchanged.
   */
  async operatorActor(workspaceId: string): Promise<Actor> {
    await this.find(workspaceId);
    const owner = await this.workspaces.firstOwner(this.tx.db, workspaceId);
    if (!owner) throw notFound('owner of this workspace');
    return { workspaceId, userId: owner.id, role: 'owner', keyId: 'operator', scope: 'full', grants: [], requestId: 'cli' };
  }

  /** True when the database holds no workspace yet: the first start. */
  async isEmpty(): Promise<boolean> {
    return !(await this.workspaces.any(this.tx.db));
  }

  async get(actor: Actor): Promise<WorkspaceRow> {
    requireAccess(actor, 'workspace', 'read');
    return this.find(actor.workspaceId);
  }

  async update(actor: Actor, changes: { name?: string }, ifMatch?: number): Promise<WorkspaceRow> {
    requireAdmin(actor);
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const workspace = await this.workspaces.find(db, actor.workspaceId);
      if (!workspace) throw notFound('workspace');
      checkIfMatch(workspace.version, ifMatch);
      const update = changes.name !== undefined ? { name: changes.name.trim() } : {};
      await this.workspaces.update(db, actor.workspaceId, update, at);
      return { ...workspace, ...update, updated_at: at, version: workspace.version + 1 };
    });
  }

  private async find(id: string): Promise<WorkspaceRow> {
    const workspace = await this.workspaces.find(this.tx.db, id);
    if (!workspace) throw notFound('workspace');
    return workspace;
  }
}
