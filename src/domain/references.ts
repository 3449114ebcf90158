/**
 * What happens to records that point at a deleted or merged one: every
 * resource that holds references registers a Referrer. A deletion asks each to
 * let go (unlink, unassign), a merge asks each to point at the survivor
 * instead, in the same transaction, so nothing is left dangling. The rules per
 * reference are listed in docs/api-guide.md ("Deleting", "Merging").
 */
import type { Executor } from '../db/transactor.js';

export type ReferencedType = 'user' | 'contact' | 'company' | 'lead' | 'deal';

export interface Referrer {
  release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void>;
  /**
   * Moves this resource's references from `fromId` to `toId` (a merge), moving
   * the version and updated_at of each record that changes; answers their ids.
   */
  reassign(db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]>;
}

export async function releaseAll(referrers: readonly Referrer[], db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
  for (const referrer of referrers) await referrer.release(db, workspaceId, type, id, at);
}

/** Points every reference to `fromId` at `toId`; answers the ids of the records that changed. */
export async function reassignAll(referrers: readonly Referrer[], db: Executor, workspaceId: string, type: ReferencedType, fromId: string, toId: string, at: number): Promise<string[]> {
  const changed: string[] = [];
  for (const referrer of referrers) changed.push(...(await referrer.reassign(db, workspaceId, type, fromId, toId, at)));
  return changed;
}
