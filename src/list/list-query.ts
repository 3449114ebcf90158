/**
 * Turns a list request's query string into a checked ListQuery: filters with
 * operators, `q`, sort keys, limit and the keyset cursor. Transport-neutral:
 * REST passes its query object, other doors can build the same input.
 */
import { DomainError } from '../domain/errors.js';
import { decodeListCursor } from './cursor.js';
import { fieldOf, integerRange, OPERATORS, OPERATORS_BY_TYPE, type FieldSpec, type ListSpec, type Operator } from './list-spec.js';

export type FilterValue = string | number;

export interface Filter {
  field: string;
  spec: FieldSpec;
  op: Operator;
  /** One value for comparisons, several for in/nin, a boolean for exists. */
  values: FilterValue[];
  exists?: boolean;
}

export interface SortKey {
  field: string;
  spec: FieldSpec;
  direction: 'asc' | 'desc';
}

/** A list's `meta.total`: exact, or (for a filtered list with more matches than are counted) an estimate. */
export interface Total {
  count: number;
  exact: boolean;
}

export interface Cursor {
  /** The sort keys' values of the last row of the previous page, then its id. */
  values: (FilterValue | null)[];
  id: string;
  /** The total the first page of a filtered list counted, carried to the next pages. */
  total?: Total;
}

export interface ListQuery {
  filters: Filter[];
  search: string[];
  sort: SortKey[];
  limit: number;
  cursor: Cursor | null;
  /** false: the page's total is not counted (an export reads every page; the total would cost a scan each). */
  countTotal?: false;
  /** true: the page reads many rows (an export's 2,000), so it runs as a long read, off the main thread (db/long-reads.ts). */
  longRead?: true;
}

export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;
const MAX_SORT_KEYS = 3;
const MAX_IN_VALUES = 100;
const RESERVED = new Set(['limit', 'cursor', 'sort', 'q']);

const invalidFilter = (message: string, param: string): DomainError =>
  new DomainError('invalid_filter', message, { [param]: [message] });

/** `me`: the id of the user making the request, which `owner_id=me` (any user field) stands for. */
export function parseListQuery(spec: ListSpec, given: Record<string, unknown>, now: number = Date.now(), me?: string): ListQuery {
  const query = expandShorthands(spec, given, now);
  const filters: Filter[] = [];
  for (const [param, raw] of Object.entries(query)) {
    if (RESERVED.has(param)) continue;
    filters.push(parseFilter(spec, param, raw, me));
  }
  const sort = parseSort(spec, single(query.sort, 'sort'), filters);
  const cursorText = single(query.cursor, 'cursor');
  return {
    filters,
    search: parseSearch(single(query.q, 'q')),
    sort,
    limit: parseLimit(single(query.limit, 'limit')),
    cursor: cursorText === undefined ? null : decodeCursor(cursorText, sort),
  };
}

function expandShorthands(spec: ListSpec, query: Record<string, unknown>, now: number): Record<string, unknown> {
  if (!spec.shorthands) return query;
  // Parameter names are the client's: a null-prototype object and own look-ups keep `__proto__` or `toString` plain names.
  const expanded: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [param, raw] of Object.entries(query)) {
    const shorthand = Object.hasOwn(spec.shorthands, param) ? spec.shorthands[param] : undefined;
    if (!shorthand) {
      expanded[param] = raw;
      continue;
    }
    const filters = typeof raw === 'string' ? shorthand.expand(raw, now) : undefined;
    if (!filters) throw invalidFilter(`${param}: ${shorthand.description}`, param);
    for (const [name, value] of Object.entries(filters)) {
      if (Object.hasOwn(query, name)) throw invalidFilter(`${param} cannot be combined with ${name}.`, param);
      expanded[name] = value;
    }
  }
  return expanded;
}

function single(raw: unknown, param: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') {
    throw new DomainError('validation_error', `${param} may be given once.`, { [param]: ['Give this parameter once.'] });
  }
  return raw;
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new DomainError('validation_error', `limit must be a whole number from 1 to ${MAX_LIMIT}.`, {
      limit: [`Must be a whole number from 1 to ${MAX_LIMIT}.`],
    });
  }
  return limit;
}

function parseSearch(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  if (raw.length > 200) throw invalidFilter('q may be at most 200 characters.', 'q');
  return raw.split(/\s+/).filter(Boolean).slice(0, 8);
}

const PARAM = /^([a-z_][a-z0-9_.]*)(?:\[([a-z_]+)\])?$/;

function parseFilter(spec: ListSpec, param: string, raw: unknown, me: string | undefined): Filter {
  const match = PARAM.exec(param);
  const field = match?.[1];
  const fieldSpec = field === undefined ? undefined : fieldOf(spec, field);
  if (!match || field === undefined || fieldSpec === undefined) {
    throw invalidFilter(`${param} is not a filter of ${spec.noun} lists. Filterable fields: ${Object.keys(spec.fields).join(', ')}.`, param);
  }
  const op = (match[2] ?? 'eq') as Operator;
  if (!OPERATORS.includes(op)) {
    throw invalidFilter(`Unknown operator "${match[2]}". Operators: ${OPERATORS.join(', ')}.`, param);
  }
  if (!OPERATORS_BY_TYPE[fieldSpec.type].includes(op)) {
    throw invalidFilter(`${field} does not support ${op}; it supports ${OPERATORS_BY_TYPE[fieldSpec.type].join(', ')}.`, param);
  }
  if (typeof raw !== 'string') {
    throw invalidFilter(`${param} may be given once; use ${field}[in]=a,b for several values.`, param);
  }
  if (op === 'exists') {
    if (raw !== 'true' && raw !== 'false') throw invalidFilter(`${param} must be true or false.`, param);
    return { field, spec: fieldSpec, op, values: [], exists: raw === 'true' };
  }
  const texts = op === 'in' || op === 'nin' ? raw.split(',') : [raw];
  if (texts.length > MAX_IN_VALUES) throw invalidFilter(`${param} takes at most ${MAX_IN_VALUES} values.`, param);
  const values = texts.map((text) => (fieldSpec.user && text === 'me' ? meOf(me, param) : parseValue(fieldSpec, text, param)));
  return { field, spec: fieldSpec, op, values };
}

function meOf(me: string | undefined, param: string): string {
  if (me === undefined) throw invalidFilter(`${param}: "me" needs a request made as a user.`, param);
  return me;
}

function parseValue(spec: FieldSpec, text: string, param: string): FilterValue {
  switch (spec.type) {
    case 'integer': {
      const value = Number(text);
      const { min, max } = integerRange(spec);
      if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(value)) throw invalidFilter(`${param} must be a whole number.`, param);
      if (value < min || value > max) throw invalidFilter(`${param} must be a whole number from ${min} to ${max}.`, param);
      return value;
    }
    case 'timestamp': {
      const value = parseTimestamp(text);
      if (value === null) throw invalidFilter(`${param} must be an ISO 8601 date or date-time, e.g. 2026-03-21T10:30:00.000Z.`, param);
      return value;
    }
    case 'date': {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || parseTimestamp(text) === null) throw invalidFilter(`${param} must be a date like 2026-03-21.`, param);
      return text;
    }
    case 'enum': {
      if (!spec.values?.includes(text)) throw invalidFilter(`${param} must be one of ${spec.values?.join(', ')}.`, param);
      return text;
    }
    default:
      if (text.length > 500) throw invalidFilter(`${param} is too long.`, param);
      return spec.normalize ? spec.normalize(text) : text;
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** An ISO 8601 date or date-time with zone, as epoch milliseconds; a bare date is UTC midnight. */
export function parseTimestamp(text: string): number | null {
  if (!ISO_DATE.test(text)) return null;
  const value = Date.parse(text.length === 10 ? `${text}T00:00:00.000Z` : text);
  return Number.isNaN(value) ? null : value;
}

function parseSort(spec: ListSpec, raw: string | undefined, filters: Filter[]): SortKey[] {
  if (raw === undefined || raw.trim() === '') {
    // A sync client that asks for changes since T walks them in change order, so
    // a record changed during the walk moves to its end and is not missed.
    const sinceFilter = filters.some((f) => f.field === 'updated_at' && (f.op === 'gt' || f.op === 'gte'));
    const field = sinceFilter ? 'updated_at' : 'created_at';
    return [{ field, spec: spec.fields[field] as FieldSpec, direction: 'asc' }];
  }
  const keys: SortKey[] = [];
  for (const part of raw.split(',')) {
    const direction = part.startsWith('-') ? 'desc' : 'asc';
    const field = part.replace(/^[-+]/, '').trim();
    const fieldSpec = fieldOf(spec, field);
    if (!fieldSpec?.sortable) {
      const sortable = Object.entries(spec.fields).filter(([, f]) => f.sortable).map(([name]) => name);
      throw new DomainError('validation_error', `Cannot sort ${spec.noun} lists by "${field}". Sortable fields: ${sortable.join(', ')}.`, {
        sort: [`Sortable fields: ${sortable.join(', ')}.`],
      });
    }
    if (keys.some((k) => k.field === field)) {
      throw new DomainError('validation_error', `sort names ${field} twice.`, { sort: [`${field} is named twice.`] });
    }
    keys.push({ field, spec: fieldSpec, direction });
  }
  if (keys.length > MAX_SORT_KEYS) {
    throw new DomainError('validation_error', `sort takes at most ${MAX_SORT_KEYS} fields.`, { sort: [`At most ${MAX_SORT_KEYS} fields.`] });
  }
  return keys;
}

function decodeCursor(text: string, sort: SortKey[]): Cursor {
  const cursor = decodeListCursor(text, sort);
  if (cursor === undefined) {
    throw new DomainError('invalid_cursor', 'The cursor is not valid for this list; start again without a cursor, with the same sort.', {
      cursor: ['Use meta.next_cursor of the previous page, with the same sort.'],
    });
  }
  return cursor;
}
