import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ERROR_CATALOGUE } from '../src/domain/errors.js';
import { createTenant, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

describe('transport errors', () => {
  it('answers malformed JSON with 400 invalid_json, not 500', async () => {
    for (const body of ['{"first_name": ', '{bad}', '[1,', 'null x']) {
      const response = await tenant.api.request('POST', '/v1/contacts', body, { 'content-type': 'application/json' });
      assert.equal(response.status, 400, body);
      assert.equal(response.body.error.code, 'invalid_json');
      assert.equal(response.body.success, false);
    }
  });

  it('refuses prototype pollution in a body', async () => {
    const response = await tenant.api.request('POST', '/v1/contacts', '{"first_name":"P","__proto__":{"admin":true}}', { 'content-type': 'application/json' });
    assert.equal(response.status, 400);
  });

  it('answers a body over 1 MiB with 413 payload_too_large', async () => {
    const response = await tenant.api.post('/v1/contacts', { first_name: 'Big', title: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal(response.status, 413);
    assert.equal(response.body.error.code, 'payload_too_large');
  });

  it('answers a non-JSON body with 415 unsupported_media_type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await tenant.api.request('POST', '/v1/contacts', 'first_name=Jane', { 'content-type': type });
      assert.equal(response.status, 415, type);
      assert.equal(response.body.error.code, 'unsupported_media_type');
    }
  });

  it('answers a missing body with 400 validation_error', async () => {
    const response = await tenant.api.request('POST', '/v1/contacts');
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_error');
  });

  it('answers an unknown route with 404 and a wrong method with 405 and Allow', async () => {
    const unknown = await tenant.api.get('/v1/opportunities');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'not_found');
    const wrongMethod = await tenant.api.request('PUT', '/v1/contacts/con_01M807GFFF8MEEXBKKKVK895SP', { first_name: 'X' });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.body.error.code, 'method_not_allowed');
    assert.equal(wrongMethod.headers.get('allow'), 'GET, PATCH, DELETE');
  });

  it('answers a malformed URL or an over-long id in the envelope', async () => {
    const badUrl = await tenant.api.get('/v1/contacts/%E0%A4%A');
    assert.equal(badUrl.status, 400);
    assert.equal(badUrl.body.error.code, 'validation_error');
    const longId = await tenant.api.get(`/v1/contacts/con_${'x'.repeat(400)}`);
    assert.equal(longId.status, 404);
    assert.equal(longId.body.error.code, 'not_found');
  });

  it('refuses NUL characters in bodies, filters and ids instead of failing in the database', async () => {
    const body = await tenant.api.request('POST', '/v1/contacts', '{"first_name":"a\\u0000b"}', { 'content-type': 'application/json' });
    assert.equal(body.status, 400, body.text);
    assert.equal(body.body.error.code, 'validation_error');
    const escapedBackslash = await tenant.api.request('POST', '/v1/contacts', '{"first_name":"back\\\\u0000slash"}', { 'content-type': 'application/json' });
    assert.equal(escapedBackslash.status, 201, 'an escaped backslash followed by u0000 is plain text');
    assert.equal((await tenant.api.get('/v1/contacts?first_name=a%00b')).status, 400);
    assert.equal((await tenant.api.get('/v1/contacts/con_%00')).status, 400);
  });

  it('never leaks a stack trace', async () => {
    const response = await tenant.api.request('POST', '/v1/contacts', '{"a":', { 'content-type': 'application/json' });
    assert.doesNotMatch(response.text, /at .*\.(ts|js):\d+/);
  });
});

describe('headers', () => {
  it('echoes a sane X-Request-Id and makes one otherwise', async () => {
    const echoed = await tenant.api.get('/v1/me', { 'x-request-id': 'my-trace-123' });
    assert.equal(echoed.headers.get('x-request-id'), 'my-trace-123');
    assert.equal(echoed.body.meta.request_id, 'my-trace-123');
    const replaced = await tenant.api.get('/v1/me', { 'x-request-id': 'bad id with spaces <script>' });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^req_[0-9A-Z]{26}$/);
  });

  it('names the API version on every response, errors included', async () => {
    assert.equal((await tenant.api.get('/v1/me')).headers.get('x-api-version'), 'v1');
    assert.equal((await server.anonymous.get('/v1/me')).headers.get('x-api-version'), 'v1');
    assert.equal((await tenant.api.get('/v1/nowhere')).headers.get('x-api-version'), 'v1');
  });
});

describe('health', () => {
  it('answers /healthz and /readyz without a key', async () => {
    assert.equal((await server.anonymous.get('/healthz')).status, 200);
    const ready = await server.anonymous.get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.status, 'ready');
  });
});

describe('API reference', () => {
  it('serves a valid OpenAPI 3.1 document covering every operation', async () => {
    const response = await server.anonymous.get('/v1/openapi.json');
    assert.equal(response.status, 200);
    const document = response.body;
    assert.equal(document.openapi, '3.1.0');
    const result = await new Validator().validate(document);
    assert.equal(result.valid, true, JSON.stringify(result.errors));

    const operations = new Map<string, { method: string; path: string; op: any }>();
    for (const [path, item] of Object.entries<Record<string, any>>(document.paths)) {
      for (const [method, op] of Object.entries(item)) operations.set(op.operationId, { method, path, op });
    }
    for (const id of ['contacts.list', 'contacts.create', 'contacts.get', 'contacts.update', 'contacts.delete', 'companies.list', 'companies.contacts.list', 'users.create', 'api_keys.create', 'api_keys.revoke', 'me.get', 'workspace.get', 'workspace.update', 'workspaces.create']) {
      assert.ok(operations.has(id), `missing ${id}`);
    }
    const list = operations.get('contacts.list');
    const params = (list?.op.parameters ?? []).map((p: { name: string }) => p.name);
    for (const name of ['limit', 'cursor', 'sort', 'q', 'email', 'company_id', 'created_at', 'updated_at']) assert.ok(params.includes(name), `contacts.list lacks ${name}`);
    const create = operations.get('contacts.create')?.op;
    assert.ok(create.requestBody, 'create has a body');
    for (const status of ['201', '400', '401', '403', '409', '429']) assert.ok(create.responses[status], `contacts.create lacks ${status}`);
    assert.ok(document.components.schemas.Contact, 'Contact schema is a component');
    assert.ok(document.components.schemas.Error, 'Error schema is a component');
  });

  it('serves the interactive reference at /docs', async () => {
    const response = await server.anonymous.get('/docs/');
    assert.equal(response.status, 200);
    assert.match(response.text, /swagger-ui/i);
  });
});

describe('error catalogue', () => {
  it('is documented in docs/errors.md with the same codes and statuses', () => {
    const text = fs.readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const documented = new Map<string, number>();
    for (const match of text.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| (-?\d+) \|/gm)) documented.set(match[1] as string, Number(match[2]));
    const catalogue = new Map(Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status]));
    assert.deepEqual(documented, catalogue);
  });
});
