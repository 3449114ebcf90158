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

/**
 * Grants that are not `<resource>:<access>`: `mcp:destructive` lets a custom
 * key's agent see and use the MCP tools that delete or merge (its write
 * grants still decide which records).
 */
export const SPECIAL_GRANTS = ['mcp:destructive'] as const;

export const GRANT_PATTERN = `^((${GRANT_RESOURCES.join('|')}):(read|write)|${SPECIAL_GRANTS.join('|')})$`;

export interface Actor {
  workspaceId: string;
  userId: string;
  role: UserRole;
  /** The API key; for a browser session, the session's id (`ses_…`). */
  keyId: string;
  /** Set when a signed-in person acts through a browser session rather than a key. */
  sessionId?: string;
  scope: KeyScope;
  grants: readonly string[];
  requestId: string;
}

/**
 * What a browser session may do, by its user's role: owners and admins all a
 * full key may; members work with records (and read who is who and the
 * workspace), but manage no keys, users, webhooks, sandboxes or workspace.
 */
export function sessionAccess(role: UserRole): { scope: KeyScope; grants: string[] } {
  if (role === 'owner' || role === 'admin') return { scope: 'full', grants: [] };
  const records = ['contacts', 'companies', 'leads', 'deals', 'activities', 'tasks', 'tags'].map((resource) => `${resource}:write`);
  return { scope: 'custom', grants: [...records, 'pipelines:read', 'users:read', 'workspace:read', 'events:read'] };
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
    const who = actor.sessionId !== undefined ? `A ${actor.role}` : 'This API key';
    throw new DomainError('insufficient_scope', `${who} may not ${access} ${resource}; it needs the ${resource}:${access} grant.`, {
      required: `${resource}:${access}`,
    });
  }
}

/** Managing users and keys: a full-scope key of an owner or admin. */
export function requireAdmin(actor: Actor): void {
  if (actor.scope !== 'full' && actor.sessionId === undefined) {
    throw new DomainError('insufficient_scope', 'Managing users and API keys needs a full-access key.', { required: 'full' });
  }
  if (actor.role !== 'owner' && actor.role !== 'admin') {
    throw new DomainError('forbidden', 'Only owners and admins may manage users and API keys.');
  }
}
