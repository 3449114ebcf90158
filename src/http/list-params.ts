/**
 * A list's query-string parameters, generated from its ListSpec: limit,
 * cursor, sort, q, every filterable field with each operator its type allows
 * (`updated_at[gte]`, `email[in]`), and the shorthands, typed (integers,
 * booleans, enums, dates) so a generated client sends them without casts.
 *
 * The ListSpec checks a query first, in a preValidation hook
 * (parseListQuery: its invalid_filter errors are the API's contract); the
 * typed schema then only coerces what parseListQuery has already accepted.
 * Handlers take the checked query from listQueryOf.
 */
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { DEFAULT_LIMIT, MAX_LIMIT, parseListQuery, type ListQuery } from '../list/list-query.js';
import { OPERATORS_BY_TYPE, type FieldSpec, type ListSpec, type Operator } from '../list/list-spec.js';
import { StringEnum } from './schemas.js';

const OPERATOR_MEANING: Record<Exclude<Operator, 'eq'>, string> = {
  ne: 'is not this value (or is empty)',
  gt: 'is greater than (later than) this value',
  gte: 'is at least this value',
  lt: 'is less than (earlier than) this value',
  lte: 'is at most this value',
  in: 'is one of these values, comma-separated (up to 100)',
  nin: 'is none of these values, comma-separated (or is empty)',
  contains: 'contains this text, case-insensitively',
  starts_with: 'starts with this text, case-insensitively',
  exists: 'true: has a value; false: has none',
};

/** The schema of one value of a field, as `field=` or `field[op]=` takes it. */
function valueSchema(field: FieldSpec, description: string): TSchema {
  switch (field.type) {
    case 'integer':
      return Type.Integer({ description });
    case 'enum':
      return StringEnum(field.values ?? [], { description });
    case 'date':
      return Type.String({ format: 'date', description, examples: ['2026-03-21'] });
    case 'timestamp':
      return Type.String({ description: `${description} An ISO 8601 date-time with its zone, or a date (midnight UTC).`, examples: ['2026-03-21T10:30:00.000Z'] });
    default:
      return Type.String({ description });
  }
}

/** A comma-separated list of values, for `in` and `nin`. */
function listSchema(field: FieldSpec, description: string): TSchema {
  const patterns: Partial<Record<FieldSpec['type'], string>> = { integer: '-?\\d+', date: '\\d{4}-\\d{2}-\\d{2}', enum: `(${(field.values ?? []).join('|')})` };
  const one = patterns[field.type];
  if (one === undefined) return Type.String({ description });
  return Type.String({ description: `${description}${field.type === 'enum' ? ` Values: ${field.values?.join(', ')}.` : ''}`, pattern: `^${one}(,${one})*$` });
}

function operatorSchema(field: FieldSpec, name: string, op: Exclude<Operator, 'eq'>): TSchema {
  const description = `${name} ${OPERATOR_MEANING[op]}.`;
  if (op === 'exists') return Type.Boolean({ description });
  if (op === 'in' || op === 'nin') return listSchema(field, description);
  return valueSchema(field, description);
}

function filterParams(name: string, field: FieldSpec): Record<string, TSchema> {
  const me = field.user ? ' `me` stands for the user making the request.' : '';
  const equals = `${field.description ? `${field.description} ` : ''}Equals this value (also \`${name}[eq]\`).${me}`;
  const params: Record<string, TSchema> = { [name]: Type.Optional(valueSchema(field, equals)) };
  for (const op of OPERATORS_BY_TYPE[field.type]) {
    if (op !== 'eq') params[`${name}[${op}]`] = Type.Optional(operatorSchema(field, name, op));
  }
  return params;
}

/** The query-string schema of a list: what the OpenAPI document declares, and what the validator coerces. */
export function listQuerystring(spec: ListSpec): TObject {
  const sortable = Object.entries(spec.fields).filter(([, f]) => f.sortable).map(([name]) => name);
  return Type.Object(
    {
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT, description: `Page size, 1 to ${MAX_LIMIT}.` })),
      cursor: Type.Optional(Type.String({ description: 'meta.next_cursor of the previous page.' })),
      sort: Type.Optional(Type.String({ description: `Comma-separated; prefix - for descending. Sortable: ${sortable.join(', ')}. Default created_at (updated_at when filtering on updated_at[gt|gte]).` })),
      q: Type.Optional(Type.String({ description: `Free text: every word must match ${spec.search.columns.join(', ')}${spec.search.via ? `, ${spec.search.via.column}` : ''}.` })),
      ...Object.assign({}, ...Object.entries(spec.fields).map(([name, field]) => filterParams(name, field))),
      ...Object.fromEntries(
        Object.entries(spec.shorthands ?? {}).map(([name, s]) => [name, Type.Optional(s.flag ? Type.Boolean({ enum: [true], description: s.description }) : Type.String({ description: s.description }))]),
      ),
    },
    { additionalProperties: true },
  );
}

const checked = new WeakMap<FastifyRequest, ListQuery>();

/** A route's preValidation hook: the ListSpec checks the raw query string before the schema coerces it. */
export const checkListQuery =
  (spec: ListSpec) =>
  async (request: FastifyRequest): Promise<void> => {
    checked.set(request, parseListQuery(spec, request.query as Record<string, unknown>, Date.now(), request.actor?.userId));
  };

/** The list query checkListQuery accepted for this request. */
export function listQueryOf(request: FastifyRequest): ListQuery {
  const query = checked.get(request);
  if (query === undefined) throw new Error(`${request.routeOptions.url ?? 'this route'} lists without checkListQuery`);
  return query;
}
