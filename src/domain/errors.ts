/**
 * The one catalogue of error codes. Services throw DomainError with a code from
 * here; each transport (REST today, JSON-RPC later) maps it at its edge.
 * docs/errors.md is kept in step with this table by a test.
 */
export const ERROR_CATALOGUE = {
  validation_error: { status: 400, rpcCode: -32602, message: 'The request is invalid.' },
  invalid_json: { status: 400, rpcCode: -32700, message: 'The request body is not valid JSON.' },
  invalid_cursor: { status: 400, rpcCode: -32602, message: 'The cursor is not valid for this list.' },
  invalid_filter: { status: 400, rpcCode: -32602, message: 'The filter is not valid for this list.' },
  malformed_request: { status: 400, rpcCode: -32600, message: 'The request is not well-formed HTTP.' },
  unauthorized: { status: 401, rpcCode: 401, message: 'A valid API key is required.' },
  invalid_credentials: { status: 401, rpcCode: 401, message: 'The email or password is wrong.' },
  csrf_failed: { status: 403, rpcCode: 403, message: 'The request lacks the session\'s CSRF token or comes from another site.' },
  forbidden: { status: 403, rpcCode: 403, message: 'You may not do this.' },
  insufficient_scope: { status: 403, rpcCode: 403, message: 'The API key lacks the scope for this.' },
  not_found: { status: 404, rpcCode: 404, message: 'No such record.' },
  method_not_allowed: { status: 405, rpcCode: -32601, message: 'Method not allowed.' },
  request_timeout: { status: 408, rpcCode: -32600, message: 'The request did not arrive in time.' },
  duplicate: { status: 409, rpcCode: 409, message: 'A record with the same unique value exists.' },
  idempotency_conflict: { status: 409, rpcCode: 409, message: 'The idempotency key was used with another request.' },
  conflict: { status: 409, rpcCode: 409, message: 'The request conflicts with the current state.' },
  link_expired: { status: 410, rpcCode: 410, message: 'The link has expired.' },
  link_used: { status: 410, rpcCode: 410, message: 'The link has been used already.' },
  precondition_failed: { status: 412, rpcCode: 409, message: 'The record has changed since the version given in If-Match.' },
  payload_too_large: { status: 413, rpcCode: -32600, message: 'The request body is larger than 1 MiB.' },
  unsupported_media_type: { status: 415, rpcCode: -32600, message: 'Request bodies must be application/json.' },
  range_not_satisfiable: { status: 416, rpcCode: -32600, message: 'The Range header is malformed or asks for bytes the file does not have.' },
  expectation_failed: { status: 417, rpcCode: -32600, message: 'The Expect header asks for something this server does not do.' },
  unprocessable: { status: 422, rpcCode: 422, message: 'The request breaks a business rule.' },
  rate_limited: { status: 429, rpcCode: 429, message: 'Rate limit exceeded.' },
  headers_too_large: { status: 431, rpcCode: -32600, message: 'The request headers (with the URL) are larger than 16 KiB.' },
  internal_error: { status: 500, rpcCode: -32603, message: 'Internal error.' },
  service_unavailable: { status: 503, rpcCode: -32603, message: 'The service is not ready.' },
} as const satisfies Record<string, { status: number; rpcCode: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** For validation errors: field name → messages. Otherwise machine-readable context. */
export type ErrorDetails = Record<string, unknown>;

export class DomainError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: ErrorDetails,
  ) {
    super(message ?? ERROR_CATALOGUE[code].message);
    this.name = 'DomainError';
    this.status = ERROR_CATALOGUE[code].status;
  }
}

export const notFound = (what: string): DomainError => new DomainError('not_found', `No such ${what}.`);

export const duplicate = (what: string, field: string, existingId: string): DomainError =>
  new DomainError('duplicate', `A ${what} with this ${field} already exists.`, { existing_id: existingId, field });

/** A validation error about named fields, shaped as the conventions' `details`. */
export function invalidFields(fields: Record<string, string>): DomainError {
  // fromEntries defines each name as an own key, `__proto__` included (an assignment would set the prototype).
  const details: Record<string, string[]> = Object.fromEntries(Object.entries(fields).map(([field, message]) => [field, [message]]));
  const first = Object.values(fields)[0] ?? 'The request is invalid.';
  return new DomainError('validation_error', first, details);
}

/** A reference (owner_id, company_id, …) that names nothing in this workspace. */
export function unknownReference(field: string, what: string): DomainError {
  return new DomainError('unprocessable', `${field} does not name a ${what} in this workspace.`, {
    [field]: [`No ${what} with this id exists in this workspace.`],
  });
}
