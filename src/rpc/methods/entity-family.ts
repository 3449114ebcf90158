/**
 * get<X>, new<X>, edit<X>, delete<X> and find<X>s, once for every entity:
 * each family is a small mapping (which service, which fields, which query
 * keys, which orders) and this builds its methods.
 */
import type { TObject } from '@sinclair/typebox';
import { DomainError } from '../../domain/errors.js';
import type { ResourceService } from '../../http/resource-routes.js';
import { MAX_LIMIT, parseListQuery } from '../../list/list-query.js';
import type { ListSpec } from '../../list/list-spec.js';
import { boolArg, idArg, intArg, isObject, objectArg, revArg, type Json } from '../args.js';
import type { RpcContext } from '../context.js';
import { entityInput, type EntityFields } from '../entity-input.js';
import { byFieldName, queryParams, sortParam, type QueryKey } from '../find-query.js';
import type { FieldsIn } from '../nutshell-input.js';
import type { Entity } from '../nutshell-shapes.js';
import { pageAt, slicePage } from '../paging.js';
import { invalidParams, type Args, type Param, type RpcMethod } from '../protocol.js';
import { checkBody } from '../validate.js';

export type Operation = 'get' | 'new' | 'edit' | 'delete' | 'find';

export interface Family<T, Create, Update> extends EntityFields {
  /** Nutshell's name for one: getContact, newContact, … */
  name: string;
  /** Nutshell's name for many: findContacts. */
  plural: string;
  /** The param naming the record (`contact`, `contactId`) and errors. */
  noun: string;
  /** What it is in Trellis, for the method list. */
  trellis: string;
  service: (ctx: RpcContext) => ResourceService<T, Create, Update>;
  listSpec: ListSpec;
  schemas: { create: TObject; update: TObject };
  /** What a new record gets that its client left out (a lead's generated name). */
  complete?: (body: Args, ctx: RpcContext) => Promise<Args>;
  query: Record<string, QueryKey>;
  /** Nutshell field → Trellis sort (comma-separated keys). `id`, `createdTime` and `modifiedTime` come with every family. */
  orderBy: Record<string, string>;
  stub(record: T, ctx: RpcContext): Entity;
  entity(record: T, ctx: RpcContext): Promise<Entity>;
  /** Query keys answered another way than by a list filter, alone: findContacts' `leadId` (a lead's contacts). */
  scopes?: Record<string, (value: unknown, ctx: RpcContext) => Promise<T[]>>;
  operations?: readonly Operation[];
}

const FIND_PARAMS: readonly Param[] = [
  { name: 'query', type: 'object', description: 'Nutshell keys ANDed; a list of values is ORed.' },
  { name: 'orderBy', type: 'string', description: 'A field name (see each method); default: oldest first.' },
  { name: 'orderDirection', type: 'string', description: 'ASC (default) or DESC.' },
  { name: 'limit', type: 'integer', description: `Records per page, 1 to ${MAX_LIMIT}; default 50.` },
  { name: 'page', type: 'integer', description: '1-based; a page past the end is empty.' },
  { name: 'stubResponses', type: 'boolean', description: 'true (default): stubs; false: full entities.' },
];

export const PAGING = { limit: { min: 1, max: MAX_LIMIT, fallback: 50 }, page: { min: 1, max: 1_000_000, fallback: 1 } };

export function familyMethods<T extends { id: string }, Create, Update>(family: Family<T, Create, Update>): RpcMethod<RpcContext>[] {
  const { name, noun } = family;
  const idParam = `${noun}Id`;
  const id: Param = { name: idParam, type: 'string', required: true, description: `The ${noun}'s id (a Trellis ${family.trellis} id).` };
  const rev: Param = { name: 'rev', type: 'string', required: true, description: 'The rev you last read; "REV_IGNORE" skips the check.' };
  const methods: Record<Operation, RpcMethod<RpcContext>> = {
    get: {
      name: `get${name}`,
      description: `One ${noun}, in full.`,
      params: [id, { ...rev, required: false, description: 'Accepted and not needed: the current record is always answered.' }],
      run: async (ctx, args) => family.entity(await family.service(ctx).get(ctx.actor(), idArg(args, idParam)), ctx),
    },
    new: {
      name: `new${name}`,
      description: `Creates a ${noun}; answers it in full.`,
      params: [{ name: noun, type: 'object', required: true, description: `The ${noun}'s fields.` }],
      run: (ctx, args) =>
        inNutshellTerms(family.fields, args[noun], async () => {
          const { body, links } = await entityInput(noun, family, objectArg(args, noun), ctx);
          const input = checkBody<Create>(family.schemas.create, family.complete ? await family.complete(body, ctx) : body);
          const created = await family.service(ctx).create(ctx.actor(), input);
          for (const link of links) await link(created.id);
          return family.entity(created, ctx);
        }),
    },
    edit: {
      name: `edit${name}`,
      description: `Changes the fields given (a multi-value field sent replaces the list) if rev is current; answers the ${noun} in full.`,
      params: [id, rev, { name: noun, type: 'object', required: true, description: 'The fields to change.' }],
      run: (ctx, args) =>
        inNutshellTerms(family.fields, args[noun], async () => {
          const ifMatch = revArg(args);
          const id = idArg(args, idParam);
          const sent = objectArg(args, noun);
          const { body, links } = await entityInput(noun, family, sent, ctx, await asAnswered(family, ctx, id));
          const updated = await family.service(ctx).update(ctx.actor(), id, checkBody<Update>(family.schemas.update, body), ifMatch);
          for (const link of links) await link(id);
          return family.entity(updated, ctx);
        }),
    },
    delete: {
      name: `delete${name}`,
      description: `Deletes the ${noun} if rev is current; answers true.`,
      params: [id, rev],
      run: async (ctx, args) => {
        await family.service(ctx).delete(ctx.actor(), idArg(args, idParam), revArg(args));
        return true;
      },
    },
    find: {
      name: `find${family.plural}`,
      description: `A page of ${family.plural.toLowerCase()} matching the query. Query keys: ${[...Object.keys(family.query), ...Object.keys(family.scopes ?? {})].join(', ')}. orderBy: ${Object.keys(sortable(family.orderBy)).join(', ')}.`,
      params: FIND_PARAMS,
      run: async (ctx, args) => {
        const rows = await findRows(family, ctx, args);
        return boolArg(args, 'stubResponses', true) ? rows.map((row) => family.stub(row, ctx)) : Promise.all(rows.map((row) => family.entity(row, ctx)));
      },
    },
  };
  return (family.operations ?? (['get', 'new', 'edit', 'delete', 'find'] as const)).map((operation) => methods[operation]);
}

/** The record as get* answers it, to tell the fields an edit sends unchanged; undefined when the key may not read it. */
async function asAnswered<T, C, U>(family: Family<T, C, U>, ctx: RpcContext, id: string): Promise<Entity | undefined> {
  try {
    return await family.entity(await family.service(ctx).get(ctx.actor(), id), ctx);
  } catch (error) {
    if (error instanceof DomainError && (error.code === 'insufficient_scope' || error.code === 'forbidden')) return undefined;
    throw error;
  }
}

const sortable = (orderBy: Record<string, string>): Record<string, string> => ({ id: 'created_at', createdTime: 'created_at', modifiedTime: 'updated_at', ...orderBy });

async function findRows<T, C, U>(family: Family<T, C, U>, ctx: RpcContext, args: Args): Promise<T[]> {
  const method = `find${family.plural}`;
  const limit = intArg(args, 'limit', PAGING.limit);
  const page = intArg(args, 'page', PAGING.page);
  const query: Json = args.query === undefined || args.query === null ? {} : objectArg(args, 'query');
  const scoped = Object.keys(query).find((key) => family.scopes !== undefined && byFieldName(family.scopes, key) !== undefined);
  if (scoped !== undefined) {
    if (Object.keys(query).length > 1) throw invalidParams(`${method}: ${scoped} cannot be combined with other query keys.`);
    const rows = family.scopes === undefined ? undefined : byFieldName(family.scopes, scoped);
    return rows === undefined ? [] : slicePage(await rows(query[scoped], ctx), page, limit);
  }
  const params = await queryParams(method, family.query, query, ctx);
  if (params === null) return [];
  const sort = sortParam(method, sortable(family.orderBy), args.orderBy, args.orderDirection);
  const filters = { ...params, ...(sort !== undefined && { sort }) };
  const actor = ctx.actor();
  const service = family.service(ctx);
  const fetch = (size: number, cursor: string | undefined) =>
    service.list(actor, parseListQuery(family.listSpec, { ...filters, limit: String(size), ...(cursor !== undefined && { cursor }) }));
  return pageAt(fetch, page, limit, ctx.deps.cursors, `${actor.keyId}|${method}|${JSON.stringify(filters)}|${limit}`);
}

/**
 * Errors about fields name them as the client sent them: a service's
 * complaint about `first_name` is about the contact's `name`, one about
 * `stage_id` about the `milestoneId` sent (of the Nutshell fields that set
 * it, the one in `sent`), in `details` and at the head of the message.
 */
async function inNutshellTerms<R>(fields: FieldsIn, sent: unknown, work: () => Promise<R>): Promise<R> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError) || !isObject(error.details)) throw error;
    const given = isObject(sent) ? sent : {};
    // Fields sent come last, so they win where several set one Trellis field.
    const entries = Object.entries(fields).sort(([a], [b]) => Number(Object.hasOwn(given, a)) - Number(Object.hasOwn(given, b)));
    const names = new Map(entries.flatMap(([nutshell, field]) => field.to.map((trellis) => [trellis, nutshell] as const)));
    const renamed = (text: string): string => {
      const [trellis = ''] = /^[a-z_]+(?= )/.exec(text) ?? [];
      const nutshell = names.get(trellis);
      return nutshell === undefined ? text : `${nutshell}${text.slice(trellis.length)}`;
    };
    const details = Object.fromEntries(
      Object.entries(error.details).map(([key, value]) => {
        const [first = key, ...rest] = key.split('.');
        return [[names.get(first) ?? first, ...rest].join('.'), Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? renamed(v) : v)) : value];
      }),
    );
    throw new DomainError(error.code, renamed(error.message), details);
  }
}
