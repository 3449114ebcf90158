/**
 * Queries on the hot path (authenticating a key, reading a record by id,
 * taking the change clock) are built by Kysely once and then run with new
 * parameters, skipping the per-request build and compile that cost about a
 * third of a simple request. The SQL is captured on first use, per dialect.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { Executor } from './transactor.js';

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
    return (await db.executeQuery<Row>(CompiledQuery.raw(sql, order.map((i) => params[i])))).rows;
  };
}
