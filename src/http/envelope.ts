/** Builds the response envelopes of the conventions. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorDetails } from '../domain/errors.js';
import type { Page } from '../db/list-rows.js';
import { toIso } from '../platform/clock.js';

const meta = (request: FastifyRequest) => ({ request_id: request.id, timestamp: toIso(Date.now()) });

export function item<T>(request: FastifyRequest, data: T) {
  return { success: true as const, data, meta: meta(request) };
}

/** One record, with its version as the ETag. */
export function record<T extends { version: number }>(request: FastifyRequest, reply: FastifyReply, data: T) {
  reply.header('etag', `"${data.version}"`);
  return item(request, data);
}

export function list<T>(request: FastifyRequest, page: Omit<Page<unknown>, 'rows'>, data: T[], limit: number) {
  return {
    success: true as const,
    data,
    meta: { ...meta(request), total: page.total, total_exact: page.totalExact ?? true, limit, next_cursor: page.nextCursor, has_more: page.hasMore },
  };
}

export function failure(request: FastifyRequest, code: string, message: string, details?: ErrorDetails) {
  return {
    success: false as const,
    error: details === undefined ? { code, message } : { code, message, details },
    meta: meta(request),
  };
}

/**
 * `If-Match` as a version number: `"3"`, `W/"3"` or `3`. Undefined when absent
 * or `*`; a value that is no version can never match (-1).
 */
export function ifMatchVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  return match ? Number(match[1]) : -1;
}
