/**
 * Stored responses for Idempotency-Key (http/idempotency.ts decides when to use
 * them). Every statement here is one short write or read on its own, never part
 * of a request's transaction: a claim must be visible to a concurrent request
 * before the work it guards begins.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface StoredKey {
  requestHash: string;
  state: 'in_flight' | 'done';
  lockedUntil: number;
  expiresAt: number;
  responseStatus: number | null;
  responseBody: string | null;
}

/** The row a request inserted or took over; `createdAt` tells it from a later claim of the same key. */
export interface Claim {
  workspaceId: string;
  key: string;
  createdAt: number;
}

export interface IdempotencyKeyRepository {
  /** Inserts an in-flight claim; undefined when the key already has a row. */
  claim(claim: Claim, requestHash: string, lockedUntil: number, expiresAt: number): Promise<Claim | undefined>;
  find(workspaceId: string, key: string): Promise<StoredKey | undefined>;
  /** Replaces an expired or abandoned row, if it is still exactly `old`; undefined when another request got there first. */
  takeOver(old: StoredKey, claim: Claim, requestHash: string, lockedUntil: number, expiresAt: number): Promise<Claim | undefined>;
  /** Stores the response of a claim that is still ours. */
  finish(claim: Claim, status: number, body: string): Promise<void>;
  /** Drops a claim that is still ours, so the key can be used again. */
  release(claim: Claim): Promise<void>;
  /** Deletes every row expired at `now`. */
  prune(now: number): Promise<void>;
}

/** `db` writes; `reader` reads outside any transaction (see Storage). */
export function createIdempotencyKeyRepository(db: Kysely<Database>, reader: Kysely<Database>): IdempotencyKeyRepository {
  const ours = (claim: Claim) =>
    db
      .updateTable('idempotency_keys')
      .where('workspace_id', '=', claim.workspaceId)
      .where('key', '=', claim.key)
      .where('state', '=', 'in_flight')
      .where('created_at', '=', claim.createdAt);

  return {
    async claim(claim, requestHash, lockedUntil, expiresAt) {
      const result = await db
        .insertInto('idempotency_keys')
        .values({
          workspace_id: claim.workspaceId,
          key: claim.key,
          request_hash: requestHash,
          state: 'in_flight',
          locked_until: lockedUntil,
          response_status: null,
          response_body: null,
          created_at: claim.createdAt,
          expires_at: expiresAt,
        })
        .onConflict((oc) => oc.columns(['workspace_id', 'key']).doNothing())
        .executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? claim : undefined;
    },

    async find(workspaceId, key) {
      const row = await reader
        .selectFrom('idempotency_keys')
        .select(['request_hash', 'state', 'locked_until', 'expires_at', 'response_status', 'response_body'])
        .where('workspace_id', '=', workspaceId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        requestHash: row.request_hash,
        state: row.state === 'done' ? 'done' : 'in_flight',
        lockedUntil: row.locked_until,
        expiresAt: row.expires_at,
        responseStatus: row.response_status,
        responseBody: row.response_body,
      };
    },

    async takeOver(old, claim, requestHash, lockedUntil, expiresAt) {
      const result = await db
        .updateTable('idempotency_keys')
        .set({ request_hash: requestHash, state: 'in_flight', locked_until: lockedUntil, response_status: null, response_body: null, created_at: claim.createdAt, expires_at: expiresAt })
        .where('workspace_id', '=', claim.workspaceId)
        .where('key', '=', claim.key)
        .where('request_hash', '=', old.requestHash)
        .where('state', '=', old.state)
        .where('locked_until', '=', old.lockedUntil)
        .where('expires_at', '=', old.expiresAt)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1 ? claim : undefined;
    },

    async finish(claim, status, body) {
      await ours(claim).set({ state: 'done', response_status: status, response_body: body }).execute();
    },

    async release(claim) {
      await db
        .deleteFrom('idempotency_keys')
        .where('workspace_id', '=', claim.workspaceId)
        .where('key', '=', claim.key)
        .where('state', '=', 'in_flight')
        .where('created_at', '=', claim.createdAt)
        .execute();
    },

    async prune(now) {
      await db.deleteFrom('idempotency_keys').where('expires_at', '<=', now).execute();
    },
  };
}
