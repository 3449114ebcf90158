/** Every event type Trellis emits; webhook endpoints subscribe to these (or `*`). */
export const EVENT_TYPES = [
  'contact.created',
  'contact.updated',
  'contact.deleted',
  'contact.merged',
  'company.created',
  'company.updated',
  'company.deleted',
  'company.merged',
  'lead.created',
  'lead.updated',
  'lead.converted',
  'lead.deleted',
  'deal.created',
  'deal.updated',
  'deal.stage_changed',
  'deal.won',
  'deal.lost',
  'deal.deleted',
  'activity.created',
  'activity.updated',
  'activity.deleted',
  'task.created',
  'task.updated',
  'task.completed',
  'task.deleted',
  'pipeline.created',
  'pipeline.updated',
  'pipeline.deleted',
  'tag.created',
  'tag.updated',
  'tag.deleted',
  'webhook_endpoint.disabled',
  'import.completed',
  'import.failed',
  // Sent only by POST /v1/webhook-endpoints/{id}/test, to that endpoint.
  'ping',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What an endpoint may subscribe to: every type but ping, which goes to whoever asks for it. */
export const SUBSCRIBABLE_EVENT_TYPES = EVENT_TYPES.filter((t) => t !== 'ping');
