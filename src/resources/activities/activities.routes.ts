import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { registerResource } from '../../http/resource-routes.js';
import { activityListSpec } from './activities.list.js';
import { presentActivity } from './activities.presenter.js';
import { ActivityCreate, ActivityUpdate } from './activities.schema.js';
import type { ActivityService } from './activities.service.js';

export function activityRoutes(app: FastifyInstance, activities: ActivityService): void {
  registerResource(app, {
    path: '/v1/activities',
    name: 'activities',
    tag: 'Activities',
    noun: 'activity',
    listSpec: activityListSpec,
    out: Type.Ref('Activity'),
    create: ActivityCreate,
    update: ActivityUpdate,
    present: presentActivity,
    service: activities,
  });
}
