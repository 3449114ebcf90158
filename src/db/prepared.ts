/**
 * Queries on the hot path (authenticating a key, reading a record by id,
 * taking the change clock) are built by Kysely once and then run with new
 * parameters, skipping the per-request build and compile that cost about a
 * third of a simple request. The SQL is captured on first use, per dialect.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { Executor } from './transactor.js';

/** Runs SQL at once on a connection that no transaction ever holds (see registerDirectReader). */
type DirectReader = (sql: string, parameters: readonly unknown[]) => unknown[];
const directReaders = new WeakMap<Executor, DirectReader>();

/**
 * SQLite's reader connection is synchronous (better-sqlite3) and never holds a
 * transaction, so a statement can run on it directly, without the driver's
 * connection queue: nothing can interleave with a synchronous call.
 */
export function registerDirectReader(db: Executor, run: DirectReader): void {
  directReaders.set(db, run);
}

/** Marks each parameter on the first build, to learn where it lands among the compiled query's parameters. */
export const marker = (i: number) => `\u0000trellis-param-${i}\u0000`;

/** Where each of a query's compiled parameters comes from among the markers it was built with; undefined if one is not a plain marker. */
export function markerOrder(parameters: readonly unknown[], markers: number): number[] | undefined {
  const order = parameters.map((value) => {
    for (let i = 0; i < markers; i++) if (value === marker(i)) return i;
    return -1;
  });
  return order.some((i) => i < 0) ? undefined : order;
}

export function prepared<Row, Params extends unknown[]>(build: (db: Executor, ...params: Params) => Compilable<Row>) {
  // By dialect (its adapter's class): one process may hold a SQLite and a PostgreSQL database.
  const cache = new Map<unknown, { sql: string; order: number[] } | null>();
  return async (db: Executor, ...params: Params): Promise<Row[]> => {
    const dialect = db.getExecutor().adapter.constructor;
    let cached = cache.get(dialect);
    if (cached === undefined) {
      const compiled = build(db, ...(params.map((_, i) => marker(i)) as Params)).compile();
      const order = markerOrder(compiled.parameters, params.length);
      // A query whose parameters are not all plain markers (computed in SQL, say) is not cacheable: build it every time.
      cached = order === undefined ? null : { sql: compiled.sql, order };
      cache.set(dialect, cached);
    }
    if (cached === null) return (await db.executeQuery(build(db, ...params).compile())).rows;
    const { sql, order } = cached;
    return runCompiled<Row>(db, sql, order.map((i) => params[i]));
  };
}

/** Runs SQL compiled earlier: directly on SQLite's main reader, through the driver anywhere else. */
export async function runCompiled<Row>(db: Executor, sql: string, parameters: unknown[]): Promise<Row[]> {
  const direct = directReaders.get(db);
  if (direct) return direct(sql, parameters) as Row[];
  return (await db.executeQuery<Row>(CompiledQuery.raw(sql, parameters))).rows;
}
