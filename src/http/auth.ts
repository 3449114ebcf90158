/**
 * Authentication and rate limiting, on every route that asks for them.
 * Routes declare `config.auth`: 'key' (the default under /v1), 'operator'
 * (the instance operator's token) or 'public'. Keys are read from
 * `Authorization: Bearer`, `X-API-Key`, or HTTP Basic (email + key). A request
 * with no key may present the browser session's cookie instead: it then acts
 * as the session's user (its role decides), and must pass the CSRF checks.
 * A key, when present, wins.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import type { RateLimiter } from '../platform/rate-limiter.js';
import { constantTimeEqual } from '../platform/secrets.js';
import type { ApiKeyService } from '../resources/api-keys/api-keys.service.js';
import type { AuthService } from '../auth/auth.service.js';
import { checkCsrf, checkOrigin, isUnsafe, sessionToken, setSessionCookie } from './session-cookie.js';

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
    const [scheme, value = '', ...rest] = authorization.trim().split(/\s+/);
    // A scheme and one credential; anything after it makes the header malformed, never ignored.
    if (rest.length > 0) return { secret: '' };
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

export interface AuthOptions {
  apiKeys: ApiKeyService;
  sessions: AuthService;
  rateLimiter: RateLimiter;
  operatorToken: string | undefined;
  publicUrl: string;
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('actor', undefined);
  app.addHook('onRequest', async (request, reply) => {
    // Everything under /v1 needs a key (or a session) unless the route says otherwise.
    const mode = request.routeOptions.config.auth ?? (request.routeOptions.url?.startsWith('/v1/') ? 'key' : 'public');
    if (mode === 'public') {
      // Signing in and using a link set a session cookie: another site's page may not make them.
      if (isUnsafe(request) && request.routeOptions.url?.startsWith('/v1/auth/')) checkOrigin(request, options.publicUrl);
      return;
    }
    if (mode === 'operator') return checkOperator(request, options.operatorToken);
    // Sessions are for the REST API the web app calls; the other doors (MCP, SnapCRM's intake) take keys only.
    const restApi = request.routeOptions.url?.startsWith('/v1/') ?? false;
    const token = restApi && readCredentials(request) === undefined ? sessionToken(request) : undefined;
    if (token !== undefined) await authenticateSession(request, reply, options, token);
    else await authenticateKey(request, reply, options);
  });
}

/** The browser session a cookie names, as the request's actor, after the CSRF checks. */
async function authenticateSession(request: FastifyRequest, reply: FastifyReply, options: AuthOptions, token: string): Promise<void> {
  // Refused before the session is looked up: a forged request learns nothing, not even whether the cookie is live.
  checkCsrf(request, token, options.publicUrl);
  const { actor, budget, slid } = await options.sessions.authenticate(token);
  request.actor = { ...actor, requestId: request.id };
  // The browser's cookie lives as long as the session: sent again when the expiry slides.
  if (slid) setSessionCookie(request, reply, token, options.publicUrl);
  await applyRateLimit(reply, options.rateLimiter, actor.keyId, budget, 1);
}

/**
 * Whether the key or session that authenticated the request would still be
 * accepted: a long-lived answer (the event stream) asks before each send, so a
 * revoked key, a signed-out session or a deleted user stops receiving at once.
 * Draws nothing from the rate limit.
 */
export async function stillAuthenticated(request: FastifyRequest, options: Pick<AuthOptions, 'apiKeys' | 'sessions'>): Promise<boolean> {
  try {
    const credentials = readCredentials(request);
    if (credentials) await options.apiKeys.authenticate(credentials.secret, credentials.basicUser);
    else {
      const token = sessionToken(request);
      if (token === undefined) return false;
      await options.sessions.authenticate(token);
    }
    return true;
  } catch (error) {
    if (error instanceof DomainError) return false;
    throw error;
  }
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
  if (!credentials) throw new DomainError('unauthorized', 'An API key is required: send Authorization: Bearer <key> or X-API-Key (or sign in for a session).');
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
