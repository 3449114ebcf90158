import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, type Tenant } from './helpers/factories.js';
import { OPERATOR_TOKEN, startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

const KEY_SHAPE = /^trl_live_[A-Za-z0-9]{32,}$/;
const randomKey = () => `trl_live_${'A1b2C3d4'.repeat(5)}`;

function assertError(response: ApiResponse, status: number, code: string): void {
  assert.equal(response.status, status, response.text);
  assert.equal(response.body?.success, false, response.text);
  assert.equal(response.body.error.code, code, response.text);
  assert.equal(typeof response.body.error.message, 'string');
  assert.match(response.body.meta.request_id, /^req_/);
}

describe('presenting a key', () => {
  it('accepts the key as an Authorization: Bearer token', async () => {
    const response = await server.client(tenant.key, { scheme: 'bearer' }).get('/v1/me');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.user.id, tenant.ownerId);
    assert.equal(response.body.data.workspace.id, tenant.workspaceId);
  });

  it('accepts the key in an X-API-Key header', async () => {
    const response = await server.client(tenant.key, { scheme: 'x-api-key' }).get('/v1/me');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.api_key.id, tenant.keyId);
  });

  it("accepts HTTP Basic with the key's user email as user name, in any letter case", async () => {
    for (const email of [tenant.ownerEmail, tenant.ownerEmail.toUpperCase()]) {
      const response = await server.client(tenant.key, { scheme: 'basic', email }).get('/v1/me');
      assert.equal(response.status, 200, `${email}: ${response.text}`);
      assert.equal(response.body.data.user.id, tenant.ownerId);
    }
  });

  it("refuses HTTP Basic naming another user's email", async () => {
    const other = await createUser(tenant.api, { role: 'admin' });
    for (const email of [other.email, 'nobody@example.com', '']) {
      assertError(await server.client(tenant.key, { scheme: 'basic', email }).get('/v1/contacts'), 401, 'unauthorized');
    }
  });

  it('refuses a request without a key with 401 unauthorized', async () => {
    assertError(await server.anonymous.get('/v1/contacts'), 401, 'unauthorized');
    assertError(await server.anonymous.post('/v1/contacts', { first_name: 'Anon' }), 401, 'unauthorized');
  });

  it('refuses a malformed key with 401 unauthorized', async () => {
    const malformed: Record<string, string>[] = [
      { authorization: 'Bearer not-a-key' },
      { authorization: 'Bearer trl_live_short' },
      { authorization: `Bearer ${tenant.key}!` },
      { authorization: 'Bearer ' },
      { authorization: `Basic ${Buffer.from('no-colon-here').toString('base64')}` },
      { 'x-api-key': 'garbage' },
    ];
    for (const headers of malformed) {
      assertError(await server.anonymous.get('/v1/contacts', headers), 401, 'unauthorized');
    }
  });

  it('refuses a well-formed key that was never issued with 401 unauthorized', async () => {
    assertError(await server.client(randomKey()).get('/v1/contacts'), 401, 'unauthorized');
    assertError(await server.client(randomKey(), { scheme: 'x-api-key' }).get('/v1/contacts'), 401, 'unauthorized');
    assertError(await server.client(tenant.key.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))).get('/v1/contacts'), 401, 'unauthorized');
  });
});

describe('issuing keys', () => {
  it('shows the secret once, at creation, and never again', async () => {
    const created = await tenant.api.post('/v1/api-keys', { name: 'Zapier', scope: 'full' });
    assert.equal(created.status, 201, created.text);
    const key = created.body.data;
    assert.match(key.id, /^key_/);
    assert.match(key.secret, KEY_SHAPE);
    assert.ok(key.prefix.startsWith('trl_live_'), key.prefix);
    assert.ok(key.prefix.length < key.secret.length);
    assert.equal(key.secret.slice(0, key.prefix.length), key.prefix);
    assert.equal(key.user_id, tenant.ownerId);
    assert.equal(key.revoked, false);

    // The issued secret works.
    assert.equal((await server.client(key.secret).get('/v1/contacts')).status, 200);

    const hash = createHash('sha256').update(key.secret).digest('hex');
    const fetched = await tenant.api.get(`/v1/api-keys/${key.id}`);
    assert.equal(fetched.status, 200, fetched.text);
    assert.equal(fetched.body.data.id, key.id);
    assert.equal(fetched.body.data.prefix, key.prefix);
    assert.equal('secret' in fetched.body.data, false);
    assert.ok(!Object.keys(fetched.body.data).some((field) => /hash|secret/.test(field)), Object.keys(fetched.body.data).join(','));
    assert.ok(!fetched.text.includes(key.secret));
    assert.ok(!fetched.text.includes(hash));

    const listed = await tenant.api.get('/v1/api-keys?limit=100');
    assert.equal(listed.status, 200, listed.text);
    const row = listed.body.data.find((k: { id: string }) => k.id === key.id);
    assert.ok(row, 'the new key is listed');
    for (const k of listed.body.data) {
      assert.ok(!Object.keys(k).some((field) => /hash|secret/.test(field)), Object.keys(k).join(','));
    }
    assert.ok(!listed.text.includes(key.secret));
    assert.ok(!listed.text.includes(hash));
    assert.ok(!listed.text.includes(tenant.key));
  });

  it('issues a different secret each time', async () => {
    const a = await keyFor(server, tenant, { scope: 'full' });
    const b = await keyFor(server, tenant, { scope: 'full' });
    assert.notEqual(a.secret, b.secret);
    assert.notEqual(a.id, b.id);
  });
});

describe('revoking keys', () => {
  it('refuses a revoked key on its very next request, and revoking twice is harmless', async () => {
    const key = await keyFor(server, tenant, { scope: 'full' });
    assert.equal((await key.api.get('/v1/contacts')).status, 200);

    const revoked = await tenant.api.delete(`/v1/api-keys/${key.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(revoked.body.data.id, key.id);
    assert.equal(revoked.body.data.revoked, true);
    assert.match(revoked.body.data.revoked_at, /^\d{4}-\d{2}-\d{2}T/);

    assertError(await key.api.get('/v1/contacts'), 401, 'unauthorized');
    assertError(await server.client(key.secret, { scheme: 'x-api-key' }).get('/v1/me'), 401, 'unauthorized');

    const again = await tenant.api.delete(`/v1/api-keys/${key.id}`);
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.data.revoked, true);
    assert.equal(again.body.data.revoked_at, revoked.body.data.revoked_at);
    assert.equal(again.body.data.version, revoked.body.data.version);
    assertError(await key.api.get('/v1/contacts'), 401, 'unauthorized');

    const fetched = await tenant.api.get(`/v1/api-keys/${key.id}`);
    assert.equal(fetched.body.data.revoked, true);
    // The owner's own key is untouched.
    assert.equal((await tenant.api.get('/v1/contacts')).status, 200);
  });

  it('answers 404 when revoking a key that does not exist', async () => {
    assertError(await tenant.api.delete('/v1/api-keys/key_01M807GFFF8MEEXBKKKVK895SP'), 404, 'not_found');
  });
});

describe('key expiry', () => {
  it('accepts a key until its expires_at and refuses it afterwards', async () => {
    const expiresAt = Date.now() + 1500;
    const key = await keyFor(server, tenant, { scope: 'full', expires_at: new Date(expiresAt).toISOString() });
    const fetched = await tenant.api.get(`/v1/api-keys/${key.id}`);
    assert.equal(fetched.body.data.expires_at, new Date(expiresAt).toISOString());

    assert.equal((await key.api.get('/v1/contacts')).status, 200);
    await sleep(Math.max(0, expiresAt - Date.now()) + 250);
    assertError(await key.api.get('/v1/contacts'), 401, 'unauthorized');
    assertError(await key.api.get('/v1/me'), 401, 'unauthorized');
  });

  it('refuses to issue a key that has already expired', async () => {
    const past = await tenant.api.post('/v1/api-keys', { name: 'Old', scope: 'full', expires_at: new Date(Date.now() - 60_000).toISOString() });
    assertError(past, 400, 'validation_error');
    assert.ok(past.body.error.details.expires_at, past.text);

    const garbage = await tenant.api.post('/v1/api-keys', { name: 'Bad', scope: 'full', expires_at: 'tomorrow' });
    assertError(garbage, 400, 'validation_error');
  });
});

describe('last use of a key', () => {
  it('records last_used_at once the key has been used', async () => {
    const key = await keyFor(server, tenant, { scope: 'read_only' });
    const before = await tenant.api.get(`/v1/api-keys/${key.id}`);
    assert.equal(before.body.data.last_used_at, null);

    const usedFrom = Date.now();
    assert.equal((await key.api.get('/v1/contacts')).status, 200);
    const usedUntil = Date.now();

    const pending = await tenant.api.get(`/v1/api-keys/${key.id}`);
    assert.notEqual(pending.body.data.last_used_at, null, pending.text);

    await sleep(500); // past at least one flush
    const flushed = await tenant.api.get(`/v1/api-keys/${key.id}`);
    const at = Date.parse(flushed.body.data.last_used_at);
    assert.ok(at >= usedFrom - 1000 && at <= usedUntil + 1000, flushed.body.data.last_used_at);
    const listed = await tenant.api.get(`/v1/api-keys?limit=100`);
    const row = listed.body.data.find((k: { id: string }) => k.id === key.id);
    assert.equal(row.last_used_at, flushed.body.data.last_used_at);
  });
});

describe('scopes', () => {
  it('lets a read_only key read but not write', async () => {
    const contact = await createContact(tenant.api, { title: 'CEO' });
    const company = await createCompany(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'read_only' });

    assert.equal((await key.api.get('/v1/contacts')).status, 200);
    assert.equal((await key.api.get(`/v1/contacts/${contact.id}`)).status, 200);
    assert.equal((await key.api.get('/v1/companies')).status, 200);
    assert.equal((await key.api.get(`/v1/companies/${company.id}`)).status, 200);

    const email = `${unique('ro-')}@example.com`;
    assertError(await key.api.post('/v1/contacts', { first_name: 'No', email }), 403, 'insufficient_scope');
    assertError(await key.api.patch(`/v1/contacts/${contact.id}`, { title: 'CFO' }), 403, 'insufficient_scope');
    assertError(await key.api.delete(`/v1/contacts/${contact.id}`), 403, 'insufficient_scope');
    assertError(await key.api.post('/v1/companies', { name: 'Nope' }), 403, 'insufficient_scope');
    assertError(await key.api.patch(`/v1/companies/${company.id}`, { name: 'Renamed' }), 403, 'insufficient_scope');
    assertError(await key.api.delete(`/v1/companies/${company.id}`), 403, 'insufficient_scope');

    // Nothing was written.
    const after = await tenant.api.get(`/v1/contacts/${contact.id}`);
    assert.equal(after.body.data.title, 'CEO');
    assert.equal(after.body.data.version, 1);
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).body.data.version, 1);
    assert.equal((await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`)).body.meta.total, 0);
  });

  it('lets a custom key do exactly what its grants say', async () => {
    const contact = await createContact(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read', 'companies:write'] });
    const fetched = await tenant.api.get(`/v1/api-keys/${key.id}`);
    assert.equal(fetched.body.data.scope, 'custom');
    assert.deepEqual([...fetched.body.data.grants].sort(), ['companies:write', 'contacts:read']);

    // contacts:read
    assert.equal((await key.api.get('/v1/contacts')).status, 200);
    assert.equal((await key.api.get(`/v1/contacts/${contact.id}`)).status, 200);
    assertError(await key.api.post('/v1/contacts', { first_name: 'No' }), 403, 'insufficient_scope');
    assertError(await key.api.patch(`/v1/contacts/${contact.id}`, { title: 'X' }), 403, 'insufficient_scope');
    assertError(await key.api.delete(`/v1/contacts/${contact.id}`), 403, 'insufficient_scope');

    // companies:write, which includes reading them
    const created = await key.api.post('/v1/companies', { name: 'Granted Co' });
    assert.equal(created.status, 201, created.text);
    const read = await key.api.get(`/v1/companies/${created.body.data.id}`);
    assert.equal(read.status, 200);
    assert.equal(read.body.data.name, 'Granted Co');
    assert.equal((await key.api.get('/v1/companies')).status, 200);
    const patched = await key.api.patch(`/v1/companies/${created.body.data.id}`, { industry: 'Software' });
    assert.equal(patched.status, 200, patched.text);

    // no users grant
    assertError(await key.api.get('/v1/users'), 403, 'insufficient_scope');
    assertError(await key.api.get(`/v1/users/${tenant.ownerId}`), 403, 'insufficient_scope');
    // and no key management
    assert.equal((await key.api.post('/v1/api-keys', { name: 'x', scope: 'full' })).status, 403);
  });

  it('refuses a custom key without grants', async () => {
    for (const body of [{ scope: 'custom' }, { scope: 'custom', grants: [] }]) {
      const response = await tenant.api.post('/v1/api-keys', { name: 'Empty', ...body });
      assertError(response, 400, 'validation_error');
      assert.ok(response.body.error.details.grants, response.text);
    }
  });

  it('refuses grants on a key whose scope is not custom', async () => {
    for (const scope of ['full', 'read_only']) {
      const response = await tenant.api.post('/v1/api-keys', { name: 'Mixed', scope, grants: ['contacts:read'] });
      assertError(response, 400, 'validation_error');
      assert.ok(response.body.error.details.grants, response.text);
    }
  });

  it('refuses unknown grants and scopes', async () => {
    for (const grants of [['invoices:read'], ['contacts:delete'], ['contacts:read', 'contacts'], ['*']]) {
      const response = await tenant.api.post('/v1/api-keys', { name: 'Odd', scope: 'custom', grants });
      assertError(response, 400, 'validation_error');
    }
    assertError(await tenant.api.post('/v1/api-keys', { name: 'Odd', scope: 'admin' }), 400, 'validation_error');
    assertError(await tenant.api.post('/v1/api-keys', { name: 'Odd' }), 400, 'validation_error');
  });
});

describe('who may manage users and keys', () => {
  let admin: { id: string; email: string; api: Tenant['api'] };

  before(async () => {
    const user = await createUser(tenant.api, { role: 'admin' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: user.id });
    admin = { id: user.id, email: user.email, api: key.api };
  });

  it("forbids a member's full key to manage keys or users", async () => {
    const member = await createUser(tenant.api, { role: 'member' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: member.id });
    // The key is good for records…
    assert.equal((await key.api.get('/v1/contacts')).status, 200);
    assert.equal((await key.api.post('/v1/contacts', { first_name: 'Member made' })).status, 201);
    // …but not for keys and users.
    assertError(await key.api.post('/v1/api-keys', { name: 'Mine', scope: 'full' }), 403, 'forbidden');
    const email = `${unique('by-member-')}@example.com`;
    assertError(await key.api.post('/v1/users', { email, name: 'Sneaky', role: 'admin' }), 403, 'forbidden');
    assertError(await key.api.patch(`/v1/users/${member.id}`, { role: 'admin' }), 403, 'forbidden');
    assertError(await key.api.delete(`/v1/api-keys/${tenant.keyId}`), 403, 'forbidden');
    assert.equal((await key.api.get('/v1/api-keys')).status, 403);

    assert.equal((await tenant.api.get(`/v1/users?email=${encodeURIComponent(email)}`)).body.meta.total, 0);
    assert.equal((await tenant.api.get(`/v1/users/${member.id}`)).body.data.role, 'member');
    assert.equal((await tenant.api.get('/v1/contacts')).status, 200, "the owner's key still works");
  });

  it("forbids an owner's read_only key to manage keys or users", async () => {
    const key = await keyFor(server, tenant, { scope: 'read_only' });
    assertError(await key.api.post('/v1/api-keys', { name: 'Escalate', scope: 'full' }), 403, 'insufficient_scope');
    assertError(await key.api.post('/v1/users', { email: `${unique('ro-')}@example.com`, name: 'Nope' }), 403, 'insufficient_scope');
    assertError(await key.api.delete(`/v1/api-keys/${tenant.keyId}`), 403, 'insufficient_scope');
    assert.equal((await tenant.api.get('/v1/contacts')).status, 200);
  });

  it('lets an admin manage members', async () => {
    const created = await admin.api.post('/v1/users', { email: `${unique('m-')}@example.com`, name: 'New Member' });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.data.role, 'member');
    const key = await admin.api.post('/v1/api-keys', { name: 'For member', scope: 'read_only', user_id: created.body.data.id });
    assert.equal(key.status, 201, key.text);
  });

  it('forbids an admin to make an owner', async () => {
    const email = `${unique('wannabe-')}@example.com`;
    assertError(await admin.api.post('/v1/users', { email, name: 'Wannabe', role: 'owner' }), 403, 'forbidden');
    assert.equal((await tenant.api.get(`/v1/users?email=${encodeURIComponent(email)}`)).body.meta.total, 0);

    const member = await createUser(tenant.api);
    assertError(await admin.api.patch(`/v1/users/${member.id}`, { role: 'owner' }), 403, 'forbidden');
    assertError(await admin.api.patch(`/v1/users/${admin.id}`, { role: 'owner' }), 403, 'forbidden');
    assert.equal((await tenant.api.get(`/v1/users/${member.id}`)).body.data.role, 'member');
    assert.equal((await tenant.api.get(`/v1/users/${admin.id}`)).body.data.role, 'admin');
  });

  it('forbids an admin to change or delete an owner', async () => {
    const before = (await tenant.api.get(`/v1/users/${tenant.ownerId}`)).body.data;
    assertError(await admin.api.patch(`/v1/users/${tenant.ownerId}`, { name: 'Renamed by admin' }), 403, 'forbidden');
    assertError(await admin.api.patch(`/v1/users/${tenant.ownerId}`, { role: 'member' }), 403, 'forbidden');
    assertError(await admin.api.delete(`/v1/users/${tenant.ownerId}`), 403, 'forbidden');
    const after = await tenant.api.get(`/v1/users/${tenant.ownerId}`);
    assert.equal(after.status, 200);
    assert.deepEqual(after.body.data, before);
    assert.equal((await tenant.api.get('/v1/contacts')).status, 200, "the owner's key still works");
  });

  it('forbids an admin to issue a key acting as an owner', async () => {
    const response = await admin.api.post('/v1/api-keys', { name: 'Owner impersonation', scope: 'full', user_id: tenant.ownerId });
    if (response.status === 201) {
      // Do not leave an owner's key in an admin's hands for the tests that follow.
      await tenant.api.delete(`/v1/api-keys/${response.body.data.id}`);
    }
    // With such a key the admin could change owners, which the rules above forbid.
    assertError(response, 403, 'forbidden');
    const ownersKeys = await tenant.api.get(`/v1/api-keys?user_id=${tenant.ownerId}&revoked_at[exists]=false&limit=100`);
    assert.ok(!ownersKeys.body.data.some((k: { name: string }) => k.name === 'Owner impersonation'));
  });

  it("forbids an admin to revoke an owner's key", async () => {
    const response = await admin.api.delete(`/v1/api-keys/${tenant.keyId}`);
    assertError(response, 403, 'forbidden');
    assert.equal((await tenant.api.get('/v1/me')).status, 200);
  });
});

describe('owners', () => {
  let own: Tenant;
  before(async () => {
    own = await createTenant(server);
  });

  it('refuses to demote or delete the last owner', async () => {
    const demote = await own.api.patch(`/v1/users/${own.ownerId}`, { role: 'admin' });
    assertError(demote, 422, 'unprocessable');
    const remove = await own.api.delete(`/v1/users/${own.ownerId}`);
    assertError(remove, 422, 'unprocessable');
    const owner = await own.api.get(`/v1/users/${own.ownerId}`);
    assert.equal(owner.body.data.role, 'owner');
    assert.equal(owner.body.data.version, 1);
    assert.equal((await own.api.get('/v1/me')).status, 200);
  });

  it('lets an owner step down once there is another owner', async () => {
    const second = await createUser(own.api, { role: 'owner' });
    const key = await keyFor(server, own, { scope: 'full', user_id: second.id });
    const demote = await key.api.patch(`/v1/users/${own.ownerId}`, { role: 'admin' });
    assert.equal(demote.status, 200, demote.text);
    assert.equal(demote.body.data.role, 'admin');
    // Now the second owner is the last one.
    assertError(await key.api.delete(`/v1/users/${second.id}`), 422, 'unprocessable');
    assertError(await own.api.patch(`/v1/users/${second.id}`, { role: 'member' }), 403, 'forbidden');
  });
});

describe('deleting a user', () => {
  it("removes the user's keys and leaves their records without an owner", async () => {
    const user = await createUser(tenant.api, { role: 'admin' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: user.id });
    const contact = await createContact(tenant.api, { owner_id: user.id });
    const company = await createCompany(tenant.api, { owner_id: user.id });
    const untouched = await createContact(tenant.api, { owner_id: tenant.ownerId });
    assert.equal((await key.api.get('/v1/me')).status, 200);

    const deleted = await tenant.api.delete(`/v1/users/${user.id}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.body.data, { id: user.id, deleted: true });

    assertError(await key.api.get('/v1/me'), 401, 'unauthorized');
    assertError(await key.api.get('/v1/contacts'), 401, 'unauthorized');
    assertError(await tenant.api.get(`/v1/users/${user.id}`), 404, 'not_found');
    assertError(await tenant.api.get(`/v1/api-keys/${key.id}`), 404, 'not_found');
    const keys = await tenant.api.get(`/v1/api-keys?user_id=${user.id}`);
    assert.equal(keys.body.meta.total, 0, keys.text);

    const c = (await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data;
    assert.equal(c.owner_id, null);
    assert.equal(c.version, contact.version + 1);
    assert.ok(c.updated_at > contact.updated_at);
    const m = (await tenant.api.get(`/v1/companies/${company.id}`)).body.data;
    assert.equal(m.owner_id, null);
    assert.equal(m.version, company.version + 1);
    const u = (await tenant.api.get(`/v1/contacts/${untouched.id}`)).body.data;
    assert.equal(u.owner_id, tenant.ownerId);
    assert.equal(u.version, 1);

    // The email is free again.
    assert.equal((await tenant.api.post('/v1/users', { email: user.email, name: 'Again' })).status, 201);
  });
});

describe('GET /v1/me', () => {
  it("describes the key's user, workspace, scope and rate limit", async () => {
    const response = await tenant.api.get('/v1/me');
    assert.equal(response.status, 200, response.text);
    const me = response.body.data;
    assert.equal(me.user.id, tenant.ownerId);
    assert.equal(me.user.email, tenant.ownerEmail);
    assert.equal(me.user.role, 'owner');
    assert.equal(me.workspace.id, tenant.workspaceId);
    assert.equal(me.api_key.id, tenant.keyId);
    assert.equal(me.api_key.scope, 'full');
    assert.deepEqual(me.api_key.grants, []);
    assert.equal('secret' in me.api_key, false);
    assert.ok(!response.text.includes(tenant.key));
    assert.equal(me.rate_limit.limit_per_minute, server.config.rateLimit.perMinute);
  });

  it('answers a custom key that has no users grant', async () => {
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read'], rate_limit_per_minute: 42 });
    const response = await key.api.get('/v1/me');
    assert.equal(response.status, 200, response.text);
    const me = response.body.data;
    assert.equal(me.user.id, tenant.ownerId);
    assert.equal(me.workspace.id, tenant.workspaceId);
    assert.equal(me.api_key.id, key.id);
    assert.equal(me.api_key.scope, 'custom');
    assert.deepEqual(me.api_key.grants, ['contacts:read']);
    assert.equal(me.rate_limit.limit_per_minute, 42);
  });

  it('describes a member key as that member', async () => {
    const member = await createUser(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'read_only', user_id: member.id });
    const me = (await key.api.get('/v1/me')).body.data;
    assert.equal(me.user.id, member.id);
    assert.equal(me.user.role, 'member');
    assert.equal(me.api_key.scope, 'read_only');
  });
});

describe('rate limits', () => {
  const limitHeaders = (response: ApiResponse) => ({
    limit: response.headers.get('x-ratelimit-limit'),
    remaining: response.headers.get('x-ratelimit-remaining'),
    reset: response.headers.get('x-ratelimit-reset'),
  });

  it('refuses a key over its limit with 429 rate_limited and Retry-After', async () => {
    const key = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 3 });
    const remaining: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await key.api.get('/v1/contacts');
      assert.equal(response.status, 200, `request ${i + 1}: ${response.text}`);
      assert.equal(response.headers.get('x-ratelimit-limit'), '3');
      remaining.push(Number(response.headers.get('x-ratelimit-remaining')));
    }
    assert.deepEqual(remaining, [2, 1, 0]);

    const refused = await key.api.get('/v1/contacts');
    assertError(refused, 429, 'rate_limited');
    const retryAfter = refused.headers.get('retry-after');
    assert.match(retryAfter ?? '', /^\d+$/, `Retry-After: ${retryAfter}`);
    assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After: ${retryAfter}`);
    assert.equal(refused.headers.get('x-ratelimit-limit'), '3');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');

    // A refused write is not carried out.
    const email = `${unique('limited-')}@example.com`;
    assertError(await key.api.post('/v1/contacts', { email }), 429, 'rate_limited');
    assert.equal((await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`)).body.meta.total, 0);
  });

  it("does not let one key's exhaustion limit another key of the workspace", async () => {
    const first = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 1 });
    const second = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 1 });
    assert.equal((await first.api.get('/v1/contacts')).status, 200);
    assertError(await first.api.get('/v1/contacts'), 429, 'rate_limited');
    const other = await second.api.get('/v1/contacts');
    assert.equal(other.status, 200, other.text);
    assert.equal((await tenant.api.get('/v1/contacts')).status, 200);
  });

  it('puts the rate-limit headers on every authenticated response, errors included', async () => {
    const key = await keyFor(server, tenant, { scope: 'read_only', rate_limit_per_minute: 50 });
    const responses = [
      await key.api.get('/v1/contacts'),
      await key.api.get('/v1/contacts/con_01M807GFFF8MEEXBKKKVK895SP'), // 404
      await key.api.post('/v1/contacts', { first_name: 'No' }), // 403
      await key.api.get('/v1/contacts?favourite_colour=blue'), // 400
      await key.api.get('/v1/me'),
    ];
    assert.deepEqual(
      responses.map((r) => r.status),
      [200, 404, 403, 400, 200],
    );
    let previous = Infinity;
    for (const response of responses) {
      const { limit, remaining, reset } = limitHeaders(response);
      assert.equal(limit, '50', `${response.status}: ${JSON.stringify(limitHeaders(response))}`);
      assert.match(remaining ?? '', /^\d+$/);
      assert.ok(Number(remaining) < previous, `remaining should decrease: ${remaining} after ${previous}`);
      previous = Number(remaining);
      assert.match(reset ?? '', /^\d+$/);
      const nowSeconds = Date.now() / 1000;
      assert.ok(Number(reset) >= Math.floor(nowSeconds) && Number(reset) <= nowSeconds + 61, `reset ${reset} vs now ${nowSeconds}`);
    }
    assert.equal(previous, 50 - responses.length);
  });

  it('gives a standard-plan workspace 100 requests a minute', async () => {
    const standard = await createTenant(server, { plan: 'standard' });
    const response = await standard.api.get('/v1/me');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('x-ratelimit-limit'), '100');
    assert.equal(response.body.data.workspace.plan, 'standard');
    assert.equal(response.body.data.rate_limit.limit_per_minute, 100);
    // A key's own limit wins over the plan.
    const key = await keyFor(server, standard, { scope: 'full', rate_limit_per_minute: 7 });
    const own = await key.api.get('/v1/me');
    assert.equal(own.headers.get('x-ratelimit-limit'), '7');
    assert.equal(own.body.data.rate_limit.limit_per_minute, 7);
  });

  it('gives an enterprise-plan workspace 500 a minute with bursts to 1,000', async () => {
    const enterprise = await createTenant(server, { plan: 'enterprise' });
    const response = await enterprise.api.get('/v1/me');
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('x-ratelimit-limit'), '500');
    assert.equal(response.body.data.rate_limit.limit_per_minute, 500);
    assert.equal(response.body.data.rate_limit.burst, 1000);
  });
});

describe('the operator endpoint', () => {
  const body = () => ({ name: unique('Op '), owner: { email: `${unique('op-')}@example.com`, name: 'Op Owner' } });

  it('refuses to create a workspace without the operator token', async () => {
    assertError(await server.anonymous.post('/v1/workspaces', body()), 401, 'unauthorized');
  });

  it('refuses a wrong operator token', async () => {
    for (const token of ['wrong-operator-token-0123456789abcdef', `${OPERATOR_TOKEN}x`, OPERATOR_TOKEN.slice(0, -1)]) {
      assertError(await server.anonymous.post('/v1/workspaces', body(), { authorization: `Bearer ${token}` }), 401, 'unauthorized');
    }
  });

  it('refuses a user API key, even an owner’s full key', async () => {
    const owner = body();
    assertError(await tenant.api.post('/v1/workspaces', owner), 401, 'unauthorized');
    assertError(await server.client(tenant.key, { scheme: 'x-api-key' }).post('/v1/workspaces', owner), 401, 'unauthorized');
    // Nothing was created: the same owner email can still be used by the operator.
    assert.equal((await server.operator.post('/v1/workspaces', owner)).status, 201);
  });

  it('validates the body', async () => {
    const missingOwner = await server.operator.post('/v1/workspaces', { name: 'No owner' });
    assertError(missingOwner, 400, 'validation_error');
    assert.ok(missingOwner.body.error.details.owner, missingOwner.text);
    assertError(await server.operator.post('/v1/workspaces', { ...body(), plan: 'gold' }), 400, 'validation_error');
    assertError(await server.operator.post('/v1/workspaces', { ...body(), owner: { email: 'not-an-email', name: 'X' } }), 400, 'validation_error');
  });

  it('creates a workspace whose owner key works', async () => {
    const response = await server.operator.post('/v1/workspaces', body());
    assert.equal(response.status, 201, response.text);
    const { workspace, owner, api_key } = response.body.data;
    assert.match(api_key.secret, KEY_SHAPE);
    const me = await server.client(api_key.secret).get('/v1/me');
    assert.equal(me.body.data.workspace.id, workspace.id);
    assert.equal(me.body.data.user.id, owner.id);
  });

  it('does not exist when the server runs without TRELLIS_OPERATOR_TOKEN', async () => {
    // testEnv spreads the overrides last, so an undefined value leaves the variable unset.
    const closed = await startServer({ TRELLIS_OPERATOR_TOKEN: undefined });
    try {
      assert.equal(closed.config.operatorToken, undefined);
      const attempts: Record<string, string>[] = [{ authorization: `Bearer ${OPERATOR_TOKEN}` }, {}];
      for (const headers of attempts) {
        assertError(await closed.anonymous.post('/v1/workspaces', body(), headers), 404, 'not_found');
      }
      // The instance itself is up and asks for keys as usual.
      assert.equal((await closed.anonymous.get('/v1/me')).status, 401);
    } finally {
      await closed.close();
    }
  });
});
