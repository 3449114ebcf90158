/**
 * Merging a duplicate into a survivor, for contacts and companies alike: the
 * survivor keeps its values and takes the duplicate's where it has none;
 * records that pointed at the duplicate (deals, activities, tasks, leads,
 * contacts) point at the survivor; it gets the duplicate's tags too; the
 * duplicate is deleted. One `<type>.merged` event names both. All in the
 * caller's transaction.
 */
import type { Actor } from '../../domain/actor.js';
import { DomainError, notFound } from '../../domain/errors.js';
import { mergeCustomFields, type Address, type JsonObject } from '../../domain/normalize.js';
import { reassignAll, type Referrer } from '../../domain/references.js';
import { checkIfMatch, concurrentChange } from '../../domain/versioning.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { EventLog, Presented } from '../../events/event-log.js';
import type { Tagging } from '../tags/tagging.js';
import type { TagRef } from '../tags/tags.repository.js';

export interface Mergeable {
  id: string;
  version: number;
  updated_at: number;
}

/** What a resource tells the merge: how to read, fill, write and show its records. */
export interface MergeRecipe<R extends Mergeable> {
  type: 'contact' | 'company';
  find(db: Executor, workspaceId: string, id: string): Promise<R | undefined>;
  /** The survivor with its empty fields taken from the duplicate. */
  fill(survivor: R, duplicate: R): R;
  delete(db: Executor, workspaceId: string, id: string): Promise<void>;
  /** Writes `next` if the record is still at `previous.version`. */
  replace(db: Executor, workspaceId: string, next: R, previous: R): Promise<boolean>;
  present(record: R & { tags: TagRef[] }): Presented;
}

export interface MergeDeps {
  tagging: Tagging;
  referrers: readonly Referrer[];
  events: EventLog;
}

/** Carries a dry run's result out of its transaction, which throwing rolls back. */
class DryRunResult<T> extends Error {
  constructor(readonly result: T) {
    super('dry run');
  }
}

/**
 * Runs a merge in a workspace write transaction; with `dryRun`, the same merge
 * (every rule and check, so the same errors) and then a rollback: the answer is
 * the survivor as the merge would leave it, and nothing is written, no event
 * recorded. One code path for both, so the preview cannot drift from the merge.
 */
export async function mergeOrPreview<T>(tx: Transactor, workspaceId: string, dryRun: boolean, work: (db: Executor, at: number) => Promise<T>): Promise<T> {
  try {
    return await tx.writeIn(workspaceId, async (db, at) => {
      const result = await work(db, at);
      if (dryRun) throw new DryRunResult(result);
      return result;
    });
  } catch (error) {
    if (error instanceof DryRunResult) return error.result as T;
    throw error;
  }
}

/** Refused before anything is read: a record is no duplicate of itself. */
export function refuseSelfMerge(noun: string, id: string, duplicateId: string): void {
  if (id === duplicateId) throw new DomainError('unprocessable', `A ${noun} cannot be merged into itself.`, { duplicate_id: ['Must name another record than the one in the path.'] });
}

export async function mergeRecords<R extends Mergeable>(
  db: Executor,
  actor: Actor,
  at: number,
  deps: MergeDeps,
  recipe: MergeRecipe<R>,
  ids: { id: string; duplicateId: string; ifMatch?: number | undefined },
): Promise<R & { tags: TagRef[] }> {
  const { workspaceId } = actor;
  const { type } = recipe;
  const { id, duplicateId } = ids;
  const survivor = await recipe.find(db, workspaceId, id);
  if (!survivor) throw notFound(type);
  checkIfMatch(survivor.version, ids.ifMatch);
  const duplicate = await recipe.find(db, workspaceId, duplicateId);
  if (!duplicate) throw new DomainError('not_found', `No such ${type}: duplicate_id names no ${type} of this workspace.`, { field: 'duplicate_id' });
  const [before, merged] = (await deps.tagging.attach(workspaceId, type, [survivor, duplicate], db)) as [R & { tags: TagRef[] }, R & { tags: TagRef[] }];
  const next: R = { ...recipe.fill(survivor, duplicate), updated_at: at, version: survivor.version + 1 };

  // References move first, while the duplicate still exists; then it goes (with
  // its unique values, such as emails or a domain), then the survivor may take them.
  const reassigned = await reassignAll(deps.referrers, db, workspaceId, type, duplicateId, id, at);
  await deps.tagging.remove(db, type, duplicateId);
  await deps.tagging.write(db, workspaceId, type, id, [...before.tags, ...merged.tags].map((t) => t.id));
  await recipe.delete(db, workspaceId, duplicateId);
  if (!(await recipe.replace(db, workspaceId, next, survivor))) throw concurrentChange();

  const view = await deps.tagging.attachOne(workspaceId, type, next, db);
  await deps.events.record(db, actor, workspaceId, at, `${type}.merged`, recipe.present(view), {
    before: recipe.present(before),
    extra: { merged_id: duplicateId, merged: recipe.present(merged), reassigned_ids: reassigned },
  });
  await deps.events.recordKnockOn(db, actor, at, { type: `${type}.merged`, id });
  return view;
}

/** `survivor` with each of `keys` that it has no value for (null) taken from `duplicate`. */
export function fillEmpty<R, K extends keyof R>(survivor: R, duplicate: R, keys: readonly K[]): R {
  const filled = { ...survivor };
  for (const key of keys) if (filled[key] === null) filled[key] = duplicate[key];
  return filled;
}

/** Each empty part of the survivor's address taken from the duplicate's. */
export function fillAddress(survivor: Address, duplicate: Address): Address {
  return fillEmpty(survivor, duplicate, ['street', 'city', 'state', 'postal_code', 'country']);
}

/** The survivor's custom fields plus the duplicate's keys it lacks; 422 when together they exceed the limits. */
export function fillCustomFields(survivor: JsonObject, duplicate: JsonObject): JsonObject {
  const missing = Object.fromEntries(Object.entries(duplicate).filter(([key]) => !Object.hasOwn(survivor, key)));
  try {
    return mergeCustomFields(survivor, missing);
  } catch (error) {
    if (error instanceof DomainError) throw new DomainError('unprocessable', `The merged record would break a rule: ${error.message}`, error.details);
    throw error;
  }
}
