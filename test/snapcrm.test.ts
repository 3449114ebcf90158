/**
 * SnapCRM's lead intake at its original path, driven by requests shaped as in
 * its usage guide (seeds/002): the guide's curl line with only the host
 * changed, both ways of sending the key, its documented errors (400, 401, 409,
 * 429 with Retry-After) and rate-limit headers; and the AutomateNexus base
 * path, /functions/v1/api/…, serving the native API.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import type { ApiClient, ApiResponse } from './helpers/client.js';

const run = promisify(execFile);

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
/** The tenant's key sent as SnapCRM's recommended X-API-Key header. */
let snap: ApiClient;

const email = (prefix: string) => `${unique(prefix)}@example.com`;

function assertSnapError(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(typeof response.body.error, 'string', response.text);
  assert.ok(response.body.error.length > 0, response.text);
  assert.equal(response.body.code, code, response.text);
}

function assertRateLimitHeaders(response: ApiResponse): void {
  assert.match(response.headers.get('x-ratelimit-limit') ?? '', /^\d+$/, 'X-RateLimit-Limit');
  assert.match(response.headers.get('x-ratelimit-remaining') ?? '', /^\d+$/, 'X-RateLimit-Remaining');
}

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  other = await createTenant(server);
  snap = server.client(tenant.key, { scheme: 'x-api-key' });
});
after(async () => server.close());

describe('SnapCRM POST /api/v1/leads', () => {
  it("accepts the guide's curl line with only the host changed", async () => {
    const address = email('jane-');
    const { stdout } = await run('curl', [
      '-sS',
      '-w',
      '\n%{http_code}',
      '-X',
      'POST',
      `${server.url}/api/v1/leads`,
      '-H',
      'Content-Type: application/json',
      '-H',
      `X-API-Key: ${tenant.key}`,
      '-d',
      JSON.stringify({ firstName: 'Jane', lastName: 'Smith', email: address }),
    ]);
    const [body = '', status] = stdout.split(/\n(?=\d{3}$)/);
    assert.equal(status, '201', stdout);
    const lead = JSON.parse(body);
    assert.match(lead.id, /^led_/);
    assert.equal(lead.firstName, 'Jane');
    assert.equal(lead.lastName, 'Smith');
    assert.equal(lead.email, address);
    assert.equal(lead.status, 'new');
    assert.deepEqual(lead.tags, []);
    assert.deepEqual(lead.createdBy, { id: tenant.ownerId, name: 'Olive Owner', email: tenant.ownerEmail });

    // It is a Trellis lead like any other.
    const native = await tenant.api.get(`/v1/leads/${lead.id}`);
    assert.equal(native.status, 200, native.text);
    assert.equal(native.body.data.email, address);
    assert.equal(native.body.data.created_by, tenant.ownerId);
  });

  it('takes every documented field, with the key as a Bearer token too, and answers them in camelCase', async () => {
    const tag = (await tenant.api.post('/v1/tags', { name: unique('web form ') })).body.data;
    const body = {
      firstName: 'Jane',
      lastName: unique('Smith'),
      email: email('full-'),
      phone: '+1 555-123-4567',
      company: 'Acme Inc',
      website: 'https://acme.com',
      source: 'website',
      address: '123 Main St',
      city: 'New York',
      state: 'NY',
      zipcode: '10001',
      tagId: tag.id,
    };
    const response = await server.client(tenant.key).post('/api/v1/leads', body);
    assert.equal(response.status, 201, response.text);
    assertRateLimitHeaders(response);
    const { tagId: _tag, ...echoed } = body;
    for (const [field, value] of Object.entries(echoed)) assert.equal(response.body[field], value, field);
    assert.deepEqual(
      response.body.tags.map((t: { id: string }) => t.id),
      [tag.id],
    );
    assert.ok(!Number.isNaN(Date.parse(response.body.createdAt)));

    const native = (await tenant.api.get(`/v1/leads/${response.body.id}`)).body.data;
    assert.equal(native.company_name, 'Acme Inc');
    assert.equal(native.zipcode, '10001');
    const events = await tenant.api.get(`/v1/events?record_id=${response.body.id}`);
    assert.deepEqual(
      events.body.data.map((e: { type: string }) => e.type),
      ['lead.created'],
    );
  });

  it('ignores fields SnapCRM does not document, as SnapCRM does', async () => {
    const response = await snap.post('/api/v1/leads', { firstName: 'Extra', lastName: unique('Field'), notes: 'from an old form', utm: { campaign: 'x' } });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.notes, undefined);
  });

  it('answers 400 for a missing firstName or lastName, naming it, and creates nothing', async () => {
    const lastName = unique('Nofirst');
    const missing = await snap.post('/api/v1/leads', { lastName });
    assertSnapError(missing, 400, 'validation_error');
    assert.ok(missing.body.details.firstName, missing.text);
    assertRateLimitHeaders(missing);
    assertSnapError(await snap.post('/api/v1/leads', { firstName: 'Only' }), 400, 'validation_error');
    assertSnapError(await snap.post('/api/v1/leads', { firstName: '  ', lastName: 'Blank' }), 400, 'validation_error');
    assertSnapError(await snap.post('/api/v1/leads', { firstName: 'Bad', lastName: 'Email', email: 'not-an-email' }), 400, 'validation_error');
    const found = await tenant.api.get(`/v1/leads?last_name=${lastName}`);
    assert.equal(found.body.meta.total, 0);
  });

  it('answers 400 for invalid JSON and for a tagId that is no tag of the workspace', async () => {
    assertSnapError(await snap.post('/api/v1/leads', '{"firstName": "Jane",', { 'content-type': 'application/json' }), 400, 'invalid_json');
    const form = await snap.post('/api/v1/leads', 'firstName=Jane&lastName=Form', { 'content-type': 'application/x-www-form-urlencoded' });
    assertSnapError(form, 400, 'unsupported_media_type');
    assert.match(form.body.error, /json/i);
    const theirTag = (await other.api.post('/v1/tags', { name: unique('theirs ') })).body.data;
    const response = await snap.post('/api/v1/leads', { firstName: 'Tag', lastName: unique('Less'), tagId: theirTag.id });
    assertSnapError(response, 400, 'unprocessable');
    assert.ok(response.body.details.tag_ids, response.text);
  });

  it('answers 401 without a key or with a wrong one', async () => {
    assertSnapError(await server.anonymous.post('/api/v1/leads', { firstName: 'No', lastName: 'Key' }), 401, 'unauthorized');
    assertSnapError(await server.client('trl_live_000000000000000000000000000000000000', { scheme: 'x-api-key' }).post('/api/v1/leads', { firstName: 'Bad', lastName: 'Key' }), 401, 'unauthorized');
  });

  it('answers 409 for a lead with the same email, or the same name, naming the existing lead', async () => {
    const address = email('dup-');
    const first = await snap.post('/api/v1/leads', { firstName: 'Dana', lastName: unique('Dup'), email: address });
    assert.equal(first.status, 201, first.text);
    const sameEmail = await snap.post('/api/v1/leads', { firstName: 'Other', lastName: 'Person', email: address.toUpperCase() });
    assertSnapError(sameEmail, 409, 'duplicate');
    assert.equal(sameEmail.body.details.existing_id, first.body.id);

    const lastName = unique('Named');
    const named = await snap.post('/api/v1/leads', { firstName: 'Nora', lastName, company: 'Acme' });
    assert.equal(named.status, 201, named.text);
    const sameName = await snap.post('/api/v1/leads', { firstName: 'nora', lastName, company: 'acme' });
    assertSnapError(sameName, 409, 'duplicate');
    assert.equal(sameName.body.details.existing_id, named.body.id);
  });

  it("answers 429 with Retry-After over the key's limit, with the rate-limit headers on every answer", async () => {
    const key = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 2 });
    const limited = server.client(key.secret, { scheme: 'x-api-key' });
    const remaining: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await limited.post('/api/v1/leads', { firstName: 'Rate', lastName: unique('Limited') });
      assert.equal(response.status, 201, response.text);
      assert.equal(response.headers.get('x-ratelimit-limit'), '2');
      remaining.push(response.headers.get('x-ratelimit-remaining') ?? '');
    }
    assert.deepEqual(remaining, ['1', '0']);
    const lastName = unique('Refused');
    const refused = await limited.post('/api/v1/leads', { firstName: 'Rate', lastName });
    assertSnapError(refused, 429, 'rate_limited');
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    assert.equal((await tenant.api.get(`/v1/leads?last_name=${lastName}`)).body.meta.total, 0);
  });

  it('refuses a key without leads:write (403) and keeps workspaces apart', async () => {
    const reader = await keyFor(server, tenant, { scope: 'read_only' });
    assertSnapError(await server.client(reader.secret, { scheme: 'x-api-key' }).post('/api/v1/leads', { firstName: 'Read', lastName: 'Only' }), 403, 'insufficient_scope');

    // The same person may be a lead in two workspaces: dedup is per workspace.
    const address = email('both-');
    assert.equal((await snap.post('/api/v1/leads', { firstName: 'Bo', lastName: 'Th', email: address })).status, 201);
    const theirs = await server.client(other.key, { scheme: 'x-api-key' }).post('/api/v1/leads', { firstName: 'Bo', lastName: 'Th', email: address });
    assert.equal(theirs.status, 201, theirs.text);
    assert.equal((await other.api.get(`/v1/leads?email=${encodeURIComponent(address)}`)).body.meta.total, 1);
  });
});

describe('AutomateNexus base path /functions/v1/api', () => {
  it('serves the native API there: the guide\'s GET and POST with only the host changed', async () => {
    const nexus = server.client(tenant.key);
    const address = email('nexus-');
    const created = await nexus.post('/functions/v1/api/contacts', { first_name: 'Jane', last_name: 'Smith', email: address });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.success, true);
    const id = created.body.data.id;

    const listed = await nexus.get(`/functions/v1/api/contacts?email=${encodeURIComponent(address)}`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(
      listed.body.data.map((c: { id: string }) => c.id),
      [id],
    );
    const got = await nexus.get(`/functions/v1/api/contacts/${id}`);
    assert.equal(got.status, 200, got.text);
    assert.equal(got.headers.get('etag'), '"1"');
    assert.equal((await nexus.patch(`/functions/v1/api/contacts/${id}`, { title: 'CEO' })).body.data.title, 'CEO');
    assert.equal((await tenant.api.get(`/v1/contacts/${id}`)).body.data.title, 'CEO');
  });

  it('applies the same auth, scoping and errors there', async () => {
    const response = await server.anonymous.get('/functions/v1/api/contacts');
    assert.equal(response.status, 401, response.text);
    assert.equal(response.body.error.code, 'unauthorized');
    const theirs = (await other.api.post('/v1/contacts', { first_name: 'Their', email: email('their-') })).body.data;
    const hidden = await server.client(tenant.key).get(`/functions/v1/api/contacts/${theirs.id}`);
    assert.equal(hidden.status, 404, hidden.text);
    const unknown = await server.client(tenant.key).get('/functions/v1/api/no-such-thing');
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.error.code, 'not_found');
  });
});
