/**
 * The web app (web/, built by Vite into web/dist) served beside the API: its
 * hashed assets under /assets/ (cached for good), and index.html for every
 * other page path so the browser's router takes over (/sign-in, /accept/<token>,
 * /settings/…). The app's responses carry the security headers: a CSP that
 * allows only the app's own scripts (no inline ones), no framing, no Referer
 * (an /accept/<token> address must not leak to another site).
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths that belong to the API and its tools: never answered with the app's page. */
const NOT_THE_APP = /^\/(v1|api|functions|mcp|metrics|health|healthz|readyz|openapi|docs|assets)(\/|$|\.|\?)/;

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** web/dist beside src/ (run with tsx) or beside dist/src/ (the built server). */
export function webAppDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../web/dist'), path.resolve(here, '../../../web/dist')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? (candidates[0] as string);
}

export interface WebApp {
  /** Answers a request no route took with the app's page, if it is one; false otherwise. */
  serveIndex(request: FastifyRequest, reply: FastifyReply): boolean;
}

export function installWebApp(app: FastifyInstance, root = webAppDir()): WebApp {
  const built = existsSync(path.join(root, 'index.html'));
  if (!built) {
    app.log.warn({ dir: root }, 'the web app is not built (npm run web:build): only the API is served');
    return { serveIndex: () => false };
  }
  void app.register(fastifyStatic, {
    root: path.join(root, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    // Vite names every asset by its content hash: a changed file has a new name.
    immutable: true,
    maxAge: '365d',
    setHeaders: (response) => {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    },
  });
  // Read per request (it is small): a rebuilt app is served without a restart.
  const indexFile = path.join(root, 'index.html');
  return {
    serveIndex(request, reply) {
      const method = request.method;
      if (method !== 'GET' && method !== 'HEAD') return false;
      const pathname = request.url.split('?')[0] ?? '/';
      if (NOT_THE_APP.test(pathname)) return false;
      // A client that asks for JSON only (a script with a mistyped path) gets the API's 404.
      const accept = request.headers.accept ?? '*/*';
      if (!/text\/html|\*\/\*/.test(accept)) return false;
      reply.headers({ ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
      void readFile(indexFile).then(
        (html) => reply.code(200).send(html),
        (error: unknown) => reply.send(error),
      );
      return true;
    },
  };
}
