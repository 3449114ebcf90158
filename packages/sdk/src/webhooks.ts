/**
 * Standard Webhooks verification (and signing, for tests) with WebCrypto, so
 * it runs the same in Node, Deno, Bun, browsers and edge runtimes.
 *
 * A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and
 * `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, one per secret while a secret is being rotated.
 */
import { TrellisError } from './errors.js';
import type { Schemas } from './core/operation-types.js';

export type WebhookEvent = Schemas['Event'];
export type RawBody = string | Uint8Array | ArrayBuffer;
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

export interface VerifyOptions {
  /** How far the timestamp may be from now, in seconds (either way). Default 300. */
  toleranceSeconds?: number;
  /** The time to check against; default now. */
  now?: Date | number;
}

export class WebhookVerificationError extends TrellisError {
  override name = 'WebhookVerificationError';
}

const DEFAULT_TOLERANCE_SECONDS = 5 * 60;
const encoder = new TextEncoder();

function header(headers: HeadersLike, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(' ') : value;
  }
  return undefined;
}

function bytesOf(body: RawBody): Uint8Array {
  if (typeof body === 'string') return encoder.encode(body);
  return body instanceof Uint8Array ? body : new Uint8Array(body);
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

async function hmacKey(secret: string): Promise<CryptoKey> {
  const raw = fromBase64(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret);
  if (!raw || raw.length === 0) throw new WebhookVerificationError('The webhook secret is not a whsec_ base64 secret.');
  return crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function signedContent(id: string, timestamp: string, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${id}.${timestamp}.`);
  const content = new Uint8Array(prefix.length + body.length);
  content.set(prefix);
  content.set(body, prefix.length);
  return content;
}

/**
 * Checks a delivery's signature against the secret (or any of the secrets,
 * during a rotation) and its timestamp against the tolerance, then returns
 * the event. Throws WebhookVerificationError otherwise. Pass the body exactly
 * as received (not re-serialized JSON).
 */
export async function verify(rawBody: RawBody, headers: HeadersLike, secret: string | readonly string[], options: VerifyOptions = {}): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header.');
  const sentAt = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(sentAt)) throw new WebhookVerificationError('Invalid webhook-timestamp.');
  const now = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (sentAt < now - tolerance) throw new WebhookVerificationError('The webhook timestamp is too old.');
  if (sentAt > now + tolerance) throw new WebhookVerificationError('The webhook timestamp is in the future.');

  const body = bytesOf(rawBody);
  const content = signedContent(id, timestamp, body);
  const candidates = signatures
    .split(' ')
    .map((entry) => entry.split(','))
    .filter(([version]) => version === 'v1')
    .map(([, signature]) => fromBase64(signature ?? ''))
    .filter((signature): signature is Uint8Array => signature !== undefined);
  for (const each of typeof secret === 'string' ? [secret] : secret) {
    const key = await hmacKey(each);
    for (const signature of candidates) {
      // subtle.verify compares in constant time.
      if (await crypto.subtle.verify('HMAC', key, signature as Uint8Array<ArrayBuffer>, content)) return JSON.parse(new TextDecoder().decode(body)) as WebhookEvent;
    }
  }
  throw new WebhookVerificationError('No signature matches the secret.');
}

/**
 * The headers Trellis would send with this body: for testing a receiver
 * (as stripe-node's generateTestHeaderString).
 */
export async function sign(rawBody: RawBody, secret: string, options: { id?: string; timestamp?: Date | number } = {}): Promise<Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>> {
  const id = options.id ?? `msg_${crypto.randomUUID().replace(/-/g, '')}`;
  const timestamp = String(Math.floor(Number(options.timestamp ?? Date.now()) / 1000));
  const key = await hmacKey(secret);
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, signedContent(id, timestamp, bytesOf(rawBody))));
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${toBase64(signature)}` };
}

export const webhooks = { verify, sign };
