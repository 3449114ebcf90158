import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { registerResource } from '../../http/resource-routes.js';
import { tagListSpec } from './tags.list.js';
import { presentTag } from './tags.presenter.js';
import { TagCreate, TagUpdate } from './tags.schema.js';
import type { TagService } from './tags.service.js';

export function tagRoutes(app: FastifyInstance, tags: TagService): void {
  registerResource(app, {
    path: '/v1/tags',
    name: 'tags',
    tag: 'Tags',
    noun: 'tag',
    listSpec: tagListSpec,
    out: Type.Ref('Tag'),
    create: TagCreate,
    update: TagUpdate,
    present: presentTag,
    service: tags,
  });
}
