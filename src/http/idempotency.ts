/**
 * Idempotency-Key on POST: the first response to a key is stored for 24 hours
 * per workspace and key, and the same request with the same key gets it again,
 * byte for byte, with `Idempotent-Replayed: true`. The same key with another
 * request is 409 idempotency_conflict; while the first is still running, 409
 * conflict, so a retry can never write twice. 5xx answers are not stored.
 *
 * The key is claimed (an in-flight row) before validation, so a request that
 * fails validation is stored and replayed like any other; the response is
 * stored in onSend, before the client can see it. A claim whose request died
 * (no answer within the lock time) may be taken over by the next request.
 */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import type { Storage } from '../db/database.js';
import { createIdempotencyKeyRepository, type Claim, type IdempotencyKeyRepository, type StoredKey } from '../db/idempotency-keys.js';
import { DomainError, invalidFields } from '../domain/errors.js';
import type { Clock } from '../platform/clock.js';
import { ErrorEnvelope } from './schemas.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: this POST ignores Idempotency-Key (e.g. its response holds a secret that must not be stored). */
    idempotency?: false;
  }
}

const HEADER = 'idempotency-key';
const REPLAYED_HEADER = 'idempotent-replayed';
const KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;
/** A claim not answered within this time was abandoned (a crashed or stuck request) and may be taken over. */
const LOCK_MS = 60_000;
const KEEP_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60_000;

const IdempotencyKeyHeader = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x20-\\x7E]+$',
  description:
    'Makes the POST safe to retry: the first response is stored for 24 hours and replayed (with `Idempotent-Replayed: true`) for the same key and body; the same key with another body answers 409 idempotency_conflict, and while the first request runs, 409 conflict.',
});

export function installIdempotency(app: FastifyInstance, options: { storage: Storage; clock: Clock }): void {
  const keys = createIdempotencyKeyRepository(options.storage.db, options.storage.reader);
  const { clock } = options;
  const claims = new WeakMap<FastifyRequest, Claim>();
  let nextPrune = 0;

  app.addHook('onRoute', documentHeader);

  app.addHook('preValidation', async (request, reply) => {
    if (!applies(request)) return;
    const actor = request.actor;
    const key = request.headers[HEADER];
    if (actor === undefined || key === undefined) return;
    if (typeof key !== 'string' || !KEY_PATTERN.test(key)) {
      throw invalidFields({ 'Idempotency-Key': 'The Idempotency-Key header must be 1 to 255 printable ASCII characters.' });
    }
    const now = clock.now();
    if (now >= nextPrune) {
      nextPrune = now + PRUNE_EVERY_MS;
      await keys.prune(now).catch((error: unknown) => request.log.warn({ err: error }, 'could not prune idempotency keys'));
    }
    const outcome = await claimKey(keys, clock, actor.workspaceId, key, requestHash(request, actor.keyId));
    if ('createdAt' in outcome) {
      claims.set(request, outcome);
      return;
    }
    return replay(reply, outcome);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const claim = claims.get(request);
    if (claim === undefined) return payload;
    claims.delete(request);
    const body = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : payload == null ? '' : undefined;
    try {
      // A server error may not happen again: let a retry run instead of replaying it.
      if (reply.statusCode >= 500 || body === undefined) await keys.release(claim);
      else await keys.finish(claim, reply.statusCode, body);
    } catch (error) {
      // The claim stays in flight until LOCK_MS passes; then a retry takes it over.
      request.log.warn({ err: error }, 'could not store the response for Idempotency-Key');
    }
    return payload;
  });

  // A response that went out without onSend (should not happen) must not keep its key locked.
  app.addHook('onResponse', async (request) => {
    const claim = claims.get(request);
    if (claim === undefined) return;
    claims.delete(request);
    await keys.release(claim).catch((error: unknown) => request.log.warn({ err: error }, 'could not release an Idempotency-Key'));
  });
}

function applies(request: FastifyRequest): boolean {
  return request.method === 'POST' && request.routeOptions.url?.startsWith('/v1/') === true && request.routeOptions.config.idempotency !== false;
}

/** Claims the key for this request, or answers with what is stored for it. */
async function claimKey(keys: IdempotencyKeyRepository, clock: Clock, workspaceId: string, key: string, hash: string): Promise<Claim | StoredKey> {
  // A row can vanish between the insert and the read (released after a 5xx, pruned): then try again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = clock.now();
    const claim: Claim = { workspaceId, key, createdAt: now };
    if (await keys.claim(claim, hash, now + LOCK_MS, now + KEEP_MS)) return claim;
    const stored = await keys.find(workspaceId, key);
    if (stored === undefined) continue;
    const abandoned = stored.state === 'in_flight' && stored.lockedUntil <= now;
    if (stored.expiresAt <= now || abandoned) {
      if (await keys.takeOver(stored, claim, hash, now + LOCK_MS, now + KEEP_MS)) return claim;
      continue;
    }
    if (stored.requestHash !== hash) {
      throw new DomainError('idempotency_conflict', 'This Idempotency-Key was already used for another request (another path, body or API key). Use a new key for a new request.');
    }
    if (stored.state === 'done' && stored.responseStatus !== null && stored.responseBody !== null) return stored;
    throw inFlight();
  }
  throw inFlight();
}

const inFlight = () => new DomainError('conflict', 'A request with this Idempotency-Key is still being processed; retry later.');

function replay(reply: FastifyReply, stored: StoredKey) {
  reply.code(stored.responseStatus ?? 200);
  reply.header('content-type', 'application/json; charset=utf-8');
  reply.header(REPLAYED_HEADER, 'true');
  return reply.send(stored.responseBody);
}

/** Same method, URL, API key and JSON body (key order aside) → same hash. */
function requestHash(request: FastifyRequest, keyId: string): string {
  return createHash('sha256').update(`${request.method} ${request.url}\n${keyId}\n${canonicalJson(request.body ?? null)}`).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Adds the optional Idempotency-Key header to the OpenAPI document of every POST that honours it. */
function documentHeader(route: RouteOptions): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  const auth = route.config?.auth ?? 'key';
  if (!methods.includes('POST') || !route.url.startsWith('/v1/') || auth !== 'key' || route.config?.idempotency === false) return;
  const schema = route.schema ?? {};
  const headers = (schema.headers ?? {}) as { properties?: Record<string, unknown> };
  // A reused key answers 409 (idempotency_conflict, or conflict while the first request runs).
  const response = schema.response as Record<string, unknown> | undefined;
  const conflict = response === undefined || response[409] !== undefined ? {} : { response: { ...response, 409: Type.Ref(ErrorEnvelope) } };
  route.schema = { ...schema, ...conflict, headers: { type: 'object', ...headers, properties: { ...headers.properties, 'Idempotency-Key': IdempotencyKeyHeader } } };
}
