/** What a client and each call can be configured with. */

export type HeaderMap = Record<string, string>;

export interface ClientOptions {
  /**
   * The API key, sent as `Authorization: Bearer …`. Defaults to the
   * TRELLIS_API_KEY environment variable where there is one. Leave it out in a
   * browser that signs in with a session cookie.
   */
  apiKey?: string | null;
  /**
   * The server's root, e.g. `https://crm.example.com` (no `/v1`). Defaults to
   * TRELLIS_BASE_URL, else `http://localhost:3000`. `''` sends relative URLs
   * (a browser app served by the same origin).
   */
  baseUrl?: string;
  /** Per attempt, in milliseconds. Default 60,000. */
  timeout?: number;
  /** Retries after a network error, a timeout, a 429 or a 5xx. Default 2. */
  maxRetries?: number;
  /** A `Retry-After` longer than this (seconds) is not waited for: the 429 is thrown. Default 60. */
  maxRetryAfter?: number;
  /** Headers for every request, or a function (sync or async) that gives them: a CSRF token, a tracing id. */
  headers?: HeaderMap | (() => HeaderMap | Promise<HeaderMap>);
  /** `fetch` to use instead of the global one (a test double, a proxy agent, a runtime without a global fetch). */
  fetch?: typeof fetch;
  /** Passed to fetch: `'include'` to send cookies to another origin, `'same-origin'` for a same-origin app. */
  credentials?: 'omit' | 'same-origin' | 'include';
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Per attempt, in milliseconds; overrides the client's. */
  timeout?: number;
  maxRetries?: number;
  /** For POSTs: the key to use instead of a generated one (one per logical call, reused by its retries). */
  idempotencyKey?: string;
  headers?: HeaderMap;
}

export interface WriteOptions extends RequestOptions {
  /** Only write if the record is still at this version (`If-Match`); else PreconditionFailedError. */
  ifMatch?: number | string;
}

/** The rate-limit state the last answer reported. */
export interface RateLimitState {
  /** Requests per minute. */
  limit: number;
  remaining: number;
  /** When the minute's budget refills. */
  reset: Date;
}
