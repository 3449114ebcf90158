/** Reading the change log: what a client that missed webhooks catches up from. */
import { requireAccess, type Actor } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import type { Transactor } from '../db/transactor.js';
import type { Filter, ListQuery } from '../list/list-query.js';
import { eventListSpec } from './events.list.js';
import { eventBody, type EventBody } from './event-log.js';
import type { EventRepository } from './events.repository.js';

export class EventService {
  constructor(
    private readonly tx: Transactor,
    private readonly events: EventRepository,
  ) {}

  async get(actor: Actor, id: string): Promise<EventBody> {
    requireAccess(actor, 'events', 'read');
    const row = await this.events.find(this.tx.db, actor.workspaceId, id);
    if (!row) throw notFound('event');
    return eventBody(row);
  }

  async list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'events', 'read');
    const page = await this.events.list(this.tx.db, actor.workspaceId, query);
    return { ...page, rows: page.rows.map(eventBody) };
  }

  /**
   * Where a stream starts: after the event `afterId` when given and still kept,
   * else after the newest event now (`known: false` when `afterId` named none).
   */
  async streamStart(actor: Actor, afterId: string | undefined): Promise<{ position: EventPosition; known: boolean }> {
    requireAccess(actor, 'events', 'read');
    if (afterId !== undefined) {
      const row = await this.events.find(this.tx.db, actor.workspaceId, afterId);
      if (row) return { position: { createdAt: row.created_at, id: row.id }, known: true };
    }
    const newest = await this.events.list(this.tx.db, actor.workspaceId, {
      filters: [],
      search: [],
      sort: [{ field: 'created_at', spec: eventListSpec.fields.created_at as NonNullable<(typeof eventListSpec.fields)['created_at']>, direction: 'desc' }],
      limit: 1,
      cursor: null,
      countTotal: false,
    });
    const row = newest.rows[0];
    return { position: row ? { createdAt: row.created_at, id: row.id } : { createdAt: 0, id: '' }, known: afterId === undefined };
  }

  /**
   * The events after `position`, oldest first, that match `filters`. A write
   * transaction's events share its time, and times increase in commit order,
   * so (created_at, id) after the last one seen misses none and repeats none.
   */
  async after(actor: Actor, position: EventPosition, filters: Filter[], limit: number): Promise<EventBody[]> {
    requireAccess(actor, 'events', 'read');
    const page = await this.events.list(this.tx.db, actor.workspaceId, {
      filters,
      search: [],
      sort: [{ field: 'created_at', spec: eventListSpec.fields.created_at as NonNullable<(typeof eventListSpec.fields)['created_at']>, direction: 'asc' }],
      limit,
      cursor: { values: [position.createdAt], id: position.id },
      countTotal: false,
    });
    return page.rows.map(eventBody);
  }
}

/** The last event a stream has sent (or the point it starts from). */
export interface EventPosition {
  createdAt: number;
  id: string;
}
