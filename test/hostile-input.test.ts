/**
 * Hostile input at every door (issue 10), one describe per defect found by
 * fuzzing: each is a clear 4xx in the door's own error shape, never a 500, and
 * what is stored is what was sent, alike on SQLite and PostgreSQL. Raw HTTP
 * (malformed framing, 431, Expect, Host) is in http-raw.test.ts; the fuzz run
 * over the whole OpenAPI document is fuzz.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, unique, type Tenant } from './helpers/factories.js';
import { basicAuth, rpcClient, rpcPost, type RpcReply } from './helpers/jsonrpc.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

const JSON_TYPE = { 'content-type': 'application/json' };
const deep = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);
/** custom_fields nesting `levels` deep, custom_fields itself counted. */
const nested = (levels: number): Record<string, unknown> => {
  let value: unknown = 'leaf';
  for (let i = 1; i < levels; i++) value = [value];
  return { a: value };
};
const rest = (path: string, body: string, headers: Record<string, string> = {}) => tenant.api.request('POST', path, body, { ...JSON_TYPE, ...headers });

function assertRefused(response: ApiResponse, code: string, field?: string): void {
  assert.equal(response.status, 400, response.text);
  assert.equal(response.body.success, false, response.text);
  assert.equal(response.body.error.code, code, response.text);
  if (field !== undefined) assert.ok(response.body.error.details?.[field], `details.${field}: ${response.text}`);
}

function assertRpcRefused(reply: RpcReply, codes: number[]): void {
  assert.equal(reply.status, 400, reply.text);
  assert.equal(reply.body.jsonrpc, '2.0', reply.text);
  assert.ok(codes.includes(reply.body.error.code), reply.text);
}

const rpc = () => rpcClient(server.url, basicAuth(tenant.ownerEmail, tenant.key));

describe('1. custom_fields nesting and size', () => {
  const creates: [string, Record<string, unknown>][] = [
    ['/v1/contacts', { first_name: 'Deep' }],
    ['/v1/companies', { name: 'Deep Co' }],
    ['/v1/deals', { name: 'Deep deal' }],
    ['/v1/leads', { first_name: 'Deep', last_name: 'Lead' }],
    ['/v1/activities', { type: 'note', subject: 'Deep' }],
    ['/v1/tasks', { title: 'Deep task' }],
  ];

  it('10,000 levels is 400 validation_error on create, update and upsert of every resource, not a stack overflow', async () => {
    const custom = `{"a":${deep(10_000)}}`;
    for (const [path, body] of creates) {
      const text = JSON.stringify(body).replace(/}$/, `,"custom_fields":${custom}}`);
      assertRefused(await rest(path, text), 'validation_error', 'custom_fields');
      const created = await tenant.api.post(path, body);
      assert.equal(created.status, 201, created.text);
      assertRefused(await tenant.api.request('PATCH', `${path}/${created.body.data.id}`, `{"custom_fields":${custom}}`, JSON_TYPE), 'validation_error', 'custom_fields');
    }
    const upsert = await rest('/v1/contacts/upsert', `{"email":"${unique('deep-')}@example.com","custom_fields":${custom}}`);
    assertRefused(upsert, 'validation_error', 'custom_fields');
  });

  it(`more than 6 levels is refused naming custom_fields; 6 levels are stored and read back as sent`, async () => {
    for (const [path, body] of creates) {
      assertRefused(await tenant.api.post(path, { ...body, custom_fields: nested(7) }), 'validation_error', 'custom_fields');
    }
    const contact = await createContact(tenant.api, { custom_fields: nested(6) });
    assert.deepEqual((await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data.custom_fields, nested(6));
  });

  it('in bulk, a too-deep record fails alone with validation_error, not internal_error', async () => {
    const response = await tenant.api.post('/v1/contacts/bulk', { records: [{ first_name: 'Fine' }, { first_name: 'Deep', custom_fields: nested(7) }] });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.results[0].status, 'created');
    assert.equal(response.body.data.results[1].status, 'failed');
    assert.equal(response.body.data.results[1].error.code, 'validation_error', response.text);
    const whole = await rest('/v1/contacts/bulk', `{"records":[{"first_name":"x","custom_fields":{"a":${deep(5000)}}}]}`);
    assertRefused(whole, 'validation_error');
  });

  it('through JSON-RPC customFields: refused with -32602 / -32600 and HTTP 400', async () => {
    assertRpcRefused(await rpc().call('newContact', { contact: { name: 'Deep Rpc', customFields: nested(7) } }), [-32602]);
    const payload = `{"jsonrpc":"2.0","id":1,"method":"newContact","params":{"contact":{"name":"x","customFields":{"a":${deep(10_000)}}}}}`;
    assertRpcRefused(await rpc().send(payload), [-32600]);
  });

  it('over 16 KiB in total is refused', async () => {
    const big = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    assertRefused(await tenant.api.post('/v1/contacts', { first_name: 'Big', custom_fields: big }), 'validation_error', 'custom_fields');
  });
});

describe('2. a deep body with Idempotency-Key', () => {
  it('is 400 before the key is claimed, so the key still works for a good request', async () => {
    const key = unique('idem-');
    assertRefused(await rest('/v1/tags', deep(10_000), { 'idempotency-key': key }), 'validation_error');
    const good = await tenant.api.post('/v1/tags', { name: unique('tag-') }, { 'idempotency-key': key });
    assert.equal(good.status, 201, good.text);
  });
});

describe('3. the JSON-RPC door without credentials', () => {
  it('a deep body holding NUL is -32600 with HTTP 400 on every path, before any key is asked for', async () => {
    const payload = `{"jsonrpc":"2.0","id":1,"method":"findUsers","params":{"x":${deep(5000, '"\\u0000"')}}}`;
    for (const path of ['/api/v1/json', '/v1/rpc', '/v1/json']) {
      const reply = await rpcPost(server.url, payload, { path });
      assertRpcRefused(reply, [-32600]);
      assert.equal(reply.body.id, null);
    }
  });

  it('a shallow NUL, a lone surrogate and a __proto__ name are refused the same way', async () => {
    for (const params of ['{"x":"a\\u0000"}', '{"x":"a\\ud800"}', '{"__proto__":{"x":1}}']) {
      assertRpcRefused(await rpcPost(server.url, `{"jsonrpc":"2.0","id":1,"method":"findUsers","params":${params}}`), [-32600]);
    }
  });
});

describe('4. names every object inherits', () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  const lists = ['/v1/contacts', '/v1/companies', '/v1/deals', '/v1/leads', '/v1/activities', '/v1/tasks', '/v1/tags', '/v1/pipelines', '/v1/users', '/v1/api-keys', '/v1/events', '/v1/webhook-endpoints'];

  it('as list query parameters: 400 invalid_filter naming the parameter, on every list and at the AutomateNexus base path', async () => {
    for (const path of [...lists, '/functions/v1/api/tasks', '/functions/v1/api/contacts']) {
      for (const name of names) {
        for (const param of [name, `${name}[gt]`]) {
          const response = await tenant.api.get(`${path}?${encodeURIComponent(param)}=1`);
          assertRefused(response, 'invalid_filter', param);
        }
      }
    }
  });

  it('as unknown body fields: 400 validation_error naming each of them', async () => {
    for (const name of names.filter((n) => n !== '__proto__')) {
      assertRefused(await tenant.api.post('/v1/contacts', { first_name: 'Proto', [name]: 1 }), 'validation_error', name);
    }
    const proto = await rest('/v1/contacts', '{"first_name":"Proto","__proto__":{"admin":true}}');
    assertRefused(proto, 'validation_error', '__proto__');
    assert.match(proto.body.error.message, /__proto__/);
    assertRefused(await rest('/v1/contacts', '{"first_name":"P","custom_fields":{"constructor":{"prototype":{"x":1}}}}'), 'validation_error', 'custom_fields.constructor.prototype');
  });

  it('as sort fields: 400 validation_error', async () => {
    for (const name of names) assertRefused(await tenant.api.get(`/v1/contacts?sort=${name}`), 'validation_error', 'sort');
  });

  it('as custom field keys: stored and read back like any other key, on create, update and merge', async () => {
    const fields = { constructor: 'c', toString: 't', hasOwnProperty: [1], valueOf: { x: 1 } };
    const contact = await createContact(tenant.api, { custom_fields: fields });
    assert.deepEqual((await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data.custom_fields, fields);
    const updated = await tenant.api.patch(`/v1/contacts/${contact.id}`, { custom_fields: { constructor: null, isPrototypeOf: 1 } });
    assert.deepEqual(updated.body.data.custom_fields, { toString: 't', hasOwnProperty: [1], valueOf: { x: 1 }, isPrototypeOf: 1 });
    const survivor = await createCompany(tenant.api);
    const duplicate = await createCompany(tenant.api, { custom_fields: { constructor: 'from the duplicate' } });
    const merged = await tenant.api.post(`/v1/companies/${survivor.id}/merge`, { duplicate_id: duplicate.id });
    assert.equal(merged.status, 200, merged.text);
    assert.deepEqual(merged.body.data.custom_fields, { constructor: 'from the duplicate' });
  });

  it('as JSON-RPC labels and entity types: kept as labels, refused as types with -32602', async () => {
    const email = `${unique('label-')}@example.com`;
    const contact = await createContact(tenant.api, { email: undefined, emails: [{ email, label: 'constructor' }] });
    const reply = await rpc().call('getContact', [contact.id]);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.result.email.constructor, email, reply.text);
    const participant = await rpc().call('newActivity', { activity: { name: 'Call', participants: [{ entityType: 'constructor', id: contact.id }] } });
    assert.equal(participant.status, 400, participant.text);
    assert.equal(participant.body.error.code, -32602, participant.text);
  });
});

describe('5. forged cursors', () => {
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('a NUL, a lone surrogate, a wrong type or a value out of the column range is 400 invalid_cursor on both databases', async () => {
    const forged = [
      '/v1/contacts?cursor=eyJzIjoiY3JlYXRlZF9hdCIsInYiOlsxXSwiaWQiOiJcdTAwMDAifQ',
      `/v1/contacts?cursor=${cursor({ s: 'created_at', v: [1], id: 'con_\ud800' })}`,
      `/v1/contacts?cursor=${cursor({ s: 'created_at', v: ['1'], id: 'con_x' })}`,
      `/v1/contacts?cursor=${cursor({ s: 'created_at', v: [1e300], id: 'con_x' })}`,
      `/v1/companies?sort=name&cursor=${cursor({ s: 'name', v: ['a\u0000'], id: 'cmp_x' })}`,
      `/v1/companies?sort=employee_count&cursor=${cursor({ s: 'employee_count', v: [3_000_000_000], id: 'cmp_x' })}`,
      `/v1/activities?sort=duration_seconds&cursor=${cursor({ s: 'duration_seconds', v: [2_147_483_648], id: 'act_x' })}`,
      `/v1/contacts?sort=status&cursor=${cursor({ s: 'status', v: ['no-such-status'], id: 'con_x' })}`,
      `/v1/contacts?sort=first_name&cursor=${cursor({ s: 'first_name', v: [{ nested: true }], id: 'con_x' })}`,
      `/v1/contacts?cursor=${cursor([1, 2])}`,
      '/v1/contacts?cursor=%2F%2F%2F',
      `/v1/contacts?cursor=${'A'.repeat(12_000)}`,
      `/v1/search?q=jane&cursor=${cursor({ k: 'x', s: 1, t: 'a\u0000', y: 'contact', i: 'con_x' })}`,
      `/v1/contacts/{id}/timeline?cursor=${cursor({ t: 'timeline', at: 1, id: '\u0000' })}`,
    ];
    const contact = await createContact(tenant.api);
    for (const path of forged) {
      const response = await tenant.api.get(path.replace('{id}', contact.id));
      assertRefused(response, 'invalid_cursor', 'cursor');
    }
  });

  it('a search cursor with a score out of range, or another query, is refused; real cursors still page', async () => {
    for (let i = 0; i < 3; i++) await createContact(tenant.api, { first_name: 'Cursorina' });
    const first = await tenant.api.get('/v1/search?q=Cursorina&limit=1');
    assert.equal(first.status, 200, first.text);
    const real = JSON.parse(Buffer.from(first.body.meta.next_cursor, 'base64url').toString('utf8'));
    assert.equal((await tenant.api.get(`/v1/search?q=Cursorina&limit=1&cursor=${first.body.meta.next_cursor}`)).status, 200);
    assertRefused(await tenant.api.get(`/v1/search?q=Cursorina&limit=1&cursor=${cursor({ ...real, s: 2 ** 40 })}`), 'invalid_cursor');
    assertRefused(await tenant.api.get(`/v1/search?q=Other&limit=1&cursor=${first.body.meta.next_cursor}`), 'invalid_cursor');
    const page = await tenant.api.get('/v1/companies?sort=-employee_count&limit=1');
    assert.equal(page.status, 200, page.text);
  });
});

describe('6. integer filters beyond the column range', () => {
  it('are 400 invalid_filter naming the field and its range, on both databases', async () => {
    for (const query of ['employee_count[gt]=3000000000', 'employee_count=-2147483649', 'employee_count[in]=1,2147483648']) {
      const response = await tenant.api.get(`/v1/companies?${query}`);
      assertRefused(response, 'invalid_filter');
      assert.match(response.body.error.message, /^employee_count.* from -2147483648 to 2147483647\.$/, response.text);
    }
    const activities = await tenant.api.get('/v1/activities?duration_seconds[gte]=2147483648');
    assertRefused(activities, 'invalid_filter', 'duration_seconds[gte]');
    assert.match(activities.body.error.message, /2147483647/);
  });

  it('the bounds themselves, and bigint columns beyond 32 bits, are answered', async () => {
    assert.equal((await tenant.api.get('/v1/companies?employee_count[lte]=2147483647')).status, 200);
    assert.equal((await tenant.api.get('/v1/companies?employee_count[gte]=-2147483648')).status, 200);
    const deal = await tenant.api.post('/v1/deals', { name: 'Big deal', value: { amount: 5_000_000_000, currency: 'USD' } });
    assert.equal(deal.status, 201, deal.text);
    const found = await tenant.api.get('/v1/deals?value.amount[gt]=3000000000');
    assert.equal(found.status, 200, found.text);
    assert.ok(found.body.data.some((d: { id: string }) => d.id === deal.body.data.id));
  });
});

describe('7. text that is not well-formed Unicode', () => {
  it('is refused at every door instead of being stored altered, so the two databases agree', async () => {
    for (const name of ['x\\ud800', 'x\\udfff', '\\udc00x\\ud800']) {
      assertRefused(await rest('/v1/tags', `{"name":"${name}"}`), 'validation_error', 'name');
      assertRefused(await rest('/v1/leads', `{"first_name":"L${name}","last_name":"X"}`), 'validation_error', 'first_name');
    }
    assertRefused(await rest('/v1/contacts', '{"first_name":"ok","custom_fields":{"k":{"\\ud800":1}}}'), 'validation_error');
    const snap = await server.client(tenant.key, { scheme: 'x-api-key' }).request('POST', '/api/v1/leads', '{"firstName":"S\\ud800","lastName":"X"}', JSON_TYPE);
    assert.equal(snap.status, 400, snap.text);
    assert.equal(snap.body.code, 'validation_error', snap.text);
    assertRpcRefused(await rpc().send('{"jsonrpc":"2.0","id":1,"method":"newContact","params":{"contact":{"name":"R\\udfff"}}}'), [-32600]);
  });

  it('a body that is not UTF-8, or a URL escape that is not, is refused rather than decoded with replacement characters', async () => {
    const latin1 = Buffer.from('{"name":"caf\xe9"}', 'latin1');
    const response = await fetch(`${server.url}/v1/tags`, { method: 'POST', headers: { authorization: `Bearer ${tenant.key}`, ...JSON_TYPE }, body: latin1 });
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'validation_error');
    const rpcLatin1 = await fetch(`${server.url}/api/v1/json`, { method: 'POST', headers: basicAuth(tenant.ownerEmail, tenant.key), body: Buffer.from('{"jsonrpc":"2.0","id":1,"method":"newContact","params":{"contact":{"name":"Jos\xe9"}}}', 'latin1') });
    assert.equal(rpcLatin1.status, 400);
    assertRefused(await tenant.api.get('/v1/contacts?first_name=%ED%A0%80'), 'validation_error', 'url');
    assertRefused(await tenant.api.get('/v1/contacts?first_name=%FF'), 'validation_error', 'url');
  });

  it('well-formed text outside the BMP is stored and read back exactly', async () => {
    const name = `Emoji 😀 ${unique()} 𝔘𝔫𝔦𝔠𝔬𝔡𝔢`;
    const tag = await tenant.api.post('/v1/tags', { name });
    assert.equal(tag.status, 201, tag.text);
    assert.equal((await tenant.api.get(`/v1/tags/${tag.body.data.id}`)).body.data.name, name);
    const sandbox = await tenant.api.post('/v1/sandboxes', { name: unique('Sandbox ') });
    assert.equal(sandbox.status, 201, sandbox.text);
  });
});

describe('9. /docs (the .. segments are in http-raw.test.ts: fetch normalizes them away)', () => {
  it('a missing static file is 404 not_found, not 405', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await tenant.api.request(method, '/docs/static/nonexistent.js');
      assert.equal(response.status, 404, response.text);
      if (method === 'GET') assert.equal(response.body.error.code, 'not_found');
    }
  });

  it('an unsatisfiable Range on a /docs file is 416 with the catalogue code of that status', async () => {
    for (const range of ['bytes=999999999-', 'bytes=x']) {
      const response = await server.anonymous.get('/docs/static/swagger-ui.css', { range });
      assert.equal(response.status, 416, response.text);
      assert.equal(response.body.error.code, 'range_not_satisfiable');
    }
  });
});

describe('10. a malformed Authorization header and IPv4-compatible loopback webhooks', () => {
  it('anything after the key makes the header malformed: 401', async () => {
    for (const header of [`Bearer ${tenant.key} junk`, `Bearer ${tenant.key} ${tenant.key}`, `Basic ${Buffer.from(`${tenant.ownerEmail}:${tenant.key}`).toString('base64')} junk`]) {
      const response = await tenant.api.get('/v1/contacts', { authorization: header });
      assert.equal(response.status, 401, header);
      assert.equal(response.body.error.code, 'unauthorized');
    }
    assert.equal((await tenant.api.get('/v1/contacts', { authorization: `  Bearer   ${tenant.key}  ` })).status, 200);
  });

  it('https://[::127.0.0.1] and other IPv4-compatible spellings of internal addresses are refused at creation', async () => {
    for (const url of ['https://[::127.0.0.1]:8443/hook', 'https://[::7f00:1]/hook', 'https://[::10.0.0.1]/hook', 'https://[::169.254.169.254]/latest']) {
      const response = await tenant.api.post('/v1/webhook-endpoints', { url, events: ['*'] });
      assertRefused(response, 'validation_error', 'url');
    }
  });
});
