/**
 * The browser session's cookie and the checks that keep other sites from
 * riding it (CSRF): a cookie-authenticated request that changes something
 * must echo the session's X-CSRF-Token, and when it says where it comes from
 * (Origin), that must be this server.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { SESSION_LIFETIME_MS, csrfTokenFor } from '../auth/auth.service.js';
import { constantTimeEqual } from '../platform/secrets.js';

export const SESSION_COOKIE = 'trellis_session';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isUnsafe(request: FastifyRequest): boolean {
  return !SAFE_METHODS.has(request.method);
}

export function sessionToken(request: FastifyRequest): string | undefined {
  const value = request.cookies[SESSION_COOKIE];
  return value === undefined || value === '' ? undefined : value;
}

/** Secure when the server is reached over HTTPS: its public URL says so, or (behind a trusted proxy) X-Forwarded-Proto does. */
function secure(request: FastifyRequest, publicUrl: string): boolean {
  return publicUrl.startsWith('https:') || request.protocol === 'https';
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, publicUrl: string): void {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', path: '/', secure: secure(request, publicUrl), maxAge: SESSION_LIFETIME_MS / 1000 });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply, publicUrl: string): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', path: '/', secure: secure(request, publicUrl) });
}

/**
 * The Origin header, when sent, must be this server's: its public URL or the
 * host the request was sent to. Browsers always send Origin on cross-site
 * POSTs, so a form on another site is refused here.
 */
export function checkOrigin(request: FastifyRequest, publicUrl: string): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const own = new Set([new URL(publicUrl).origin, `${request.protocol}://${request.host}`]);
  if (!own.has(origin)) {
    throw new DomainError('csrf_failed', `Refused: the request comes from ${origin}, not from this server's own pages.`);
  }
}

/** A cookie-authenticated unsafe request: the right Origin (when sent) and the session's CSRF token. */
export function checkCsrf(request: FastifyRequest, token: string, publicUrl: string): void {
  if (!isUnsafe(request)) return;
  checkOrigin(request, publicUrl);
  const presented = request.headers[CSRF_HEADER];
  if (typeof presented !== 'string' || presented === '' || !constantTimeEqual(presented, csrfTokenFor(token))) {
    throw new DomainError('csrf_failed', 'Refused: a request signed in by the session cookie must send the session\'s X-CSRF-Token header (from GET /v1/auth/session).');
  }
}
