/**
 * Duplicates are refused, not created. Services check first for a clear answer;
 * the unique index is the guarantee when two requests race, and this turns its
 * violation into the same 409 naming the record that won.
 */
import type { Capabilities } from '../db/capabilities.js';
import type { DomainError } from './errors.js';

export async function refuseDuplicates<T>(capabilities: Capabilities, work: () => Promise<T>, explain: () => Promise<DomainError>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!capabilities.isUniqueViolation(error)) throw error;
    throw await explain();
  }
}
