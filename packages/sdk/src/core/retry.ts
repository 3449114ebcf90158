/** When to try a request again, and how long to wait first. */
import { ConflictError, RateLimitError, type APIError } from '../errors.js';

const INITIAL_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s … up to 8 s, each up to a quarter shorter. */
export function backoffMs(attempt: number): number {
  const delay = Math.min(MAX_DELAY_MS, INITIAL_DELAY_MS * 2 ** attempt);
  return delay * (1 - Math.random() * 0.25);
}

/** `Retry-After` as milliseconds: delta seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Whether an error answer may be retried. `replayable` says the request is
 * safe to send again even if it ran (a GET, a PATCH, a DELETE, a POST with an
 * Idempotency-Key the server honours); a request that is not may still be
 * retried when the server refused it before it ran (429, 503).
 */
export function retriableAnswer(error: APIError, replayable: boolean): boolean {
  if (error instanceof RateLimitError || error.status === 503) return true;
  if (!replayable) return false;
  // The same Idempotency-Key while the first request still runs: its answer comes a moment later.
  if (error instanceof ConflictError && error.code === 'conflict') return true;
  return error.status >= 500;
}

/** How long to wait before the next attempt; undefined when the server asks for longer than `maxRetryAfterMs`. */
export function delayBeforeRetry(attempt: number, headers: Headers | undefined, maxRetryAfterMs: number): number | undefined {
  const asked = headers ? retryAfterMs(headers) : undefined;
  if (asked === undefined) return backoffMs(attempt);
  if (asked > maxRetryAfterMs) return undefined;
  // A little jitter on top, so clients told the same second do not all come back at once.
  return asked + Math.random() * 250;
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
