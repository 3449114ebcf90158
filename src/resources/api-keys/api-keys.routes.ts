import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { ifMatchVersion, item, list, record } from '../../http/envelope.js';
import { checkListQuery, listQueryOf, listQuerystring } from '../../http/list-params.js';
import { commonErrors, IdParams, ItemEnvelope, ListEnvelope } from '../../http/schemas.js';
import { parseTimestamp } from '../../list/list-query.js';
import { invalidFields } from '../../domain/errors.js';
import { apiKeyListSpec } from './api-keys.list.js';
import { presentApiKey, presentIssuedKey } from './api-keys.presenter.js';
import { ApiKeyCreate, ApiKeyRotate } from './api-keys.schema.js';
import type { ApiKeyService } from './api-keys.service.js';

export function apiKeyRoutes(app: FastifyInstance, apiKeys: ApiKeyService): void {
  const tags = ['API keys'];

  app.get('/v1/api-keys', {
    preValidation: checkListQuery(apiKeyListSpec),
    schema: {
      operationId: 'api_keys.list',
      tags,
      summary: 'List API keys',
      description: 'Owners and admins, with a full-access key. Secrets are never listed.',
      querystring: listQuerystring(apiKeyListSpec),
      response: { 200: ListEnvelope(Type.Ref('ApiKey')), ...commonErrors() },
    },
    handler: async (request) => {
      const query = listQueryOf(request);
      const page = await apiKeys.list(actorOf(request), query);
      return list(request, page, page.rows.map(presentApiKey), query.limit);
    },
  });

  app.post('/v1/api-keys', {
    // The response holds the key's secret, which must not be stored: the header is ignored here.
    config: { idempotency: false },
    schema: {
      operationId: 'api_keys.create',
      tags,
      summary: 'Create an API key',
      description: 'The response holds the secret; it is shown this once.',
      body: ApiKeyCreate,
      response: { 201: ItemEnvelope(Type.Ref('NewApiKey')), ...commonErrors(413, 422) },
    },
    handler: async (request, reply) => {
      const body = request.body as ApiKeyCreate;
      let expiresAt: number | null | undefined = undefined;
      if (body.expires_at !== undefined && body.expires_at !== null) {
        expiresAt = parseTimestamp(body.expires_at);
        if (expiresAt === null) throw invalidFields({ expires_at: 'expires_at must be an ISO 8601 date-time.' });
      }
      const issued = await apiKeys.create(actorOf(request), { ...body, expires_at: expiresAt ?? null });
      reply.status(201);
      return record(request, reply, presentIssuedKey(issued));
    },
  });

  app.post('/v1/api-keys/:id/rotate', {
    config: { idempotency: false, optionalBody: true },
    schema: {
      operationId: 'api_keys.rotate',
      tags,
      summary: 'Rotate an API key',
      description:
        "Creates a replacement with the same name, scope, grants, user, rate limit and expiry (its secret shown this once), and sets the old key to stop working after `overlap_seconds` (default 24 hours), so the integration can switch without a gap. `replaces` is the old key, with its new expiry.",
      params: IdParams,
      body: ApiKeyRotate,
      response: { 201: ItemEnvelope(Type.Ref('RotatedApiKey')), ...commonErrors(404, 413, 422) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const overlap = (request.body as ApiKeyRotate).overlap_seconds ?? 86_400;
      const rotated = await apiKeys.rotate(actorOf(request), id, overlap * 1000);
      reply.status(201);
      return item(request, { ...presentIssuedKey(rotated), replaces: presentApiKey(rotated.previous) });
    },
  });

  app.get('/v1/api-keys/:id', {
    schema: {
      operationId: 'api_keys.get',
      tags,
      summary: 'Get an API key',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('ApiKey')), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      return record(request, reply, presentApiKey(await apiKeys.get(actorOf(request), id)));
    },
  });

  app.delete('/v1/api-keys/:id', {
    schema: {
      operationId: 'api_keys.revoke',
      tags,
      summary: 'Revoke an API key',
      description: 'The key stops working on its next request (within one second on other instances). Answers with the revoked key.',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('ApiKey')), ...commonErrors(404, 412) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      return record(request, reply, presentApiKey(await apiKeys.revoke(actorOf(request), id, ifMatchVersion(request))));
    },
  });
}
