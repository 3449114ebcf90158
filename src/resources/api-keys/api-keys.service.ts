/** API keys: issuing, authenticating, revoking, and remembering when each was last used. */
import { GRANT_RESOURCES, requireAdmin, type Actor, type KeyScope, type UserRole } from '../../domain/actor.js';
import { DomainError, invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { budgetFor } from '../../domain/rate-limits.js';
import { checkIfMatch } from '../../domain/versioning.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import type { Budget } from '../../platform/rate-limiter.js';
import { API_KEY_PATTERN, digestsEqual, generateApiKey, hashSecret, keyPrefix, type KeyMode } from '../../platform/secrets.js';
import type { UserRepository } from '../users/users.repository.js';
import type { ApiKeyRepository, ApiKeyRow } from './api-keys.repository.js';
import type { CredentialCache } from './credential-cache.js';

export interface ApiKeyInput {
  name: string;
  scope: KeyScope;
  grants?: string[];
  expires_at?: number | null;
  rate_limit_per_minute?: number | null;
  user_id?: string;
}

export interface IssuedKey {
  key: ApiKeyRow;
  secret: string;
}

export interface Authentication {
  actor: Omit<Actor, 'requestId'>;
  budget: Budget;
}

export class ApiKeyService {
  /** Last-use times not yet written; flushed every few seconds instead of a write per request. */
  private readonly pendingUsage = new Map<string, number>();

  constructor(
    private readonly tx: Transactor,
    private readonly clock: Clock,
    private readonly keys: ApiKeyRepository,
    private readonly users: UserRepository,
    private readonly defaultRateLimit: number,
    private readonly credentials: CredentialCache,
  ) {}

  /**
   * Resolves a presented secret to its actor. Unknown, revoked and expired keys
   * all answer 401 alike. With HTTP Basic, the user name must be the key's user's email.
   */
  async authenticate(secret: string, basicUser?: string): Promise<Authentication> {
    // Built only when refusing: an error's stack trace is costly on a path every request takes.
    const unauthorized = () => new DomainError('unauthorized', 'The API key is missing, invalid, revoked or expired.');
    if (!API_KEY_PATTERN.test(secret)) throw unauthorized();
    const hash = hashSecret(secret);
    let credential = this.credentials.get(hash);
    if (credential === undefined) {
      credential = await this.keys.findCredential(this.tx.db, hash);
      if (credential) this.credentials.set(hash, credential);
    }
    if (!credential || !digestsEqual(credential.secretHash, hash)) throw unauthorized();
    // Revocation and expiry against the clock on every request, cached or not.
    const now = this.clock.now();
    if (credential.revokedAt !== null || (credential.expiresAt !== null && credential.expiresAt <= now)) throw unauthorized();
    if (basicUser !== undefined && basicUser.trim().toLowerCase() !== credential.userEmail) throw unauthorized();
    this.pendingUsage.set(credential.keyId, now);
    return {
      actor: {
        workspaceId: credential.workspaceId,
        userId: credential.userId,
        role: credential.role as UserRole,
        keyId: credential.keyId,
        scope: credential.scope as KeyScope,
        grants: JSON.parse(credential.grants) as string[],
      },
      budget: budgetFor(credential.plan, credential.keyRateLimit, this.defaultRateLimit),
    };
  }

  async flushUsage(): Promise<void> {
    if (this.pendingUsage.size === 0) return;
    const usage = new Map(this.pendingUsage);
    this.pendingUsage.clear();
    await this.tx.write((db) => this.keys.touch(db, usage));
  }

  /** A key as shown, with a last use not yet written to the database. */
  present(key: ApiKeyRow): ApiKeyRow {
    const pending = this.pendingUsage.get(key.id);
    return pending !== undefined && (key.last_used_at === null || pending > key.last_used_at) ? { ...key, last_used_at: pending } : key;
  }

  async create(actor: Actor, input: ApiKeyInput): Promise<IssuedKey> {
    requireAdmin(actor);
    const userId = input.user_id ?? actor.userId;
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const user = await this.users.find(db, actor.workspaceId, userId);
      if (!user) throw unknownReference('user_id', 'user');
      // A key acts as its user: only an owner may hold or hand out an owner's powers.
      requireMayActFor(actor, user.role);
      return this.issue(db, actor.workspaceId, userId, input, at);
    });
  }

  /** Issues a key inside an open transaction; `secret` is given only by bootstrap. */
  async issue(db: Executor, workspaceId: string, userId: string, input: ApiKeyInput, at: number, options: { secret?: string; mode?: KeyMode } = {}): Promise<IssuedKey> {
    const grants = this.checkGrants(input.scope, input.grants);
    if (input.expires_at != null && input.expires_at <= this.clock.now()) throw invalidFields({ expires_at: 'expires_at must be in the future.' });
    const secret = options.secret ?? generateApiKey(options.mode ?? 'live');
    const key: ApiKeyRow = {
      id: newId('apiKey'),
      user_id: userId,
      name: input.name.trim(),
      prefix: keyPrefix(secret),
      scope: input.scope,
      grants: JSON.stringify(grants),
      expires_at: input.expires_at ?? null,
      last_used_at: null,
      revoked_at: null,
      rate_limit_per_minute: input.rate_limit_per_minute ?? null,
      created_at: at,
      updated_at: at,
      version: 1,
    };
    await this.keys.insert(db, workspaceId, key, hashSecret(secret));
    return { key, secret };
  }

  async get(actor: Actor, id: string): Promise<ApiKeyRow> {
    requireAdmin(actor);
    const key = await this.keys.find(this.tx.db, actor.workspaceId, id);
    if (!key) throw notFound('API key');
    return this.present(key);
  }

  async list(actor: Actor, query: ListQuery) {
    requireAdmin(actor);
    const page = await this.keys.list(this.tx.db, actor.workspaceId, query);
    return { ...page, rows: page.rows.map((key) => this.present(key)) };
  }

  /** Revocation takes effect on the key's next request (within a second on other instances); revoking twice is harmless. */
  async revoke(actor: Actor, id: string, ifMatch?: number): Promise<ApiKeyRow> {
    requireAdmin(actor);
    const revoked = await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const key = await this.keys.find(db, actor.workspaceId, id);
      if (!key) throw notFound('API key');
      checkIfMatch(key.version, ifMatch);
      const holder = await this.users.find(db, actor.workspaceId, key.user_id);
      requireMayActFor(actor, holder?.role ?? 'member');
      if (key.revoked_at !== null) return this.present(key);
      await this.keys.revoke(db, actor.workspaceId, id, at);
      return this.present({ ...key, revoked_at: at, updated_at: at, version: key.version + 1 });
    });
    await this.credentials.forgetWorkspace(actor.workspaceId);
    return revoked;
  }

  /** After a change to who the workspace's keys act as (a user's role or email, a deleted user or workspace), committed. */
  forgetWorkspace(workspaceId: string): Promise<void> {
    return this.credentials.forgetWorkspace(workspaceId);
  }

  /**
   * Rotation: a new key like the old one (name, scope, grants, user, rate
   * limit, expiry), and the old one set to stop working after `overlapMs`, so
   * the integration can switch over without a gap. A revoked or expired key is
   * not rotated.
   */
  async rotate(actor: Actor, id: string, overlapMs: number): Promise<IssuedKey & { previous: ApiKeyRow }> {
    requireAdmin(actor);
    const rotated = await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const key = await this.keys.find(db, actor.workspaceId, id);
      if (!key) throw notFound('API key');
      const holder = await this.users.find(db, actor.workspaceId, key.user_id);
      requireMayActFor(actor, holder?.role ?? 'member');
      if (key.revoked_at !== null) throw new DomainError('unprocessable', 'A revoked key cannot be rotated; create a new one.');
      if (key.expires_at !== null && key.expires_at <= at) throw new DomainError('unprocessable', 'An expired key cannot be rotated; create a new one.');
      const issued = await this.issue(
        db,
        actor.workspaceId,
        key.user_id,
        { name: key.name, scope: key.scope as KeyScope, grants: JSON.parse(key.grants) as string[], expires_at: key.expires_at, rate_limit_per_minute: key.rate_limit_per_minute },
        at,
        { mode: key.prefix.startsWith('trl_test_') ? 'test' : 'live' },
      );
      // The old key never outlives its own expiry.
      const expiresAt = key.expires_at === null ? at + overlapMs : Math.min(key.expires_at, at + overlapMs);
      await this.keys.expire(db, actor.workspaceId, id, expiresAt, at);
      return { ...issued, previous: this.present({ ...key, expires_at: expiresAt, updated_at: at, version: key.version + 1 }) };
    });
    // The old key's cached look-up still has its old expiry.
    await this.credentials.forgetWorkspace(actor.workspaceId);
    return rotated;
  }

  private checkGrants(scope: KeyScope, grants: string[] | undefined): string[] {
    if (scope !== 'custom') {
      if (grants !== undefined && grants.length > 0) throw invalidFields({ grants: 'grants are given only with scope "custom".' });
      return [];
    }
    if (grants === undefined || grants.length === 0) {
      throw invalidFields({ grants: `A custom key needs at least one grant, like "contacts:read". Resources: ${GRANT_RESOURCES.join(', ')}.` });
    }
    return [...new Set(grants)].sort();
  }
}

function requireMayActFor(actor: Actor, role: string): void {
  if (role === 'owner' && actor.role !== 'owner') throw new DomainError('forbidden', "Only an owner may issue or revoke an owner's keys.");
}
