/**
 * One class per error code of docs/errors.md, each carrying the HTTP status,
 * the code, the message, `details` and the request id; plus the failures that
 * never reached an answer (connection, timeout, abort).
 */

export class TrellisError extends Error {
  override name = 'TrellisError';
}

/** The request never got an answer: the connection failed or was cut. */
export class APIConnectionError extends TrellisError {
  override name = 'APIConnectionError';
  constructor(message = 'Connection error.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** No answer within the timeout (per attempt). */
export class APITimeoutError extends APIConnectionError {
  override name = 'APITimeoutError';
  constructor(timeoutMs: number) {
    super(`No answer within ${timeoutMs} ms.`);
  }
}

/** The caller's AbortSignal fired. */
export class APIUserAbortError extends TrellisError {
  override name = 'APIUserAbortError';
  constructor(options?: { cause?: unknown }) {
    super('The request was aborted.', options);
  }
}

/** The API answered with an error envelope. */
export class APIError extends TrellisError {
  override name = 'APIError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly requestId: string | undefined;
  readonly headers: Headers;

  constructor(init: { status: number; code: string; message: string; details?: Record<string, unknown>; requestId?: string; headers: Headers }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.details = init.details;
    this.requestId = init.requestId;
    this.headers = init.headers;
  }
}

type Init = ConstructorParameters<typeof APIError>[0];

export class ValidationError extends APIError {
  override name = 'ValidationError';
  /** Field name → messages. */
  get fields(): Record<string, string[]> {
    return (this.details ?? {}) as Record<string, string[]>;
  }
}
export class InvalidJsonError extends APIError {
  override name = 'InvalidJsonError';
}
export class InvalidCursorError extends APIError {
  override name = 'InvalidCursorError';
}
export class InvalidFilterError extends APIError {
  override name = 'InvalidFilterError';
}
export class AuthenticationError extends APIError {
  override name = 'AuthenticationError';
}
/** Sign-in with a wrong email or password (the same answer either way). */
export class InvalidCredentialsError extends AuthenticationError {
  override name = 'InvalidCredentialsError';
}
export class PermissionDeniedError extends APIError {
  override name = 'PermissionDeniedError';
}
export class InsufficientScopeError extends PermissionDeniedError {
  override name = 'InsufficientScopeError';
  /** The grant the key lacks, e.g. `contacts:write`. */
  readonly required: string | undefined;
  constructor(init: Init) {
    super(init);
    this.required = init.details?.required as string | undefined;
  }
}
export class NotFoundError extends APIError {
  override name = 'NotFoundError';
}
export class MethodNotAllowedError extends APIError {
  override name = 'MethodNotAllowedError';
}
export class ConflictError extends APIError {
  override name = 'ConflictError';
}
export class DuplicateError extends ConflictError {
  override name = 'DuplicateError';
  /** The id of the record that already has the unique value. */
  readonly existingId: string | undefined;
  readonly field: string | undefined;
  constructor(init: Init) {
    super(init);
    this.existingId = init.details?.existing_id as string | undefined;
    this.field = init.details?.field as string | undefined;
  }
}
export class IdempotencyConflictError extends ConflictError {
  override name = 'IdempotencyConflictError';
}
export class PreconditionFailedError extends APIError {
  override name = 'PreconditionFailedError';
  /** The record's version now: read it again, or retry with this as `ifMatch`. */
  readonly currentVersion: number | undefined;
  constructor(init: Init) {
    super(init);
    this.currentVersion = init.details?.current_version as number | undefined;
  }
}
export class PayloadTooLargeError extends APIError {
  override name = 'PayloadTooLargeError';
}
export class UnsupportedMediaTypeError extends APIError {
  override name = 'UnsupportedMediaTypeError';
}
export class UnprocessableError extends APIError {
  override name = 'UnprocessableError';
}
export class RateLimitError extends APIError {
  override name = 'RateLimitError';
  /** Seconds to wait, from `Retry-After`. */
  readonly retryAfter: number | undefined;
  readonly limit: number | undefined;
  constructor(init: Init) {
    super(init);
    const header = Number(init.headers.get('retry-after'));
    this.retryAfter = Number.isFinite(header) && init.headers.has('retry-after') ? header : (init.details?.retry_after as number | undefined);
    this.limit = init.details?.limit as number | undefined;
  }
}
/** The request was not well-formed HTTP (400). */
export class MalformedRequestError extends APIError {
  override name = 'MalformedRequestError';
}
/** The request did not arrive in time (408). */
export class RequestTimeoutError extends APIError {
  override name = 'RequestTimeoutError';
}
/** A Range header the server cannot satisfy (416). */
export class RangeNotSatisfiableError extends APIError {
  override name = 'RangeNotSatisfiableError';
}
/** An Expect header the server does not support (417). */
export class ExpectationFailedError extends APIError {
  override name = 'ExpectationFailedError';
}
/** Request headers and URL over 16 KiB (431). */
export class HeadersTooLargeError extends APIError {
  override name = 'HeadersTooLargeError';
}
export class InternalServerError extends APIError {
  override name = 'InternalServerError';
}
export class ServiceUnavailableError extends APIError {
  override name = 'ServiceUnavailableError';
}

/** A session-authenticated change without the CSRF token, or from another site's page. */
export class CsrfError extends PermissionDeniedError {
  override name = 'CsrfError';
}
/** An invitation, password-reset or first-start link that expired or was used (each works once). */
export class LinkGoneError extends APIError {
  override name = 'LinkGoneError';
}
export class LinkExpiredError extends LinkGoneError {
  override name = 'LinkExpiredError';
}
export class LinkUsedError extends LinkGoneError {
  override name = 'LinkUsedError';
}

/** docs/errors.md's codes → their classes (a test keeps this in step with the server's catalogue). */
export const ERROR_CLASSES = {
  validation_error: ValidationError,
  invalid_json: InvalidJsonError,
  invalid_cursor: InvalidCursorError,
  invalid_filter: InvalidFilterError,
  malformed_request: MalformedRequestError,
  unauthorized: AuthenticationError,
  invalid_credentials: InvalidCredentialsError,
  csrf_failed: CsrfError,
  forbidden: PermissionDeniedError,
  insufficient_scope: InsufficientScopeError,
  not_found: NotFoundError,
  method_not_allowed: MethodNotAllowedError,
  request_timeout: RequestTimeoutError,
  duplicate: DuplicateError,
  idempotency_conflict: IdempotencyConflictError,
  conflict: ConflictError,
  link_expired: LinkExpiredError,
  link_used: LinkUsedError,
  precondition_failed: PreconditionFailedError,
  payload_too_large: PayloadTooLargeError,
  unsupported_media_type: UnsupportedMediaTypeError,
  range_not_satisfiable: RangeNotSatisfiableError,
  expectation_failed: ExpectationFailedError,
  unprocessable: UnprocessableError,
  rate_limited: RateLimitError,
  headers_too_large: HeadersTooLargeError,
  internal_error: InternalServerError,
  service_unavailable: ServiceUnavailableError,
} as const satisfies Record<string, typeof APIError>;

export type ErrorCode = keyof typeof ERROR_CLASSES;

/** The error for an error answer: by its code, else APIError. */
export function errorFromResponse(status: number, headers: Headers, body: unknown): APIError {
  const envelope = (body ?? {}) as { error?: { code?: string; message?: string; details?: Record<string, unknown> }; meta?: { request_id?: string } };
  const code = envelope.error?.code ?? `http_${status}`;
  const init: Init = {
    status,
    code,
    message: envelope.error?.message ?? `HTTP ${status}`,
    details: envelope.error?.details,
    requestId: envelope.meta?.request_id ?? headers.get('x-request-id') ?? undefined,
    headers,
  };
  const known = (ERROR_CLASSES as Record<string, typeof APIError>)[code];
  return known ? new known(init) : new APIError(init);
}
