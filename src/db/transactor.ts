/**
 * Where transactions open. Services run their writes through `write`, and pass
 * the transaction down to repositories explicitly.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A database handle or an open transaction; repositories accept either. */
export type Executor = Kysely<Database>;

export interface Transactor {
  /** For reads outside a transaction. */
  readonly db: Executor;
  write<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
}

export function createTransactor(db: Kysely<Database>): Transactor {
  return {
    db,
    write: (work) => db.transaction().execute(work),
  };
}
