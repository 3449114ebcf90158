import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../../http/auth.js';
import { record } from '../../http/envelope.js';
import { registerResource } from '../../http/resource-routes.js';
import { commonErrors, IdParams, ItemEnvelope } from '../../http/schemas.js';
import { taskListSpec } from './tasks.list.js';
import { presentTask } from './tasks.presenter.js';
import { TaskCreate, TaskUpdate } from './tasks.schema.js';
import type { TaskService } from './tasks.service.js';

export function taskRoutes(app: FastifyInstance, tasks: TaskService): void {
  registerResource(app, {
    path: '/v1/tasks',
    name: 'tasks',
    tag: 'Tasks',
    noun: 'task',
    listSpec: taskListSpec,
    out: Type.Ref('Task'),
    create: TaskCreate,
    update: TaskUpdate,
    present: presentTask,
    service: tasks,
  });

  app.post('/v1/tasks/:id/complete', {
    config: { optionalBody: true },
    schema: {
      operationId: 'tasks.complete',
      tags: ['Tasks'],
      summary: 'Complete a task',
      description: 'Sets status completed and completed_at. Completing a completed task changes nothing.',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('Task')), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      return record(request, reply, presentTask(await tasks.complete(actorOf(request), id)));
    },
  });
}
