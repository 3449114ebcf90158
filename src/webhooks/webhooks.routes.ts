import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../http/auth.js';
import { item, list, record } from '../http/envelope.js';
import { registerResource } from '../http/resource-routes.js';
import { checkListQuery, listQueryOf, listQuerystring } from '../http/list-params.js';
import { commonErrors, IdParams, ItemEnvelope, ListEnvelope } from '../http/schemas.js';
import { deliveryListSpec, endpointListSpec } from './webhooks.list.js';
import { presentDelivery, presentEndpoint } from './webhooks.presenter.js';
import { WebhookEndpointCreate, WebhookEndpointUpdate } from './webhooks.schema.js';
import type { WebhookService } from './webhooks.service.js';

export function webhookRoutes(app: FastifyInstance, webhooks: WebhookService): void {
  registerResource(app, {
    path: '/v1/webhook-endpoints',
    name: 'webhook_endpoints',
    tag: 'Webhooks',
    noun: 'webhook endpoint',
    listSpec: endpointListSpec,
    out: Type.Ref('WebhookEndpoint'),
    create: WebhookEndpointCreate,
    update: WebhookEndpointUpdate,
    present: presentEndpoint,
    service: webhooks,
    createRevealsSecret: true,
  });

  app.post('/v1/webhook-endpoints/:id/rotate-secret', {
    // The response holds the new secret, which must not be stored for replays.
    config: { idempotency: false },
    schema: {
      operationId: 'webhook_endpoints.rotate_secret',
      tags: ['Webhooks'],
      summary: "Rotate an endpoint's signing secret",
      description: 'Returns the new secret once. For 24 hours deliveries carry signatures by both the new and the old secret, so the receiver can switch without losing any.',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('WebhookEndpoint')), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      return record(request, reply, presentEndpoint(await webhooks.rotateSecret(actorOf(request), id)));
    },
  });

  app.post('/v1/webhook-endpoints/:id/test', {
    schema: {
      operationId: 'webhook_endpoints.test',
      tags: ['Webhooks'],
      summary: 'Send a ping event to an endpoint',
      description: 'Queues a `ping` event for this endpoint only; its delivery appears in the endpoint\'s deliveries.',
      params: IdParams,
      response: { 202: ItemEnvelope(Type.Ref('Event')), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      reply.status(202);
      return item(request, await webhooks.test(actorOf(request), id));
    },
  });

  app.get('/v1/webhook-endpoints/:id/deliveries', {
    preValidation: checkListQuery(deliveryListSpec),
    schema: {
      operationId: 'webhook_endpoints.deliveries',
      tags: ['Webhooks'],
      summary: "An endpoint's deliveries",
      description: "Each delivery with its status, attempts, last response code, latency, error and response body, the request body it sent, and when the next attempt is due.",
      params: IdParams,
      querystring: listQuerystring(deliveryListSpec),
      response: { 200: ListEnvelope(Type.Ref('WebhookDelivery')), ...commonErrors(404) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const query = listQueryOf(request);
      const page = await webhooks.deliveriesOf(actorOf(request), id, query);
      return list(request, page, page.rows.map((delivery) => ({ ...presentDelivery(delivery), request_body: delivery.request_body })), query.limit);
    },
  });

  app.post('/v1/webhook-deliveries/:id/retry', {
    schema: {
      operationId: 'webhook_deliveries.retry',
      tags: ['Webhooks'],
      summary: 'Send a delivery again now',
      description: 'Queues one more attempt at once: for a failed delivery, or to replay one that succeeded.',
      params: IdParams,
      response: { 202: ItemEnvelope(Type.Ref('WebhookDelivery')), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      reply.status(202);
      return item(request, presentDelivery(await webhooks.retryDelivery(actorOf(request), id)));
    },
  });
}
