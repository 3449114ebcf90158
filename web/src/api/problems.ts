/**
 * What went wrong with a call, in words for the person at the screen: the
 * SDK's typed errors turned into a message, the fields to mark, and whether
 * the session has ended (the page then offers to sign in again in place, so
 * nothing typed is lost).
 */
import { APIConnectionError, APIError, AuthenticationError, PermissionDeniedError, RateLimitError, ValidationError } from '@trellis/sdk';

export type ProblemKind = 'session_ended' | 'forbidden' | 'rate_limited' | 'offline' | 'invalid' | 'not_found' | 'conflict' | 'server' | 'other';

export interface Problem {
  kind: ProblemKind;
  message: string;
  /** Field name → messages, from a validation error's details. */
  fields: Record<string, string[]>;
  requestId?: string;
}

export function problemOf(error: unknown): Problem {
  const requestId = error instanceof APIError ? error.requestId : undefined;
  const base = { fields: fieldsOf(error), ...(requestId !== undefined && { requestId }) };
  if (error instanceof APIConnectionError) {
    return { ...base, kind: 'offline', message: 'Trellis does not answer: the server may be down or restarting, or this device is offline. What you typed is kept; try again in a moment.' };
  }
  if (error instanceof RateLimitError) {
    // The API's message says how long to wait (and, for sign-in, until when).
    const wait = /\d+ s/.test(error.message) ? '' : error.retryAfter !== undefined ? ` Try again in ${error.retryAfter} s.` : ' Try again shortly.';
    return { ...base, kind: 'rate_limited', message: `${error.message}${wait} What you typed is kept.` };
  }
  if (isSessionEnded(error)) {
    return { ...base, kind: 'session_ended', message: 'Your session has ended (signed out, revoked or expired). Sign in again to continue; what you typed is kept.' };
  }
  if (error instanceof PermissionDeniedError) {
    return { ...base, kind: 'forbidden', message: `You may not do this. ${error.message}` };
  }
  if (error instanceof ValidationError) return { ...base, kind: 'invalid', message: error.message };
  if (error instanceof APIError) {
    if (error.status === 404 || error.status === 410) return { ...base, kind: 'not_found', message: error.message };
    if (error.status === 409 || error.status === 412) return { ...base, kind: 'conflict', message: error.message };
    if (error.status >= 500) return { ...base, kind: 'server', message: `The server could not do this (${error.status}): ${error.message}` };
    return { ...base, kind: 'other', message: error.message };
  }
  return { ...base, kind: 'other', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Field name → messages: a validation error's details, and the same shape on other
 * errors (a wrong current password is a 401 that names its field).
 */
function fieldsOf(error: unknown): Record<string, string[]> {
  if (!(error instanceof APIError) || !error.details) return {};
  return Object.fromEntries(Object.entries(error.details).filter((entry): entry is [string, string[]] => Array.isArray(entry[1]) && entry[1].every((message) => typeof message === 'string')));
}

/**
 * A call refused because the browser's session is gone (revoked, expired, signed out
 * everywhere) or no longer matches this page (a CSRF token from before another sign-in).
 * A wrong password at sign-in is not this: it has its own code.
 */
export function isSessionEnded(error: unknown): boolean {
  return error instanceof APIError && ((error instanceof AuthenticationError && error.code === 'unauthorized') || error.code === 'csrf_failed');
}
