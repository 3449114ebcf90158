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
