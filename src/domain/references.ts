/**
 * What happens to records that point at a deleted one: every resource that
 * holds references registers a Referrer, and a deletion asks each to let go
 * (unlink, unassign) in the same transaction, so nothing is left dangling.
 * The rules per reference are listed in docs/api-guide.md ("Deleting").
 */
import type { Executor } from '../db/transactor.js';

export type ReferencedType = 'user' | 'contact' | 'company' | 'lead' | 'deal';

export interface Referrer {
  release(db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void>;
}

export async function releaseAll(referrers: readonly Referrer[], db: Executor, workspaceId: string, type: ReferencedType, id: string, at: number): Promise<void> {
  for (const referrer of referrers) await referrer.release(db, workspaceId, type, id, at);
}
