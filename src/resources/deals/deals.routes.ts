import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { ifMatchVersion, list, record } from '../../http/envelope.js';
import { IfMatchHeaders, registerResource } from '../../http/resource-routes.js';
import { commonErrors, IdParams, ItemEnvelope, ListEnvelope } from '../../http/schemas.js';
import { dealListSpec } from './deals.list.js';
import { presentDeal, presentStageChange } from './deals.presenter.js';
import { DealCreate, DealMove, DealUpdate } from './deals.schema.js';
import type { DealService } from './deals.service.js';

export function dealRoutes(app: FastifyInstance, deals: DealService): void {
  registerResource(app, {
    path: '/v1/deals',
    name: 'deals',
    tag: 'Deals',
    noun: 'deal',
    listSpec: dealListSpec,
    out: Type.Ref('Deal'),
    create: DealCreate,
    update: DealUpdate,
    present: presentDeal,
    service: deals,
  });

  app.post('/v1/deals/:id/move', {
    schema: {
      operationId: 'deals.move',
      tags: ['Deals'],
      summary: 'Move a deal to a stage',
      description:
        "Records the stage change (from, to, when, by whom, time in the old stage) and sets status and closed_at from the stage's type. Moving a deal to the stage it is in changes nothing, so a trigger may safely repeat the call. A stage of another pipeline is 422. With If-Match (the version a board card was drawn from), answers 412 unless the deal is still at that version, so a move never overwrites a change the mover has not seen.",
      params: IdParams,
      headers: IfMatchHeaders,
      body: DealMove,
      response: { 200: ItemEnvelope(Type.Ref('Deal')), ...commonErrors(404, 412, 422) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const body = request.body as DealMove;
      return record(request, reply, presentDeal(await deals.move(actorOf(request), id, body.stage_id, body.lost_reason, ifMatchVersion(request))));
    },
  });

  app.get('/v1/deals/:id/history', {
    schema: {
      operationId: 'deals.history',
      tags: ['Deals'],
      summary: "A deal's stage changes, oldest first",
      params: IdParams,
      response: { 200: ListEnvelope(Type.Ref('StageChange')), ...commonErrors(404) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const changes = (await deals.history(actorOf(request), id)).map(presentStageChange);
      return list(request, { total: changes.length, nextCursor: null, hasMore: false }, changes, changes.length);
    },
  });
}
