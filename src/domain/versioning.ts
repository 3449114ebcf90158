/** Optimistic concurrency: `version` on every record, `If-Match` on writes. */
import { DomainError } from './errors.js';

export function checkIfMatch(currentVersion: number, ifMatch: number | undefined): void {
  if (ifMatch !== undefined && ifMatch !== currentVersion) {
    throw new DomainError('precondition_failed', `The record is at version ${currentVersion}, not ${ifMatch}; read it again before writing.`, {
      current_version: currentVersion,
    });
  }
}

/** The record changed between our read and our write, inside one request. */
export const concurrentChange = (): DomainError =>
  new DomainError('conflict', 'The record was changed by another request at the same moment; read it again and retry.');

/**
 * True when an update would change nothing a client can see (timestamps and
 * version aside). Such an update writes nothing: the version stays, no sync
 * client is woken, and a repeated trigger is harmless.
 */
export function unchanged<T extends { updated_at: number; version: number }>(current: T, next: T): boolean {
  const { updated_at: _a, version: _b, ...before } = current;
  const { updated_at: _c, version: _d, ...after } = next;
  return JSON.stringify(before) === JSON.stringify(after);
}
