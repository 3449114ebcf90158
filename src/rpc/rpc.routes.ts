/**
 * The JSON-RPC 2.0 door, Nutshell dialect, over HTTP: POST /api/v1/json
 * (Nutshell's path), /v1/rpc, and /v1/json (where Nutshell clients discover
 * the endpoint). A GET on any of them, or /v1/rpc/methods, lists the methods.
 *
 * Bodies are read whatever their content type (Nutshell clients send JSON as
 * text/plain, form-encoded or with no type at all), so the routes live in a
 * plugin of their own with its own body parser and error handler: a bad body
 * answers in JSON-RPC, never in the REST envelope. The HTTP status follows
 * the error of a single call; a batch answers 200 with an answer per call.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateKey } from '../http/auth.js';
import { bodyText } from '../http/validation.js';
import { DomainError, ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.js';
import type { Clock } from '../platform/clock.js';
import type { RateLimiter } from '../platform/rate-limiter.js';
import type { Services } from '../services.js';
import { RpcContext, type RpcDeps } from './context.js';
import { METHOD_TABLE, METHODS } from './methods/index.js';
import { CursorMemo } from './paging.js';
import { rpcCallResponses, rpcDescribeResponses } from './rpc.schema.js';
import { dispatch, INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, readPayload, trellisError, type Dispatcher, type RpcErrorObject, type RpcResponse } from './protocol.js';

export interface RpcRouteOptions {
  services: Services;
  rateLimiter: RateLimiter;
  publicUrl: string;
  clock: Clock;
}

const PATHS = [
  { path: '/api/v1/json', name: 'nutshell', summary: "Nutshell's endpoint" },
  { path: '/v1/rpc', name: 'rpc', summary: 'The JSON-RPC endpoint' },
  { path: '/v1/json', name: 'discovery', summary: 'Where Nutshell clients discover the endpoint (getApiForUsername); serves every method too' },
];

/** What Nutshell clients expect some errors to say. */
const NUTSHELL_MESSAGES: Partial<Record<ErrorCode, string>> = {
  unauthorized: 'API key not found',
  precondition_failed: 'rev key is out-of-date',
};

/** A single call's HTTP status: the application code when it is one (401, 404, 409, 429, …), else by protocol error. */
export function httpStatus(response: RpcResponse): number {
  if (response.error === null) return 200;
  const { code } = response.error;
  if (code >= 400 && code <= 599) return code;
  if (code === METHOD_NOT_FOUND) return 404;
  return code === INTERNAL_ERROR ? 500 : 400;
}

export function rpcRoutes(app: FastifyInstance, options: RpcRouteOptions): void {
  const deps: RpcDeps = { services: options.services, publicUrl: options.publicUrl, clock: options.clock, cursors: new CursorMemo(() => options.clock.now()) };
  const auth = { apiKeys: options.services.apiKeys, rateLimiter: options.rateLimiter };

  const dispatcher = (request: FastifyRequest, reply: FastifyReply): Dispatcher<RpcContext> => ({
    find: (name) => METHOD_TABLE.get(name),
    authenticate: async (calls) => {
      const actor = await authenticateKey(request, reply, auth, calls);
      return () => new RpcContext(deps, actor);
    },
    anonymous: () => new RpcContext(deps, undefined),
    messages: NUTSHELL_MESSAGES,
    unexpected: (error) => {
      request.log.error({ err: error }, 'unhandled error in a JSON-RPC call');
      return internalError(request);
    },
    warnings: (context) => context.warnings,
  });

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      try {
        done(null, bodyText(body as Buffer));
      } catch (error) {
        done(error as DomainError, undefined);
      }
    });
    scope.setErrorHandler((error: FastifyError | DomainError, request, reply) => refuse(request, reply, error));

    for (const { path, name, summary } of PATHS) {
      scope.post(path, {
        config: { auth: 'public', idempotency: false },
        schema: {
          operationId: `jsonrpc.${name}.call`,
          tags: ['JSON-RPC'],
          summary: `${summary}: JSON-RPC 2.0 calls`,
          description: 'A call or a batch, in the Nutshell dialect (docs/jsonrpc.md). Any content type; HTTP Basic (email + key), Bearer or X-API-Key.',
          response: rpcCallResponses,
        },
        handler: async (request, reply) => {
          const response = await dispatch(readPayload(typeof request.body === 'string' ? request.body : ''), dispatcher(request, reply));
          if (response === null) return reply.status(204).send();
          const status = Array.isArray(response) ? 200 : httpStatus(response);
          if (status === 401) reply.header('www-authenticate', 'Basic realm="Trellis"');
          return sendJson(reply as FastifyReply, status, response);
        },
      });
    }
    for (const { path, name, summary } of [...PATHS, { path: '/v1/rpc/methods', name: 'methods', summary: 'The JSON-RPC methods' }]) {
      scope.get(path, {
        config: { auth: 'public' },
        schema: {
          operationId: `jsonrpc.${name}.describe`,
          tags: ['JSON-RPC'],
          summary: `${summary}: the method list`,
          description: 'A service description (SMD 2.0) of every method and its params. No key needed.',
          security: [],
          response: rpcDescribeResponses,
        },
        handler: async () => describeMethods(path === '/v1/rpc/methods' ? '/v1/rpc' : path),
      });
    }
  });
}

/** An error before any call ran (a body too large, a bad URL): one JSON-RPC error, id null. */
function refuse(request: FastifyRequest, reply: FastifyReply, error: FastifyError | DomainError) {
  let answer: RpcErrorObject;
  let status: number;
  if (error instanceof DomainError) {
    answer = { code: ERROR_CATALOGUE[error.code].rpcCode, message: error.message, data: trellisError(error.code, error.message, error.details) };
    status = error.status;
  } else if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    const tooLarge = error.statusCode === 413;
    answer = { code: INVALID_REQUEST, message: 'Invalid Request', data: tooLarge ? trellisError('payload_too_large', ERROR_CATALOGUE.payload_too_large.message) : trellisError('validation_error', error.message) };
    status = error.statusCode;
  } else {
    request.log.error({ err: error }, 'unhandled error');
    answer = internalError(request);
    status = 500;
  }
  return sendJson(reply, status, { jsonrpc: '2.0', id: null, error: answer });
}

const internalError = (request: FastifyRequest): RpcErrorObject => {
  const message = `Internal error. Quote request id ${request.id} when reporting it.`;
  return { code: INTERNAL_ERROR, message, data: trellisError('internal_error', message, { request_id: request.id }) };
};

/** Answers are sent as serialized here, so no response schema (they are for the OpenAPI document) can reshape them. */
const sendJson = (reply: FastifyReply, status: number, answer: unknown) => reply.status(status).type('application/json; charset=utf-8').send(JSON.stringify(answer));

/** The methods as a Simple Method Description (SMD 2.0), the service description JSON-RPC servers commonly give. */
export function describeMethods(target: string) {
  const services = Object.fromEntries(
    METHODS.map((method) => [
      method.name,
      {
        description: method.description,
        auth: method.public ? 'none' : 'key',
        parameters: method.params.map((p) => ({ name: p.name, type: p.type ?? 'any', optional: !p.required, description: p.description })),
      },
    ]),
  );
  return { SMDVersion: '2.0', transport: 'POST', envelope: 'JSON-RPC-2.0', contentType: 'application/json', target, description: 'Trellis, Nutshell dialect: see docs/jsonrpc.md.', services };
}
