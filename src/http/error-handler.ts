/**
 * Maps every error to the envelope: domain errors by their catalogue entry,
 * Fastify's own errors (bad JSON, wrong content type, too large, schema
 * validation) by their code. Anything else is a bug: 500 with the request id,
 * logged with its stack, never shown to the client.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.js';
import { failure } from './envelope.js';

export interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation_error',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_BAD_URL: 'not_found',
  FST_ERR_ASYNC_CONSTRAINT: 'validation_error',
};

export function sendError(request: FastifyRequest, reply: FastifyReply, code: ErrorCode, message: string, details?: Record<string, unknown>) {
  return reply.status(ERROR_CATALOGUE[code].status).send(failure(request, code, message, details));
}

/** An error as every door reports it: a catalogue code, its HTTP status, a message and details. */
export interface DescribedError {
  code: ErrorCode;
  status: number;
  message: string;
  details?: Record<string, unknown>;
}

/**
 * Classifies any error the way the REST envelope, JSON-RPC and the SnapCRM
 * door all report it. An error that is none of ours or Fastify's is a bug:
 * logged with its stack, described to the client only by the request id.
 */
export function describeError(error: FastifyError | DomainError | Error, request: FastifyRequest): DescribedError {
  const described = (code: ErrorCode, message: string, details?: Record<string, unknown>, status: number = ERROR_CATALOGUE[code].status): DescribedError => ({
    code,
    status,
    message,
    ...(details !== undefined && { details }),
  });
  if (error instanceof DomainError) return described(error.code, error.message, error.details);
  const fastifyError = error as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fastifyError.validation) {
    const details = validationDetails(fastifyError.validation, fastifyError.validationContext ?? 'body');
    return described('validation_error', Object.values(details)[0]?.[0] ?? 'The request is invalid.', details);
  }
  if (error instanceof SyntaxError || fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return described('invalid_json', 'The request body is not valid JSON.');
  const mapped = fastifyError.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (mapped) return described(mapped, mapped === 'validation_error' ? fastifyError.message : ERROR_CATALOGUE[mapped].message);
  if (fastifyError.statusCode !== undefined && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    // A client error Fastify or a plugin raised that has no entry above: the catalogue's code for its status.
    const code = codeForStatus(fastifyError.statusCode);
    return described(code, code === 'malformed_request' || code === 'validation_error' ? fastifyError.message : ERROR_CATALOGUE[code].message);
  }
  request.log.error({ err: error }, 'unhandled error');
  return described('internal_error', `Internal error. Quote request id ${request.id} when reporting it.`);
}

/** The first catalogue code with this status; a status the catalogue lacks is a malformed request (400). */
function codeForStatus(status: number): ErrorCode {
  const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
  return codes.find((code) => ERROR_CATALOGUE[code].status === status) ?? 'malformed_request';
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DomainError | Error, request, reply) => {
    const { status, code, message, details } = describeError(error, request);
    return reply.status(status).send(failure(request, code, message, details));
  });
}

/** AJV errors as `{ field: [message] }`, with sentences a person can act on (also for each record of a bulk request). */
export function validationDetails(errors: AjvError[], context: string): Record<string, string[]> {
  // Field names come from the client (an unknown `constructor` field): a Map, so every name is a plain key.
  const details = new Map<string, string[]>();
  for (const error of errors) {
    // Union branches repeat the same complaint in several forms; the first is enough.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') continue;
    let field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    let message: string;
    switch (error.keyword) {
      case 'required':
        field = [field, String(error.params.missingProperty)].filter(Boolean).join('.');
        message = `The ${field} field is required.`;
        break;
      case 'additionalProperties':
        field = [field, String(error.params.additionalProperty)].filter(Boolean).join('.');
        message = `${field} is not a known field.`;
        break;
      case 'type':
        message = `${field || context} must be ${article(String(error.params.type))}.`;
        break;
      case 'format':
        message = `${field} must be a valid ${String(error.params.format)}.`;
        break;
      case 'enum':
        message = `${field} must be one of ${(error.params.allowedValues as unknown[]).join(', ')}.`;
        break;
      case 'minimum':
      case 'maximum':
        message = `${field || context} must be ${error.keyword === 'minimum' ? 'at least' : 'at most'} ${String(error.params.limit)}.`;
        break;
      default:
        message = `${field || context} ${error.message ?? 'is invalid'}.`;
    }
    const key = field || context;
    if (!details.has(key)) details.set(key, [message]);
  }
  return Object.fromEntries(details);
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'null' ? 'null' : t === 'integer' ? 'a whole number' : t === 'object' ? 'an object' : t === 'array' ? 'an array' : `a ${t}`));
  return names.join(' or ');
}
