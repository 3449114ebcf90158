/**
 * PostgreSQL's side of "compile queries once": each distinct SQL text Kysely
 * sends becomes a named prepared statement on every connection that runs it,
 * so PostgreSQL parses and plans it once per connection instead of on every
 * request (what src/db/sqlite-statement-cache.ts does for SQLite).
 *
 * Bounded, and left out where naming would be unsafe:
 * - at most MAX_NAMED distinct texts per process (so per connection); beyond that, statements run unnamed;
 * - only single data statements (select, insert, update, delete, with): not DDL, not transaction control;
 * - not `select *` (Kysely's selectAll): a prepared statement whose result columns change under it
 *   fails with "cached plan must not change result type", which is what a column added by another
 *   instance's migration during a rolling upgrade would do. Explicit column lists are immune;
 * - not statements with more than MAX_PARAMETERS parameters (bulk writes' IN lists and VALUES,
 *   whose texts vary with the batch size and would fill the cache with one-off statements).
 *
 * Turned off with DATABASE_PREPARED_STATEMENTS=false for a pooler in transaction mode
 * (PgBouncer before 1.21), which may run a statement on a connection that never prepared it.
 */
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

const MAX_NAMED = 500;
const MAX_PARAMETERS = 64;
const DATA_STATEMENT = /^\s*(select|insert|update|delete|with)\b/i;
const SELECT_ALL = /\bselect\s+\*|\.\*/i;

/** The names given so far, by SQL text; texts that may not be named map to undefined. */
class StatementNames {
  private readonly names = new Map<string, string | undefined>();
  private named = 0;

  nameOf(text: string, parameters: readonly unknown[]): string | undefined {
    if (this.names.has(text)) return this.names.get(text);
    let name: string | undefined;
    if (this.named < MAX_NAMED && parameters.length <= MAX_PARAMETERS && DATA_STATEMENT.test(text) && !SELECT_ALL.test(text)) {
      this.named += 1;
      name = `trellis_${this.named}`;
    }
    // Texts refused are remembered too (so the checks run once per text), within a bound of their own.
    if (name !== undefined || this.names.size < MAX_NAMED * 4) this.names.set(text, name);
    return name;
  }
}

/** `pool` for Kysely's PostgresDialect, its clients running each data statement as a named prepared statement. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const names = new StatementNames();
  return {
    connect: async (): Promise<PostgresPoolClient> => {
      const client = await pool.connect();
      function query<R>(sql: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>>;
      function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
      function query<R>(sqlOrCursor: string | PostgresCursor<R>, parameters?: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
        if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as unknown as pg.Submittable) as unknown as PostgresCursor<R>;
        const values = (parameters ?? []) as unknown[];
        return client.query({ name: names.nameOf(sqlOrCursor, values), text: sqlOrCursor, values }) as unknown as Promise<PostgresQueryResult<R>>;
      }
      return { query, release: () => client.release() };
    },
    end: () => pool.end(),
  };
}
