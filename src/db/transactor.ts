/**
 * Where transactions open. Services run their writes through here and pass the
 * transaction down to repositories explicitly.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../platform/clock.js';
import type { WorkspaceRepository } from '../resources/workspaces/workspaces.repository.js';
import { longReaderOf } from './long-reads.js';
import type { Database } from './schema.js';

/** A database handle or an open transaction; repositories accept either. */
export type Executor = Kysely<Database>;

export interface Transactor {
  /** For reads outside a transaction (never for writes: on SQLite it is a read-only connection). */
  readonly db: Executor;
  /**
   * For long reads outside a transaction: reports, search, list counts, exports,
   * anything that may scan (Storage.longReader: off the event loop on SQLite, a
   * pool of its own on PostgreSQL). Short indexed reads stay on `db`.
   */
  readonly longReader: Executor;
  /** A transaction that belongs to no workspace yet (creating one). */
  write<T>(work: (tx: Executor) => Promise<T>): Promise<T>;
  /**
   * A write in one workspace. It first takes the workspace's next change time,
   * which locks the workspace's clock row until commit: the workspace's writes
   * run one after another (so a check-then-insert cannot race), and `at`, their
   * timestamp, increases in commit order (so `updated_at` sync is exact).
   */
  writeIn<T>(workspaceId: string, work: (tx: Executor, at: number) => Promise<T>): Promise<T>;
}

/**
 * What a workspace write transaction learned when it took the change clock, by
 * transaction: whether the workspace has webhook endpoints. Absent for other
 * executors, which must then look.
 */
const workspaceFacts = new WeakMap<Executor, { hasWebhookEndpoints: boolean }>();

export function hasWebhookEndpoints(db: Executor): boolean | undefined {
  return workspaceFacts.get(db)?.hasWebhookEndpoints;
}

/** Called after each committed write (the webhook worker listens, to deliver at once). */
export type AfterCommit = () => void;

export function createTransactor(db: Kysely<Database>, reader: Kysely<Database>, clock: Clock, workspaces: WorkspaceRepository, afterCommit: AfterCommit = () => {}): Transactor {
  const committed = <T>(result: T): T => {
    afterCommit();
    return result;
  };
  return {
    db: reader,
    longReader: longReaderOf(reader),
    write: async (work) => committed(await db.transaction().execute(work)),
    writeIn: async (workspaceId, work) =>
      committed(
        await db.transaction().execute(async (tx) => {
          const { at, hasWebhookEndpoints } = await workspaces.nextChangeTime(tx, workspaceId, clock.now());
          workspaceFacts.set(tx, { hasWebhookEndpoints });
          return work(tx, at);
        }),
      ),
  };
}
