/**
 * Types of each operation, read from the generated OpenAPI types by
 * operationId, so a regenerated document flows into every method's
 * parameters and results with no hand edits.
 */
import type { components, operations } from '../generated/openapi.js';
import type { OPERATIONS } from '../generated/operations.js';

export type Schemas = components['schemas'];
export type OperationId = keyof typeof OPERATIONS & keyof operations;

type Params<K extends OperationId> = operations[K]['parameters'];
type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : never;
type Responses<K extends OperationId> = operations[K]['responses'];
type SuccessStatus<K extends OperationId> = Extract<keyof Responses<K>, 200 | 201 | 202>;

/** A value a query string can carry: lists are sent comma-separated. */
export type QueryValue = string | number | boolean | Date | ReadonlyArray<string | number>;

/**
 * Parameters the document types as plain strings also take numbers, booleans,
 * dates and lists (a query string is text either way; lists are sent
 * comma-separated, for `[in]` and `[nin]`); enums stay enums. Filter operators
 * are the document's own parameters (`'created_at[gte]'`), so a misspelt one
 * does not compile.
 */
type Loose<Q> = { [P in keyof Q]?: Q[P] | (string extends NonNullable<Q[P]> ? QueryValue : never) };

export type QueryOf<K extends OperationId> = Params<K> extends { query?: infer Q } ? ([NonNullable<Q>] extends [never] ? object : Loose<NonNullable<Q>>) : object;
export type PathOf<K extends OperationId> = Params<K> extends { path: infer P } ? P : Record<string, never>;
export type BodyOf<K extends OperationId> = operations[K] extends { requestBody?: infer R } ? JsonOf<NonNullable<R>> : never;
/** The whole success envelope: `{success, data, meta}`. */
export type EnvelopeOf<K extends OperationId> = JsonOf<Responses<K>[SuccessStatus<K>]>;
/** What the success envelope carries in `data`. */
export type DataOf<K extends OperationId> = EnvelopeOf<K> extends { data: infer D } ? D : never;
/** One record of a list operation. */
export type ItemOf<K extends OperationId> = DataOf<K> extends ReadonlyArray<infer T> ? T : never;
export type MetaOf<K extends OperationId> = EnvelopeOf<K> extends { meta: infer M } ? M : never;

/** A page of a list, as the API answers it: the records and `meta` (total, next_cursor, has_more). */
export interface Page<T, M = ListMeta> {
  data: T[];
  meta: M;
}

export interface ListMeta {
  request_id: string;
  timestamp: string;
  total: number;
  limit: number;
  next_cursor: string | null;
  has_more: boolean;
}
