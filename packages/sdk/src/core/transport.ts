/**
 * Sends one logical call: builds the URL and headers, makes attempts with a
 * timeout each, retries what is safe to retry (one Idempotency-Key for all
 * attempts of a POST), and turns error answers into typed errors.
 */
import { APIConnectionError, APIError, APITimeoutError, APIUserAbortError, TrellisError, errorFromResponse } from '../errors.js';
import { OPERATIONS } from '../generated/operations.js';
import type { ClientOptions, HeaderMap, RateLimitState, WriteOptions } from './options.js';
import type { OperationId } from './operation-types.js';
import { queryString } from './query.js';
import { delayBeforeRetry, retriableAnswer, sleep } from './retry.js';

export interface CallSpec {
  path?: Record<string, string>;
  query?: object;
  body?: unknown;
  /** A body sent as it is (a file to import), instead of `body` as JSON. */
  rawBody?: { data: BodyInit; contentType: string };
  /** `text` for CSV reports; `response` for an answer read as a stream (an export). */
  as?: 'json' | 'text' | 'response';
}

/**
 * POSTs the server does not store for replay (their answer shows a secret once;
 * docs/api-guide.md, Idempotency-Key): a retry after a lost answer could run them twice.
 */
const NOT_REPLAYABLE = new Set<OperationId>(['api_keys.create', 'webhook_endpoints.create', 'webhook_endpoints.rotate_secret', 'sandboxes.create', 'workspaces.create']);

interface Settings {
  apiKey: string | null;
  baseUrl: string;
  timeout: number;
  maxRetries: number;
  maxRetryAfterMs: number;
  headers: ClientOptions['headers'];
  fetch: typeof fetch | undefined;
  credentials: ClientOptions['credentials'];
}

function environment(name: string): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  } catch {
    return undefined; // Deno without --allow-env throws.
  }
}

export function newIdempotencyKey(): string {
  const random = globalThis.crypto?.randomUUID?.();
  if (random) return `sdk-${random}`;
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return `sdk-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class Transport {
  readonly settings: Settings;
  lastRateLimit: RateLimitState | undefined;

  constructor(options: ClientOptions) {
    this.settings = {
      apiKey: options.apiKey === undefined ? (environment('TRELLIS_API_KEY') ?? null) : options.apiKey,
      baseUrl: (options.baseUrl ?? environment('TRELLIS_BASE_URL') ?? 'http://localhost:3000').replace(/\/+$/, ''),
      timeout: options.timeout ?? 60_000,
      maxRetries: options.maxRetries ?? 2,
      maxRetryAfterMs: (options.maxRetryAfter ?? 60) * 1000,
      headers: options.headers,
      fetch: options.fetch,
      credentials: options.credentials,
    };
  }

  async call(operation: OperationId, spec: CallSpec, options: WriteOptions = {}): Promise<unknown> {
    const { method, path } = OPERATIONS[operation];
    const url = this.settings.baseUrl + fillPath(path, spec.path ?? {}) + queryString(spec.query);
    const headers = await this.headersFor(spec, options);
    const isPost = method === 'POST';
    if (isPost) headers['idempotency-key'] = options.idempotencyKey ?? newIdempotencyKey();
    const replayable = !isPost || !NOT_REPLAYABLE.has(operation);
    const init: RequestInit = { method, headers, ...(this.settings.credentials && { credentials: this.settings.credentials }) };
    if (spec.body !== undefined) init.body = JSON.stringify(spec.body);
    if (spec.rawBody !== undefined) {
      init.body = spec.rawBody.data;
      // A stream is sent as it is read (Node's fetch needs to be told).
      if (typeof ReadableStream !== 'undefined' && spec.rawBody.data instanceof ReadableStream) (init as RequestInit & { duplex: 'half' }).duplex = 'half';
    }
    const maxRetries = options.maxRetries ?? this.settings.maxRetries;
    const timeout = options.timeout ?? this.settings.timeout;

    for (let attempt = 0; ; attempt++) {
      let failure: APIError | APIConnectionError;
      try {
        return await this.attempt(url, init, timeout, options.signal, spec.as ?? 'json');
      } catch (error) {
        if (!(error instanceof APIError || error instanceof APIConnectionError)) throw error;
        failure = error;
      }
      const retriable = failure instanceof APIError ? retriableAnswer(failure, replayable) : replayable;
      const delay = retriable && attempt < maxRetries ? delayBeforeRetry(attempt, failure instanceof APIError ? failure.headers : undefined, this.settings.maxRetryAfterMs) : undefined;
      if (delay === undefined) throw failure;
      try {
        await sleep(delay, options.signal);
      } catch (reason) {
        throw new APIUserAbortError({ cause: reason });
      }
    }
  }

  private async headersFor(spec: CallSpec, options: WriteOptions): Promise<HeaderMap> {
    const configured = typeof this.settings.headers === 'function' ? await this.settings.headers() : (this.settings.headers ?? {});
    const headers: HeaderMap = { accept: spec.as === 'text' ? 'text/csv' : 'application/json' };
    if (this.settings.apiKey) headers.authorization = `Bearer ${this.settings.apiKey}`;
    if (spec.body !== undefined) headers['content-type'] = 'application/json';
    if (spec.rawBody !== undefined) headers['content-type'] = spec.rawBody.contentType;
    for (const [name, value] of Object.entries({ ...configured, ...options.headers })) headers[name.toLowerCase()] = value;
    if (options.ifMatch !== undefined) headers['if-match'] = typeof options.ifMatch === 'number' ? `"${options.ifMatch}"` : options.ifMatch;
    return headers;
  }

  /** One attempt: the answer's parsed body, or a thrown APIError / APIConnectionError / APIUserAbortError. */
  private async attempt(url: string, init: RequestInit, timeoutMs: number, signal: AbortSignal | undefined, as: 'json' | 'text' | 'response'): Promise<unknown> {
    if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const doFetch = this.settings.fetch ?? globalThis.fetch;
      const response = await doFetch(url, { ...init, signal: controller.signal });
      if (as === 'response' && response.ok) {
        // The caller reads the body as it streams: the timeout covered the wait for the answer to start.
        clearTimeout(timer);
        this.noteRateLimit(response.headers);
        return response;
      }
      const text = await response.text();
      this.noteRateLimit(response.headers);
      if (!response.ok) throw errorFromResponse(response.status, response.headers, parseJson(text));
      if (as === 'text' || text === '') return as === 'text' ? text : undefined;
      const parsed = parseJson(text);
      // Not retried: an HTML page where the API should be (a wrong baseUrl) will not turn into JSON.
      if (parsed === undefined) throw new TrellisError(`Expected JSON from ${url} (is baseUrl the Trellis server's root?), got: ${text.slice(0, 80)}`);
      return parsed;
    } catch (error) {
      if (error instanceof TrellisError) throw error;
      if (signal?.aborted) throw new APIUserAbortError({ cause: signal.reason });
      if (timedOut) throw new APITimeoutError(timeoutMs);
      throw new APIConnectionError(`Connection error: ${(error as Error)?.message ?? error}`, { cause: error });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private noteRateLimit(headers: Headers): void {
    const limit = headers.get('x-ratelimit-limit');
    const remaining = headers.get('x-ratelimit-remaining');
    const reset = headers.get('x-ratelimit-reset');
    if (limit === null || remaining === null || reset === null) return;
    this.lastRateLimit = { limit: Number(limit), remaining: Number(remaining), reset: new Date(Number(reset) * 1000) };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    return encodeURIComponent(value);
  });
}
