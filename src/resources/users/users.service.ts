/** Users of a workspace: who owns records and whom API keys belong to. */
import { requireAccess, requireAdmin, type Actor, type UserRole } from '../../domain/actor.js';
import { DomainError, duplicate, notFound } from '../../domain/errors.js';
import { checkIfMatch, concurrentChange } from '../../domain/versioning.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { releaseAll, type Referrer } from '../../domain/references.js';
import type { EventLog } from '../../events/event-log.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { Capabilities } from '../../db/capabilities.js';
import type { ListQuery } from '../../list/list-query.js';
import { newId } from '../../platform/ids.js';
import type { UserRepository, UserRow } from './users.repository.js';
import type { CredentialCache } from '../api-keys/credential-cache.js';

export interface UserInput {
  email: string;
  name: string;
  role?: UserRole;
}

export class UserService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly users: UserRepository,
    private readonly referrers: readonly Referrer[],
    private readonly events: EventLog,
    /** Key look-ups remembered in memory act as their user: a change to the user drops them. */
    private readonly credentials: CredentialCache,
  ) {}

  async get(actor: Actor, id: string): Promise<UserRow> {
    requireAccess(actor, 'users', 'read');
    const user = await this.users.find(this.tx.db, actor.workspaceId, id);
    if (!user) throw notFound('user');
    return user;
  }

  list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'users', 'read');
    return this.users.list(this.tx.db, actor.workspaceId, query);
  }

  async create(actor: Actor, input: UserInput): Promise<UserRow> {
    requireAdmin(actor);
    const role = input.role ?? 'member';
    if (role === 'owner' && actor.role !== 'owner') throw new DomainError('forbidden', 'Only an owner may make another owner.');
    const email = input.email.trim().toLowerCase();
    return refuseDuplicates(
      this.capabilities,
      () => this.tx.writeIn(actor.workspaceId, (db, at) => this.insert(db, actor.workspaceId, { ...input, email, role }, at)),
      () => this.duplicateEmail(actor.workspaceId, email),
    );
  }

  private async duplicateEmail(workspaceId: string, email: string) {
    const existing = await this.users.findByEmail(this.tx.db, workspaceId, email);
    return duplicate('user', 'email', existing?.id ?? 'unknown');
  }

  /** Inserts a user inside an open transaction; also used when a workspace is created. */
  async insert(db: Executor, workspaceId: string, input: Required<UserInput>, at: number): Promise<UserRow> {
    const email = input.email.trim().toLowerCase();
    const existing = await this.users.findByEmail(db, workspaceId, email);
    if (existing) throw duplicate('user', 'email', existing.id);
    const row: UserRow = { id: newId('user'), email, name: input.name.trim(), role: input.role, created_at: at, updated_at: at, version: 1 };
    await this.users.insert(db, workspaceId, row);
    return row;
  }

  async update(actor: Actor, id: string, changes: Partial<UserInput>, ifMatch?: number): Promise<UserRow> {
    requireAdmin(actor);
    const email = changes.email?.trim().toLowerCase();
    const write = () =>
      this.tx.writeIn(actor.workspaceId, async (db, at) => {
        const user = await this.users.find(db, actor.workspaceId, id);
        if (!user) throw notFound('user');
        checkIfMatch(user.version, ifMatch);
        this.checkMayChange(actor, user, changes.role);
        if (user.role === 'owner' && changes.role !== undefined && changes.role !== 'owner' && (await this.users.countOwners(db, actor.workspaceId)) <= 1) {
          throw new DomainError('unprocessable', 'A workspace keeps at least one owner; make another user owner first.', { role: ['The last owner cannot be demoted.'] });
        }
        if (email !== undefined && email !== user.email) {
          const existing = await this.users.findByEmail(db, actor.workspaceId, email);
          if (existing) throw duplicate('user', 'email', existing.id);
        }
        const update = {
          ...(email !== undefined && { email }),
          ...(changes.name !== undefined && { name: changes.name.trim() }),
          ...(changes.role !== undefined && { role: changes.role }),
        };
        if (!(await this.users.update(db, actor.workspaceId, id, user.version, update, at))) throw concurrentChange();
        return { ...user, ...update, updated_at: at, version: user.version + 1 };
      });
    const updated = await refuseDuplicates(this.capabilities, write, () => this.duplicateEmail(actor.workspaceId, email ?? ''));
    await this.credentials.forgetWorkspace(actor.workspaceId);
    return updated;
  }

  /** Deletes the user and their API keys; records they owned are left without an owner. */
  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAdmin(actor);
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const user = await this.users.find(db, actor.workspaceId, id);
      if (!user) throw notFound('user');
      checkIfMatch(user.version, ifMatch);
      this.checkMayChange(actor, user, undefined);
      if (user.role === 'owner' && (await this.users.countOwners(db, actor.workspaceId)) <= 1) {
        throw new DomainError('unprocessable', 'A workspace keeps at least one owner; the last owner cannot be deleted.');
      }
      await releaseAll(this.referrers, db, actor.workspaceId, 'user', id, at);
      await this.users.delete(db, actor.workspaceId, id);
      // Users have no events of their own; the records they owned or were assigned change.
      await this.events.recordKnockOn(db, actor, at, { type: 'user.deleted', id });
    });
    await this.credentials.forgetWorkspace(actor.workspaceId);
  }

  private checkMayChange(actor: Actor, user: UserRow, newRole: UserRole | undefined): void {
    if (actor.role !== 'owner' && (user.role === 'owner' || newRole === 'owner')) {
      throw new DomainError('forbidden', 'Only an owner may change an owner or make one.');
    }
  }
}
