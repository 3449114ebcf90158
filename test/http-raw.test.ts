/**
 * What the HTTP layer itself refuses, sent over a bare socket because fetch
 * cannot send it: every answer is the error envelope with a catalogue code
 * whose status it has, says `Connection: close` when the server closes, and
 * closes cleanly (no reset), so a keep-alive client loses nothing. The server
 * keeps serving afterwards.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ERROR_CATALOGUE, type ErrorCode } from '../src/domain/errors.js';
import { createTenant, type Tenant } from './helpers/factories.js';
import { rawExchange, type RawExchange, type RawResponse } from './helpers/raw-http.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let port: number;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  port = Number(new URL(server.url).port);
});
after(() => server.close());

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${extra}\r\n`;

function assertEnvelope(response: RawResponse | undefined, status: number, code: ErrorCode): void {
  assert.ok(response, 'an answer');
  assert.equal(response.status, status, response.body);
  assert.equal(ERROR_CATALOGUE[code].status, status, `${code} is a ${status} in the catalogue`);
  assert.match(response.headers['content-type'] ?? '', /^application\/json/);
  assert.equal(response.json?.success, false, response.body);
  assert.equal(response.json.error.code, code, response.body);
  assert.equal(typeof response.json.error.message, 'string');
  assert.match(response.json.meta.request_id, /^req_/);
}

/** The server answered once, with the envelope, said it closes, and closed without a reset. */
function assertRefusedAndClosed(exchange: RawExchange, status: number, code: ErrorCode): void {
  assert.equal(exchange.responses.length, 1, JSON.stringify(exchange.responses));
  assertEnvelope(exchange.responses[0], status, code);
  assert.equal(exchange.responses[0]?.headers.connection, 'close');
  assert.equal(exchange.error, undefined, 'no ECONNRESET');
  assert.ok(exchange.closedCleanly, 'the server closed the connection');
}

describe('the HTTP layer answers in the envelope', () => {
  it('headers over 16 KiB: 431 headers_too_large, Connection: close', async () => {
    assertRefusedAndClosed(await rawExchange(port, [get('/healthz', `X-Big: ${'a'.repeat(20_000)}\r\n`)]), 431, 'headers_too_large');
  });

  it('a URL over 16 KiB: 431 headers_too_large', async () => {
    assertRefusedAndClosed(await rawExchange(port, [get(`/v1/contacts?q=${'a'.repeat(20_000)}`)]), 431, 'headers_too_large');
  });

  const malformed: [string, string][] = [
    ['a bad chunk size', 'POST /v1/tags HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['Content-Length with Transfer-Encoding', 'POST /v1/tags HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
    ['two different Content-Lengths', 'POST /v1/tags HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
    ['a negative Content-Length', 'POST /v1/tags HTTP/1.1\r\nHost: localhost\r\nContent-Length: -1\r\n\r\n'],
    ['an unknown method', 'FROB /v1/contacts HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['raw bytes in the path', 'GET /v1/contacts/\x80\xff HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a space in the path', 'GET /v1/con tacts HTTP/1.1\r\nHost: localhost\r\n\r\n'],
    ['a header without a colon', 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n'],
    ['a bad HTTP version', 'GET /healthz HTTP/9.Z\r\nHost: localhost\r\n\r\n'],
  ];
  for (const [what, request] of malformed) {
    it(`${what}: 400 malformed_request, Connection: close`, async () => {
      assertRefusedAndClosed(await rawExchange(port, [request]), 400, 'malformed_request');
    });
  }

  it('HTTP/1.1 without Host: 400 malformed_request in the envelope; HTTP/1.0 needs none', async () => {
    const missing = await rawExchange(port, ['GET /healthz HTTP/1.1\r\n\r\n']);
    assertEnvelope(missing.responses[0], 400, 'malformed_request');
    assert.match(missing.responses[0]?.json.error.message, /Host/);
    const old = await rawExchange(port, ['GET /healthz HTTP/1.0\r\n\r\n']);
    assert.equal(old.responses[0]?.status, 200);
  });

  it('Expect other than 100-continue: 417 expectation_failed, Connection: close', async () => {
    const exchange = await rawExchange(port, [get('/healthz', 'Expect: teapot\r\n')]);
    assertEnvelope(exchange.responses[0], 417, 'expectation_failed');
    assert.equal(exchange.responses[0]?.headers.connection, 'close');
    assert.equal(exchange.error, undefined);
  });

  it('Expect: 100-continue still works', async () => {
    const body = JSON.stringify({ name: `expect-${Date.now()}` });
    const request = `POST /v1/tags HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${tenant.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;
    const exchange = await rawExchange(port, [request, body], { waitBetween: true });
    assert.deepEqual(exchange.responses.map((r) => r.status), [100, 201], JSON.stringify(exchange.responses));
  });

  it('on a keep-alive connection, a good request is answered, then the bad one in the envelope with Connection: close', async () => {
    const exchange = await rawExchange(port, [get('/healthz'), 'GET /healthz HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n'], { waitBetween: true });
    assert.equal(exchange.responses.length, 2, JSON.stringify(exchange.responses));
    assert.equal(exchange.responses[0]?.status, 200);
    assert.notEqual(exchange.responses[0]?.headers.connection, 'close');
    assertEnvelope(exchange.responses[1], 400, 'malformed_request');
    assert.equal(exchange.responses[1]?.headers.connection, 'close');
    assert.equal(exchange.error, undefined, 'no ECONNRESET');
  });

  it('/docs: a missing file is 404 not_found; a .. segment is refused with a catalogue code of its status', async () => {
    const missing = await rawExchange(port, [get('/docs/static/nonexistent.js', 'Connection: close\r\n')]);
    assertEnvelope(missing.responses[0], 404, 'not_found');
    for (const path of ['/docs/static/%2e%2e/x', '/docs/static/../../package.json', '/v1/contacts/%2E%2E/x']) {
      const traversal = await rawExchange(port, [get(path, 'Connection: close\r\n')]);
      assertEnvelope(traversal.responses[0], 400, 'validation_error');
    }
  });

  it('keeps serving afterwards', async () => {
    assert.equal((await server.anonymous.get('/healthz')).status, 200);
    assert.equal((await tenant.api.get('/v1/contacts')).status, 200);
  });
});
