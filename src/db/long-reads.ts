/**
 * Which connection a long read (a report, a search, a list's count, an export
 * page: anything that may scan) runs on. Storage registers, for its reader,
 * the connection set aside for long reads: on SQLite the worker threads'
 * (sqlite-read-pool.ts), so the main thread keeps answering; on PostgreSQL a
 * pool of its own, so long reads cannot take every connection.
 */
import type { Executor } from './transactor.js';

const longReaders = new WeakMap<Executor, Executor>();

export function registerLongReader(reader: Executor, longReader: Executor): void {
  if (longReader !== reader) longReaders.set(reader, longReader);
}

/** Where to run a long read that would otherwise run on `db`: inside a transaction, or with no long reader set aside, `db` itself. */
export function longReaderOf(db: Executor): Executor {
  return longReaders.get(db) ?? db;
}
