/** Shared TypeBox schemas: envelopes, errors, common field shapes. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { ERROR_CATALOGUE } from '../domain/errors.js';
import { CUSTOM_FIELDS_MAX_BYTES, CUSTOM_FIELDS_MAX_DEPTH } from '../domain/normalize.js';
import { MAX_DEPTH_KEYWORD } from './validation.js';

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 UTC with milliseconds.', examples: ['2026-03-21T10:30:00.000Z'] });
/**
 * A value or null, as a JSON-schema type list (`["string", "null"]`) rather than
 * anyOf: clearer errors, faster serialization, and valid OpenAPI 3.1.
 */
export const Nullable = <T extends TSchema>(schema: T) => {
  const { type, ...rest } = schema as unknown as { type?: unknown; enum?: unknown[] };
  // A reference or a union has no single type to widen.
  if (typeof type !== 'string') return Type.Unsafe<Static<T> | null>({ anyOf: [schema, { type: 'null' }] });
  // An enum lists its values; null must be one of them too.
  const values = rest.enum === undefined ? {} : { enum: [...rest.enum, null] };
  return Type.Unsafe<Static<T> | null>({ ...rest, ...values, type: [type, 'null'] });
};

/** A string from a fixed list, as a plain `enum` (one clear error, fast to serialize). */
export const StringEnum = <T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

export const Meta = Type.Object({
  request_id: Type.String({ examples: ['req_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
  timestamp: Timestamp,
});

export const ListMeta = Type.Object({
  request_id: Type.String(),
  timestamp: Timestamp,
  total: Type.Integer({
    description:
      'How many records match, across all pages. Exact and current on every page of an unfiltered list of contacts, companies, leads, deals, activities, tasks or events; for any other list counted on its first page and carried unchanged to the next pages, exact up to 10,000 matches and an estimate beyond (then `total_exact` is false).',
  }),
  total_exact: Type.Boolean({ description: 'false when `total` is an estimate (a filtered list with more than 10,000 matches).' }),
  limit: Type.Integer(),
  next_cursor: Nullable(Type.String({ description: 'Pass as `cursor` to get the next page.' })),
  has_more: Type.Boolean(),
});

export const ItemEnvelope = <T extends TSchema>(data: T) =>
  Type.Object({ success: Type.Literal(true), data, meta: Meta });

export const ListEnvelope = <T extends TSchema>(item: T) =>
  Type.Object({ success: Type.Literal(true), data: Type.Array(item), meta: ListMeta });

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object({
      code: StringEnum(Object.keys(ERROR_CATALOGUE)),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
    meta: Meta,
  },
  { $id: 'Error', title: 'Error' },
);

/** Free text about a record: notes, background, what it is about. */
export const Description = Type.String({ maxLength: 100_000, description: 'Free text, up to 100,000 characters.' });

export const Deleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

export const IdParams = Type.Object({ id: Type.String({ description: 'The record id.' }) });

export const Address = Type.Object(
  {
    street: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    city: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    state: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    postal_code: Type.Optional(Nullable(Type.String({ maxLength: 20 }))),
    country: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
);

export const AddressOut = Type.Object({
  street: Nullable(Type.String()),
  city: Nullable(Type.String()),
  state: Nullable(Type.String()),
  postal_code: Nullable(Type.String()),
  country: Nullable(Type.String()),
});

export const CustomFields = Type.Unsafe<Record<string, unknown>>({
  type: 'object',
  propertyNames: { pattern: '^[A-Za-z0-9_]{1,64}$' },
  maxProperties: 100,
  [MAX_DEPTH_KEYWORD]: CUSTOM_FIELDS_MAX_DEPTH,
  description: `Your own fields: up to 100 keys of letters, digits and _, at most ${CUSTOM_FIELDS_MAX_BYTES / 1024} KiB as JSON, nesting objects and arrays at most ${CUSTOM_FIELDS_MAX_DEPTH} levels deep (custom_fields itself counted).`,
  additionalProperties: true,
});
export const CustomFieldsOut = Type.Record(Type.String(), Type.Unknown());

/** The error responses every authenticated route can give, for the OpenAPI document. */
export const commonErrors = (...extra: number[]): Record<number, typeof ErrorEnvelope> => {
  const statuses = [400, 401, 403, 415, 429, 500, ...extra];
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref(ErrorEnvelope) as unknown as typeof ErrorEnvelope]));
};
