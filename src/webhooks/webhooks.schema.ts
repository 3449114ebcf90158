import { Type, type Static } from '@sinclair/typebox';
import { SUBSCRIBABLE_EVENT_TYPES } from '../events/event-types.js';
import { Nullable, StringEnum, Timestamp } from '../http/schemas.js';
import { DELIVERY_STATUSES } from './webhooks.list.js';

const Url = Type.String({ minLength: 1, maxLength: 2048, description: 'https URL that receives the events (http only for hosts in TRELLIS_WEBHOOK_ALLOW_PRIVATE).' });
const Events = Type.Array(StringEnum([...SUBSCRIBABLE_EVENT_TYPES, '*']), {
  minItems: 1,
  maxItems: 100,
  uniqueItems: true,
  description: 'The event types to receive, or ["*"] for all.',
});
const Description = Nullable(Type.String({ maxLength: 500 }));

export const WebhookEndpointCreate = Type.Object(
  {
    url: Url,
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, title: 'WebhookEndpointCreate' },
);
export type WebhookEndpointCreate = Static<typeof WebhookEndpointCreate>;

export const WebhookEndpointUpdate = Type.Object(
  {
    url: Type.Optional(Url),
    events: Type.Optional(Events),
    description: Type.Optional(Description),
    enabled: Type.Optional(Type.Boolean({ description: 'true re-enables an endpoint that was disabled for failing.' })),
  },
  { additionalProperties: false, title: 'WebhookEndpointUpdate' },
);
export type WebhookEndpointUpdate = Static<typeof WebhookEndpointUpdate>;

export const WebhookEndpointOut = Type.Object(
  {
    id: Type.String({ examples: ['whk_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    url: Type.String(),
    description: Nullable(Type.String()),
    events: Type.Array(Type.String()),
    enabled: Type.Boolean(),
    disabled_reason: Nullable(Type.String({ description: 'Why Trellis disabled the endpoint, if it did.' })),
    failing_since: Nullable(Timestamp),
    secret: Type.Optional(Type.String({ description: 'The signing secret (whsec_…): only in the responses of create and rotate-secret.' })),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'WebhookEndpoint', title: 'WebhookEndpoint' },
);

export const WebhookDeliveryOut = Type.Object(
  {
    id: Type.String({ examples: ['whd_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    endpoint_id: Type.String(),
    event_id: Type.String(),
    event_type: Type.String(),
    status: StringEnum(DELIVERY_STATUSES),
    attempts: Type.Integer(),
    next_attempt_at: Nullable(Timestamp),
    last_attempt_at: Nullable(Timestamp),
    last_status_code: Nullable(Type.Integer()),
    last_latency_ms: Nullable(Type.Integer()),
    last_error: Nullable(Type.String()),
    last_response_body: Nullable(Type.String({ description: "The start (up to 4 KiB) of the receiver's reply to the last attempt." })),
    request_body: Type.Optional(Nullable(Type.Unknown({ description: "In an endpoint's delivery log: the JSON body sent (the event), or null once the event is past retention." }))),
    delivered_at: Nullable(Timestamp),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
  { $id: 'WebhookDelivery', title: 'WebhookDelivery' },
);

export const EventOut = Type.Object(
  {
    id: Type.String({ examples: ['evt_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    type: Type.String({ examples: ['deal.stage_changed'] }),
    created_at: Timestamp,
    workspace_id: Type.String(),
    data: Type.Object(
      {
        object: Type.Unknown({ description: 'The record after the change (before it, for deletions).' }),
        previous_attributes: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Only the attributes that changed, with their previous values.' })),
      },
      { additionalProperties: true },
    ),
    request_id: Nullable(Type.String()),
    actor: Type.Object({ user_id: Nullable(Type.String()), key_id: Nullable(Type.String()) }),
  },
  { $id: 'Event', title: 'Event' },
);
