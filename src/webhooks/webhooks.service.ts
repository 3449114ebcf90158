/** Webhook endpoints, their signing secrets and their delivery log. */
import { randomBytes } from 'node:crypto';
import { requireAccess, type Actor } from '../domain/actor.js';
import { invalidFields, notFound } from '../domain/errors.js';
import { checkIfMatch, concurrentChange } from '../domain/versioning.js';
import type { Transactor } from '../db/transactor.js';
import { eventBody, type EventLog, type EventBody } from '../events/event-log.js';
import type { EventRepository } from '../events/events.repository.js';
import type { ListQuery } from '../list/list-query.js';
import { newId } from '../platform/ids.js';
import { checkEndpointUrl, type AllowList } from './address-guard.js';
import { presentEndpoint } from './webhooks.presenter.js';
import type { WebhookDelivery, WebhookDeliveryRepository, WebhookEndpoint, WebhookEndpointRepository } from './webhooks.repository.js';
import type { WebhookEndpointCreate, WebhookEndpointUpdate } from './webhooks.schema.js';
import type { WorkspaceRepository } from '../resources/workspaces/workspaces.repository.js';

/** After a rotation the old secret keeps signing this long, so receivers can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3_600_000;

export type EndpointView = WebhookEndpoint & { revealSecret?: boolean };

/** A Standard Webhooks secret: whsec_ and 32 random bytes in base64. */
const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`;

export class WebhookService {
  constructor(
    private readonly tx: Transactor,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly events: EventLog,
    private readonly allowPrivate: AllowList,
    private readonly workspaces: WorkspaceRepository,
    private readonly eventRows: EventRepository,
  ) {}

  async get(actor: Actor, id: string): Promise<EndpointView> {
    requireAccess(actor, 'webhooks', 'read');
    return this.find(actor, id);
  }

  list(actor: Actor, query: ListQuery) {
    requireAccess(actor, 'webhooks', 'read');
    return this.endpoints.list(this.tx.db, actor.workspaceId, query);
  }

  async create(actor: Actor, input: WebhookEndpointCreate): Promise<EndpointView> {
    requireAccess(actor, 'webhooks', 'write');
    const url = this.checkUrl(input.url);
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const endpoint: WebhookEndpoint = {
        id: newId('webhookEndpoint'),
        workspace_id: actor.workspaceId,
        url,
        description: input.description?.trim() || null,
        events: input.events ?? ['*'],
        enabled: input.enabled ?? true,
        secret: newSecret(),
        previous_secret: null,
        previous_secret_expires_at: null,
        failing_since: null,
        disabled_reason: null,
        created_at: at,
        updated_at: at,
        version: 1,
      };
      await this.endpoints.insert(db, endpoint);
      await this.workspaces.recountWebhookEndpoints(db, actor.workspaceId);
      return { ...endpoint, revealSecret: true };
    });
  }

  async update(actor: Actor, id: string, input: WebhookEndpointUpdate, ifMatch?: number): Promise<EndpointView> {
    requireAccess(actor, 'webhooks', 'write');
    const url = input.url === undefined ? undefined : this.checkUrl(input.url);
    return this.change(actor, id, ifMatch, (current) => {
      const enabling = input.enabled === true && !current.enabled;
      const moved = url !== undefined && url !== current.url;
      return {
        ...current,
        url: url ?? current.url,
        events: input.events ?? current.events,
        description: input.description === undefined ? current.description : input.description?.trim() || null,
        enabled: input.enabled ?? current.enabled,
        // Re-enabling, or a new URL, starts afresh: the old URL's failures do not count against it.
        failing_since: enabling || moved ? null : current.failing_since,
        disabled_reason: enabling ? null : current.disabled_reason,
      };
    });
  }

  async delete(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    requireAccess(actor, 'webhooks', 'write');
    await this.tx.writeIn(actor.workspaceId, async (db) => {
      const current = await this.endpoints.find(db, actor.workspaceId, id);
      if (!current) throw notFound('webhook endpoint');
      checkIfMatch(current.version, ifMatch);
      await this.endpoints.delete(db, actor.workspaceId, id);
      await this.workspaces.recountWebhookEndpoints(db, actor.workspaceId);
    });
  }

  /** A new signing secret; the old one keeps signing beside it for 24 hours. */
  async rotateSecret(actor: Actor, id: string): Promise<EndpointView> {
    requireAccess(actor, 'webhooks', 'write');
    const rotated = await this.change(actor, id, undefined, (current, at) => ({
      ...current,
      secret: newSecret(),
      previous_secret: current.secret,
      previous_secret_expires_at: at + PREVIOUS_SECRET_GRACE_MS,
    }));
    return { ...rotated, revealSecret: true };
  }

  /** Sends a `ping` event to this endpoint only. */
  async test(actor: Actor, id: string): Promise<EventBody> {
    requireAccess(actor, 'webhooks', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const endpoint = await this.endpoints.find(db, actor.workspaceId, id);
      if (!endpoint) throw notFound('webhook endpoint');
      return this.events.record(db, actor, actor.workspaceId, at, 'ping', { id: endpoint.id, url: endpoint.url, message: 'A test event from Trellis.' }, { onlyEndpointId: endpoint.id });
    });
  }

  async deliveriesOf(actor: Actor, endpointId: string, query: ListQuery) {
    requireAccess(actor, 'webhooks', 'read');
    await this.find(actor, endpointId);
    const page = await this.deliveries.listOfEndpoint(this.tx.db, actor.workspaceId, endpointId, query);
    // What each delivery sent: its event's body (signed and posted as is), while the event is kept.
    const events = new Map((await this.eventRows.findMany(this.tx.db, actor.workspaceId, page.rows.map((d) => d.event_id))).map((e) => [e.id, eventBody(e)]));
    return { ...page, rows: page.rows.map((delivery) => ({ ...delivery, request_body: events.get(delivery.event_id) ?? null })) };
  }

  /** Queues a delivery again now: a failed one, or a succeeded one to replay it. */
  async retryDelivery(actor: Actor, id: string): Promise<WebhookDelivery> {
    requireAccess(actor, 'webhooks', 'write');
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const delivery = await this.deliveries.find(db, actor.workspaceId, id);
      if (!delivery) throw notFound('webhook delivery');
      await this.deliveries.requeue(db, actor.workspaceId, id, at);
      return (await this.deliveries.find(db, actor.workspaceId, id)) as WebhookDelivery;
    });
  }

  /** Called by the delivery worker when an endpoint has failed too long: disabled, with the reason and an event. */
  async disableFailing(endpoint: WebhookEndpoint, reason: string): Promise<void> {
    await this.tx.writeIn(endpoint.workspace_id, async (db, at) => {
      const current = await this.endpoints.find(db, endpoint.workspace_id, endpoint.id);
      // Re-enabled, moved to another url or recovered meanwhile: the failures no longer stand.
      if (!current?.enabled || current.url !== endpoint.url || current.failing_since === null) return;
      const disabled: WebhookEndpoint = { ...current, enabled: false, disabled_reason: reason, updated_at: at, version: current.version + 1 };
      if (!(await this.endpoints.replace(db, disabled, current.version))) return;
      await this.workspaces.recountWebhookEndpoints(db, endpoint.workspace_id);
      await this.events.record(db, null, endpoint.workspace_id, at, 'webhook_endpoint.disabled', presentEndpoint(disabled), { before: presentEndpoint(current) });
    });
  }

  private async find(actor: Actor, id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.find(this.tx.db, actor.workspaceId, id);
    if (!endpoint) throw notFound('webhook endpoint');
    return endpoint;
  }

  private checkUrl(raw: string): string {
    const url = raw.trim();
    const problem = checkEndpointUrl(url, this.allowPrivate);
    if (problem) throw invalidFields({ url: `The url ${problem}.` });
    return url;
  }

  private change(actor: Actor, id: string, ifMatch: number | undefined, next: (current: WebhookEndpoint, at: number) => WebhookEndpoint): Promise<WebhookEndpoint> {
    return this.tx.writeIn(actor.workspaceId, async (db, at) => {
      const current = await this.endpoints.find(db, actor.workspaceId, id);
      if (!current) throw notFound('webhook endpoint');
      checkIfMatch(current.version, ifMatch);
      const changed = { ...next(current, at), updated_at: at, version: current.version + 1 };
      if (!(await this.endpoints.replace(db, changed, current.version))) throw concurrentChange();
      if (changed.enabled !== current.enabled) await this.workspaces.recountWebhookEndpoints(db, actor.workspaceId);
      return changed;
    });
  }
}
