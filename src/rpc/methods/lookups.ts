/**
 * The look-up finders (users, stagesets, milestones, activity types,
 * sources) and tags. They take orderBy, orderDirection, limit and page; and,
 * since clients send every find* the same params, stubResponses (they always
 * answer full entities) and an empty query.
 */
import { parseListQuery } from '../../list/list-query.js';
import type { ListSpec } from '../../list/list-spec.js';
import { LEAD_SOURCES } from '../../resources/leads/leads.schema.js';
import { pipelineListSpec } from '../../resources/pipelines/pipelines.list.js';
import { TagCreate } from '../../resources/tags/tags.schema.js';
import { tagListSpec } from '../../resources/tags/tags.list.js';
import { userListSpec } from '../../resources/users/users.list.js';
import type { Page } from '../../db/list-rows.js';
import type { Actor } from '../../domain/actor.js';
import type { ListQuery } from '../../list/list-query.js';
import { boolArg, intArg, objectArg } from '../args.js';
import type { RpcContext } from '../context.js';
import { byFieldName, isDescending, sortParam } from '../find-query.js';
import { activityTypes, milestoneEntity, sourceEntity, stagesetEntity, tagEntity, userEntity, type Entity } from '../nutshell-shapes.js';
import { allRows, pageAt, slicePage } from '../paging.js';
import { invalidParams, type Args, type Param, type RpcMethod } from '../protocol.js';
import { checkBody } from '../validate.js';
import { PAGING } from './entity-family.js';

const LOOKUP_PARAMS: readonly Param[] = [
  { name: 'orderBy', type: 'string', description: 'A field name (see the method), in camelCase or snake_case.' },
  { name: 'orderDirection', type: 'string', description: 'ASC (default) or DESC.' },
  { name: 'limit', type: 'integer', description: 'Records per page, 1 to 100; default 50.' },
  { name: 'page', type: 'integer', description: '1-based; a page past the end is empty.' },
  { name: 'stubResponses', type: 'boolean', description: 'Accepted: look-ups always answer full entities.' },
  { name: 'query', type: 'object', description: 'Accepted when empty: look-ups filter by nothing.' },
];

/** The params every look-up accepts and does not use: stubResponses, and a query only when it is empty. */
function lookupArgs(name: string, args: Args): void {
  boolArg(args, 'stubResponses', true);
  const query = args.query === undefined || args.query === null ? {} : objectArg(args, 'query');
  const keys = Object.keys(query);
  if (keys.length > 0) throw invalidParams(`${name} filters by nothing; a query (${keys.join(', ')}) would be ignored.`, { query: ['Leave it out or send it empty.'] });
}

type Lister<T> = (ctx: RpcContext) => (actor: Actor, query: ListQuery) => Promise<Page<T>>;

/** A look-up finder over a Trellis list. */
function listed<T>(name: string, what: string, spec: ListSpec, list: Lister<T>, orderBy: Record<string, string>, present: (row: T) => Entity): RpcMethod<RpcContext> {
  return {
    name,
    description: `A page of ${what}. orderBy: ${Object.keys(orderBy).join(', ')}.`,
    params: LOOKUP_PARAMS,
    run: async (ctx, args) => {
      lookupArgs(name, args);
      const sort = sortParam(name, orderBy, args.orderBy, args.orderDirection);
      const actor = ctx.actor();
      const limit = intArg(args, 'limit', PAGING.limit);
      const fetch = (size: number, cursor: string | undefined) =>
        list(ctx)(actor, parseListQuery(spec, { ...(sort !== undefined && { sort }), limit: String(size), ...(cursor !== undefined && { cursor }) }));
      const rows = await pageAt(fetch, intArg(args, 'page', PAGING.page), limit, ctx.deps.cursors, `${actor.keyId}|${name}|${sort}|${limit}`);
      return rows.map(present);
    },
  };
}

/** A look-up finder over a short list held in memory. */
function inMemory(name: string, what: string, orderBy: readonly string[], entities: (ctx: RpcContext) => Promise<Entity[]>): RpcMethod<RpcContext> {
  return {
    name,
    description: `A page of ${what}. orderBy: ${orderBy.join(', ')}.`,
    params: LOOKUP_PARAMS,
    run: async (ctx, args) => {
      lookupArgs(name, args);
      const given = args.orderBy;
      const key = typeof given === 'string' ? byFieldName(Object.fromEntries(orderBy.map((field) => [field, field])), given.trim()) : undefined;
      if (given !== undefined && given !== null && key === undefined) throw invalidParams(`${name} orders by ${orderBy.join(', ')}.`, { orderBy: [`One of ${orderBy.join(', ')}.`] });
      const descending = isDescending(args.orderDirection);
      const rows = await entities(ctx);
      if (key !== undefined) rows.sort((a, b) => String(a[key]).localeCompare(String(b[key]), undefined, { numeric: true }));
      if (descending) rows.reverse();
      return slicePage(rows, intArg(args, 'page', PAGING.page), intArg(args, 'limit', PAGING.limit));
    },
  };
}

const pipelinesOf = (ctx: RpcContext) => {
  const actor = ctx.actor();
  return allRows((size, cursor) => ctx.services.pipelines.list(actor, parseListQuery(pipelineListSpec, { limit: String(size), ...(cursor !== undefined && { cursor }) })));
};

async function tagNames(ctx: RpcContext): Promise<string[]> {
  const actor = ctx.actor();
  const rows = await allRows((size, cursor) => ctx.services.tags.list(actor, parseListQuery(tagListSpec, { sort: 'name', limit: String(size), ...(cursor !== undefined && { cursor }) })));
  return rows.map((tag) => tag.name);
}

const TAGGABLE = ['Contacts', 'Accounts', 'Leads'];

/** As every find* over records orders: by id (the order they were made in) and by their times. */
const BY_TIME = { id: 'created_at', createdTime: 'created_at', modifiedTime: 'updated_at' };

export const lookupMethods: RpcMethod<RpcContext>[] = [
  listed('findUsers', 'users (Trellis users)', userListSpec, (ctx) => ctx.services.users.list.bind(ctx.services.users), { ...BY_TIME, name: 'name', email: 'email' }, userEntity),
  listed('findStagesets', 'stagesets (Trellis pipelines)', pipelineListSpec, (ctx) => ctx.services.pipelines.list.bind(ctx.services.pipelines), { ...BY_TIME, name: 'name' }, stagesetEntity),
  inMemory('findMilestones', 'milestones (the stages of every Trellis pipeline, in pipeline order)', ['id', 'createdTime', 'modifiedTime', 'name', 'position', 'stagesetId'], async (ctx) =>
    (await pipelinesOf(ctx)).flatMap((pipeline) => pipeline.stages.map(milestoneEntity)),
  ),
  inMemory('findActivityTypes', 'activity types (the Trellis activity types)', ['id', 'name'], async (ctx) => {
    ctx.actor();
    return activityTypes();
  }),
  inMemory('findSources', 'lead sources (the standard Trellis sources)', ['id', 'name'], async (ctx) => {
    ctx.actor();
    return LEAD_SOURCES.map(sourceEntity);
  }),
  {
    name: 'findTags',
    description: 'Every tag name, by the entity types it can tag (Trellis tags apply to contacts, accounts and leads alike). The find* params are accepted and change nothing.',
    params: LOOKUP_PARAMS,
    run: async (ctx, args) => {
      lookupArgs('findTags', args);
      const names = await tagNames(ctx);
      return Object.fromEntries(TAGGABLE.map((type) => [type, names]));
    },
  },
  {
    name: 'newTag',
    description: 'Creates a tag: {name, entityType}; a Trellis tag can tag every entity type.',
    params: [{ name: 'tag', type: 'object', required: true, description: '{name, entityType (Contacts, Accounts or Leads)}' }],
    run: async (ctx, args: Args) => {
      const { name, entityType } = objectArg(args, 'tag');
      if (entityType !== undefined && !TAGGABLE.includes(entityType as string)) throw invalidParams(`tag.entityType is one of ${TAGGABLE.join(', ')}.`);
      return tagEntity(await ctx.services.tags.create(ctx.actor(), checkBody<TagCreate>(TagCreate, { name })));
    },
  },
];
