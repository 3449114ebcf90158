import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { registerResource } from '../../http/resource-routes.js';
import { userListSpec } from './users.list.js';
import { presentUser } from './users.presenter.js';
import { UserCreate, UserUpdate } from './users.schema.js';
import type { UserService } from './users.service.js';

export function userRoutes(app: FastifyInstance, users: UserService): void {
  registerResource(app, {
    path: '/v1/users',
    name: 'users',
    tag: 'Users',
    noun: 'user',
    listSpec: userListSpec,
    out: Type.Ref('User'),
    create: UserCreate,
    update: UserUpdate,
    present: presentUser,
    service: users,
  });
}
