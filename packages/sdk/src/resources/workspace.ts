/** The workspace's set-up: pipelines and stages, tags, users, API keys, the workspace, me, sandboxes. */
import type { Api } from '../core/api.js';
import type { RequestOptions, WriteOptions } from '../core/options.js';
import type { BodyOf, DataOf, ItemOf, MetaOf, QueryOf } from '../core/operation-types.js';
import type { PagePromise } from '../core/paging.js';
import { CrudResource, Resource } from './crud.js';

export class Pipelines extends CrudResource<'pipelines'> {
  /** A pipeline's stages: `client.pipelines.stages.create(pipelineId, {name})`, `.reorder(pipelineId, {stage_ids})`. */
  readonly stages: {
    create(pipelineId: string, body: BodyOf<'pipelines.stages.create'>, options?: RequestOptions): Promise<DataOf<'pipelines.stages.create'>>;
    reorder(pipelineId: string, body: BodyOf<'pipelines.stages.reorder'>, options?: RequestOptions): Promise<DataOf<'pipelines.stages.reorder'>>;
  };

  constructor(api: Api) {
    super(api, 'pipelines');
    this.stages = {
      create: (pipelineId, body, options) => api.data('pipelines.stages.create', { path: { id: pipelineId }, body }, options),
      reorder: (pipelineId, body, options) => api.data('pipelines.stages.reorder', { path: { id: pipelineId }, body }, options),
    };
  }
}

export class Stages extends Resource<'stages'> {
  constructor(api: Api) {
    super(api, 'stages');
  }

  get(id: string, options?: RequestOptions): Promise<DataOf<'stages.get'>> {
    return this.api.data('stages.get', { path: { id } }, options);
  }

  update(id: string, patch: BodyOf<'stages.update'>, options?: WriteOptions): Promise<DataOf<'stages.update'>> {
    return this.api.data('stages.update', { path: { id }, body: patch }, options);
  }

  /** A stage holding deals needs `{move_deals_to: <another stage>}`. */
  delete(id: string, query?: QueryOf<'stages.delete'>, options?: WriteOptions): Promise<DataOf<'stages.delete'>> {
    return this.api.data('stages.delete', { path: { id }, query }, options);
  }
}

export class Tags extends CrudResource<'tags'> {
  constructor(api: Api) {
    super(api, 'tags');
  }
}

export class Users extends CrudResource<'users'> {
  constructor(api: Api) {
    super(api, 'users');
  }

  /** A one-time link (valid 24 hours, shown only here) for the user to set a new password. */
  passwordLink(id: string, options?: RequestOptions): Promise<DataOf<'users.password_link'>> {
    return this.api.data('users.password_link', { path: { id } }, options);
  }
}

export class ApiKeys extends Resource<'api_keys'> {
  constructor(api: Api) {
    super(api, 'api_keys');
  }

  list(query?: QueryOf<'api_keys.list'>, options?: RequestOptions): PagePromise<ItemOf<'api_keys.list'>, MetaOf<'api_keys.list'>> {
    return this.api.list('api_keys.list', { query }, options);
  }

  /** The answer's `secret` is shown only here. Not retried after a lost answer (the server cannot replay a secret). */
  create(body: BodyOf<'api_keys.create'>, options?: RequestOptions): Promise<DataOf<'api_keys.create'>> {
    return this.api.data('api_keys.create', { body }, options);
  }

  get(id: string, options?: RequestOptions): Promise<DataOf<'api_keys.get'>> {
    return this.api.data('api_keys.get', { path: { id } }, options);
  }

  /** A replacement key (its secret shown only here); the old one keeps working for `overlap_seconds` (default 24 hours). */
  rotate(id: string, body: BodyOf<'api_keys.rotate'> = {}, options?: RequestOptions): Promise<DataOf<'api_keys.rotate'>> {
    return this.api.data('api_keys.rotate', { path: { id }, body }, options);
  }

  /** Revokes the key at once; revoking twice is harmless. */
  revoke(id: string, options?: WriteOptions): Promise<DataOf<'api_keys.revoke'>> {
    return this.api.data('api_keys.revoke', { path: { id } }, options);
  }
}

export class WorkspaceResource extends Resource<'workspace'> {
  constructor(api: Api) {
    super(api, 'workspace');
  }

  get(options?: RequestOptions): Promise<DataOf<'workspace.get'>> {
    return this.api.data('workspace.get', {}, options);
  }

  update(patch: BodyOf<'workspace.update'>, options?: WriteOptions): Promise<DataOf<'workspace.update'>> {
    return this.api.data('workspace.update', { body: patch }, options);
  }

  /** The owner only: the user becomes owner, the caller an admin. */
  transferOwnership(body: BodyOf<'workspace.transfer_ownership'>, options?: RequestOptions): Promise<DataOf<'workspace.transfer_ownership'>> {
    return this.api.data('workspace.transfer_ownership', { body }, options);
  }
}

export class Me extends Resource<'me'> {
  constructor(api: Api) {
    super(api, 'me');
  }

  /** The key's user, workspace, key (scope, grants) and rate limit. */
  get(options?: RequestOptions): Promise<DataOf<'me.get'>> {
    return this.api.data('me.get', {}, options);
  }
}

export class Sandboxes extends Resource<'sandboxes'> {
  constructor(api: Api) {
    super(api, 'sandboxes');
  }

  /** A new sandbox and a full `trl_test_` key for it (its secret shown once). */
  create(body: BodyOf<'sandboxes.create'> = {}, options?: RequestOptions): Promise<DataOf<'sandboxes.create'>> {
    return this.api.data('sandboxes.create', { body }, options);
  }

  list(query?: QueryOf<'sandboxes.list'>, options?: RequestOptions): PagePromise<ItemOf<'sandboxes.list'>, MetaOf<'sandboxes.list'>> {
    return this.api.list('sandboxes.list', { query }, options);
  }

  get(id: string, options?: RequestOptions): Promise<DataOf<'sandboxes.get'>> {
    return this.api.data('sandboxes.get', { path: { id } }, options);
  }

  delete(id: string, options?: RequestOptions): Promise<DataOf<'sandboxes.delete'>> {
    return this.api.data('sandboxes.delete', { path: { id } }, options);
  }
}

/** The instance operator's calls: a client made with `apiKey: <TRELLIS_OPERATOR_TOKEN>`. */
export class Workspaces extends Resource<'workspaces'> {
  constructor(api: Api) {
    super(api, 'workspaces');
  }

  /** A new workspace, its owner and the owner's first full key (its secret shown once). Not retried after a lost answer. */
  create(body: BodyOf<'workspaces.create'>, options?: RequestOptions): Promise<DataOf<'workspaces.create'>> {
    return this.api.data('workspaces.create', { body }, options);
  }
}
