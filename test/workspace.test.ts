import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, createUser, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server, { plan: 'professional', name: 'Acme Sales' });
});
after(() => server.close());

describe('workspace', () => {
  it("shows the key's workspace with its plan", async () => {
    const response = await tenant.api.get('/v1/workspace');
    assert.equal(response.status, 200);
    assert.equal(response.body.data.id, tenant.workspaceId);
    assert.equal(response.body.data.name, 'Acme Sales');
    assert.equal(response.body.data.plan, 'professional');
    assert.equal(response.headers.get('etag'), `"${response.body.data.version}"`);
  });

  it('is renamed by an owner, with If-Match honoured', async () => {
    const current = await tenant.api.get('/v1/workspace');
    const stale = await tenant.api.patch('/v1/workspace', { name: 'Nope' }, { 'if-match': `"${current.body.data.version + 5}"` });
    assert.equal(stale.status, 412);
    const renamed = await tenant.api.patch('/v1/workspace', { name: 'Acme Sales EMEA' }, { 'if-match': `"${current.body.data.version}"` });
    assert.equal(renamed.status, 200);
    assert.equal(renamed.body.data.name, 'Acme Sales EMEA');
    assert.equal(renamed.body.data.version, current.body.data.version + 1);
  });

  it('cannot have its plan changed through the API key', async () => {
    const response = await tenant.api.patch('/v1/workspace', { plan: 'enterprise' });
    assert.equal(response.status, 400);
    assert.ok(response.body.error.details.plan);
    assert.equal((await tenant.api.get('/v1/workspace')).body.data.plan, 'professional');
  });

  it('is not renamed by a member', async () => {
    const member = await createUser(tenant.api, { role: 'member' });
    const memberKey = await keyFor(server, tenant, { scope: 'full', user_id: member.id });
    const response = await memberKey.api.patch('/v1/workspace', { name: 'Mine' });
    assert.equal(response.status, 403);
    assert.equal(response.body.error.code, 'forbidden');
  });
});

describe('users', () => {
  it('creates users with a normalized, unique email', async () => {
    const email = `${unique('Sam-')}@Example.com`;
    const created = await tenant.api.post('/v1/users', { email, name: 'Sam Seller', role: 'admin' });
    assert.equal(created.status, 201);
    assert.equal(created.body.data.email, email.toLowerCase());
    assert.equal(created.body.data.role, 'admin');
    const again = await tenant.api.post('/v1/users', { email: email.toUpperCase(), name: 'Sam Again' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.details.existing_id, created.body.data.id);
  });

  it('defaults new users to member and lists them by role', async () => {
    const member = await createUser(tenant.api);
    assert.equal(member.role, 'member');
    const admins = await tenant.api.get('/v1/users?role=owner');
    assert.deepEqual(admins.body.data.map((u: { id: string }) => u.id), [tenant.ownerId]);
    const invalid = await tenant.api.get('/v1/users?role=king');
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.code, 'invalid_filter');
  });

  it('updates a user and refuses an email another user has', async () => {
    const a = await createUser(tenant.api);
    const b = await createUser(tenant.api);
    const renamed = await tenant.api.patch(`/v1/users/${a.id}`, { name: 'Alex Renamed' });
    assert.equal(renamed.body.data.name, 'Alex Renamed');
    assert.equal(renamed.body.data.version, 2);
    const taken = await tenant.api.patch(`/v1/users/${a.id}`, { email: b.email });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.details.existing_id, b.id);
  });
});

describe('operator', () => {
  it('creates a workspace whose first key works and sees only its own workspace', async () => {
    const other = await createTenant(server, { plan: 'enterprise' });
    const me = await other.api.get('/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.data.workspace.id, other.workspaceId);
    assert.notEqual(other.workspaceId, tenant.workspaceId);
    assert.equal(me.body.data.rate_limit.limit_per_minute, 500);
    assert.equal(me.body.data.rate_limit.burst, 1000);
  });
});
