/**
 * Authentication and rate limiting, on every route that asks for them.
 * Routes declare `config.auth`: 'key' (the default under /v1), 'operator'
 * (the instance operator's token) or 'public'. Keys are read from
 * `Authorization: Bearer`, `X-API-Key`, or HTTP Basic (email + key).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import type { RateLimiter } from '../platform/rate-limiter.js';
import { constantTimeEqual } from '../platform/secrets.js';
import type { ApiKeyService } from '../resources/api-keys/api-keys.service.js';

export type AuthMode = 'key' | 'operator' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    /** The body may be left out entirely; it then counts as `{}`. */
    optionalBody?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | undefined;
  }
}

export interface Credentials {
  secret: string;
  basicUser?: string;
}

/** The API key a request presents, by any of the accepted schemes. */
export function readCredentials(request: FastifyRequest): Credentials | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) {
    const [scheme, value = ''] = authorization.trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'bearer') return { secret: value };
    if (scheme?.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) return { secret: '' };
      return { secret: decoded.slice(colon + 1), basicUser: decoded.slice(0, colon) };
    }
  }
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return { secret: header.trim() };
  return undefined;
}

/** The actor of an authenticated request; routes behind 'key' auth always have one. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new DomainError('unauthorized');
  return request.actor;
}

export function installAuth(
  app: FastifyInstance,
  options: { apiKeys: ApiKeyService; rateLimiter: RateLimiter; operatorToken: string | undefined },
): void {
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (request, reply) => {
    // Everything under /v1 needs a key unless the route says otherwise.
    const mode = request.routeOptions.config.auth ?? (request.routeOptions.url?.startsWith('/v1/') ? 'key' : 'public');
    if (mode === 'public') return;
    if (mode === 'operator') return checkOperator(request, options.operatorToken);
    await authenticateKey(request, reply, options);
  });
}

export interface KeyAuthentication {
  apiKeys: ApiKeyService;
  rateLimiter: RateLimiter;
}

/**
 * The request's key, as its actor (also set on the request), with `points`
 * drawn from the key's rate limit and the X-RateLimit-* headers set. A door
 * that carries several calls in one request (a JSON-RPC batch) draws one
 * point per call.
 */
export async function authenticateKey(request: FastifyRequest, reply: FastifyReply, options: KeyAuthentication, points = 1): Promise<Actor> {
  const credentials = readCredentials(request);
  if (!credentials) throw new DomainError('unauthorized', 'An API key is required: send Authorization: Bearer <key> or X-API-Key.');
  const { actor, budget } = await options.apiKeys.authenticate(credentials.secret, credentials.basicUser);
  request.actor = { ...actor, requestId: request.id };
  await applyRateLimit(reply, options.rateLimiter, actor.keyId, budget, points);
  return request.actor;
}

async function applyRateLimit(reply: FastifyReply, limiter: RateLimiter, keyId: string, budget: Parameters<RateLimiter['consume']>[1], points: number): Promise<void> {
  const decision = await limiter.consume(keyId, budget, points);
  reply.header('x-ratelimit-limit', decision.limit);
  reply.header('x-ratelimit-remaining', decision.remaining);
  reply.header('x-ratelimit-reset', decision.resetAt);
  if (!decision.allowed) {
    reply.header('retry-after', decision.retryAfter);
    throw new DomainError('rate_limited', `Rate limit of ${decision.limit} requests per minute exceeded; retry in ${decision.retryAfter} s.`, {
      limit: decision.limit,
      retry_after: decision.retryAfter,
    });
  }
}

function checkOperator(request: FastifyRequest, token: string | undefined): void {
  const presented = request.headers.authorization?.replace(/^Bearer\s+/i, '').trim();
  if (token === undefined || presented === undefined || !constantTimeEqual(presented, token)) {
    throw new DomainError('unauthorized', 'This endpoint needs the instance operator token (TRELLIS_OPERATOR_TOKEN) as a Bearer token.');
  }
}
