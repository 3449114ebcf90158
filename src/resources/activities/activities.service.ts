/**
 * Activities: calls, emails, meetings, notes logged against records. A phone or
 * email system that logs the same event twice (same source and external id)
 * gets 409 with the existing activity, so automated logging is safe to retry.
 */
import { requireAccess, type Actor } from '../../domain/actor.js';
import { refuseDuplicates } from '../../domain/dedup.js';
import { DomainError, duplicate, invalidFields, notFound, unknownReference } from '../../domain/errors.js';
import { cleanText, mergeCustomFields } from '../../domain/normalize.js';
import { checkIfMatch, concurrentChange, unchanged } from '../../domain/versioning.js';
import type { Capabilities } from '../../db/capabilities.js';
import { linkErrors } from '../../db/record-links.js';
import { existingIds } from '../../db/records.js';
import type { Executor, Transactor } from '../../db/transactor.js';
import type { ListQuery } from '../../list/list-query.js';
import { parseTimestamp } from '../../list/list-query.js';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import { applyLinks } from '../shared/record-links.js';
import { createRecords } from '../shared/create-batch.js';
import { externalKey, type Activity, type ActivityRepository, type ExternalKey } from './activities.repository.js';
import type { ActivityCreate, ActivityUpdate } from './activities.schema.js';
import type { EventLog } from '../../events/event-log.js';
import { presentActivity } from './activities.presenter.js';

export class ActivityService {
  constructor(
    private readonly tx: Transactor,
    private readonly capabilities: Capabilities,
    private readonly clock: Clock,
    private readonly activities: ActivityRepository,
    private readonly events: EventLog,
  ) {}

  async get(actor: Actor, id: string): Promise<Activity> {
    requireAccess(actor, 'activities', 'read');
    const activity = await this.activities.find(this.tx.db, actor.workspaceId, id);
    if (!activity) throw notFound('activity');
    return activity;
  }

  list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'activities', 'read');
    return this.activities.list(this.tx.db, actor.workspaceId, query);
  }

  create(actor: Actor, input: ActivityCreate): Promise<Activity> {
    requireAccess(actor, 'activities', 'write');
    const draft = this.apply(blankActivity(this.clock.now(), actor.userId), input);
    return this.unique(actor, draft, (db, at) => this.createIn(db, actor, input, at));
  }

  /** Logs an activity inside an open transaction (also used by imports). */
  async createIn(db: Executor, actor: Actor, input: ActivityCreate, at: number): Promise<Activity> {
    const [created] = await this.createManyIn(db, actor, [input], at);
    if (created instanceof DomainError) throw created;
    return created as Activity;
  }

  /**
   * Logs activities inside an open transaction (an import's batch goes this
   * way, and a single create is a list of one): every input is judged by the
   * same rules, with one query per rule for the whole list. A refused input
   * comes back as its error and writes nothing; the others are written with a
   * multi-row insert, each with its activity.created event. A source and
   * external id given by two inputs belong to the first; the second is a
   * duplicate of it.
   */
  async createManyIn(db: Executor, actor: Actor, inputs: ActivityCreate[], at: number): Promise<(Activity | DomainError)[]> {
    const { workspaceId } = actor;
    return createRecords(
      db,
      actor,
      at,
      inputs,
      {
        event: 'activity.created',
        draft: (input) => ({ ...this.apply(blankActivity(this.clock.now(), actor.userId), input), id: newId('activity'), created_at: at, updated_at: at, version: 1 }),
        checks: [(records) => this.referenceErrors(db, workspaceId, records), (records) => this.duplicateErrors(db, workspaceId, records)],
        insert: (records) => this.activities.insertMany(db, workspaceId, records),
        present: presentActivity,
      },
      this.events,
    );
  }

  /** For each (source, external id) pair, the activity that has it, by externalKey: an import's duplicate look-up for a whole batch in one query. */
  findIdsByExternalIds(db: Executor, workspaceId: string, keys: ExternalKey[]): Promise<Map<string, string>> {
    return this.activities.idsByExternalIds(db, workspaceId, keys);
  }

  update(actor: Actor, id: string, input: ActivityUpdate, ifMatch?: number): Promise<Activity> {
    requireAccess(actor, 'activities', 'write');
    let next: Activity | undefined;
    return this.unique(actor, () => next, async (db, at) => {
      const current = await this.activities.find(db, actor.workspaceId, id);
      if (!current) throw notFound('activity');
      checkIfMatch(current.version, ifMatch);
      const applied = this.apply(current, input);
      if (unchanged(current, applied)) return current;
      next = { ...applied, updated_at: at, version: current.version + 1 };
      await this.check(db, actor.workspaceId, next);
      if (!(await this.activities.replace(db, actor.workspaceId, next, current.version))) throw concurrentChange();
      await this.events.record(db, actor, actor.workspaceId, at, 'activity.updated', presentActivity(next), { before: presentActivity(current) });
      return next;
    });
  }

  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'activities', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.activities.find(db, actor.workspaceId, id);
      if (!current) throw notFound('activity');
      checkIfMatch(current.version, ifMatch);
      await this.activities.delete(db, actor.workspaceId, id);
      await this.events.record(db, actor, actor.workspaceId, at, 'activity.deleted', presentActivity(current));
    });
  }

  private apply(current: Activity, input: ActivityUpdate): Activity {
    const text = <K extends 'subject' | 'body' | 'outcome' | 'source' | 'external_id'>(key: K) => (input[key] === undefined ? current[key] : (cleanText(input[key]) ?? null));
    let occurredAt = current.occurred_at;
    if (input.occurred_at !== undefined) {
      const parsed = parseTimestamp(input.occurred_at);
      if (parsed === null) throw invalidFields({ occurred_at: 'occurred_at must be an ISO 8601 date-time.' });
      occurredAt = parsed;
    }
    const next: Activity = {
      ...current,
      ...applyLinks(current, input),
      type: input.type ?? current.type,
      subject: text('subject'),
      body: text('body'),
      outcome: text('outcome'),
      source: text('source'),
      external_id: text('external_id'),
      occurred_at: occurredAt,
      duration_seconds: input.duration_seconds === undefined ? current.duration_seconds : input.duration_seconds,
      direction: input.direction === undefined ? current.direction : input.direction,
      logged_by: input.logged_by === undefined ? current.logged_by : input.logged_by,
      custom_fields: mergeCustomFields(current.custom_fields, input.custom_fields),
    };
    if (next.external_id !== null && next.source === null) throw invalidFields({ source: 'An external_id needs the source it comes from.' });
    return next;
  }

  /** The rules of createManyIn, in the same order, for an activity being changed. */
  private async check(db: Executor, workspaceId: string, activity: Activity): Promise<void> {
    const [unknown] = await this.referenceErrors(db, workspaceId, [activity]);
    if (unknown) throw unknown;
    const [taken] = await this.duplicateErrors(db, workspaceId, [activity]);
    if (taken) throw taken;
  }

  /** For each activity, its first reference (logged_by, then the links) that names nothing in the workspace: one query per kind for the whole list. */
  private async referenceErrors(db: Executor, workspaceId: string, activities: Activity[]): Promise<(DomainError | undefined)[]> {
    const users = await existingIds(db, 'users', workspaceId, activities.flatMap((a) => (a.logged_by === null ? [] : [a.logged_by])));
    const links = await linkErrors(db, workspaceId, activities);
    return activities.map((a, i) => (a.logged_by !== null && !users.has(a.logged_by) ? unknownReference('logged_by', 'user') : links[i]));
  }

  /**
   * The dedup rule, for a list in one query: an activity duplicates another one
   * with the same source and external id. An activity of the list counts as
   * existing for the activities after it.
   */
  private async duplicateErrors(db: Executor, workspaceId: string, activities: Activity[]): Promise<(DomainError | undefined)[]> {
    const pairs = activities.map((a): ExternalKey | undefined => (a.source !== null && a.external_id !== null ? { source: a.source, external_id: a.external_id } : undefined));
    const taken = await this.activities.idsByExternalIds(db, workspaceId, pairs.filter((p) => p !== undefined));
    return activities.map((activity, i) => {
      const pair = pairs[i];
      if (pair === undefined) return undefined;
      const key = externalKey(pair.source, pair.external_id);
      const existing = taken.get(key);
      if (existing !== undefined && existing !== activity.id) return duplicate('activity', 'external_id', existing);
      taken.set(key, activity.id);
      return undefined;
    });
  }

  private unique(actor: Actor, draft: Activity | (() => Activity | undefined), work: (db: Executor, at: number) => Promise<Activity>): Promise<Activity> {
    return refuseDuplicates(this.capabilities, () => this.tx.writeIn(actor.workspaceId, work), async () => {
      const activity = typeof draft === 'function' ? draft() : draft;
      const existing =
        activity?.source && activity.external_id ? await this.activities.findIdByExternalId(this.tx.db, actor.workspaceId, activity.source, activity.external_id) : undefined;
      return duplicate('activity', 'external_id', existing ?? 'unknown');
    });
  }
}

function blankActivity(now: number, userId: string): Activity {
  return {
    id: '',
    type: 'note',
    subject: null,
    body: null,
    occurred_at: now,
    duration_seconds: null,
    direction: null,
    outcome: null,
    logged_by: userId,
    contact_id: null,
    company_id: null,
    deal_id: null,
    lead_id: null,
    source: null,
    external_id: null,
    custom_fields: {},
    created_at: 0,
    updated_at: 0,
    version: 1,
  };
}
