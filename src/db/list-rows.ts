/**
 * Runs a checked ListQuery against a resource's table: workspace scoping,
 * filters, `q`, keyset pagination and the total. Every list in Trellis goes
 * through here, so page 1,000 costs what page 1 costs on every resource.
 */
import { sql, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { encodeCursor, type Filter, type FilterValue, type ListQuery, type SortKey } from '../list/list-query.js';
import type { ListSpec, Via } from '../list/list-spec.js';
import { likeEscape, type Capabilities } from './capabilities.js';
import type { Database } from './schema.js';

export interface Page<Row> {
  rows: Row[];
  total: number;
  nextCursor: string | null;
  hasMore: boolean;
}

type Condition = RawBuilder<SqlBool>;
const TRUE: Condition = sql<SqlBool>`1 = 1`;
const FALSE: Condition = sql<SqlBool>`1 = 0`;

const and = (parts: Condition[]): Condition => (parts.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(parts, sql` and `)})`);
const or = (parts: Condition[]): Condition => (parts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(parts, sql` or `)})`);

export interface ListScope {
  /** Columns the rows must equal, e.g. `{ company_id }` for "contacts of this company". */
  equals?: Record<string, string>;
}

export async function listRows<Row extends { id: string }>(
  db: Kysely<Database>,
  capabilities: Capabilities,
  spec: ListSpec,
  workspaceId: string,
  query: ListQuery,
  columns: readonly string[],
  scope: ListScope = {},
): Promise<Page<Row>> {
  const table = sql.table(spec.table);
  const conditions: Condition[] = [
    sql<SqlBool>`${sql.ref(`${spec.table}.workspace_id`)} = ${workspaceId}`,
    ...Object.entries(scope.equals ?? {}).map(([name, value]) => sql<SqlBool>`${column(spec, name)} = ${value}`),
    ...query.filters.map((f) => filterCondition(capabilities, spec, workspaceId, f)),
    ...query.search.map((word) => searchCondition(capabilities, spec, workspaceId, word)),
  ];
  const filtered = and(conditions);
  const pageConditions = query.cursor ? and([filtered, afterCursor(spec, query.sort, query.cursor.values, query.cursor.id)]) : filtered;

  const idDirection = query.sort[query.sort.length - 1]?.direction ?? 'asc';
  const orderBy = sql.join([
    ...query.sort.map((key) => orderTerm(spec, key)),
    sql`${sql.ref(`${spec.table}.id`)} ${sql.raw(idDirection)}`,
  ]);
  const selection = sql.join(columns.map((c) => sql.ref(`${spec.table}.${c}`)));

  const rowsQuery = sql<Row>`select ${selection} from ${table} where ${pageConditions} order by ${orderBy} limit ${query.limit + 1}`;
  const countQuery = sql<{ total: number }>`select count(*) as total from ${table} where ${filtered}`;
  const rowsResult = await rowsQuery.execute(db);
  const countResult = await countQuery.execute(db);

  const hasMore = rowsResult.rows.length > query.limit;
  const rows = hasMore ? rowsResult.rows.slice(0, query.limit) : rowsResult.rows;
  const last = rows[rows.length - 1];
  const nextCursor =
    hasMore && last !== undefined
      ? encodeCursor(
          query.sort,
          query.sort.map((key) => (last as Record<string, unknown>)[key.spec.column] as FilterValue | null),
          last.id,
        )
      : null;
  return { rows, total: Number(countResult.rows[0]?.total ?? 0), nextCursor, hasMore };
}

function column(spec: ListSpec, name: string): Expression<unknown> {
  return sql.ref(`${spec.table}.${name}`);
}

/** NULL sorts after every value in ascending order and first in descending (PostgreSQL's default). */
function orderTerm(spec: ListSpec, key: SortKey): RawBuilder<unknown> {
  const ref = column(spec, key.spec.column);
  const nulls = key.spec.nullable ? sql.raw(key.direction === 'asc' ? ' nulls last' : ' nulls first') : sql.raw('');
  return sql`${ref} ${sql.raw(key.direction)}${nulls}`;
}

/**
 * Rows strictly after the cursor in the list's order:
 * (k1 after v1) or (k1 = v1 and ((k2 after v2) or (k2 = v2 and … id after last id))).
 */
function afterCursor(spec: ListSpec, sort: SortKey[], values: (FilterValue | null)[], lastId: string): Condition {
  const idDirection = sort[sort.length - 1]?.direction ?? 'asc';
  const idRef = column(spec, 'id');
  let condition: Condition = idDirection === 'asc' ? sql<SqlBool>`${idRef} > ${lastId}` : sql<SqlBool>`${idRef} < ${lastId}`;
  const simple = sort.every((k) => !k.spec.nullable && k.direction === idDirection);
  if (simple) {
    // Row values let the database walk the (…, id) index directly.
    const refs = sql.join([...sort.map((k) => column(spec, k.spec.column)), idRef]);
    const params = sql.join([...values, lastId]);
    return idDirection === 'asc' ? sql<SqlBool>`(${refs}) > (${params})` : sql<SqlBool>`(${refs}) < (${params})`;
  }
  for (let i = sort.length - 1; i >= 0; i--) {
    const key = sort[i] as SortKey;
    const ref = column(spec, key.spec.column);
    const value = values[i] ?? null;
    const equal: Condition = value === null ? sql<SqlBool>`${ref} is null` : sql<SqlBool>`${ref} = ${value}`;
    let after: Condition;
    if (key.direction === 'asc') {
      after = value === null ? FALSE : key.spec.nullable ? sql<SqlBool>`(${ref} > ${value} or ${ref} is null)` : sql<SqlBool>`${ref} > ${value}`;
    } else {
      after = value === null ? sql<SqlBool>`${ref} is not null` : sql<SqlBool>`${ref} < ${value}`;
    }
    condition = or([after, and([equal, condition])]);
  }
  return condition;
}

function filterCondition(capabilities: Capabilities, spec: ListSpec, workspaceId: string, filter: Filter): Condition {
  if (filter.spec.via) {
    const child = sql.ref(`${filter.spec.via.table}.${filter.spec.via.column}`);
    const inner = filter.op === 'exists' ? TRUE : comparison(capabilities, child, { ...filter, op: filter.op === 'ne' ? 'eq' : filter.op === 'nin' ? 'in' : filter.op });
    // ne / nin on a multi-valued field: no value of the record matches.
    const negate = filter.op === 'ne' || filter.op === 'nin' || (filter.op === 'exists' && filter.exists === false);
    return childMatch(spec, workspaceId, filter.spec.via, inner, negate);
  }
  return comparison(capabilities, column(spec, filter.spec.column), filter);
}

/**
 * Some row of the child table belongs to this record and meets `condition`
 * (none does, when `negate`). Written as `id in (select …)` so the database
 * looks the child rows up by their index first, instead of probing the child
 * table once for every record of the workspace.
 */
function childMatch(spec: ListSpec, workspaceId: string, via: Via, condition: Condition, negate = false): Condition {
  const ref = (name: string) => sql.ref(`${via.table}.${name}`);
  const fixed = Object.entries(via.where ?? {}).map(([name, value]) => sql<SqlBool>`${ref(name)} = ${value}`);
  const ids = sql`select ${ref(via.foreignKey)} from ${sql.table(via.table)} where ${ref('workspace_id')} = ${workspaceId} and ${and([...fixed, condition])}`;
  return negate ? sql<SqlBool>`${column(spec, 'id')} not in (${ids})` : sql<SqlBool>`${column(spec, 'id')} in (${ids})`;
}

function comparison(capabilities: Capabilities, ref: Expression<unknown>, filter: Filter): Condition {
  const [value] = filter.values as [FilterValue];
  switch (filter.op) {
    case 'eq':
      return sql<SqlBool>`${ref} = ${value}`;
    case 'ne':
      // "not equal" includes records where the field is empty.
      return sql<SqlBool>`(${ref} <> ${value} or ${ref} is null)`;
    case 'gt':
      return sql<SqlBool>`${ref} > ${value}`;
    case 'gte':
      return sql<SqlBool>`${ref} >= ${value}`;
    case 'lt':
      return sql<SqlBool>`${ref} < ${value}`;
    case 'lte':
      return sql<SqlBool>`${ref} <= ${value}`;
    case 'in':
      return sql<SqlBool>`${ref} in (${sql.join(filter.values)})`;
    case 'nin':
      return sql<SqlBool>`(${ref} not in (${sql.join(filter.values)}) or ${ref} is null)`;
    case 'contains':
      return capabilities.ilike(ref, `%${likeEscape(String(value))}%`);
    case 'starts_with':
      return capabilities.ilike(ref, `${likeEscape(String(value))}%`);
    case 'exists':
      return filter.exists ? sql<SqlBool>`${ref} is not null` : sql<SqlBool>`${ref} is null`;
  }
}

function searchCondition(capabilities: Capabilities, spec: ListSpec, workspaceId: string, word: string): Condition {
  const pattern = `%${likeEscape(word)}%`;
  const parts = spec.search.columns.map((c) => capabilities.ilike(column(spec, c), pattern));
  const via = spec.search.via;
  if (via) parts.push(childMatch(spec, workspaceId, via, capabilities.ilike(sql.ref(`${via.table}.${via.column}`), pattern)));
  return or(parts);
}
