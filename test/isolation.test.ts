/**
 * Tenant isolation: a key of workspace A must not see, change, delete or point
 * at anything of workspace B, and B's records must not even be revealed to exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertNotFound, ids } from './helpers/assertions.js';

let server: TestServer;

interface Holdings {
  tenant: Tenant;
  user: any;
  company: any;
  contact: any;
  key: { id: string; secret: string; api: ApiClient };
}

let a: Holdings;
let b: Holdings;

/** A workspace with a user, a company, a contact of that company owned by the user, and a second key. */
async function stock(label: string): Promise<Holdings> {
  const tenant = await createTenant(server, { name: `Workspace ${label}` });
  const user = await createUser(tenant.api, { name: `${label} User` });
  const company = await createCompany(tenant.api, { name: unique(`${label} Corp `), owner_id: user.id });
  const contact = await createContact(tenant.api, { first_name: unique(`${label}name`), title: `${label} title`, company_id: company.id, owner_id: user.id });
  const key = await keyFor(server, tenant, { scope: 'full', name: `${label} integration` });
  return { tenant, user, company, contact, key };
}

before(async () => {
  server = await startServer();
  a = await stock('A');
  b = await stock('B');
});
after(() => server.close());

/** The same answer as for an id that exists nowhere: nothing reveals that B's record exists. */
async function assertSameAsMissing(request: (id: string) => Promise<ApiResponse>, foreignId: string, missingId: string, what: string): Promise<void> {
  const foreign = await request(foreignId);
  const missing = await request(missingId);
  assertNotFound(foreign, what);
  assertNotFound(missing, `${what} (missing id)`);
  assert.equal(foreign.body.error.message, missing.body.error.message, what);
  assert.deepEqual(foreign.body.error.details, missing.body.error.details, what);
}


async function assertEmptyList(api: ApiClient, path: string): Promise<void> {
  const response = await api.get(path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  assert.deepEqual(response.body.data, [], path);
  assert.equal(response.body.meta.total, 0, path);
}

describe('contacts', () => {
  const missing = 'con_01M807GFFF8MEEXBKKKVK895SP';

  it('does not return a contact of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.get(`/v1/contacts/${id}`), b.contact.id, missing, 'GET');
    const response = await a.tenant.api.get(`/v1/contacts/${b.contact.id}`);
    assert.ok(!response.text.includes(b.contact.email), 'the body does not leak the contact');
  });

  it('does not update a contact of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.patch(`/v1/contacts/${id}`, { title: 'Hijacked' }), b.contact.id, missing, 'PATCH');
    // Not even with the right version in If-Match (a 412 would reveal it exists).
    assertNotFound(await a.tenant.api.patch(`/v1/contacts/${b.contact.id}`, { title: 'Hijacked' }, { 'if-match': '"1"' }), 'PATCH If-Match');
    assertNotFound(await a.tenant.api.patch(`/v1/contacts/${b.contact.id}`, { title: 'Hijacked' }, { 'if-match': '"9"' }), 'PATCH stale If-Match');
    const unchanged = await b.tenant.api.get(`/v1/contacts/${b.contact.id}`);
    assert.equal(unchanged.status, 200);
    assert.equal(unchanged.body.data.title, 'B title');
    assert.equal(unchanged.body.data.version, b.contact.version);
    assert.deepEqual(unchanged.body.data, b.contact);
  });

  it('does not delete a contact of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.delete(`/v1/contacts/${id}`), b.contact.id, missing, 'DELETE');
    assertNotFound(await a.tenant.api.delete(`/v1/contacts/${b.contact.id}`, { 'if-match': '"1"' }), 'DELETE If-Match');
    const still = await b.tenant.api.get(`/v1/contacts/${b.contact.id}`);
    assert.equal(still.status, 200);
    assert.equal(still.body.data.version, b.contact.version);
    // Its address is still taken in B.
    assert.equal((await b.tenant.api.post('/v1/contacts', { email: b.contact.email })).status, 409);
  });

  it('never lists contacts of another workspace', async () => {
    const listed = ids(await walk(a.tenant.api, '/v1/contacts?limit=2'));
    assert.ok(listed.includes(a.contact.id));
    assert.ok(!listed.includes(b.contact.id));
    const ofB = ids(await walk(b.tenant.api, '/v1/contacts'));
    assert.ok(ofB.includes(b.contact.id) && !ofB.includes(a.contact.id));
  });

  it("finds nothing when filtering on another workspace's email, company, owner or name", async () => {
    const email = encodeURIComponent(b.contact.email);
    for (const query of [
      `email=${email}`,
      `email=${encodeURIComponent(b.contact.email.toUpperCase())}`,
      `email[in]=${email}`,
      `email[starts_with]=${email}`,
      `company_id=${b.company.id}`,
      `company_id[in]=${b.company.id}`,
      `owner_id=${b.user.id}`,
      `first_name=${encodeURIComponent(b.contact.first_name)}`,
      `q=${encodeURIComponent(b.contact.first_name)}`,
      `q=${email}`,
    ]) {
      await assertEmptyList(a.tenant.api, `/v1/contacts?${query}`);
    }
    // The same filters do find B's contact for B.
    const found = await b.tenant.api.get(`/v1/contacts?email=${email}`);
    assert.deepEqual(ids(found.body.data), [b.contact.id]);
  });

  it("does not list the contacts of another workspace's company", async () => {
    const response = await a.tenant.api.get(`/v1/companies/${b.company.id}/contacts`);
    assertNotFound(response, 'company contacts');
    assert.ok(!response.text.includes(b.contact.id));
    const missingCompany = await a.tenant.api.get('/v1/companies/cmp_01M807GFFF8MEEXBKKKVK895SP/contacts');
    assert.equal(missingCompany.body.error.message, response.body.error.message);
    // B sees them.
    assert.deepEqual(ids((await b.tenant.api.get(`/v1/companies/${b.company.id}/contacts`)).body.data), [b.contact.id]);
  });

  it("refuses a contact that names another workspace's company or owner", async () => {
    const byCompany = await a.tenant.api.post('/v1/contacts', { first_name: 'Cross', company_id: b.company.id });
    assert.equal(byCompany.status, 422, byCompany.text);
    assert.equal(byCompany.body.error.code, 'unprocessable');
    assert.ok(byCompany.body.error.details.company_id, byCompany.text);

    const byOwner = await a.tenant.api.post('/v1/contacts', { first_name: 'Cross', owner_id: b.user.id });
    assert.equal(byOwner.status, 422, byOwner.text);
    assert.equal(byOwner.body.error.code, 'unprocessable');
    assert.ok(byOwner.body.error.details.owner_id, byOwner.text);

    const byOwnerOfB = await a.tenant.api.post('/v1/contacts', { first_name: 'Cross', owner_id: b.tenant.ownerId });
    assert.equal(byOwnerOfB.status, 422, byOwnerOfB.text);

    await assertEmptyList(a.tenant.api, '/v1/contacts?first_name=Cross');
    await assertEmptyList(b.tenant.api, '/v1/contacts?first_name=Cross');
  });

  it("refuses to point an existing contact at another workspace's company or owner", async () => {
    for (const change of [{ company_id: b.company.id }, { owner_id: b.user.id }]) {
      const response = await a.tenant.api.patch(`/v1/contacts/${a.contact.id}`, change);
      assert.equal(response.status, 422, response.text);
      assert.equal(response.body.error.code, 'unprocessable');
      assert.ok(response.body.error.details[Object.keys(change)[0] as string], response.text);
    }
    const unchanged = await a.tenant.api.get(`/v1/contacts/${a.contact.id}`);
    assert.equal(unchanged.body.data.company_id, a.company.id);
    assert.equal(unchanged.body.data.owner_id, a.user.id);
    assert.equal(unchanged.body.data.version, a.contact.version);
  });

  it('keeps contact emails unique per workspace, not across workspaces', async () => {
    const email = `${unique('shared-')}@example.com`;
    const inA = await a.tenant.api.post('/v1/contacts', { first_name: 'Shared', email });
    const inB = await b.tenant.api.post('/v1/contacts', { first_name: 'Shared', email });
    assert.equal(inA.status, 201, inA.text);
    assert.equal(inB.status, 201, inB.text);
    assert.notEqual(inA.body.data.id, inB.body.data.id);
    // Within one workspace the rule still holds.
    const again = await b.tenant.api.post('/v1/contacts', { email });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.details.existing_id, inB.body.data.id);
    // Each workspace sees only its own.
    assert.deepEqual(ids((await a.tenant.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`)).body.data), [inA.body.data.id]);
    // Deleting A's frees nothing in B.
    assert.equal((await a.tenant.api.delete(`/v1/contacts/${inA.body.data.id}`)).status, 200);
    assert.equal((await b.tenant.api.get(`/v1/contacts/${inB.body.data.id}`)).status, 200);
  });
});

describe('companies', () => {
  const missing = 'cmp_01M807GFFF8MEEXBKKKVK895SP';

  it('does not return a company of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.get(`/v1/companies/${id}`), b.company.id, missing, 'GET');
  });

  it('does not update a company of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.patch(`/v1/companies/${id}`, { name: 'Hijacked' }), b.company.id, missing, 'PATCH');
    assertNotFound(await a.tenant.api.patch(`/v1/companies/${b.company.id}`, { name: 'Hijacked' }, { 'if-match': '"1"' }), 'PATCH If-Match');
    const unchanged = await b.tenant.api.get(`/v1/companies/${b.company.id}`);
    assert.deepEqual(unchanged.body.data, b.company);
  });

  it('does not delete a company of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.delete(`/v1/companies/${id}`), b.company.id, missing, 'DELETE');
    const still = await b.tenant.api.get(`/v1/companies/${b.company.id}`);
    assert.equal(still.status, 200);
    assert.equal(still.body.data.version, b.company.version);
    // Its contacts are still linked to it.
    const contact = await b.tenant.api.get(`/v1/contacts/${b.contact.id}`);
    assert.equal(contact.body.data.company_id, b.company.id);
    assert.equal(contact.body.data.version, b.contact.version);
  });

  it('never lists companies of another workspace', async () => {
    const listed = ids(await walk(a.tenant.api, '/v1/companies?limit=1'));
    assert.ok(listed.includes(a.company.id));
    assert.ok(!listed.includes(b.company.id));
  });

  it("finds nothing when filtering on another workspace's domain, owner or name", async () => {
    for (const query of [
      `domain=${encodeURIComponent(b.company.domain)}`,
      `domain=${encodeURIComponent(b.company.domain.toUpperCase())}`,
      `domain[in]=${encodeURIComponent(b.company.domain)}`,
      `owner_id=${b.user.id}`,
      `name=${encodeURIComponent(b.company.name)}`,
      `q=${encodeURIComponent(b.company.domain)}`,
    ]) {
      await assertEmptyList(a.tenant.api, `/v1/companies?${query}`);
    }
    assert.deepEqual(ids((await b.tenant.api.get(`/v1/companies?domain=${encodeURIComponent(b.company.domain)}`)).body.data), [b.company.id]);
  });

  it("refuses a company owned by another workspace's user", async () => {
    const created = await a.tenant.api.post('/v1/companies', { name: 'Cross Co', owner_id: b.user.id });
    assert.equal(created.status, 422, created.text);
    assert.equal(created.body.error.code, 'unprocessable');
    assert.ok(created.body.error.details.owner_id, created.text);
    const updated = await a.tenant.api.patch(`/v1/companies/${a.company.id}`, { owner_id: b.tenant.ownerId });
    assert.equal(updated.status, 422, updated.text);
    assert.ok(updated.body.error.details.owner_id, updated.text);
    assert.equal((await a.tenant.api.get(`/v1/companies/${a.company.id}`)).body.data.owner_id, a.user.id);
    await assertEmptyList(a.tenant.api, '/v1/companies?name=Cross%20Co');
  });

  it('keeps company domains unique per workspace, not across workspaces', async () => {
    const domain = `${unique('shared-')}.com`;
    const inA = await a.tenant.api.post('/v1/companies', { name: 'Shared A', domain });
    const inB = await b.tenant.api.post('/v1/companies', { name: 'Shared B', domain });
    assert.equal(inA.status, 201, inA.text);
    assert.equal(inB.status, 201, inB.text);
    const again = await a.tenant.api.post('/v1/companies', { name: 'Shared A2', domain });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.details.existing_id, inA.body.data.id);
    // Taking B's existing domain in A is fine too.
    const taken = await a.tenant.api.patch(`/v1/companies/${inA.body.data.id}`, { domain: b.company.domain });
    assert.equal(taken.status, 200, taken.text);
  });
});

describe('users', () => {
  const missing = 'usr_01M807GFFF8MEEXBKKKVK895SP';

  it('does not return a user of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.get(`/v1/users/${id}`), b.user.id, missing, 'GET');
    assertNotFound(await a.tenant.api.get(`/v1/users/${b.tenant.ownerId}`), 'GET owner');
  });

  it('does not update a user of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.patch(`/v1/users/${id}`, { role: 'admin' }), b.user.id, missing, 'PATCH');
    assertNotFound(await a.tenant.api.patch(`/v1/users/${b.tenant.ownerId}`, { role: 'member' }), 'PATCH owner');
    const unchanged = await b.tenant.api.get(`/v1/users/${b.user.id}`);
    assert.deepEqual(unchanged.body.data, b.user);
    const owner = await b.tenant.api.get(`/v1/users/${b.tenant.ownerId}`);
    assert.equal(owner.body.data.role, 'owner');
    assert.equal(owner.body.data.version, 1);
  });

  it('does not delete a user of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.delete(`/v1/users/${id}`), b.user.id, missing, 'DELETE');
    const still = await b.tenant.api.get(`/v1/users/${b.user.id}`);
    assert.equal(still.status, 200);
    assert.equal(still.body.data.version, b.user.version);
    // Their records still belong to them, and B's keys still work.
    assert.equal((await b.tenant.api.get(`/v1/contacts/${b.contact.id}`)).body.data.owner_id, b.user.id);
    assert.equal((await b.tenant.api.get('/v1/me')).status, 200);
  });

  it('never lists users of another workspace', async () => {
    const listed = ids(await walk(a.tenant.api, '/v1/users?limit=1'));
    assert.ok(listed.includes(a.user.id) && listed.includes(a.tenant.ownerId));
    assert.ok(!listed.includes(b.user.id));
    assert.ok(!listed.includes(b.tenant.ownerId));
    for (const query of [`email=${encodeURIComponent(b.user.email)}`, `email=${encodeURIComponent(b.tenant.ownerEmail)}`, `q=${encodeURIComponent(b.user.email)}`]) {
      await assertEmptyList(a.tenant.api, `/v1/users?${query}`);
    }
  });

  it('keeps user emails unique per workspace, not across workspaces', async () => {
    const email = `${unique('both-')}@example.com`;
    const inA = await a.tenant.api.post('/v1/users', { email, name: 'In A' });
    const inB = await b.tenant.api.post('/v1/users', { email, name: 'In B' });
    assert.equal(inA.status, 201, inA.text);
    assert.equal(inB.status, 201, inB.text);
    assert.equal((await a.tenant.api.post('/v1/users', { email, name: 'Again' })).status, 409);
    // B's owner email is free in A as well.
    const ownerEmail = await a.tenant.api.post('/v1/users', { email: b.tenant.ownerEmail, name: 'Namesake' });
    assert.equal(ownerEmail.status, 201, ownerEmail.text);
  });

  it("does not accept another workspace's user email as the HTTP Basic user name", async () => {
    for (const email of [b.tenant.ownerEmail, b.user.email]) {
      const response = await server.client(a.tenant.key, { scheme: 'basic', email }).get('/v1/me');
      assert.equal(response.status, 401, response.text);
      assert.equal(response.body.error.code, 'unauthorized');
    }
  });
});

describe('api keys', () => {
  const missing = 'key_01M807GFFF8MEEXBKKKVK895SP';

  it('does not return an API key of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.get(`/v1/api-keys/${id}`), b.key.id, missing, 'GET');
    assertNotFound(await a.tenant.api.get(`/v1/api-keys/${b.tenant.keyId}`), "GET B's owner key");
  });

  it('does not revoke an API key of another workspace', async () => {
    await assertSameAsMissing((id) => a.tenant.api.delete(`/v1/api-keys/${id}`), b.key.id, missing, 'DELETE');
    assertNotFound(await a.tenant.api.delete(`/v1/api-keys/${b.tenant.keyId}`), "DELETE B's owner key");
    assertNotFound(await a.tenant.api.delete(`/v1/api-keys/${b.key.id}`, { 'if-match': '"1"' }), 'DELETE If-Match');
    // B's keys still work and are not revoked.
    assert.equal((await b.key.api.get('/v1/me')).status, 200);
    assert.equal((await b.tenant.api.get('/v1/me')).status, 200);
    const still = await b.tenant.api.get(`/v1/api-keys/${b.key.id}`);
    assert.equal(still.body.data.revoked, false);
    assert.equal(still.body.data.version, 1);
  });

  it('does not update an API key of another workspace', async () => {
    // Keys have no PATCH: the answer is the same 405 for B's key as for A's own.
    const foreign = await a.tenant.api.patch(`/v1/api-keys/${b.key.id}`, { name: 'Hijacked' });
    const own = await a.tenant.api.patch(`/v1/api-keys/${a.key.id}`, { name: 'Renamed' });
    assert.notEqual(foreign.status, 200, foreign.text);
    assert.equal(foreign.status, own.status);
    assert.equal(foreign.body?.error?.code, own.body?.error?.code);
    const still = await b.tenant.api.get(`/v1/api-keys/${b.key.id}`);
    assert.equal(still.body.data.name, 'B integration');
    assert.equal(still.body.data.version, 1);
  });

  it('never lists API keys of another workspace', async () => {
    const listed = ids(await walk(a.tenant.api, '/v1/api-keys?limit=1'));
    assert.ok(listed.includes(a.key.id) && listed.includes(a.tenant.keyId));
    assert.ok(!listed.includes(b.key.id));
    assert.ok(!listed.includes(b.tenant.keyId));
    for (const query of [`user_id=${b.tenant.ownerId}`, `user_id=${b.user.id}`, `name=${encodeURIComponent('B integration')}`, `q=${encodeURIComponent(b.key.secret.slice(0, 13))}`]) {
      await assertEmptyList(a.tenant.api, `/v1/api-keys?${query}`);
    }
  });

  it("refuses to issue a key for another workspace's user", async () => {
    for (const userId of [b.user.id, b.tenant.ownerId]) {
      const response = await a.tenant.api.post('/v1/api-keys', { name: 'Cross key', scope: 'full', user_id: userId });
      assert.equal(response.status, 422, response.text);
      assert.equal(response.body.error.code, 'unprocessable');
      assert.ok(response.body.error.details.user_id, response.text);
      assert.equal(response.body.data, undefined);
    }
    await assertEmptyList(a.tenant.api, `/v1/api-keys?name=${encodeURIComponent('Cross key')}`);
    await assertEmptyList(b.tenant.api, `/v1/api-keys?name=${encodeURIComponent('Cross key')}`);
  });

  it("answers /v1/me with the key's own workspace only", async () => {
    const me = await a.key.api.get('/v1/me');
    assert.equal(me.body.data.workspace.id, a.tenant.workspaceId);
    assert.ok(!me.text.includes(b.tenant.workspaceId));
  });
});
