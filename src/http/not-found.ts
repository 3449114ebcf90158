/**
 * Unknown routes answer 404 in the envelope; a known path with the wrong method
 * answers 405 with Allow. Fastify knows only "no route", so a second router
 * holding every registered path tells the two apart.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import FindMyWay, { type HTTPMethod } from 'find-my-way';
import { sendError } from './error-handler.js';

const METHODS: HTTPMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** `page` answers what is a page of the web app (src/http/web-app.ts) before the 404. */
export function installNotFound(app: FastifyInstance, page?: { serveIndex(request: FastifyRequest, reply: FastifyReply): boolean }): void {
  const known = FindMyWay({ ignoreTrailingSlash: true });
  app.addHook('onRoute', (route) => {
    const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethod[];
    for (const method of methods) {
      if (METHODS.includes(method) && !known.hasRoute(method, route.url)) known.on(method, route.url, () => undefined);
    }
  });
  app.setNotFoundHandler((request, reply) => {
    if (page?.serveIndex(request, reply)) return reply;
    const path = request.url.split('?')[0] ?? '/';
    const allowed = METHODS.filter((method) => known.find(method, path) !== null);
    // A route that exists for this method (HEAD rides on GET) and still found nothing, e.g. a file under /docs/static/, is a 404, not a 405.
    const method = (request.method === 'HEAD' ? 'GET' : request.method) as HTTPMethod;
    if (allowed.length > 0 && !allowed.includes(method)) {
      reply.header('allow', allowed.join(', '));
      return sendError(request, reply, 'method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}.`);
    }
    return sendError(request, reply, 'not_found', `No route ${request.method} ${path}. See /docs for the API reference.`);
  });
}
