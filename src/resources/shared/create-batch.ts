/**
 * How contacts, companies and leads are created in batches (an import's batch,
 * or a single create as a list of one): every input is judged by the same
 * rules, each rule one query for the whole batch; a refused input comes back
 * as its error and writes nothing; the rest are written with multi-row
 * statements, their tags set, and one `<type>.created` event each.
 */
import { DomainError } from '../../domain/errors.js';
import type { Actor } from '../../domain/actor.js';
import type { Executor } from '../../db/transactor.js';
import type { EventLog, Presented } from '../../events/event-log.js';
import type { EventType } from '../../events/event-types.js';
import type { Tagging } from '../tags/tagging.js';
import type { TaggableType } from '../tags/tags.list.js';
import type { TagRef } from '../tags/tags.repository.js';

/** For the records still standing (with the tag ids their inputs gave), an error or nothing each. */
export type BatchCheck<R> = (records: R[], tagIds: (string[] | undefined)[]) => Promise<(DomainError | undefined)[]>;

export interface BatchCreate<Input extends { tag_ids?: string[] }, R extends { id: string }> {
  type: TaggableType;
  event: EventType;
  /** The new record an input describes; throws the DomainError of an input refused on its own. */
  draft(input: Input): R;
  /** The rules that need the database, in order: a record refused by one is not asked about by the next. */
  checks: BatchCheck<R>[];
  insert(records: R[]): Promise<void>;
  present(view: R & { tags: TagRef[] }): Presented;
}

export async function createBatch<Input extends { tag_ids?: string[] }, R extends { id: string }>(
  db: Executor,
  actor: Actor,
  at: number,
  inputs: Input[],
  how: BatchCreate<Input, R>,
  tagging: Tagging,
  events: EventLog,
): Promise<((R & { tags: TagRef[] }) | DomainError)[]> {
  const { workspaceId } = actor;
  const results: (R | DomainError)[] = inputs.map((input) => {
    try {
      return how.draft(input);
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  });
  for (const check of how.checks) {
    const standing = results.flatMap((r, i) => (r instanceof DomainError ? [] : [i]));
    const errors = await check(
      standing.map((i) => results[i] as R),
      standing.map((i) => inputs[i]?.tag_ids),
    );
    errors.forEach((error, k) => {
      if (error) results[standing[k] as number] = error;
    });
  }
  const created = results.flatMap((r, i) => (r instanceof DomainError ? [] : [{ record: r, tagIds: inputs[i]?.tag_ids }]));
  await how.insert(created.map((c) => c.record));
  const views = new Map<string, R & { tags: TagRef[] }>();
  for (const { record, tagIds } of created) {
    await tagging.write(db, workspaceId, how.type, record.id, tagIds);
    views.set(record.id, await tagging.attachCreated(workspaceId, how.type, record, tagIds, db));
  }
  await events.recordMany(db, actor, workspaceId, at, how.event, [...views.values()].map((view) => how.present(view)));
  return results.map((r) => (r instanceof DomainError ? r : (views.get(r.id) as R & { tags: TagRef[] })));
}
