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
  /** Allowed values, for enums. */
  values?: readonly string[];
  sortable?: boolean;
  /** The column may be NULL (matters for `exists` and for keyset order). */
  nullable?: boolean;
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
  shorthands?: Record<string, { description: string; expand: (value: string, now: number) => Record<string, string> | undefined }>;
  description?: string;
}

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

/** Every list sorts by these unless told otherwise; the id always breaks ties. */
export const TIME_FIELDS: Record<string, FieldSpec> = {
  created_at: { type: 'timestamp', column: 'created_at', sortable: true },
  updated_at: { type: 'timestamp', column: 'updated_at', sortable: true },
};
