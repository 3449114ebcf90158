/** Webhook endpoints and the delivery outbox. */
import { insertRows } from '../db/bulk.js';
import type { Capabilities } from '../db/capabilities.js';
import { listRows } from '../db/list-rows.js';
import type { WebhookDeliveryTable, WebhookEndpointTable } from '../db/schema.js';
import type { Executor } from '../db/transactor.js';
import type { ListQuery } from '../list/list-query.js';
import { deliveryListSpec, endpointListSpec } from './webhooks.list.js';

/** An endpoint as the code handles it: its event types as a list, `enabled` as a boolean. */
export type WebhookEndpoint = Omit<WebhookEndpointTable, 'events' | 'enabled'> & { events: string[]; enabled: boolean };

export type WebhookDelivery = WebhookDeliveryTable;

const ENDPOINT_COLUMNS = ['id', 'workspace_id', 'url', 'description', 'events', 'enabled', 'secret', 'previous_secret', 'previous_secret_expires_at', 'failing_since', 'disabled_reason', 'created_at', 'updated_at', 'version'] as const;
const DELIVERY_COLUMNS = ['id', 'workspace_id', 'endpoint_id', 'event_id', 'event_type', 'status', 'attempts', 'next_attempt_at', 'lease_until', 'last_attempt_at', 'last_status_code', 'last_latency_ms', 'last_error', 'last_response_body', 'delivered_at', 'created_at', 'updated_at'] as const;

const optionalNumber = (value: number | null): number | null => (value === null ? null : Number(value));
const endpointFromRow = (row: WebhookEndpointTable): WebhookEndpoint => ({
  ...row,
  events: JSON.parse(row.events) as string[],
  enabled: Boolean(row.enabled),
  previous_secret_expires_at: optionalNumber(row.previous_secret_expires_at),
  failing_since: optionalNumber(row.failing_since),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});
const endpointToRow = (endpoint: WebhookEndpoint): WebhookEndpointTable => ({ ...endpoint, events: JSON.stringify(endpoint.events), enabled: endpoint.enabled ? 1 : 0 });
const deliveryFromRow = (row: WebhookDeliveryTable): WebhookDelivery => ({
  ...row,
  next_attempt_at: optionalNumber(row.next_attempt_at),
  lease_until: optionalNumber(row.lease_until),
  last_attempt_at: optionalNumber(row.last_attempt_at),
  delivered_at: optionalNumber(row.delivered_at),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});

export class WebhookEndpointRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, endpoint: WebhookEndpoint): Promise<void> {
    await db.insertInto('webhook_endpoints').values(endpointToRow(endpoint)).execute();
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const row = await db.selectFrom('webhook_endpoints').select(ENDPOINT_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && endpointFromRow(row);
  }

  async list(db: Executor, workspaceId: string, query: ListQuery) {
    const page = await listRows<WebhookEndpointTable>(db, this.capabilities, endpointListSpec, workspaceId, query, ENDPOINT_COLUMNS);
    return { ...page, rows: page.rows.map(endpointFromRow) };
  }

  /** The enabled endpoints of a workspace with what they subscribe to: the fan-out of every event. */
  async subscribers(db: Executor, workspaceId: string): Promise<{ id: string; events: string[] }[]> {
    const rows = await db.selectFrom('webhook_endpoints').select(['id', 'events']).where('workspace_id', '=', workspaceId).where('enabled', '=', 1).execute();
    return rows.map((row) => ({ id: row.id, events: JSON.parse(row.events) as string[] }));
  }

  async replace(db: Executor, endpoint: WebhookEndpoint, expectedVersion: number): Promise<boolean> {
    const { id, workspace_id, created_at: _created, ...changes } = endpointToRow(endpoint);
    const result = await db.updateTable('webhook_endpoints').set(changes).where('workspace_id', '=', workspace_id).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async delete(db: Executor, workspaceId: string, id: string): Promise<void> {
    await db.deleteFrom('webhook_deliveries').where('workspace_id', '=', workspaceId).where('endpoint_id', '=', id).execute();
    await db.deleteFrom('webhook_endpoints').where('workspace_id', '=', workspaceId).where('id', '=', id).execute();
  }

  /**
   * After a failed attempt at `url`: remembers when the failures began (kept if
   * already set). An attempt at a url the endpoint no longer has counts for nothing.
   */
  async markFailing(db: Executor, id: string, url: string, at: number): Promise<void> {
    await db.updateTable('webhook_endpoints').set({ failing_since: at }).where('id', '=', id).where('url', '=', url).where('failing_since', 'is', null).execute();
  }

  async markHealthy(db: Executor, id: string, url: string): Promise<void> {
    await db.updateTable('webhook_endpoints').set({ failing_since: null }).where('id', '=', id).where('url', '=', url).where('failing_since', 'is not', null).execute();
  }
}

export class WebhookDeliveryRepository {
  constructor(private readonly capabilities: Capabilities) {}

  async insert(db: Executor, deliveries: WebhookDelivery[]): Promise<void> {
    await insertRows(db, 'webhook_deliveries', deliveries);
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<WebhookDelivery | undefined> {
    const row = await db.selectFrom('webhook_deliveries').select(DELIVERY_COLUMNS).where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && deliveryFromRow(row);
  }

  async listOfEndpoint(db: Executor, workspaceId: string, endpointId: string, query: ListQuery) {
    const page = await listRows<WebhookDeliveryTable>(db, this.capabilities, deliveryListSpec, workspaceId, query, DELIVERY_COLUMNS, { equals: { endpoint_id: endpointId } });
    return { ...page, rows: page.rows.map(deliveryFromRow) };
  }

  /**
   * Takes up to `limit` due deliveries of enabled endpoints for this worker
   * until `leaseUntil`. A delivery whose lease ran out (its worker crashed) is
   * due again. Runs in the caller's transaction.
   */
  async claimDue(db: Executor, now: number, leaseUntil: number, limit: number): Promise<WebhookDelivery[]> {
    const due = await this.capabilities
      .skipLocked(
        db
          .selectFrom('webhook_deliveries')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .where('endpoint_id', 'in', (eb) => eb.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1))
          .orderBy('next_attempt_at')
          .limit(limit),
      )
      .execute();
    if (due.length === 0) return [];
    const rows = await db
      .updateTable('webhook_deliveries')
      .set({ lease_until: leaseUntil })
      .where(
        'id',
        'in',
        due.map((d) => d.id),
      )
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .returning(DELIVERY_COLUMNS)
      .execute();
    return rows.map(deliveryFromRow);
  }

  /** Records an attempt's outcome, if this worker still holds the lease. */
  async recordAttempt(
    db: Executor,
    delivery: WebhookDelivery,
    outcome: Pick<WebhookDelivery, 'status' | 'next_attempt_at' | 'last_status_code' | 'last_latency_ms' | 'last_error' | 'last_response_body' | 'delivered_at' | 'last_attempt_at'>,
  ): Promise<boolean> {
    const result = await db
      .updateTable('webhook_deliveries')
      .set({ ...outcome, attempts: delivery.attempts + 1, lease_until: null, updated_at: outcome.last_attempt_at ?? delivery.updated_at })
      .where('id', '=', delivery.id)
      .where('lease_until', '=', delivery.lease_until)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Queues a delivery for another attempt now, whatever its state (manual retry, replay). */
  async requeue(db: Executor, workspaceId: string, id: string, at: number): Promise<void> {
    await db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', next_attempt_at: at, lease_until: null, updated_at: at })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', id)
      .execute();
  }

  /**
   * The queue as operators watch it (metrics, `trellis doctor`): deliveries
   * waiting for an attempt, and when the longest-waiting one fell due, over
   * every workspace's enabled endpoints.
   */
  async queueState(db: Executor, now: number): Promise<{ pending: number; due: number; oldestDueAt: number | null }> {
    const row = await db
      .selectFrom('webhook_deliveries')
      .select((eb) => [
        eb.fn.countAll<number>().as('pending'),
        eb.fn.sum<number>(eb.case().when('next_attempt_at', '<=', now).then(1).else(0).end()).as('due'),
        eb.fn.min<number>('next_attempt_at').as('oldest'),
      ])
      .where('status', '=', 'pending')
      .where('endpoint_id', 'in', (eb) => eb.selectFrom('webhook_endpoints').select('id').where('enabled', '=', 1))
      .executeTakeFirstOrThrow();
    const oldest = row.oldest === null ? null : Number(row.oldest);
    return { pending: Number(row.pending), due: Number(row.due ?? 0), oldestDueAt: oldest !== null && oldest <= now ? oldest : null };
  }

  /** Deletes finished deliveries older than `before`. */
  async prune(db: Executor, before: number): Promise<number> {
    const result = await db.deleteFrom('webhook_deliveries').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
