import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createTenant, createUser, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

describe('creating contacts', () => {
  it('creates a contact, normalizes its email and answers 201 with an ETag', async () => {
    const email = `${unique('Jane.')}@Example.COM`;
    const response = await tenant.api.post('/v1/contacts', { first_name: ' Jane ', last_name: 'Smith', email, title: 'CTO' });
    assert.equal(response.status, 201);
    const contact = response.body.data;
    assert.match(contact.id, /^con_[0-9A-Z]{26}$/);
    assert.equal(contact.first_name, 'Jane');
    assert.equal(contact.email, email.toLowerCase());
    assert.deepEqual(contact.emails, [{ email: email.toLowerCase(), label: null, primary: true }]);
    assert.equal(contact.status, 'active');
    assert.equal(contact.version, 1);
    assert.match(contact.created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(response.headers.get('etag'), '"1"');
    assert.equal(response.body.success, true);
    assert.match(response.body.meta.request_id, /^req_/);

    const fetched = await tenant.api.get(`/v1/contacts/${contact.id}`);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body.data, contact);
  });

  it('needs a name or an email', async () => {
    const response = await tenant.api.post('/v1/contacts', { title: 'Nobody' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_error');
    assert.ok(response.body.error.details.first_name);
  });

  it('creates a contact from an email alone', async () => {
    const response = await tenant.api.post('/v1/contacts', { email: `${unique('solo-')}@example.com` });
    assert.equal(response.status, 201);
    assert.equal(response.body.data.first_name, null);
  });

  it('refuses a duplicate email with 409 naming the existing contact', async () => {
    const first = await createContact(tenant.api);
    const response = await tenant.api.post('/v1/contacts', { first_name: 'Other', email: first.email.toUpperCase() });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'duplicate');
    assert.deepEqual(response.body.error.details, { existing_id: first.id, field: 'email' });
  });

  it("matches any of a person's addresses, not only the primary one", async () => {
    const work = `${unique('work-')}@example.com`;
    const home = `${unique('home-')}@example.com`;
    const person = await createContact(tenant.api, { email: undefined, emails: [{ email: work, label: 'work' }, { email: home, label: 'home' }] });
    const response = await tenant.api.post('/v1/contacts', { first_name: 'Copy', email: home });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.details.existing_id, person.id);

    const found = await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(home)}`);
    assert.deepEqual(found.body.data.map((c: { id: string }) => c.id), [person.id]);
  });

  it('creates exactly one contact when 50 clients send the same email at once', async () => {
    const email = `${unique('race-')}@example.com`;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => tenant.api.post('/v1/contacts', { first_name: `Racer ${i}`, email })),
    );
    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    assert.equal(created.length, 1, responses.map((r) => r.status).join(','));
    assert.equal(refused.length, 49);
    const winner = created[0]?.body.data.id;
    for (const r of refused) assert.equal(r.body.error.details.existing_id, winner);
    const list = await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`);
    assert.equal(list.body.meta.total, 1);
  });

  it('refuses references to records that are not in the workspace with 422', async () => {
    const response = await tenant.api.post('/v1/contacts', { first_name: 'Ref', company_id: 'cmp_01M807GFFF8MEEXBKKKVK895SP', owner_id: 'usr_nope' });
    assert.equal(response.status, 422);
    assert.equal(response.body.error.code, 'unprocessable');
    assert.ok(response.body.error.details.company_id);
  });

  it('links a contact to a company and an owner of the workspace', async () => {
    const company = await createCompany(tenant.api);
    const user = await createUser(tenant.api);
    const contact = await createContact(tenant.api, { company_id: company.id, owner_id: user.id });
    assert.equal(contact.company_id, company.id);
    assert.equal(contact.owner_id, user.id);
    const ofCompany = await tenant.api.get(`/v1/companies/${company.id}/contacts`);
    assert.deepEqual(ofCompany.body.data.map((c: { id: string }) => c.id), [contact.id]);
  });
});

describe('bad input', () => {
  it('rejects wrong types and unknown fields, naming each field', async () => {
    const response = await tenant.api.post('/v1/contacts', { first_name: 42, favourite_colour: 'blue' });
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_error');
    assert.ok(response.body.error.details.first_name);
    assert.ok(response.body.error.details.favourite_colour);
  });

  it('rejects an invalid email address', async () => {
    const response = await tenant.api.post('/v1/contacts', { email: 'not-an-email' });
    assert.equal(response.status, 400);
    assert.ok(response.body.error.details.email);
  });

  it('does not coerce a string into a number or a boolean', async () => {
    const response = await tenant.api.post('/v1/contacts', { first_name: 'X', emails: [{ email: `${unique()}@example.com`, primary: 'yes' }] });
    assert.equal(response.status, 400);
  });

  it('bounds custom fields', async () => {
    const big = await tenant.api.post('/v1/contacts', { first_name: 'Big', custom_fields: { notes: 'x'.repeat(20_000) } });
    assert.equal(big.status, 400);
    assert.ok(big.body.error.details.custom_fields);
    const badKey = await tenant.api.post('/v1/contacts', { first_name: 'Key', custom_fields: { 'bad key!': 1 } });
    assert.equal(badKey.status, 400);
  });

  it('answers 404 for an id that does not exist', async () => {
    for (const id of ['con_01M807GFFF8MEEXBKKKVK895SP', 'nonsense']) {
      const response = await tenant.api.get(`/v1/contacts/${id}`);
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, 'not_found');
    }
  });
});

describe('updating contacts', () => {
  it('changes only the given fields and bumps the version', async () => {
    const contact = await createContact(tenant.api, { title: 'CEO', source: 'web' });
    const response = await tenant.api.patch(`/v1/contacts/${contact.id}`, { title: 'CFO' });
    assert.equal(response.status, 200);
    assert.equal(response.body.data.title, 'CFO');
    assert.equal(response.body.data.source, 'web');
    assert.equal(response.body.data.version, 2);
    assert.equal(response.headers.get('etag'), '"2"');
    assert.ok(response.body.data.updated_at > contact.updated_at);
  });

  it('clears a field set to null', async () => {
    const contact = await createContact(tenant.api, { title: 'CEO' });
    const response = await tenant.api.patch(`/v1/contacts/${contact.id}`, { title: null });
    assert.equal(response.body.data.title, null);
  });

  it('merges address and custom fields, removing keys set to null', async () => {
    const contact = await createContact(tenant.api, { address: { city: 'Oslo', country: 'NO' }, custom_fields: { tier: 'gold', score: 7 } });
    const response = await tenant.api.patch(`/v1/contacts/${contact.id}`, { address: { city: 'Bergen' }, custom_fields: { score: null, region: 'west' } });
    assert.equal(response.status, 200);
    assert.equal(response.body.data.address.city, 'Bergen');
    assert.equal(response.body.data.address.country, 'NO');
    assert.deepEqual(response.body.data.custom_fields, { tier: 'gold', region: 'west' });
  });

  it('keeps email and emails in step: setting email alone replaces the primary address', async () => {
    const first = `${unique('a-')}@example.com`;
    const second = `${unique('b-')}@example.com`;
    const third = `${unique('c-')}@example.com`;
    const contact = await createContact(tenant.api, { email: undefined, emails: [{ email: first, label: 'work' }, { email: second, label: 'home', primary: true }] });
    assert.equal(contact.email, second);
    assert.deepEqual(contact.emails.map((e: { email: string }) => e.email), [second, first]);

    const promoted = await tenant.api.patch(`/v1/contacts/${contact.id}`, { email: first });
    assert.equal(promoted.body.data.email, first);
    assert.deepEqual(promoted.body.data.emails.map((e: { email: string }) => e.email), [first, second]);

    const replaced = await tenant.api.patch(`/v1/contacts/${contact.id}`, { email: third });
    assert.deepEqual(replaced.body.data.emails.map((e: { email: string }) => e.email), [third, second]);
    // The replaced address is free again; the kept one is still taken.
    assert.equal((await tenant.api.post('/v1/contacts', { email: first })).status, 201);
    assert.equal((await tenant.api.post('/v1/contacts', { email: second })).status, 409);
  });

  it('refuses an update that takes another contact’s address', async () => {
    const a = await createContact(tenant.api);
    const b = await createContact(tenant.api);
    const response = await tenant.api.patch(`/v1/contacts/${b.id}`, { emails: [{ email: b.email }, { email: a.email }] });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.details.existing_id, a.id);
    assert.equal((await tenant.api.get(`/v1/contacts/${b.id}`)).body.data.version, 1);
  });

  it('writes only when If-Match names the current version', async () => {
    const contact = await createContact(tenant.api);
    const stale = await tenant.api.patch(`/v1/contacts/${contact.id}`, { title: 'A' }, { 'if-match': '"7"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'precondition_failed');
    const fresh = await tenant.api.patch(`/v1/contacts/${contact.id}`, { title: 'A' }, { 'if-match': '"1"' });
    assert.equal(fresh.status, 200);
    const staleDelete = await tenant.api.delete(`/v1/contacts/${contact.id}`, { 'if-match': '"1"' });
    assert.equal(staleDelete.status, 412);
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).status, 200);
  });

  it('refuses to remove the last name and the last email together', async () => {
    const contact = await tenant.api.post('/v1/contacts', { first_name: 'Only', email: `${unique()}@example.com` });
    const response = await tenant.api.patch(`/v1/contacts/${contact.body.data.id}`, { first_name: null, email: null });
    assert.equal(response.status, 400);
  });
});

describe('deleting contacts', () => {
  it('deletes the contact and frees its addresses', async () => {
    const contact = await createContact(tenant.api);
    const response = await tenant.api.delete(`/v1/contacts/${contact.id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { id: contact.id, deleted: true });
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).status, 404);
    assert.equal((await tenant.api.delete(`/v1/contacts/${contact.id}`)).status, 404);
    assert.equal((await tenant.api.post('/v1/contacts', { email: contact.email })).status, 201);
  });

  it('accepts DELETE with a JSON content type and no body', async () => {
    const contact = await createContact(tenant.api);
    const response = await tenant.api.request('DELETE', `/v1/contacts/${contact.id}`, '', { 'content-type': 'application/json' });
    assert.equal(response.status, 200);
  });
});
