import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { item, list } from '../../http/envelope.js';
import { commonErrors, Deleted, IdParams, ItemEnvelope, ListEnvelope } from '../../http/schemas.js';
import { presentIssuedKey } from '../api-keys/api-keys.presenter.js';
import { presentWorkspace } from '../workspaces/workspaces.presenter.js';
import type { SandboxService } from './sandboxes.service.js';

const SandboxCreate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: 'Default: the workspace\'s name + " (sandbox)".' })),
    sample_data: Type.Optional(Type.Boolean({ description: 'Fill the sandbox with a small sample set: companies, contacts, deals across the pipeline, leads, an activity and a task per company.' })),
  },
  { additionalProperties: false, title: 'SandboxCreate' },
);

export function sandboxRoutes(app: FastifyInstance, sandboxes: SandboxService): void {
  const tags = ['Sandboxes'];
  app.post('/v1/sandboxes', {
    // The response shows the sandbox key's secret, which must not be stored for replays.
    config: { idempotency: false, optionalBody: true },
    schema: {
      operationId: 'sandboxes.create',
      tags,
      summary: 'Create a sandbox of this workspace',
      description:
        "An isolated workspace with copies of this one's users, tags, pipelines and stages (no records unless sample_data), and a full-access `trl_test_` key for the caller's copy in it, whose secret is in the response once. Owners and admins, with a full key.",
      body: SandboxCreate,
      response: { 201: ItemEnvelope(Type.Object({ sandbox: Type.Ref('Workspace'), api_key: Type.Ref('NewApiKey') })), ...commonErrors(422) },
    },
    handler: async (request, reply) => {
      const created = await sandboxes.create(actorOf(request), request.body as { name?: string; sample_data?: boolean });
      reply.status(201);
      return item(request, { sandbox: presentWorkspace(created.sandbox), api_key: presentIssuedKey(created.apiKey) });
    },
  });

  app.get('/v1/sandboxes', {
    schema: {
      operationId: 'sandboxes.list',
      tags,
      summary: "This workspace's sandboxes",
      description: 'All of them (at most 20), oldest first.',
      response: { 200: ListEnvelope(Type.Ref('Workspace')), ...commonErrors() },
    },
    handler: async (request) => {
      const rows = (await sandboxes.list(actorOf(request))).map(presentWorkspace);
      return list(request, { total: rows.length, nextCursor: null, hasMore: false }, rows, rows.length);
    },
  });

  app.get('/v1/sandboxes/:id', {
    schema: { operationId: 'sandboxes.get', tags, summary: 'Get a sandbox', params: IdParams, response: { 200: ItemEnvelope(Type.Ref('Workspace')), ...commonErrors(404) } },
    handler: async (request) => item(request, presentWorkspace(await sandboxes.get(actorOf(request), (request.params as { id: string }).id))),
  });

  app.delete('/v1/sandboxes/:id', {
    schema: {
      operationId: 'sandboxes.delete',
      tags,
      summary: 'Delete a sandbox and all its data',
      description: 'Its records, users, keys, events and webhook endpoints go with it; its keys stop working at once.',
      params: IdParams,
      response: { 200: ItemEnvelope(Deleted), ...commonErrors(404) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      await sandboxes.delete(actorOf(request), id);
      return item(request, { id, deleted: true as const });
    },
  });
}
