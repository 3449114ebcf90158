/**
 * Writes the event of every change, inside the transaction of the change, and
 * queues it for each webhook endpoint that subscribes (the outbox): a change
 * never commits without its event and its deliveries, and a rolled-back change
 * leaves neither.
 */
import type { Actor } from '../domain/actor.js';
import { hasWebhookEndpoints, type Executor } from '../db/transactor.js';
import { toIso } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import type { WebhookDeliveryRepository, WebhookEndpointRepository } from '../webhooks/webhooks.repository.js';
import type { EventType } from './event-types.js';
import type { EventRepository, EventRow } from './events.repository.js';

/** A record as the API shows it. */
export type Presented = { id: string } & Record<string, unknown>;

/** The event as clients receive it, from GET /v1/events and in webhook bodies. */
export interface EventBody {
  id: string;
  type: string;
  created_at: string;
  workspace_id: string;
  data: { object: unknown; previous_attributes?: Record<string, unknown> } & Record<string, unknown>;
  request_id: string | null;
  actor: { user_id: string | null; key_id: string | null };
}

export interface RecordOptions {
  /** The record as it was before the change: previous_attributes holds what differs. */
  before?: Presented;
  /** More fields of `data`, e.g. the merged duplicate. */
  extra?: Record<string, unknown>;
  /** Deliver only to this endpoint (a test ping), whatever it subscribes to. */
  onlyEndpointId?: string;
}

/** How to show records of one kind by id, inside a transaction: for knock-on events. */
export interface RecordReader {
  /** The table the records live in. */
  table: string;
  /** Their event types are `<type>.updated`. */
  type: 'contact' | 'company' | 'deal' | 'lead' | 'activity' | 'task';
  read(db: Executor, workspaceId: string, ids: string[]): Promise<Presented[]>;
}

export class EventLog {
  /** Set when deliveries were queued; the worker is woken after the commit. */
  private queued = false;
  private readers: readonly RecordReader[] = [];

  constructor(
    private readonly events: EventRepository,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
  ) {}

  /** Records a change made by `actor` (null for Trellis itself, e.g. disabling a failing endpoint). */
  async record(db: Executor, actor: Actor | null, workspaceId: string, at: number, type: EventType, object: Presented, options: RecordOptions = {}): Promise<EventBody> {
    const data: EventBody['data'] = { object, ...(options.before && { previous_attributes: changedAttributes(options.before, object) }), ...options.extra };
    const [row] = await this.write(db, actor, workspaceId, at, type, [data], options.onlyEndpointId);
    return eventBody(row as EventRow);
  }

  /** One event of `type` for each record, written with multi-row statements (an import's batch of new records). */
  async recordMany(db: Executor, actor: Actor | null, workspaceId: string, at: number, type: EventType, objects: Presented[]): Promise<void> {
    await this.write(
      db,
      actor,
      workspaceId,
      at,
      type,
      objects.map((object) => ({ object })),
    );
  }

  private async write(db: Executor, actor: Actor | null, workspaceId: string, at: number, type: EventType, datas: EventBody['data'][], onlyEndpointId?: string): Promise<EventRow[]> {
    const rows = datas.map(
      (data): EventRow => ({
        id: newId('event'),
        workspace_id: workspaceId,
        type,
        record_id: (data.object as Presented).id,
        data: JSON.stringify(data),
        request_id: actor?.requestId ?? null,
        actor_user_id: actor?.userId ?? null,
        actor_key_id: actor?.keyId ?? null,
        created_at: at,
      }),
    );
    if (rows.length === 0) return rows;
    await this.events.insert(db, rows);
    const targets = onlyEndpointId
      ? [onlyEndpointId]
      : hasWebhookEndpoints(db) === false
        ? []
        : (await this.endpoints.subscribers(db, workspaceId)).filter((e) => e.events.includes('*') || e.events.includes(type)).map((e) => e.id);
    await this.deliveries.insert(
      db,
      rows.flatMap((row) =>
        targets.map((endpointId) => ({
          id: newId('webhookDelivery'),
          workspace_id: workspaceId,
          endpoint_id: endpointId,
          event_id: row.id,
          event_type: type,
          status: 'pending',
          attempts: 0,
          next_attempt_at: at,
          lease_until: null,
          last_attempt_at: null,
          last_response_body: null,
          last_status_code: null,
          last_latency_ms: null,
          last_error: null,
          delivered_at: null,
          created_at: at,
          updated_at: at,
        })),
      ),
    );
    if (targets.length > 0) this.queued = true;
    return rows;
  }

  /** Set once at wiring: the services that can show each kind of record. */
  readRecordsWith(readers: readonly RecordReader[]): void {
    this.readers = readers;
  }

  /**
   * Records `<type>.updated` for every record the transaction changed as a
   * knock-on of `cause` (unlinked by a deletion, pointed at a merge's
   * survivor, retagged by a tag's change) that has no event of its own: so
   * a client following events or webhooks sees every change. Call it after
   * the cause's own event.
   */
  async recordKnockOn(db: Executor, actor: Actor, at: number, cause: { type: string; id: string }): Promise<void> {
    for (const reader of this.readers) {
      const ids = await this.events.changedWithoutEvent(db, reader.table, actor.workspaceId, at);
      if (ids.length === 0) continue;
      for (const object of await reader.read(db, actor.workspaceId, ids)) {
        await this.record(db, actor, actor.workspaceId, at, `${reader.type}.updated`, object, { extra: { cause } });
      }
    }
  }

  /** Whether deliveries were queued since the last call (then the worker should look now). */
  takeQueued(): boolean {
    const queued = this.queued;
    this.queued = false;
    return queued;
  }
}

/** The previous values of the attributes that differ between two presentations of a record. */
export function changedAttributes(before: Presented, after: Presented): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = before[key] ?? null;
  }
  return changed;
}

export function eventBody(row: EventRow): EventBody {
  return {
    id: row.id,
    type: row.type,
    created_at: toIso(row.created_at),
    workspace_id: row.workspace_id,
    data: JSON.parse(row.data) as EventBody['data'],
    request_id: row.request_id,
    actor: { user_id: row.actor_user_id, key_id: row.actor_key_id },
  };
}
