import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { ifMatchVersion, item, record } from '../../http/envelope.js';
import { registerResource } from '../../http/resource-routes.js';
import { commonErrors, Deleted, IdParams, ItemEnvelope } from '../../http/schemas.js';
import { pipelineListSpec } from './pipelines.list.js';
import { presentPipeline, presentStage } from './pipelines.presenter.js';
import { PipelineCreate, PipelineUpdate, StageCreate, StageDeleteQuery, StageReorder, StageUpdate } from './pipelines.schema.js';
import type { PipelineService } from './pipelines.service.js';

export function pipelineRoutes(app: FastifyInstance, pipelines: PipelineService): void {
  registerResource(app, {
    path: '/v1/pipelines',
    name: 'pipelines',
    tag: 'Pipelines',
    noun: 'pipeline',
    listSpec: pipelineListSpec,
    out: Type.Ref('Pipeline'),
    create: PipelineCreate,
    update: PipelineUpdate,
    present: presentPipeline,
    service: pipelines,
  });

  const tags = ['Pipelines'];
  const IfMatch = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The version (ETag) you last read.' })) });

  app.post('/v1/pipelines/:id/stages', {
    schema: {
      operationId: 'pipelines.stages.create',
      tags,
      summary: 'Add a stage to a pipeline',
      params: IdParams,
      body: StageCreate,
      response: { 201: ItemEnvelope(Type.Ref('Stage')), ...commonErrors(404, 413) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const stage = await pipelines.createStage(actorOf(request), id, request.body as StageCreate);
      reply.status(201);
      return record(request, reply, presentStage(stage));
    },
  });

  app.post('/v1/pipelines/:id/stages/reorder', {
    schema: {
      operationId: 'pipelines.stages.reorder',
      tags,
      summary: "Reorder a pipeline's stages",
      params: IdParams,
      body: StageReorder,
      response: { 200: ItemEnvelope(Type.Ref('Pipeline')), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const pipeline = await pipelines.reorder(actorOf(request), id, (request.body as StageReorder).stage_ids);
      return record(request, reply, presentPipeline(pipeline));
    },
  });

  app.get('/v1/stages/:id', {
    schema: { operationId: 'stages.get', tags, summary: 'Get a stage', params: IdParams, response: { 200: ItemEnvelope(Type.Ref('Stage')), ...commonErrors(404) } },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      return record(request, reply, presentStage(await pipelines.getStage(actorOf(request), id)));
    },
  });

  app.patch('/v1/stages/:id', {
    schema: {
      operationId: 'stages.update',
      tags,
      summary: 'Update a stage',
      description: "Changing a stage's type changes the status of the deals in it.",
      params: IdParams,
      headers: IfMatch,
      body: StageUpdate,
      response: { 200: ItemEnvelope(Type.Ref('Stage')), ...commonErrors(404, 412) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const stage = await pipelines.updateStage(actorOf(request), id, request.body as StageUpdate, ifMatchVersion(request));
      return record(request, reply, presentStage(stage));
    },
  });

  app.delete('/v1/stages/:id', {
    schema: {
      operationId: 'stages.delete',
      tags,
      summary: 'Delete a stage',
      description: 'A stage that holds deals is deleted only with `move_deals_to` (422 otherwise); each moved deal records the move in its history.',
      params: IdParams,
      querystring: StageDeleteQuery,
      headers: IfMatch,
      response: { 200: ItemEnvelope(Deleted), ...commonErrors(404, 412, 422) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const { move_deals_to } = request.query as { move_deals_to?: string };
      await pipelines.deleteStage(actorOf(request), id, move_deals_to, ifMatchVersion(request));
      return item(request, { id, deleted: true as const });
    },
  });
}
