/**
 * A find* `query` (Nutshell keys, ANDed; a list of values ORed) and its
 * `orderBy`/`orderDirection`, as the list parameters of a Trellis list
 * (the same ones REST takes in its query string).
 */
import { isObject, own, toId, type Json } from './args.js';
import type { RpcContext } from './context.js';
import { list, refId, tagIds, tagNameList } from './nutshell-input.js';
import { invalidParams } from './protocol.js';
import { parseTimestamp } from '../list/list-query.js';

type Params = Record<string, string>;

/** One query key as list params; null when nothing can match (e.g. a tag that does not exist). */
export type QueryKey = (value: unknown, ctx: RpcContext) => Params | null | Promise<Params | null>;

const oneOrMany = (field: string, values: string[]): Params | null =>
  values.length === 0 ? null : values.length === 1 ? { [field]: values[0] as string } : { [`${field}[in]`]: values.join(',') };

/** Ids (or `{id, entityType}` objects); several are ORed. */
export const byId =
  (field: string, entityType: string): QueryKey =>
  (value) =>
    oneOrMany(field, list(value).map((v) => (isObject(v) ? refId(field, v, entityType) : toId(field, v))));

/** Nutshell codes (lead status 0/10/11, …) as Trellis values. */
export const byCode =
  (field: string, codes: Record<string, string>): QueryKey =>
  (value) =>
    oneOrMany(
      field,
      list(value).map((code) => {
        const mapped = own(codes, String(code));
        if (mapped === undefined) throw invalidParams(`${field}: ${String(code)} is not one of ${Object.keys(codes).join(', ')}.`);
        return mapped;
      }),
    );

const OPERATORS: Record<string, string> = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte', '=': 'eq' };

/** `"> 2026-01-01"`, `"<= 2026-02-01T00:00:00+0000"` or a bare date; a list of comparisons is a range (ANDed). */
export const byTime =
  (field: string, kind: 'timestamp' | 'date'): QueryKey =>
  (value) => {
    const params: Params = {};
    for (const comparison of list(value)) {
      const match = typeof comparison === 'string' ? /^\s*(>=|<=|>|<|=)?\s*(\S.*)$/.exec(comparison) : null;
      const ms = match ? parseTimestamp((match[2] as string).trim()) : null;
      if (!match || ms === null) throw invalidParams(`${field}: "${String(comparison)}" is not a comparison like "> 2026-01-01".`);
      const op = OPERATORS[match[1] ?? '='] as string;
      const iso = new Date(ms).toISOString();
      params[op === 'eq' ? field : `${field}[${op}]`] = kind === 'date' ? iso.slice(0, 10) : iso;
    }
    return params;
  };

/** Tag names; a name no tag has matches nothing. */
export const byTag: QueryKey = async (value, ctx) => oneOrMany('tag', await tagIds(ctx, tagNameList('tag', value), false));

/** The list params of a query (its keys in camelCase, snake_case or any case, as orderBy); null when it can match nothing. */
export async function queryParams(method: string, keys: Record<string, QueryKey>, query: Json, ctx: RpcContext): Promise<Params | null> {
  const params: Params = {};
  for (const [key, value] of Object.entries(query)) {
    const translate = byFieldName(keys, key);
    if (!translate) throw invalidParams(`${method} does not filter by ${key}; it filters by ${Object.keys(keys).join(', ') || 'nothing'}.`);
    if (value === undefined) continue;
    const part = await translate(value, ctx);
    if (part === null) return null;
    for (const [name, v] of Object.entries(part)) {
      if (name in params && params[name] !== v) throw invalidParams(`${method}: ${key} contradicts another key of the query.`);
      params[name] = v;
    }
  }
  return params;
}

/** `orderDirection`: ASC (the default) or DESC, in any case. */
export function isDescending(direction: unknown): boolean {
  if (direction === undefined || direction === null) return false;
  if (typeof direction !== 'string' || !['ASC', 'DESC'].includes(direction.toUpperCase())) throw invalidParams('orderDirection must be ASC or DESC.');
  return direction.toUpperCase() === 'DESC';
}

/** A field name however a client spells it: `dueTime`, `due_time`, `DueTime` and `DUE_TIME` are one name. */
const folded = (name: string): string => name.replace(/_/g, '').toLowerCase();

/** The entry of `table` that `name` names, in camelCase, snake_case or any case. */
export function byFieldName<T>(table: Readonly<Record<string, T>>, name: string): T | undefined {
  return own(table, name) ?? Object.entries(table).find(([key]) => folded(key) === folded(name))?.[1];
}

/** `orderBy` (a Nutshell field, in any case or snake_case) and `orderDirection` as a Trellis `sort`; undefined keeps the list's own order. */
export function sortParam(method: string, sortable: Record<string, string>, orderBy: unknown, direction: unknown): string | undefined {
  const descending = isDescending(direction);
  if (orderBy === undefined || orderBy === null) return descending ? '-created_at' : undefined;
  const fields = typeof orderBy === 'string' ? byFieldName(sortable, orderBy.trim()) : undefined;
  if (fields === undefined) throw invalidParams(`${method} orders by ${Object.keys(sortable).join(', ')}.`, { orderBy: [`One of ${Object.keys(sortable).join(', ')}.`] });
  return descending ? fields.split(',').map((f) => `-${f}`).join(',') : fields;
}
