/**
 * Long reads on SQLite, off the event loop. better-sqlite3 runs a query on the
 * thread that calls it, so a 100 ms report on the main thread holds up every
 * other request for 100 ms. This Kysely dialect sends each compiled query to a
 * small pool of worker threads (piscina), each with a read-only connection of
 * its own (sqlite-read-worker.ts); WAL lets them read beside the writer, and
 * each query sees the last committed state, as the main reader does.
 *
 * Queries only: no transaction (each statement is its own snapshot, as on
 * the main reader) and no streaming (callers page).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { Piscina } from 'piscina';
import type { SqliteSettings } from './sqlite-connection.js';
import type { ReadResult, ReadTask } from './sqlite-read-worker.js';

export interface ReadPoolOptions {
  settings: SqliteSettings;
  /** Worker threads, each with one connection. */
  workers: number;
  /** How often a worker reloads the planner's statistics (the writer renews them about hourly). */
  statisticsEveryMs: number;
}

// The worker module sits beside this one: a .ts file when run from source (tsx, which the
// workers inherit through execArgv), a .js file in dist/.
const here = fileURLToPath(import.meta.url);
const workerFile = path.join(path.dirname(here), `sqlite-read-worker${path.extname(here)}`);

export class ReadPool {
  #pool: Piscina | undefined;

  constructor(private readonly options: ReadPoolOptions) {}

  /** Started on the first long read: a CLI command that never makes one starts no thread. */
  private pool(): Piscina {
    this.#pool ??= new Piscina({
      filename: workerFile,
      minThreads: this.options.workers,
      maxThreads: this.options.workers,
      // The connections stay open; a thread that ended would have to reopen its connection and its statements.
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData: { settings: this.options.settings, statisticsEveryMs: this.options.statisticsEveryMs },
    });
    return this.#pool;
  }

  /** Long reads waiting for a free thread. */
  get waiting(): number {
    return this.#pool?.queueSize ?? 0;
  }

  async run(task: ReadTask): Promise<unknown[]> {
    const result = (await this.pool().run(task)) as ReadResult;
    if ('error' in result) throw Object.assign(new Error(result.error.message), result.error.code === undefined ? {} : { code: result.error.code });
    return result.rows;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    // Queries still running finish first (bounded by piscina's close timeout); shutdown then ends the threads.
    await pool?.close();
  }
}

class ReadPoolConnection implements DatabaseConnection {
  constructor(private readonly pool: ReadPool) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    return { rows: (await this.pool.run({ sql: compiled.sql, parameters: compiled.parameters })) as R[] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Long reads on SQLite do not stream: read them a page at a time.');
  }
}

class ReadPoolDriver implements Driver {
  readonly #pool: ReadPool;
  readonly #connection: ReadPoolConnection;

  constructor(pool: ReadPool) {
    this.#pool = pool;
    // One connection object for every caller: each query goes to whichever worker is free, and piscina queues the rest.
    this.#connection = new ReadPoolConnection(this.#pool);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }

  async beginTransaction(): Promise<void> {
    throw new Error('Long reads on SQLite run outside transactions.');
  }

  async commitTransaction(): Promise<void> {}

  async rollbackTransaction(): Promise<void> {}

  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    await this.#pool.close();
  }
}

export class SqliteReadPoolDialect implements Dialect {
  constructor(private readonly pool: ReadPool) {}

  createDriver(): Driver {
    return new ReadPoolDriver(this.pool);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new SqliteAdapter();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}
