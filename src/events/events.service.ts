/** Reading the change log: what a client that missed webhooks catches up from. */
import { requireAccess, type Actor } from '../domain/actor.js';
import { notFound } from '../domain/errors.js';
import type { Transactor } from '../db/transactor.js';
import type { ListQuery } from '../list/list-query.js';
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
}
