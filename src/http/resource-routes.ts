/**
 * The REST contract for one resource, declared once: list (filters, sort,
 * cursor, total), get, create, update and delete, with ETag / If-Match, the
 * envelope, scopes (in the service) and OpenAPI documentation. A resource
 * gets all of it by describing itself here.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Actor } from '../domain/actor.js';
import type { Page } from '../db/list-rows.js';
import { parseListQuery, DEFAULT_LIMIT, MAX_LIMIT, type ListQuery } from '../list/list-query.js';
import { OPERATORS_BY_TYPE, type ListSpec } from '../list/list-spec.js';
import { actorOf } from './auth.js';
import { ifMatchVersion, item, list, record } from './envelope.js';
import { commonErrors, Deleted, IdParams, ItemEnvelope, ListEnvelope } from './schemas.js';

export interface ResourceService<T, Create, Update> {
  get(actor: Actor, id: string): Promise<T>;
  list(actor: Actor, query: ListQuery): Promise<Page<T>>;
  create(actor: Actor, input: Create): Promise<T>;
  update(actor: Actor, id: string, input: Update, ifMatch?: number): Promise<T>;
  delete(actor: Actor, id: string, ifMatch?: number): Promise<unknown>;
}

export interface ResourceDeclaration<T, Create, Update> {
  /** e.g. `/v1/contacts` */
  path: string;
  /** The operation prefix, e.g. `contacts` → `contacts.list`, `contacts.create`. */
  name: string;
  tag: string;
  noun: string;
  listSpec: ListSpec;
  out: TSchema;
  create: TObject;
  update: TObject;
  present: (record: T) => { version: number };
  service: ResourceService<T, Create, Update>;
  /** The create response shows a secret once: it is not stored for Idempotency-Key replays. */
  createRevealsSecret?: boolean;
}

/** The query-string parameters of a list, for the OpenAPI document. */
export function listQuerystring(spec: ListSpec): TObject {
  const filters = Object.fromEntries(
    Object.entries(spec.fields).map(([field, f]) => [
      field,
      Type.Optional(
        Type.String({
          description: `${f.description ? `${f.description} ` : ''}Equals this value. Also \`${field}[op]=value\` with op in ${OPERATORS_BY_TYPE[f.type].join(', ')}${f.type === 'enum' ? `; values: ${f.values?.join(', ')}` : ''}${f.type === 'timestamp' ? '; ISO 8601' : ''}.`,
        }),
      ),
    ]),
  );
  const sortable = Object.entries(spec.fields).filter(([, f]) => f.sortable).map(([name]) => name);
  return Type.Object(
    {
      limit: Type.Optional(Type.String({ description: `Page size, 1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}.` })),
      cursor: Type.Optional(Type.String({ description: 'meta.next_cursor of the previous page.' })),
      sort: Type.Optional(Type.String({ description: `Comma-separated; prefix - for descending. Sortable: ${sortable.join(', ')}. Default created_at (updated_at when filtering on updated_at[gt|gte]).` })),
      q: Type.Optional(Type.String({ description: `Free text: every word must match ${spec.search.columns.join(', ')}${spec.search.via ? `, ${spec.search.via.column}` : ''}.` })),
      ...filters,
      ...Object.fromEntries(Object.entries(spec.shorthands ?? {}).map(([name, s]) => [name, Type.Optional(Type.String({ description: s.description }))])),
    },
    { additionalProperties: true },
  );
}

export function registerResource<T, Create, Update>(app: FastifyInstance, r: ResourceDeclaration<T, Create, Update>): void {
  const { name, tag, noun } = r;
  const itemPath = `${r.path}/:id`;
  const errors = commonErrors(404);

  app.get(r.path, {
    schema: {
      operationId: `${name}.list`,
      tags: [tag],
      summary: `List ${name}`,
      description: `Cursor-paginated, filterable and sortable list of ${name}, with the total that match.`,
      querystring: listQuerystring(r.listSpec),
      response: { 200: ListEnvelope(r.out), ...commonErrors() },
    },
    handler: async (request) => {
      const query = parseListQuery(r.listSpec, request.query as Record<string, unknown>);
      const page = await r.service.list(actorOf(request), query);
      return list(request, page, page.rows.map(r.present), query.limit);
    },
  });

  app.post(r.path, {
    ...(r.createRevealsSecret && { config: { idempotency: false as const } }),
    schema: {
      operationId: `${name}.create`,
      tags: [tag],
      summary: `Create a ${noun}`,
      body: r.create,
      response: { 201: ItemEnvelope(r.out), ...commonErrors(409, 413, 422) },
    },
    handler: async (request, reply) => {
      const created = await r.service.create(actorOf(request), request.body as Create);
      reply.status(201);
      return record(request, reply, r.present(created));
    },
  });

  app.get(itemPath, {
    schema: {
      operationId: `${name}.get`,
      tags: [tag],
      summary: `Get a ${noun}`,
      params: IdParams,
      response: { 200: ItemEnvelope(r.out), ...errors },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      return record(request, reply, r.present(await r.service.get(actorOf(request), id)));
    },
  });

  app.patch(itemPath, {
    schema: {
      operationId: `${name}.update`,
      tags: [tag],
      summary: `Update a ${noun}`,
      description: 'Changes only the fields given. With If-Match, answers 412 unless the record is still at that version.',
      params: IdParams,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The version (ETag) you last read.' })) }),
      body: r.update,
      response: { 200: ItemEnvelope(r.out), ...errors, ...commonErrors(409, 412, 413, 422) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const updated = await r.service.update(actorOf(request), id, request.body as Update, ifMatchVersion(request));
      return record(request, reply, r.present(updated));
    },
  });

  app.delete(itemPath, {
    schema: {
      operationId: `${name}.delete`,
      tags: [tag],
      summary: `Delete a ${noun}`,
      params: IdParams,
      headers: Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The version (ETag) you last read.' })) }),
      response: { 200: ItemEnvelope(Deleted), ...errors, ...commonErrors(412, 422) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      await r.service.delete(actorOf(request), id, ifMatchVersion(request));
      return item(request, { id, deleted: true as const });
    },
  });
}
