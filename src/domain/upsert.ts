/**
 * Upserts: create the record, or update the one with the same unique key.
 * Callers learn what happened, so the REST door can answer 201 or 200 and a
 * bulk request can report each record.
 */
import type { Capabilities } from '../db/capabilities.js';
import type { Executor, Transactor } from '../db/transactor.js';

export type WriteOutcome = 'created' | 'updated' | 'unchanged';

/** A record after a write, and what the write did to it. */
export interface Written<T> {
  record: T;
  outcome: WriteOutcome;
}

/** How one resource finds, creates and updates a record, inside the upsert's transaction. */
export interface UpsertSteps<T> {
  /** The id of the record that has the key, if any. */
  find(db: Executor): Promise<string | undefined>;
  create(db: Executor, at: number): Promise<T>;
  update(db: Executor, id: string, at: number): Promise<Written<T>>;
}

/**
 * Looks the key up, then creates or updates, in one transaction. A
 * workspace's writes run one at a time, so the look-up holds; should the
 * unique index fire all the same (a write that took the key between look-up
 * and insert), the upsert runs once more, and then finds the record that won
 * and updates it. A second violation is the caller's to explain (409).
 */
export async function upsert<T>(capabilities: Capabilities, tx: Transactor, workspaceId: string, steps: UpsertSteps<T>): Promise<Written<T>> {
  const attempt = () =>
    tx.writeIn(workspaceId, async (db, at): Promise<Written<T>> => {
      const id = await steps.find(db);
      return id === undefined ? { record: await steps.create(db, at), outcome: 'created' } : steps.update(db, id, at);
    });
  try {
    return await attempt();
  } catch (error) {
    if (!capabilities.isUniqueViolation(error)) throw error;
    return attempt();
  }
}
