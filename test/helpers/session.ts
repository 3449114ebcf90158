/**
 * A browser's view of Trellis for tests over real HTTP: it keeps the session
 * cookie the server sets, sends it back, and sends the CSRF token and this
 * server's Origin the way the web app does. Each instance is one browser
 * (its own cookie jar), from its own client address (X-Forwarded-For, with
 * TRUST_PROXY on) so sign-in throttling of one test never touches another.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type { ApiClient, ApiResponse } from './client.js';
import type { TestServer } from './server.js';

export const randomAddress = (): string => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

export class Browser {
  cookie: string | undefined;
  csrfToken: string | undefined;
  readonly address: string;

  constructor(
    readonly baseUrl: string,
    options: { address?: string } = {},
  ) {
    this.address = options.address ?? randomAddress();
  }

  /** A request as the web app makes it: cookie, CSRF token, Origin (each can be left out or overridden by `headers`). */
  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string | undefined> = {}): Promise<ApiResponse<T>> {
    const base: Record<string, string | undefined> = {
      'x-forwarded-for': this.address,
      origin: new URL(this.baseUrl).origin,
      ...(this.cookie !== undefined && { cookie: `trellis_session=${this.cookie}` }),
      ...(this.csrfToken !== undefined && method !== 'GET' && { 'x-csrf-token': this.csrfToken }),
      ...(body !== undefined && { 'content-type': 'application/json' }),
    };
    const merged = Object.fromEntries(Object.entries({ ...base, ...headers }).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers: merged, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    this.remember(response.headers);
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, headers?: Record<string, string | undefined>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string | undefined>) {
    return this.request<T>('POST', path, body, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string | undefined>) {
    return this.request<T>('PATCH', path, body, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string | undefined>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }

  async signIn(email: string, password: string): Promise<ApiResponse> {
    const response = await this.post('/v1/auth/sign-in', { email, password });
    if (response.status === 200) this.csrfToken = response.body.data.csrf_token;
    return response;
  }

  /** Uses a one-time link's token (invitation, password reset, first start). */
  async accept(token: string, body: { name?: string; password: string }): Promise<ApiResponse> {
    const response = await this.post(`/v1/auth/links/${token}/accept`, body);
    if (response.status === 200) this.csrfToken = response.body.data.csrf_token;
    return response;
  }

  private remember(headers: Headers): void {
    for (const line of headers.getSetCookie()) {
      const match = /^trellis_session=([^;]*)/.exec(line);
      if (!match) continue;
      const expired = /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line) || match[1] === '';
      this.cookie = expired ? undefined : match[1];
    }
  }
}

/** The token at the end of a link the API handed out (`…/accept/<token>`). */
export function tokenOf(url: string): string {
  const token = url.split('/accept/')[1];
  assert.ok(token, `not a link: ${url}`);
  return token;
}

/** Gives a user (by their owner's or admin's key) a password, through a one-time link, and a signed-in browser. */
export async function signedIn(server: TestServer, admin: ApiClient, userId: string, password = 'correct horse battery'): Promise<Browser> {
  const link = await admin.post(`/v1/users/${userId}/password-link`);
  assert.equal(link.status, 201, link.text);
  const browser = new Browser(server.url);
  const accepted = await browser.accept(tokenOf(link.body.data.url), { password });
  assert.equal(accepted.status, 200, accepted.text);
  return browser;
}
