/**
 * Runs a checked ListQuery against a resource's table: workspace scoping,
 * filters, `q`, keyset pagination and the total. Every list in Trellis goes
 * through here, so page 1,000 costs what page 1 costs on every resource.
 *
 * The total costs no scan of the list: an unfiltered list of a large kind of
 * record reads its workspace's counter (record_counts, kept by triggers in the
 * write transactions, exact); any other list counts on its first page only,
 * exactly up to EXACT_COUNT_LIMIT matches and as a flagged estimate beyond,
 * and carries that total to the next pages in the cursor. docs/api-guide.md
 * says what a client can rely on.
 */
import { sql, type AliasedExpression, type Expression, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import { encodeCursor } from '../list/cursor.js';
import type { Filter, FilterValue, ListQuery, SortKey, Total } from '../list/list-query.js';
import type { ListSpec, Via } from '../list/list-spec.js';
import { likeEscape, type Capabilities } from './capabilities.js';
import { longReaderOf } from './long-reads.js';
import { marker, markerOrder, prepared, runCompiled } from './prepared.js';
import { rowCount } from './row-counts.js';
import type { Database } from './schema.js';

export interface Page<Row> {
  rows: Row[];
  total: number;
  /** false when `total` is an estimate (a filtered list with more than EXACT_COUNT_LIMIT matches); absent means exact. */
  totalExact?: boolean;
  nextCursor: string | null;
  hasMore: boolean;
}

/** A filtered list's total is exact up to this many matches. */
export const EXACT_COUNT_LIMIT = 10_000;
/** Beyond it, the share of matches among the workspace's most recent records, this many, times its record count. */
const ESTIMATE_SAMPLE = 20_000;
/** The tables with a counter per workspace (the record_counts migration): the ones that grow large. */
const COUNTED_TABLES = new Set(['contacts', 'companies', 'leads', 'deals', 'activities', 'tasks', 'events']);

type Condition = RawBuilder<SqlBool>;
const TRUE: Condition = sql<SqlBool>`1 = 1`;
const FALSE: Condition = sql<SqlBool>`1 = 0`;

const and = (parts: Condition[]): Condition => (parts.length === 0 ? TRUE : sql<SqlBool>`(${sql.join(parts, sql` and `)})`);
const or = (parts: Condition[]): Condition => (parts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(parts, sql` or `)})`);

/** What a list page selects: the table's columns by name, and computed columns (a record's tags, say) so a page is one query. */
export type ListColumn = string | AliasedExpression<unknown, string>;

export interface ListScope {
  /** Columns the rows must equal, e.g. `{ company_id }` for "contacts of this company". */
  equals?: Record<string, string>;
}

/** The statements of a list page: its rows, and the condition its total counts. */
export function listStatements<Row>(
  capabilities: Capabilities,
  spec: ListSpec,
  workspaceId: string,
  query: ListQuery,
  columns: readonly ListColumn[],
  scope: ListScope = {},
): { rowsQuery: RawBuilder<Row>; filtered: Condition } {
  const table = sql.table(spec.table);
  // An email or tag filter finds its records through the child table's key (contact_emails,
  // record_tags), then each record by its id: the workspace term must not lure the planner
  // into walking the workspace's whole (created_at, id) index and probing every row instead.
  const drivenByChild = query.filters.some((f) => f.spec.via !== undefined && (f.op === 'eq' || f.op === 'in'));
  const workspace = sql.ref(`${spec.table}.workspace_id`);
  const scoped = Object.entries(scope.equals ?? {});
  const conditions: Condition[] = [
    sql<SqlBool>`${drivenByChild ? capabilities.unindexed(workspace) : workspace} = ${workspaceId}`,
    ...scoped.map(([name, value]) => sql<SqlBool>`${column(spec, name)} = ${value}`),
    matchCondition(capabilities, spec, workspaceId, query),
  ];
  const filtered = and(conditions);
  const pageConditions = query.cursor ? and([filtered, afterCursor(spec, query.sort, query.cursor.values, query.cursor.id)]) : filtered;

  const idDirection = query.sort[query.sort.length - 1]?.direction ?? 'asc';
  const orderBy = sql.join([
    ...query.sort.map((key) => orderTerm(spec, key)),
    sql`${sql.ref(`${spec.table}.id`)} ${sql.raw(idDirection)}`,
  ]);
  const selection = sql.join(columns.map((c) => (typeof c === 'string' ? sql.ref(`${spec.table}.${c}`) : c)));
  // One row more than the page shows, to know whether there is more.
  const rowsQuery = sql<Row>`select ${selection} from ${table} where ${pageConditions} order by ${orderBy} limit ${rowCount(query.limit + 1)}`;
  return { rowsQuery, filtered };
}

export async function listRows<Row extends { id: string }>(
  db: Kysely<Database>,
  capabilities: Capabilities,
  spec: ListSpec,
  workspaceId: string,
  query: ListQuery,
  columns: readonly ListColumn[],
  scope: ListScope = {},
): Promise<Page<Row>> {
  const unfiltered = isUnfiltered(query, scope);
  const countedValue = countedFilterValue(spec, query, scope);
  // These totals are read from a counter on every page, so a cursor carries none.
  const counted = (unfiltered && COUNTED_TABLES.has(spec.table)) || countedValue !== undefined;
  // A page found through an index stays on `db`, the main reader. What may scan runs as a long
  // read: the count, and the rows of an export page or of a text match (`q`, contains,
  // starts_with), which no index serves and which may walk the whole workspace to fill a page.
  const longReader = longReaderOf(db);
  const found = await pageRows<Row>(query.longRead || matchesText(query) ? longReader : db, capabilities, spec, workspaceId, query, columns, scope);

  const hasMore = found.length > query.limit;
  const rows = hasMore ? found.slice(0, query.limit) : found;
  let total: Total;
  if (query.countTotal === false) total = { count: -1, exact: false };
  else if (unfiltered && COUNTED_TABLES.has(spec.table)) total = { count: await recordCount(db, spec.table, workspaceId), exact: true };
  else if (countedValue !== undefined) total = { count: await dealStageCount(db, workspaceId, countedValue), exact: true };
  else if (query.cursor?.total) total = query.cursor.total;
  else if (!query.cursor && !hasMore) total = { count: rows.length, exact: true };
  else total = await boundedCount(longReader, spec, workspaceId, listStatements(capabilities, spec, workspaceId, query, columns, scope).filtered);

  const last = rows[rows.length - 1];
  const nextCursor =
    hasMore && last !== undefined
      ? encodeCursor(
          query.sort,
          query.sort.map((key) => (last as Record<string, unknown>)[key.spec.column] as FilterValue | null),
          last.id,
          // A list with a counter reads it on every page; any other carries its first page's count.
          query.countTotal === false || counted ? undefined : total,
        )
      : null;
  return { rows, total: total.count, totalExact: total.exact, nextCursor, hasMore };
}

/**
 * A page's compiled SQL, by the list's shape: its columns, scope, filters (field, operator,
 * how many values), sort, which cursor values are null and the page size. Building and compiling a page's
 * statement with Kysely cost more than reading 25 rows; a shape's later pages and requests
 * only bind their values. The values are learnt by building the shape once with markers.
 */
interface CompiledPage {
  sql: string;
  /** For each compiled parameter, its index among the values `withPageValues` walks. */
  order: number[];
}
const compiledPages = new WeakMap<ListSpec, Map<string, CompiledPage | null>>();
/** Shapes kept per resource; a shape beyond them is built each time (a client sending endless new filter combinations gains nothing). */
const MAX_SHAPES = 200;

async function pageRows<Row>(
  db: Kysely<Database>,
  capabilities: Capabilities,
  spec: ListSpec,
  workspaceId: string,
  query: ListQuery,
  columns: readonly ListColumn[],
  scope: ListScope,
): Promise<Row[]> {
  // A text match's values reach the SQL as patterns, not as given: built each time (it scans anyway).
  if (matchesText(query)) return (await listStatements<Row>(capabilities, spec, workspaceId, query, columns, scope).rowsQuery.execute(db)).rows;
  let shapes = compiledPages.get(spec);
  if (!shapes) compiledPages.set(spec, (shapes = new Map()));
  const key = shapeKey(capabilities, columns, query, scope);
  let compiled = shapes.get(key);
  if (compiled === undefined) {
    let index = 0;
    const marked = withPageValues(workspaceId, query, scope, () => marker(index++));
    const built = listStatements<Row>(capabilities, spec, marked.workspaceId, marked.query, columns, marked.scope).rowsQuery.compile(db);
    const order = markerOrder(built.parameters, index);
    compiled = order === undefined ? null : { sql: built.sql, order };
    if (shapes.size < MAX_SHAPES) shapes.set(key, compiled);
  }
  if (compiled === null) return (await listStatements<Row>(capabilities, spec, workspaceId, query, columns, scope).rowsQuery.execute(db)).rows;
  const values: unknown[] = [];
  withPageValues(workspaceId, query, scope, (value) => (values.push(value), value));
  return runCompiled<Row>(db, compiled.sql, compiled.order.map((i) => values[i]));
}

function shapeKey(capabilities: Capabilities, columns: readonly ListColumn[], query: ListQuery, scope: ListScope): string {
  const parts = [capabilities.dialect, columns.map((c) => (typeof c === 'string' ? c : c.alias)).join(), Object.keys(scope.equals ?? {}).join()];
  for (const f of query.filters) parts.push(`${f.field} ${f.op} ${f.values.length} ${f.exists ?? ''}`);
  for (const k of query.sort) parts.push(`${k.field} ${k.direction}`);
  parts.push(query.cursor ? query.cursor.values.map((v) => (v === null || v === undefined ? 'n' : 'v')).join('') : '-');
  // The page size is in the SQL's text (row-counts.ts).
  parts.push(String(query.limit));
  return parts.join('|');
}

/**
 * The list's inputs with each value a page binds (workspace, scope, filter values, the
 * cursor's non-null values and id) replaced by `replace`, in one fixed order:
 * the marked build and every later page read their values through this one walk.
 */
function withPageValues(workspaceId: string, query: ListQuery, scope: ListScope, replace: (value: unknown) => unknown) {
  const as = <T>(value: unknown) => replace(value) as T;
  const marked = {
    workspaceId: as<string>(workspaceId),
    scope: { equals: Object.fromEntries(Object.entries(scope.equals ?? {}).map(([name, value]) => [name, as<string>(value)])) },
    query: {
      ...query,
      filters: query.filters.map((f) => ({ ...f, values: f.values.map((v) => as<FilterValue>(v)) })),
      cursor: query.cursor && { ...query.cursor, values: query.cursor.values.map((v) => (v === null || v === undefined ? null : as<FilterValue>(v))), id: as<string>(query.cursor.id) },
    },
  };
  return marked;
}

function isUnfiltered(query: ListQuery, scope: ListScope): boolean {
  return Object.keys(scope.equals ?? {}).length === 0 && query.filters.length === 0 && query.search.length === 0;
}

function matchesText(query: ListQuery): boolean {
  return query.search.length > 0 || query.filters.some((f) => f.op === 'contains' || f.op === 'starts_with');
}

/** Counts the matches up to EXACT_COUNT_LIMIT + 1. */
export function boundedCountQuery(spec: ListSpec, filtered: Condition): RawBuilder<{ total: number }> {
  return sql<{ total: number }>`select count(*) as total from (select 1 as one from ${sql.table(spec.table)} where ${filtered} limit ${rowCount(EXACT_COUNT_LIMIT + 1)}) bounded`;
}

/** The value of the spec's counted filter (deals' stage_id) when it is the list's only condition. */
function countedFilterValue(spec: ListSpec, query: ListQuery, scope: ListScope): string | undefined {
  const [only, ...others] = query.filters;
  if (!spec.countedBy || others.length > 0 || query.search.length > 0 || Object.keys(scope.equals ?? {}).length > 0) return undefined;
  if (only?.field !== spec.countedBy.field || only.op !== 'eq' || only.values.length !== 1) return undefined;
  const [value] = only.values;
  return typeof value === 'string' ? value : undefined;
}

const dealStageCountQuery = prepared((db: Kysely<Database>, workspaceId: string, stageId: string) =>
  db.selectFrom('deal_stage_counts').select('count').where('workspace_id', '=', workspaceId).where('stage_id', '=', stageId),
);

async function dealStageCount(db: Kysely<Database>, workspaceId: string, stageId: string): Promise<number> {
  const [row] = await dealStageCountQuery(db, workspaceId, stageId);
  return Number(row?.count ?? 0);
}

const recordCountQuery = prepared((db: Kysely<Database>, workspaceId: string, table: string) =>
  db.selectFrom('record_counts').select('count').where('workspace_id', '=', workspaceId).where('resource', '=', table),
);

async function recordCount(db: Kysely<Database>, table: string, workspaceId: string): Promise<number> {
  const [row] = await recordCountQuery(db, workspaceId, table);
  return Number(row?.count ?? 0);
}

/**
 * Counts the matches, stopping after EXACT_COUNT_LIMIT + 1; beyond that (only on a counted
 * table: the others stay small) estimates from the share of matches among the workspace's
 * ESTIMATE_SAMPLE most recent records, never below EXACT_COUNT_LIMIT + 1 nor above its count.
 */
async function boundedCount(db: Kysely<Database>, spec: ListSpec, workspaceId: string, filtered: Condition): Promise<Total> {
  const table = sql.table(spec.table);
  if (!COUNTED_TABLES.has(spec.table)) {
    const { rows } = await sql<{ total: number }>`select count(*) as total from ${table} where ${filtered}`.execute(db);
    return { count: Number(rows[0]?.total ?? 0), exact: true };
  }
  const { rows } = await boundedCountQuery(spec, filtered).execute(db);
  const counted = Number(rows[0]?.total ?? 0);
  if (counted <= EXACT_COUNT_LIMIT) return { count: counted, exact: true };
  const all = await recordCount(db, spec.table, workspaceId);
  // The sample is aliased as the table, so the filter's column references read it.
  const recent = sql`select * from ${table} where ${sql.ref(`${spec.table}.workspace_id`)} = ${workspaceId} order by ${sql.ref(`${spec.table}.created_at`)} desc limit ${rowCount(ESTIMATE_SAMPLE)}`;
  const sample = await sql<{ sampled: number; matched: number }>`select count(*) as sampled, count(case when ${filtered} then 1 end) as matched from (${recent}) as ${table}`.execute(db);
  const { sampled = 0, matched = 0 } = sample.rows[0] ?? {};
  const estimate = Number(sampled) > 0 ? Math.round((all * Number(matched)) / Number(sampled)) : all;
  return { count: Math.min(Math.max(estimate, EXACT_COUNT_LIMIT + 1), Math.max(all, EXACT_COUNT_LIMIT + 1)), exact: false };
}

/**
 * The rows of `spec.table` that a list's filters and `q` select (without the
 * workspace condition): for a query that must count exactly the records a list
 * shows, such as a report of the deals on a filtered board.
 */
export function matchCondition(capabilities: Capabilities, spec: ListSpec, workspaceId: string, query: Pick<ListQuery, 'filters' | 'search'>): Condition {
  return and([...query.filters.map((f) => filterCondition(capabilities, spec, workspaceId, f)), ...query.search.map((word) => searchCondition(capabilities, spec, workspaceId, word))]);
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
    return childMatch(spec, workspaceId, filter.spec.via, inner, negate, filter.op === 'eq' && filter.spec.via.unique === true);
  }
  return comparison(capabilities, column(spec, filter.spec.column), filter);
}

/**
 * Some row of the child table belongs to this record and meets `condition`
 * (none does, when `negate`). Written as `id in (select …)` so the database
 * looks the child rows up by their index first, instead of probing the child
 * table once for every record of the workspace.
 */
function childMatch(spec: ListSpec, workspaceId: string, via: Via, condition: Condition, negate = false, unique = false): Condition {
  const ref = (name: string) => sql.ref(`${via.table}.${name}`);
  const fixed = Object.entries(via.where ?? {}).map(([name, value]) => sql<SqlBool>`${ref(name)} = ${value}`);
  const ids = sql`select ${ref(via.foreignKey)} from ${sql.table(via.table)} where ${ref('workspace_id')} = ${workspaceId} and ${and([...fixed, condition])}`;
  // One value of a unique child column names at most one record: `id = (…)` tells the planner
  // so, and SQLite then neither builds the list of ids nor sorts the page (the email look-up).
  if (unique && !negate) return sql<SqlBool>`${column(spec, 'id')} = (${ids})`;
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
