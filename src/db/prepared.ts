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
const marker = (i: number) => `\u0000trellis-param-${i}\u0000`;

export function prepared<Row, Params extends unknown[]>(build: (db: Executor, ...params: Params) => Compilable<Row>) {
  let cached: { sql: string; order: number[] } | undefined;
  return async (db: Executor, ...params: Params): Promise<Row[]> => {
    if (cached === undefined) {
      const compiled = build(db, ...(params.map((_, i) => marker(i)) as Params)).compile();
      const order = compiled.parameters.map((value) => params.findIndex((_, i) => value === marker(i)));
      // A query whose parameters are not all plain markers (computed in SQL, say) is not cacheable: build it every time.
      if (order.some((i) => i < 0)) return (await db.executeQuery(build(db, ...params).compile())).rows;
      cached = { sql: compiled.sql, order };
    }
    const { sql, order } = cached;
    const parameters = order.map((i) => params[i]);
    const direct = directReaders.get(db);
    if (direct) return direct(sql, parameters) as Row[];
    return (await db.executeQuery<Row>(CompiledQuery.raw(sql, parameters))).rows;
  };
}
