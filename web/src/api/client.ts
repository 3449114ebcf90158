/**
 * The one Trellis client of the web app. Every call to the API goes through
 * @trellis/sdk (so the dashboard proves the SDK): no API key, the session
 * cookie instead, and the session's anti-CSRF token on every request (the
 * server checks it on unsafe ones).
 */
import Trellis from '@trellis/sdk';

let csrfToken: string | undefined;

/** Set from the session the server answered with; cleared on sign-out. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export const api = new Trellis({
  // Same origin as the page: the server serves the app beside the API.
  baseUrl: '',
  apiKey: null,
  credentials: 'include',
  headers: (): Record<string, string> => (csrfToken ? { 'x-csrf-token': csrfToken } : {}),
  // A person is waiting: one quick retry of what is safe to retry, and a 429 that asks
  // for a long wait is shown (with the wait) rather than waited out behind a spinner.
  maxRetries: 1,
  maxRetryAfter: 3,
  timeout: 30_000,
});
