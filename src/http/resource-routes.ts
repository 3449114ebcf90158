/**
 * The REST contract for one resource, declared once: list (filters, sort,
 * cursor, total), get, create, update and delete, with ETag / If-Match, the
 * envelope, scopes (in the service) and OpenAPI documentation; optionally
 * upsert and bulk writes, and merging duplicates. A resource gets all of it by
 * describing itself here.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor.js';
import { DomainError, ERROR_CATALOGUE, type ErrorDetails } from '../domain/errors.js';
import type { Written, WriteOutcome } from '../domain/upsert.js';
import type { Page } from '../db/list-rows.js';
import type { ListQuery } from '../list/list-query.js';
import type { ListSpec } from '../list/list-spec.js';
import { actorOf } from './auth.js';
import { ifMatchVersion, item, list, record } from './envelope.js';
import { validationDetails, type AjvError } from './error-handler.js';
import { checkListQuery, listQueryOf, listQuerystring } from './list-params.js';
import { commonErrors, Deleted, IdParams, ItemEnvelope, ListEnvelope, StringEnum } from './schemas.js';

export interface ResourceService<T, Create, Update> {
  get(actor: Actor, id: string): Promise<T>;
  list(actor: Actor, query: ListQuery): Promise<Page<T>>;
  create(actor: Actor, input: Create): Promise<T>;
  update(actor: Actor, id: string, input: Update, ifMatch?: number): Promise<T>;
  delete(actor: Actor, id: string, ifMatch?: number): Promise<unknown>;
}

/** Upsert and bulk writes: create, or update the record with the same unique key. */
export interface UpsertService<T, Create> {
  /** Refuses a key that may not write the resource: a bulk request asks once, before its first record. */
  requireWrite(actor: Actor): void;
  upsert(actor: Actor, input: Create): Promise<Written<T>>;
}

export interface MergeService<T> {
  /** `dryRun`: the survivor as the merge would leave it, with nothing written. */
  merge(actor: Actor, id: string, duplicateId: string, ifMatch?: number, dryRun?: boolean): Promise<T>;
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
  present: (record: T) => { id: string; version: number };
  service: ResourceService<T, Create, Update>;
  /** The create response shows a secret once: it is not stored for Idempotency-Key replays. */
  createRevealsSecret?: boolean;
  /** POST {path}/upsert and POST {path}/bulk. `body` is the create body with the unique `key` required. */
  upsert?: { key: string; body: TObject; service: UpsertService<T, Create> };
  /** POST {path}/{id}/merge. */
  merge?: MergeService<T>;
}

/** The most records one bulk request may carry. */
export const MAX_BULK_RECORDS = 100;

export const IfMatchHeaders = Type.Object({ 'if-match': Type.Optional(Type.String({ description: 'The version (ETag) you last read.' })) });

const BULK_STATUSES = ['created', 'updated', 'unchanged', 'failed'] as const;

const BulkResultOut = Type.Object({
  results: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'The position of the record in `records`, from 0.' }),
      status: StringEnum(BULK_STATUSES),
      id: Type.Optional(Type.String({ description: 'The record written (absent when failed).' })),
      error: Type.Optional(
        Type.Object(
          {
            code: StringEnum(Object.keys(ERROR_CATALOGUE)),
            message: Type.String(),
            details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          },
          { description: 'Why the record failed: the error a request with this record alone would have had.' },
        ),
      ),
    }),
    { description: 'One result per record, in the order of `records`.' },
  ),
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  failed: Type.Integer(),
});

interface BulkResult {
  index: number;
  status: WriteOutcome | 'failed';
  id?: string;
  error?: { code: string; message: string; details?: ErrorDetails };
}

type BulkMode = 'create' | 'upsert';

type RecordValidator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

export function registerResource<T, Create, Update>(app: FastifyInstance, r: ResourceDeclaration<T, Create, Update>): void {
  const { name, tag, noun } = r;
  const itemPath = `${r.path}/:id`;
  const errors = commonErrors(404);

  app.get(r.path, {
    preValidation: checkListQuery(r.listSpec),
    schema: {
      operationId: `${name}.list`,
      tags: [tag],
      summary: `List ${name}`,
      description: `Cursor-paginated, filterable and sortable list of ${name}, with the total that match.`,
      querystring: listQuerystring(r.listSpec),
      response: { 200: ListEnvelope(r.out), ...commonErrors() },
    },
    handler: async (request) => {
      const query = listQueryOf(request);
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
      headers: IfMatchHeaders,
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
      headers: IfMatchHeaders,
      response: { 200: ItemEnvelope(Deleted), ...errors, ...commonErrors(412, 422) },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      await r.service.delete(actorOf(request), id, ifMatchVersion(request));
      return item(request, { id, deleted: true as const });
    },
  });

  if (r.upsert) registerUpsert(app, r, r.upsert);
  if (r.merge) registerMerge(app, r, r.merge);
}

function registerUpsert<T, Create, Update>(app: FastifyInstance, r: ResourceDeclaration<T, Create, Update>, upsert: NonNullable<ResourceDeclaration<T, Create, Update>['upsert']>): void {
  const { name, tag, noun } = r;
  const { key, service } = upsert;

  app.post(`${r.path}/upsert`, {
    schema: {
      operationId: `${name}.upsert`,
      tags: [tag],
      summary: `Create or update a ${noun} by ${key}`,
      description: `Creates the ${noun} (201), or, when one with this ${key} exists, changes the fields given as an update does (200; no change, no new version and no event when nothing differs). One transaction, so concurrent upserts of the same ${key} make one ${noun}.`,
      body: upsert.body,
      response: { 200: ItemEnvelope(r.out), 201: ItemEnvelope(r.out), ...commonErrors(409, 413, 422) },
    },
    handler: async (request, reply) => {
      const written = await service.upsert(actorOf(request), request.body as Create);
      reply.status(written.outcome === 'created' ? 201 : 200);
      return record(request, reply, r.present(written.record));
    },
  });

  // Each record is validated on its own, with the app's validator, so that a bad one fails alone.
  const compile = (schema: TObject): RecordValidator => {
    if (!app.validatorCompiler) throw new Error('registerResource needs the validator compiler set first');
    return app.validatorCompiler({ schema, method: 'POST', url: `${r.path}/bulk`, httpPart: 'body' }) as RecordValidator;
  };
  const validators = { create: compile(r.create), upsert: compile(upsert.body) };
  const write = async (actor: Actor, mode: BulkMode, input: Create): Promise<Written<{ id: string }>> => {
    const written: Written<T> = mode === 'create' ? { record: await r.service.create(actor, input), outcome: 'created' } : await service.upsert(actor, input);
    return { record: r.present(written.record), outcome: written.outcome };
  };

  app.post(`${r.path}/bulk`, {
    schema: {
      operationId: `${name}.bulk`,
      tags: [tag],
      summary: `Create or upsert up to ${MAX_BULK_RECORDS} ${name}`,
      description: `Writes each record in its own transaction, in order: \`mode: create\` as POST ${r.path} does, \`mode: upsert\` as POST ${r.path}/upsert (by ${key}). A record that fails (invalid, duplicate, a bad reference) does not stop the others: the answer is 200 with one result per record, and the counts. 400 only when the body itself is wrong.`,
      body: Type.Object(
        {
          mode: Type.Optional(StringEnum(['create', 'upsert'], { default: 'create', description: `create (default): each record is new; upsert: matched by ${key}.` })),
          records: Type.Array(Type.Unknown({ description: `A ${r.create.title ?? 'create'} body (with mode upsert, a ${upsert.body.title ?? 'upsert'} body: ${key} required). Each is validated on its own; one that is not valid fails alone.` }), {
            minItems: 1,
            maxItems: MAX_BULK_RECORDS,
          }),
        },
        { additionalProperties: false, title: `${tag}Bulk` },
      ),
      response: { 200: ItemEnvelope(BulkResultOut), ...commonErrors(413) },
    },
    handler: async (request) => {
      const actor = actorOf(request);
      service.requireWrite(actor);
      const { mode = 'create', records } = request.body as { mode?: BulkMode; records: unknown[] };
      const results: BulkResult[] = [];
      for (const [index, input] of records.entries()) {
        results.push(await writeOne(request, index, input, validators[mode], (valid) => write(actor, mode, valid as Create)));
      }
      const count = (status: BulkResult['status']) => results.filter((result) => result.status === status).length;
      return item(request, { results, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), failed: count('failed') });
    },
  });
}

/** One record of a bulk request: validated, then written in its own transaction; a failure is its result, not the request's. */
async function writeOne(request: FastifyRequest, index: number, input: unknown, validate: RecordValidator, write: (input: unknown) => Promise<Written<{ id: string }>>): Promise<BulkResult> {
  if (!validate(input)) {
    const details = validationDetails(validate.errors ?? [], 'record');
    return { index, status: 'failed', error: { code: 'validation_error', message: Object.values(details)[0]?.[0] ?? 'The record is invalid.', details } };
  }
  try {
    const written = await write(input);
    return { index, status: written.outcome, id: written.record.id };
  } catch (error) {
    if (error instanceof DomainError) return { index, status: 'failed', error: { code: error.code, message: error.message, ...(error.details && { details: error.details }) } };
    request.log.error({ err: error, record_index: index }, 'unhandled error in a bulk record');
    return { index, status: 'failed', error: { code: 'internal_error', message: `Internal error. Quote request id ${request.id} when reporting it.` } };
  }
}

function registerMerge<T, Create, Update>(app: FastifyInstance, r: ResourceDeclaration<T, Create, Update>, service: MergeService<T>): void {
  const { name, tag, noun } = r;
  app.post(`${r.path}/:id/merge`, {
    schema: {
      operationId: `${name}.merge`,
      tags: [tag],
      summary: `Merge a duplicate ${noun} into this one`,
      description: `This ${noun} survives and keeps its values; each field it has empty is taken from the duplicate, and the duplicate's tags, and the records that point at it, move to this ${noun}. The duplicate is deleted. One ${noun}.merged event names both. With If-Match, answers 412 unless this ${noun} is still at that version. With \`dry_run: true\`, the same checks and errors, but nothing is written: the answer is the ${noun} as the merge would leave it (a preview of what survives), without an ETag.`,
      params: IdParams,
      headers: IfMatchHeaders,
      body: Type.Object(
        {
          duplicate_id: Type.String({ minLength: 1, description: `The ${noun} to merge into this one; it is deleted.` }),
          dry_run: Type.Optional(Type.Boolean({ default: false, description: 'true: answer what the merge would make, and change nothing.' })),
        },
        { additionalProperties: false, title: `${tag}Merge` },
      ),
      response: { 200: ItemEnvelope(r.out), ...commonErrors(404, 412, 422) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { duplicate_id: duplicateId, dry_run: dryRun = false } = request.body as { duplicate_id: string; dry_run?: boolean };
      const merged = r.present(await service.merge(actorOf(request), id, duplicateId, ifMatchVersion(request), dryRun));
      // A preview's version is one no record has yet: no ETag to send back in If-Match.
      return dryRun ? item(request, merged) : record(request, reply, merged);
    },
  });
}
