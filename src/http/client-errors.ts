/**
 * Errors the HTTP layer raises before Fastify sees a request: Node's parser
 * refusing a malformed request or headers over 16 KiB (`clientError`), an
 * `Expect` it cannot meet (`checkExpectation`) and an HTTP/1.1 request without
 * Host. Each answers in the envelope with a catalogue code; when the server
 * closes the connection it says `Connection: close` first, so a keep-alive
 * client knows not to send its next request on it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from '../domain/errors.js';
import { newId } from '../platform/ids.js';
import { sendError } from './error-handler.js';

/** How long a refused connection may stay half-open for the client to read the answer and close. */
const LINGER_MS = 2000;

function envelope(code: ErrorCode, message: string, requestId: string): string {
  return JSON.stringify({ success: false, error: { code, message }, meta: { request_id: requestId, timestamp: new Date().toISOString() } });
}

function rawResponse(status: number, code: ErrorCode, message: string): string {
  const requestId = newId('request');
  const body = envelope(code, message, requestId);
  const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
  return [
    `HTTP/1.1 ${status} ${reason}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${requestId}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

function describeParserError(code: string | undefined): [ErrorCode, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return ['headers_too_large', 'The request headers (with the URL) are larger than 16 KiB.'];
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return ['request_timeout', 'The request did not arrive in time.'];
    default:
      return ['malformed_request', `The request is not well-formed HTTP${code?.startsWith('HPE_') ? ` (${code.slice(4).toLowerCase().replace(/_/g, ' ')})` : ''}.`];
  }
}

/**
 * Fastify's `clientErrorHandler`: Node's parser gave up on the connection.
 * Answer once, unless a response is already under way on it (writing then
 * would corrupt it), then close after the answer is flushed.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!socket.writable || inFlight?.headersSent === true) {
    socket.destroy();
    return;
  }
  const [code, message] = describeParserError(error.code);
  this.log.debug({ err: error }, 'refused a malformed request');
  // end() sends the answer, then FIN; destroying at once could reset the connection before the client read it.
  socket.end(rawResponse(ERROR_CATALOGUE[code].status, code, message));
  const linger = setTimeout(() => socket.destroy(), LINGER_MS);
  linger.unref();
  socket.once('close', () => clearTimeout(linger));
}

/** The Expect and Host checks Node would otherwise answer with an empty body. */
export function installHttpErrors(app: FastifyInstance): void {
  app.server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    const requestId = newId('request');
    const body = envelope('expectation_failed', `Expect: ${request.headers.expect ?? ''} is not supported; only 100-continue is.`, requestId);
    response.writeHead(417, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-request-id': requestId, connection: 'close' });
    response.end(body);
  });
  app.addHook('onRequest', async (request, reply) => {
    // HTTP/1.1 requires Host (RFC 9112 §3.2); Node's own refusal would be an empty 400.
    if (request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor >= 1 && request.headers.host === undefined) {
      return sendError(request, reply, 'malformed_request', 'An HTTP/1.1 request must send a Host header.');
    }
  });
}
