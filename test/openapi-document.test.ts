/**
 * The OpenAPI document as a generated client reads it: typed query
 * parameters (numbers and booleans as such), every filter operator declared
 * from the ListSpec that checks it, every status a route answers, one stable
 * operationId per operation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let document: any;

interface Operation {
  method: string;
  path: string;
  op: any;
}
const operations = (): Operation[] =>
  Object.entries<Record<string, any>>(document.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ method, path, op })));
const operation = (id: string): Operation => {
  const found = operations().find((o) => o.op.operationId === id);
  assert.ok(found, `no operation ${id}`);
  return found;
};
const queryParam = (id: string, name: string): any => operation(id).op.parameters?.find((p: any) => p.in === 'query' && p.name === name);

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  document = (await server.anonymous.get('/v1/openapi.json')).body;
});
after(() => server.close());

describe('the OpenAPI document for generated clients', () => {
  it('has one operationId per operation, health checks included, and a license', () => {
    const ids = operations().map((o) => o.op.operationId);
    assert.ok(ids.every((id) => typeof id === 'string' && id !== ''), 'every operation has an operationId');
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
    assert.equal(operation('health.live').path, '/healthz');
    assert.equal(operation('health.ready').path, '/readyz');
    assert.deepEqual(document.info.license, { name: 'MIT', identifier: 'MIT' });
  });

  it('types numeric and boolean query parameters as such', () => {
    for (const { op } of operations()) {
      const limit = op.parameters?.find((p: any) => p.in === 'query' && p.name === 'limit');
      if (limit) assert.equal(limit.schema.type, 'integer', `${op.operationId} limit`);
    }
    assert.equal(queryParam('search', 'limit').schema.maximum, 100);
    assert.equal(queryParam('contacts.timeline', 'limit').schema.type, 'integer');
    assert.equal(queryParam('companies.list', 'employee_count[gt]').schema.type, 'integer');
    assert.equal(queryParam('contacts.list', 'title[exists]').schema.type, 'boolean');
    assert.equal(queryParam('tasks.list', 'overdue').schema.type, 'boolean');
    assert.deepEqual(queryParam('deals.list', 'status').schema.enum, ['open', 'won', 'lost']);
    assert.equal(queryParam('deals.list', 'expected_close_date[lt]').schema.format, 'date');
  });

  it('declares each filterable field with each operator its type allows', () => {
    for (const name of ['updated_at[gte]', 'email[in]', 'email[contains]', 'company_id[nin]', 'status[ne]', 'tag']) assert.ok(queryParam('contacts.list', name), `contacts.list lacks ${name}`);
    assert.equal(queryParam('contacts.list', 'company_id[gt]'), undefined, 'ids are not ordered');
    assert.equal(queryParam('contacts.list', 'status[contains]'), undefined, 'enums are not text');
  });

  it('declares only filters the server takes: every list answers 200 with all its declared filters at once', async () => {
    const sample = (param: any, all: any[]): string => {
      const { schema, name } = param;
      const listOf = /^(.*)\[n?in\]$/.exec(name)?.[1];
      const one = listOf === undefined ? undefined : all.find((p) => p.name === listOf);
      if (one !== undefined) return `${sample(one, all)},${sample(one, all)}`;
      if (schema.type === 'integer') return '1';
      if (schema.type === 'boolean') return 'true';
      if (schema.enum) return String(schema.enum[0]);
      if (schema.format === 'date') return '2026-01-01';
      if (/(_at|\.date)(\[|$)/.test(name)) return '2026-01-01T00:00:00.000Z';
      return 'x';
    };
    const lists = operations().filter((o) => o.method === 'get' && o.op.operationId.endsWith('.list') && !o.path.includes('{'));
    assert.ok(lists.length >= 10, `${lists.length} lists`);
    for (const { path, op } of lists) {
      const filters = (op.parameters ?? []).filter((p: any) => p.in === 'query' && !['cursor', 'sort', 'overdue'].includes(p.name));
      const query = filters.map((p: any) => `${encodeURIComponent(p.name)}=${encodeURIComponent(sample(p, filters))}`).join('&');
      const response = await tenant.api.get(`${path}?${query}`);
      assert.equal(response.status, 200, `${op.operationId}: ${response.text}`);
    }
  });

  it('documents a 4xx answer for every operation, and every status the JSON-RPC door answers', () => {
    for (const { op } of operations()) assert.ok(Object.keys(op.responses).some((status) => status.startsWith('4')), `${op.operationId} has no 4xx`);
    for (const id of ['jsonrpc.nutshell.call', 'jsonrpc.rpc.call', 'jsonrpc.discovery.call']) {
      assert.deepEqual(Object.keys(operation(id).op.responses).sort(), ['200', '204', '400', '401', '403', '404', '409', '413', '422', '429', '500'], id);
    }
    assert.ok(operation('deals.move').op.responses['409'], 'a reused Idempotency-Key answers 409 on every POST');
    assert.ok(operation('deals.move').op.responses['413'], 'a body over 1 MiB answers 413 wherever a body is taken');
  });
});

describe('query strings are coerced; bodies are not', () => {
  it('takes limit and boolean filters as text in the URL, and still refuses a number as text in a body', async () => {
    const page = await tenant.api.get('/v1/contacts?limit=3&title[exists]=false');
    assert.equal(page.status, 200, page.text);
    assert.equal(page.body.meta.limit, 3);
    const refused = await tenant.api.post('/v1/companies', { name: 'Strict Inc', employee_count: '42' });
    assert.equal(refused.status, 400, refused.text);
    assert.equal(refused.body.error.code, 'validation_error');
    const badFilter = await tenant.api.get('/v1/companies?employee_count[gt]=many');
    assert.equal(badFilter.body.error.code, 'invalid_filter', 'the ListSpec speaks first');
  });
});
