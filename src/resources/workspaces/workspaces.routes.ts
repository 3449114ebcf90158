import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { ifMatchVersion, item, record } from '../../http/envelope.js';
import { commonErrors, ItemEnvelope } from '../../http/schemas.js';
import type { Plan } from '../../domain/rate-limits.js';
import { presentIssuedKey } from '../api-keys/api-keys.presenter.js';
import { presentUser } from '../users/users.presenter.js';
import { presentWorkspace } from './workspaces.presenter.js';
import { WorkspaceCreate, WorkspaceUpdate } from './workspaces.schema.js';
import type { WorkspaceService } from './workspaces.service.js';

export function workspaceRoutes(app: FastifyInstance, workspaces: WorkspaceService, options: { operatorEnabled: boolean }): void {
  const tags = ['Workspace'];
  app.get('/v1/workspace', {
    schema: {
      operationId: 'workspace.get',
      tags,
      summary: "Get the key's workspace",
      response: { 200: ItemEnvelope(Type.Ref('Workspace')), ...commonErrors() },
    },
    handler: async (request, reply) => record(request, reply, presentWorkspace(await workspaces.get(actorOf(request)))),
  });

  app.patch('/v1/workspace', {
    schema: {
      operationId: 'workspace.update',
      tags,
      summary: 'Rename the workspace',
      description: 'Owners and admins, with a full-access key. The plan is set by the instance operator.',
      body: WorkspaceUpdate,
      response: { 200: ItemEnvelope(Type.Ref('Workspace')), ...commonErrors(412) },
    },
    handler: async (request, reply) => {
      const updated = await workspaces.update(actorOf(request), request.body as WorkspaceUpdate, ifMatchVersion(request));
      return record(request, reply, presentWorkspace(updated));
    },
  });

  // Operator endpoints exist only when TRELLIS_OPERATOR_TOKEN is set.
  if (!options.operatorEnabled) return;
  app.post('/v1/workspaces', {
    config: { auth: 'operator' },
    schema: {
      operationId: 'workspaces.create',
      tags: ['Operator'],
      summary: 'Create a workspace (instance operator)',
      description: "Authenticated by the operator token (TRELLIS_OPERATOR_TOKEN) as a Bearer token. Creates the workspace, its owner and the owner's first full-access key, whose secret is in the response once.",
      security: [{ operatorToken: [] }],
      body: WorkspaceCreate,
      response: {
        201: ItemEnvelope(
          Type.Object({ workspace: Type.Ref('Workspace'), owner: Type.Ref('User'), api_key: Type.Ref('NewApiKey') }),
        ),
        ...commonErrors(409, 413),
      },
    },
    handler: async (request, reply) => {
      const body = request.body as WorkspaceCreate;
      const created = await workspaces.create({ ...body, plan: (body.plan ?? null) as Plan | null });
      reply.status(201);
      return item(request, { workspace: presentWorkspace(created.workspace), owner: presentUser(created.owner), api_key: presentIssuedKey(created.apiKey) });
    },
  });
}
