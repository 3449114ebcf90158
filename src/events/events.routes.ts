import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../http/auth.js';
import { item, list } from '../http/envelope.js';
import { checkListQuery, listQueryOf, listQuerystring } from '../http/list-params.js';
import { commonErrors, IdParams, ItemEnvelope, ListEnvelope } from '../http/schemas.js';
import { eventListSpec } from './events.list.js';
import type { EventService } from './events.service.js';

export function eventRoutes(app: FastifyInstance, events: EventService, retentionDays: number): void {
  app.get('/v1/events', {
    preValidation: checkListQuery(eventListSpec),
    schema: {
      operationId: 'events.list',
      tags: ['Events'],
      summary: 'List events',
      description: `Every change in the workspace, oldest first, kept ${retentionDays} days (EVENT_RETENTION_DAYS). Filter by type, record_id and created_at; deletions appear here too.`,
      querystring: listQuerystring(eventListSpec),
      response: { 200: ListEnvelope(Type.Ref('Event')), ...commonErrors() },
    },
    handler: async (request) => {
      const query = listQueryOf(request);
      const page = await events.list(actorOf(request), query);
      return list(request, page, page.rows, query.limit);
    },
  });

  app.get('/v1/events/:id', {
    schema: {
      operationId: 'events.get',
      tags: ['Events'],
      summary: 'Get an event',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('Event')), ...commonErrors(404) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      return item(request, await events.get(actorOf(request), id));
    },
  });
}
