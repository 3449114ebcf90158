import { toIso } from '../platform/clock.js';
import type { WebhookDelivery, WebhookEndpoint } from './webhooks.repository.js';

/** An endpoint as shown; the secret only when just made (create, rotate-secret). */
export function presentEndpoint(endpoint: WebhookEndpoint & { revealSecret?: boolean }) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    description: endpoint.description,
    events: endpoint.events,
    enabled: endpoint.enabled,
    disabled_reason: endpoint.disabled_reason,
    failing_since: toIso(endpoint.failing_since),
    ...(endpoint.revealSecret && { secret: endpoint.secret }),
    created_at: toIso(endpoint.created_at),
    updated_at: toIso(endpoint.updated_at),
    version: endpoint.version,
  };
}

export function presentDelivery(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    endpoint_id: delivery.endpoint_id,
    event_id: delivery.event_id,
    event_type: delivery.event_type,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? toIso(delivery.next_attempt_at) : null,
    last_attempt_at: toIso(delivery.last_attempt_at),
    last_status_code: delivery.last_status_code,
    last_latency_ms: delivery.last_latency_ms,
    last_error: delivery.last_error,
    last_response_body: delivery.last_response_body,
    delivered_at: toIso(delivery.delivered_at),
    created_at: toIso(delivery.created_at),
    updated_at: toIso(delivery.updated_at),
  };
}
