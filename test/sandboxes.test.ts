/**
 * Sandboxes: an isolated copy of a workspace's set-up with a trl_test_ key.
 * A sandbox key never reaches the parent's records and the parent's keys never
 * reach the sandbox's, on the REST API, the AutomateNexus base path and the
 * SnapCRM intake; events stay where they happened; deleting a sandbox takes
 * its data and keys with it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertNotFound, total } from './helpers/assertions.js';
import { basicAuth, rpcClient } from './helpers/jsonrpc.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

async function createSandbox(api: ApiClient, body: Record<string, unknown> = {}) {
  const response = await api.post('/v1/sandboxes', body);
  assert.equal(response.status, 201, response.text);
  return { sandbox: response.body.data.sandbox, key: response.body.data.api_key, api: server.client(response.body.data.api_key.secret) };
}

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  other = await createTenant(server);
});
after(async () => server.close());

describe('creating a sandbox', () => {
  it("copies the workspace's users, tags, pipelines and stages, not its records, and gives a trl_test_ key", async () => {
    const member = await createUser(tenant.api, { role: 'member' });
    const tag = (await tenant.api.post('/v1/tags', { name: unique('vip '), color: '#ff0000' })).body.data;
    await createContact(tenant.api);
    const { sandbox, key, api } = await createSandbox(tenant.api, { name: 'Integration tests' });

    assert.match(sandbox.id, /^wsp_/);
    assert.notEqual(sandbox.id, tenant.workspaceId);
    assert.equal(sandbox.name, 'Integration tests');
    assert.equal(sandbox.parent_workspace_id, tenant.workspaceId);
    assert.match(key.secret, /^trl_test_[A-Za-z0-9]{32,}$/);
    assert.equal(key.scope, 'full');

    const me = await api.get('/v1/me');
    assert.equal(me.status, 200, me.text);
    const workspace = await api.get('/v1/workspace');
    assert.equal(workspace.body.data.id, sandbox.id);
    assert.equal(workspace.body.data.parent_workspace_id, tenant.workspaceId);

    const users = (await api.get('/v1/users?limit=100')).body.data;
    assert.deepEqual(users.map((u: { email: string }) => u.email).sort(), [tenant.ownerEmail, member.email].sort());
    assert.ok(users.every((u: { id: string }) => u.id !== member.id && u.id !== tenant.ownerId), 'copies have ids of their own');

    const tags = (await api.get('/v1/tags')).body.data;
    assert.deepEqual(
      tags.map((t: { name: string; color: string }) => [t.name, t.color]),
      [[tag.name, '#ff0000']],
    );
    assert.notEqual(tags[0].id, tag.id);

    const theirs = (await tenant.api.get('/v1/pipelines')).body.data;
    const ours = (await api.get('/v1/pipelines')).body.data;
    const shape = (pipelines: any[]) => pipelines.map((p) => [p.name, p.is_default, p.stages.map((s: any) => [s.name, s.position, s.probability, s.type])]);
    assert.deepEqual(shape(ours), shape(theirs));
    assert.notEqual(ours[0].id, theirs[0].id);

    assert.equal(await total(api, '/v1/contacts'), 0, 'no records are copied');
  });

  it('fills a sample data set on request, made as a client would make it (with its events)', async () => {
    const { api } = await createSandbox(tenant.api, { sample_data: true });
    assert.equal(await total(api, '/v1/companies'), 3);
    assert.equal(await total(api, '/v1/contacts'), 5);
    assert.equal(await total(api, '/v1/deals'), 3);
    assert.equal(await total(api, '/v1/deals?status=won'), 1);
    assert.equal(await total(api, '/v1/leads'), 2);
    assert.equal(await total(api, '/v1/activities'), 3);
    assert.equal(await total(api, '/v1/tasks'), 3);
    assert.equal(await total(api, '/v1/events?type=contact.created'), 5);
    assert.equal(await total(api, '/v1/events?type=deal.won'), 1);
  });

  it('is for owners and admins with a full key; a sandbox cannot have sandboxes', async () => {
    const reader = await keyFor(server, tenant, { scope: 'read_only' });
    assert.equal((await reader.api.post('/v1/sandboxes', {})).status, 403);
    const member = await createUser(tenant.api, { role: 'member' });
    const memberKey = await keyFor(server, tenant, { scope: 'full', user_id: member.id });
    assert.equal((await memberKey.api.post('/v1/sandboxes', {})).status, 403);

    const { api } = await createSandbox(tenant.api);
    const nested = await api.post('/v1/sandboxes', {});
    assert.equal(nested.status, 422, nested.text);
    assert.equal(nested.body.error.code, 'unprocessable');
  });

  it('lists and gets only this workspace\'s sandboxes', async () => {
    const mine = await createSandbox(tenant.api, { name: unique('listed ') });
    const theirs = await createSandbox(other.api);
    const listed = (await tenant.api.get('/v1/sandboxes')).body.data.map((s: { id: string }) => s.id);
    assert.ok(listed.includes(mine.sandbox.id));
    assert.ok(!listed.includes(theirs.sandbox.id));
    assert.equal((await tenant.api.get(`/v1/sandboxes/${mine.sandbox.id}`)).body.data.name, mine.sandbox.name);
    assertNotFound(await tenant.api.get(`/v1/sandboxes/${theirs.sandbox.id}`), 'their sandbox');
    assertNotFound(await tenant.api.delete(`/v1/sandboxes/${theirs.sandbox.id}`), 'their sandbox');
    assertNotFound(await tenant.api.get(`/v1/sandboxes/${tenant.workspaceId}`), 'the workspace itself is no sandbox');
  });
});

describe('isolation between a sandbox and its workspace', () => {
  let sandboxApi: ApiClient;
  let sandboxKey: string;
  let parentContact: any;
  let sandboxContact: any;
  let parentCompany: any;

  before(async () => {
    const created = await createSandbox(tenant.api);
    sandboxApi = created.api;
    sandboxKey = created.key.secret;
    parentContact = await createContact(tenant.api);
    parentCompany = await createCompany(tenant.api);
    sandboxContact = await createContact(sandboxApi);
  });

  it("refuses a sandbox key the parent's records as not found, on every REST verb and on the AutomateNexus path", async () => {
    assertNotFound(await sandboxApi.get(`/v1/contacts/${parentContact.id}`), 'get');
    assertNotFound(await sandboxApi.patch(`/v1/contacts/${parentContact.id}`, { title: 'Hacked' }), 'patch');
    assertNotFound(await sandboxApi.delete(`/v1/contacts/${parentContact.id}`), 'delete');
    assertNotFound(await sandboxApi.get(`/functions/v1/api/contacts/${parentContact.id}`), 'base path');
    assertNotFound(await sandboxApi.get(`/v1/companies/${parentCompany.id}/contacts`), 'company contacts');
    const linked = await sandboxApi.post('/v1/contacts', { first_name: 'Link', company_id: parentCompany.id });
    assert.equal(linked.status, 422, linked.text);
    const ids = (await sandboxApi.get('/v1/contacts?limit=100')).body.data.map((c: { id: string }) => c.id);
    assert.deepEqual(ids, [sandboxContact.id]);
    assert.equal((await tenant.api.get(`/v1/contacts/${parentContact.id}`)).body.data.title, parentContact.title, 'the parent record is untouched');
  });

  it("refuses the parent's keys the sandbox's records as not found", async () => {
    assertNotFound(await tenant.api.get(`/v1/contacts/${sandboxContact.id}`), 'get');
    assertNotFound(await tenant.api.patch(`/v1/contacts/${sandboxContact.id}`, { title: 'Leak' }), 'patch');
    assertNotFound(await tenant.api.delete(`/v1/contacts/${sandboxContact.id}`), 'delete');
    const stage = (await sandboxApi.get('/v1/pipelines')).body.data[0].stages[0];
    const deal = await tenant.api.post('/v1/deals', { name: 'Cross', stage_id: stage.id });
    assert.equal(deal.status, 422, deal.text);
    assert.ok(!(await tenant.api.get('/v1/contacts?limit=100')).body.data.some((c: { id: string }) => c.id === sandboxContact.id));
  });

  it('refuses the other side\'s ids as not found on the JSON-RPC door, both ways', async () => {
    const sandboxOwner = (await sandboxApi.get('/v1/me')).body.data.user.email as string;
    const fromSandbox = rpcClient(server.url, basicAuth(sandboxOwner, sandboxKey));
    const fromParent = rpcClient(server.url, basicAuth(tenant.ownerEmail, tenant.key));
    for (const [client, id] of [
      [fromSandbox, parentContact.id],
      [fromParent, sandboxContact.id],
    ] as const) {
      const got = await client.call('getContact', [id]);
      assert.equal(got.status, 404, got.text);
      assert.equal(got.body.error.code, 404);
      const edited = await client.call('editContact', { contactId: id, rev: 'REV_IGNORE', contact: { name: 'Crossed Over' } });
      assert.equal(edited.status, 404, edited.text);
      const deleted = await client.call('deleteContact', { contactId: id, rev: 'REV_IGNORE' });
      assert.equal(deleted.status, 404, deleted.text);
    }
    const found = await fromSandbox.call('findContacts', { query: {}, limit: 100 });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(
      found.body.result.map((c: { id: string }) => c.id),
      [sandboxContact.id],
    );
    assert.equal((await tenant.api.get(`/v1/contacts/${parentContact.id}`)).body.data.version, parentContact.version, 'the parent record is untouched');
  });

  it("refuses a parent's tag on the sandbox's SnapCRM intake, and the reverse", async () => {
    const parentTag = (await tenant.api.post('/v1/tags', { name: unique('parent only ') })).body.data;
    const sandboxTag = (await sandboxApi.post('/v1/tags', { name: unique('sandbox only ') })).body.data;
    const intoSandbox = await server.client(sandboxKey, { scheme: 'x-api-key' }).post('/api/v1/leads', { firstName: 'Tag', lastName: unique('Cross'), tagId: parentTag.id });
    assert.equal(intoSandbox.status, 400, intoSandbox.text);
    const intoParent = await server.client(tenant.key, { scheme: 'x-api-key' }).post('/api/v1/leads', { firstName: 'Tag', lastName: unique('Cross'), tagId: sandboxTag.id });
    assert.equal(intoParent.status, 400, intoParent.text);
  });

  it('keeps dedup, the SnapCRM intake and events per workspace', async () => {
    // The parent's contact's address is free in the sandbox, and the reverse.
    const copy = await sandboxApi.post('/v1/contacts', { first_name: 'Twin', email: parentContact.email });
    assert.equal(copy.status, 201, copy.text);

    const email = `${unique('intake-')}@example.com`;
    const snap = server.client(sandboxKey, { scheme: 'x-api-key' });
    const lead = await snap.post('/api/v1/leads', { firstName: 'Sandy', lastName: 'Box', email });
    assert.equal(lead.status, 201, lead.text);
    assert.equal(await total(tenant.api, `/v1/leads?email=${encodeURIComponent(email)}`), 0);
    assertNotFound(await tenant.api.get(`/v1/leads/${lead.body.id}`), 'sandbox lead');
    assert.equal((await server.client(tenant.key, { scheme: 'x-api-key' }).post('/api/v1/leads', { firstName: 'Sandy', lastName: 'Box', email })).status, 201);

    const sandboxEvents = (await sandboxApi.get('/v1/events?limit=100')).body.data.map((e: { data: { object: { id: string } } }) => e.data.object.id);
    assert.ok(sandboxEvents.includes(lead.body.id));
    assert.ok(!sandboxEvents.includes(parentContact.id));
    const parentEvents = (await tenant.api.get('/v1/events?limit=100&type[starts_with]=lead.')).body.data.map((e: { data: { object: { id: string } } }) => e.data.object.id);
    assert.ok(!parentEvents.includes(lead.body.id));
  });
});

describe('deleting a sandbox', () => {
  it('removes its data and its keys at once, and leaves the workspace alone', async () => {
    const { sandbox, api } = await createSandbox(tenant.api, { sample_data: true });
    const before = await total(tenant.api, '/v1/contacts');
    const deleted = await tenant.api.delete(`/v1/sandboxes/${sandbox.id}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.body.data, { id: sandbox.id, deleted: true });
    const refused = await api.get('/v1/contacts');
    assert.equal(refused.status, 401, refused.text);
    assertNotFound(await tenant.api.get(`/v1/sandboxes/${sandbox.id}`), 'deleted sandbox');
    assert.equal(await total(tenant.api, '/v1/contacts'), before);
    assert.equal((await tenant.api.get('/v1/workspace')).status, 200);
  });
});
