/**
 * One HTTP attempt at a webhook delivery: a POST with a deadline, through the
 * address guard, never following redirects (a 3xx is a failed attempt).
 */
import ipaddr from 'ipaddr.js';
import type { Agent } from 'undici';
import { httpClient } from '../platform/client-libraries.js';
import { blockedAddressReason, guardedLookup, type AllowList } from './address-guard.js';

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** The start of the receiver's reply (up to RESPONSE_BODY_LENGTH characters), for the delivery log. */
  responseBody: string | null;
}

/** The part of a receiver's reply kept in an error message. */
const MAX_ERROR_LENGTH = 500;
/** The part of a receiver's reply kept for the delivery log. */
export const RESPONSE_BODY_LENGTH = 4096;

export class WebhookSender {
  // Made at the first send: undici loads then, not at start (client-libraries.ts).
  private agent: Agent | undefined;

  constructor(
    private readonly allow: AllowList,
    private readonly timeoutMs: number,
  ) {
  }

  private dispatcher(): Agent {
    this.agent ??= new (httpClient().Agent)({
      connect: { lookup: guardedLookup(this.allow), timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      // Receivers are many and mostly idle between events; don't hold their sockets.
      keepAliveTimeout: 4_000,
    });
    return this.agent;
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // A literal IP never goes through the lookup, so it is checked here.
    const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
    if (ipaddr.isValid(host)) {
      const reason = blockedAddressReason(host, this.allow);
      if (reason) return { ok: false, statusCode: null, latencyMs: 0, error: `refused: ${reason}`, responseBody: null };
    }
    try {
      const response = await httpClient().request(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Trellis-Webhooks/1', ...headers },
        body,
        dispatcher: this.dispatcher(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Only the start of an answer is kept: a receiver must not make Trellis buffer (or wait for) a body without end.
      const text = await startOf(response.body, RESPONSE_BODY_LENGTH);
      const error = ok ? null : `HTTP ${response.statusCode}${response.statusCode >= 300 && response.statusCode < 400 ? ' (redirects are not followed)' : ''}${text ? `: ${text.slice(0, MAX_ERROR_LENGTH)}` : ''}`;
      return { ok, statusCode: response.statusCode, latencyMs: elapsed(), error, responseBody: text.slice(0, RESPONSE_BODY_LENGTH) };
    } catch (error) {
      return { ok: false, statusCode: null, latencyMs: elapsed(), error: describe(error, this.timeoutMs), responseBody: null };
    }
  }

  async close(): Promise<void> {
    await this.agent?.close();
  }
}

/** The first `limit` characters (or so) of a body; the rest is not read, and the connection is let go. */
async function startOf(body: AsyncIterable<Buffer> & { destroy(): unknown }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit * 4) break;
    }
  } catch {
    // What arrived before the error is what there is.
  } finally {
    body.destroy();
  }
  // PostgreSQL's text refuses NUL: a binary or compressed reply must not stop the attempt being recorded.
  return Buffer.concat(chunks).toString('utf8').replaceAll('\u0000', '');
}

function describe(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timed out after ${timeoutMs} ms`;
  }
  const code = e.code ?? e.cause?.code;
  if (code === 'EBLOCKEDADDRESS') return `refused: ${e.message ?? e.cause?.message}`;
  return `${code ? `${code}: ` : ''}${e.message ?? String(error)}`.slice(0, MAX_ERROR_LENGTH);
}
