/**
 * How a resource declares its list: which fields can be filtered and sorted,
 * and where they live. The shared list machinery (parsing, filtering, keyset
 * pagination, totals, OpenAPI parameters) is driven entirely by this.
 */
export type FieldType = 'string' | 'id' | 'enum' | 'integer' | 'timestamp' | 'date';

export interface FieldSpec {
  type: FieldType;
  /** The column on the resource's table. */
  column: string;
  /** Integers: what the column holds (INT32 unless given); a filter or cursor outside it is refused. */
  range?: IntegerRange;
  /** Allowed values, for enums. */
  values?: readonly string[];
  sortable?: boolean;
  /** The column may be NULL (matters for `exists` and for keyset order). */
  nullable?: boolean;
  /** The field holds a user id: `me` stands for the user making the request (`owner_id=me`). */
  user?: boolean;
  /** Applied to filter values before comparing, e.g. lower-casing emails. */
  normalize?: (value: string) => string;
  /**
   * The values live in a child table (e.g. every email of a contact): a row
   * matches when any of its child rows matches.
   */
  via?: Via;
  description?: string;
}

/** A child table holding a field's values: `table.foreignKey` points at the record's id. */
export interface Via {
  table: string;
  foreignKey: string;
  column: string;
  /** Fixed conditions on the child rows, e.g. `{ record_type: 'deal' }` for tags. */
  where?: Record<string, string>;
  /** A value belongs to at most one record of a workspace: the child table's key is (workspace_id, column). */
  unique?: boolean;
}

export interface ListSpec {
  /** Singular, for messages: "contact". */
  noun: string;
  table: string;
  fields: Record<string, FieldSpec>;
  /** Columns `q` searches (case-insensitive, every word must match one of them). */
  search: { columns: string[]; via?: Via };
  /**
   * Shorthand parameters that stand for filters, e.g. tasks' `overdue=true` for
   * `status=open&due_at[lt]=<now>`. Given the value and the time, they return
   * the filters, or undefined when the value is not understood.
   */
  shorthands?: Record<string, { description: string; expand: (value: string, now: number) => Record<string, string> | undefined; /** Takes only `true`. */ flag?: boolean }>;
  description?: string;
  /**
   * The filter whose list, when it is the only filter, reads its exact total from a
   * counter kept by triggers instead of counting: deals' stage_id (deal_stage_counts,
   * read by src/db/list-rows.ts).
   */
  countedBy?: { field: 'stage_id' };
}

export interface IntegerRange {
  min: number;
  max: number;
}

/** An `integer` column, in SQLite and PostgreSQL alike. */
export const INT32: IntegerRange = { min: -2_147_483_648, max: 2_147_483_647 };
/** A `bigint` column (timestamps, amounts), as far as JavaScript numbers are exact. */
export const SAFE_INTEGER: IntegerRange = { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER };

/** The values an integer or timestamp field's column can hold. */
export const integerRange = (field: FieldSpec): IntegerRange => field.range ?? (field.type === 'timestamp' ? SAFE_INTEGER : INT32);

/** The field a client names, if the list has it: only the spec's own names, never `constructor` or `toString`. */
export const fieldOf = (spec: ListSpec, name: string): FieldSpec | undefined => (Object.hasOwn(spec.fields, name) ? spec.fields[name] : undefined);

export const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'starts_with', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

export const OPERATORS_BY_TYPE: Record<FieldType, readonly Operator[]> = {
  string: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'contains', 'starts_with', 'exists'],
  id: ['eq', 'ne', 'in', 'nin', 'exists'],
  enum: ['eq', 'ne', 'in', 'nin', 'exists'],
  integer: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists'],
  timestamp: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists'],
  date: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin', 'exists'],
};

/** The record's own id: `id[in]=a,b` reads up to 100 known records in one request (a deal's contacts, a board's cards). */
export const ID_FIELD: Record<string, FieldSpec> = {
  id: { type: 'id', column: 'id', description: 'The record id; `id[in]=a,b,…` for several.' },
};

/** Every list sorts by these unless told otherwise; the id always breaks ties. */
export const TIME_FIELDS: Record<string, FieldSpec> = {
  created_at: { type: 'timestamp', column: 'created_at', sortable: true },
  updated_at: { type: 'timestamp', column: 'updated_at', sortable: true },
};
