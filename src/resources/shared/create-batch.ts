/**
 * How contacts, companies, leads, deals and activities are created in batches (an
 * import's batch, or a single create as a list of one): every input is judged
 * by the same rules, each rule one query for the whole batch; a refused input
 * comes back as its error and writes nothing; the rest are written with
 * multi-row statements, their tags set (for the types that have tags), and one
 * `<type>.created` event each.
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

/** The same for any type (activities have no tags): each check is given the inputs of the records still standing. */
export interface RecordBatchCreate<Input, R extends { id: string }, V extends { id: string } = R> {
  event: EventType;
  draft(input: Input): R;
  checks: ((records: R[], inputs: Input[]) => Promise<(DomainError | undefined)[]>)[];
  insert(records: R[]): Promise<void>;
  /** The created records as shown, once what else their inputs write is written (tags); absent: the records themselves. */
  written?(created: { record: R; input: Input }[]): Promise<V[]>;
  present(view: V): Presented;
}

/** A batch of a type with tags (contacts, companies, leads): each created record's tags are written and attached. */
export function createBatch<Input extends { tag_ids?: string[] }, R extends { id: string }>(
  db: Executor,
  actor: Actor,
  at: number,
  inputs: Input[],
  how: BatchCreate<Input, R>,
  tagging: Tagging,
  events: EventLog,
): Promise<((R & { tags: TagRef[] }) | DomainError)[]> {
  const { workspaceId } = actor;
  return createRecords<Input, R, R & { tags: TagRef[] }>(
    db,
    actor,
    at,
    inputs,
    {
      event: how.event,
      draft: how.draft,
      checks: how.checks.map((check) => (records, standing) => check(records, standing.map((input) => input.tag_ids))),
      insert: how.insert,
      written: (created) => writeTags(db, workspaceId, how.type, created, tagging),
      present: how.present,
    },
    events,
  );
}

/** Each created record's tags, written and attached (no query for a record whose input names none). */
export async function writeTags<Input extends { tag_ids?: string[] }, R extends { id: string }>(
  db: Executor,
  workspaceId: string,
  type: TaggableType,
  created: { record: R; input: Input }[],
  tagging: Tagging,
): Promise<(R & { tags: TagRef[] })[]> {
  const views: (R & { tags: TagRef[] })[] = [];
  for (const { record, input } of created) {
    await tagging.write(db, workspaceId, type, record.id, input.tag_ids);
    views.push(await tagging.attachCreated(workspaceId, type, record, input.tag_ids, db));
  }
  return views;
}

/** A batch of any type: drafts, then the checks in order, one insert of the records standing, one event each. */
export async function createRecords<Input, R extends { id: string }, V extends { id: string } = R>(
  db: Executor,
  actor: Actor,
  at: number,
  inputs: Input[],
  how: RecordBatchCreate<Input, R, V>,
  events: EventLog,
): Promise<(V | DomainError)[]> {
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
      standing.map((i) => inputs[i] as Input),
    );
    errors.forEach((error, k) => {
      if (error) results[standing[k] as number] = error;
    });
  }
  const created = results.flatMap((r, i) => (r instanceof DomainError ? [] : [{ record: r, input: inputs[i] as Input }]));
  await how.insert(created.map((c) => c.record));
  const shown = how.written ? await how.written(created) : created.map((c) => c.record as unknown as V);
  const views = new Map(shown.map((view) => [view.id, view]));
  await events.recordMany(db, actor, workspaceId, at, how.event, shown.map((view) => how.present(view)));
  return results.map((r) => (r instanceof DomainError ? r : (views.get(r.id) as V)));
}
