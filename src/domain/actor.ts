/**
 * Who is acting: the API key, its user and workspace. Services receive an Actor
 * and check its scope themselves, so every door (REST, JSON-RPC, …) enforces
 * the same rules.
 */
import { DomainError } from './errors.js';

export const USER_ROLES = ['owner', 'admin', 'member'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const KEY_SCOPES = ['full', 'read_only', 'custom'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

/** The resources a custom key can be granted, as `<resource>:read` / `<resource>:write`. */
export const GRANT_RESOURCES = ['contacts', 'companies', 'leads', 'deals', 'pipelines', 'activities', 'tasks', 'tags', 'users', 'workspace', 'events', 'webhooks'] as const;
export type GrantResource = (typeof GRANT_RESOURCES)[number];
export type Access = 'read' | 'write';

export const GRANT_PATTERN = `^(${GRANT_RESOURCES.join('|')}):(read|write)$`;

export interface Actor {
  workspaceId: string;
  userId: string;
  role: UserRole;
  keyId: string;
  scope: KeyScope;
  grants: readonly string[];
  requestId: string;
}

export function can(actor: Actor, resource: GrantResource, access: Access): boolean {
  switch (actor.scope) {
    case 'full':
      return true;
    case 'read_only':
      return access === 'read';
    case 'custom':
      // A write grant includes reading the same resource.
      return actor.grants.includes(`${resource}:${access}`) || (access === 'read' && actor.grants.includes(`${resource}:write`));
  }
}

export function requireAccess(actor: Actor, resource: GrantResource, access: Access): void {
  if (!can(actor, resource, access)) {
    throw new DomainError('insufficient_scope', `This API key may not ${access} ${resource}; it needs the ${resource}:${access} grant.`, {
      required: `${resource}:${access}`,
    });
  }
}

/** Managing users and keys: a full-scope key of an owner or admin. */
export function requireAdmin(actor: Actor): void {
  if (actor.scope !== 'full') {
    throw new DomainError('insufficient_scope', 'Managing users and API keys needs a full-access key.', { required: 'full' });
  }
  if (actor.role !== 'owner' && actor.role !== 'admin') {
    throw new DomainError('forbidden', 'Only owners and admins may manage users and API keys.');
  }
}
