/**
 * Upsert (contacts by email, companies by domain, leads by email), bulk writes
 * of up to 100 records with a result per record, and merging duplicate
 * contacts and companies: what moves, what is filled, what is deleted, the
 * events, isolation and scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertDuplicate, assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids, total } from './helpers/assertions.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  other = await createTenant(server);
});
after(() => server.close());

const email = (prefix = 'p-') => `${unique(prefix)}@example.com`;

/** The events about one record, oldest first. */
async function eventsOf(api: ApiClient, recordId: string, type?: string): Promise<any[]> {
  const response = await api.get(`/v1/events?record_id=${recordId}${type ? `&type=${type}` : ''}&limit=100`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function get(api: ApiClient, path: string): Promise<any> {
  const response = await api.get(path);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function post(api: ApiClient, path: string, body: unknown, status = 201): Promise<any> {
  const response = await api.post(path, body);
  assert.equal(response.status, status, response.text);
  return response.body.data;
}

async function createTag(api: ApiClient): Promise<any> {
  return post(api, '/v1/tags', { name: unique('tag-') });
}

function assertStatus(response: ApiResponse, status: number): any {
  assert.equal(response.status, status, response.text);
  return response.body.data;
}

describe('upserting contacts by email', () => {
  it('creates (201), then updates the same contact (200), with one event each, and writes nothing when nothing changes', async () => {
    const address = email('ann-');
    const created = assertStatus(await tenant.api.post('/v1/contacts/upsert', { email: address, first_name: 'Ann' }), 201);
    assert.equal(created.email, address);
    assert.equal(created.version, 1);

    const response = await tenant.api.post('/v1/contacts/upsert', { email: address.toUpperCase(), first_name: 'Ann', title: 'CTO' });
    const updated = assertStatus(response, 200);
    assert.equal(updated.id, created.id);
    assert.equal(updated.title, 'CTO');
    assert.equal(updated.first_name, 'Ann');
    assert.equal(updated.version, 2);
    assert.equal(response.headers.get('etag'), '"2"');

    const again = assertStatus(await tenant.api.post('/v1/contacts/upsert', { email: address, title: 'CTO' }), 200);
    assert.equal(again.version, 2, 'nothing changed, nothing written');
    assert.equal(again.updated_at, updated.updated_at);

    assert.equal(await total(tenant.api, `/v1/contacts?email=${encodeURIComponent(address)}`), 1);
    const events = await eventsOf(tenant.api, created.id);
    assert.deepEqual(events.map((e) => e.type), ['contact.created', 'contact.updated']);
    assert.deepEqual(events[1].data.previous_attributes.title, null);
  });

  it('finds a contact by any of its emails and leaves its primary email as it is', async () => {
    const primary = email('primary-');
    const secondary = email('secondary-');
    const contact = await createContact(tenant.api, { email: undefined, emails: [{ email: primary, primary: true }, { email: secondary, label: 'home' }] });
    const updated = assertStatus(await tenant.api.post('/v1/contacts/upsert', { email: secondary, title: 'Found' }), 200);
    assert.equal(updated.id, contact.id);
    assert.equal(updated.title, 'Found');
    assert.equal(updated.email, primary);
    assert.deepEqual(updated.emails.map((e: any) => e.email), [primary, secondary]);
  });

  it('makes one contact of concurrent upserts of the same email', async () => {
    const address = email('race-');
    const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => tenant.api.post('/v1/contacts/upsert', { email: address, custom_fields: { [`n${i}`]: i } })));
    const statuses = responses.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 201], responses.map((r) => r.text).join('\n'));
    assert.equal(new Set(responses.map((r) => r.body.data.id)).size, 1);
    assert.equal(await total(tenant.api, `/v1/contacts?email=${encodeURIComponent(address)}`), 1);
    const contact = await get(tenant.api, `/v1/contacts/${responses[0]?.body.data.id}`);
    assert.equal(Object.keys(contact.custom_fields).length, 8, 'every upsert applied its change');
    assert.equal((await eventsOf(tenant.api, contact.id, 'contact.created')).length, 1);
  });

  it('needs the email (400) and refuses an address of another contact in emails (409)', async () => {
    assertInvalid(await tenant.api.post('/v1/contacts/upsert', { first_name: 'No email' }), 'email');
    assertInvalid(await tenant.api.post('/v1/contacts/upsert', { email: null, first_name: 'Null email' }), 'email');
    const taken = await createContact(tenant.api);
    const address = email('new-');
    assertDuplicate(await tenant.api.post('/v1/contacts/upsert', { email: address, emails: [{ email: address }, { email: taken.email }] }), taken.id);
    assert.equal(await total(tenant.api, `/v1/contacts?email=${encodeURIComponent(address)}`), 0);
  });
});

describe('upserting companies and leads', () => {
  it('matches companies on the normalized domain', async () => {
    const domain = `${unique('acme-')}.com`;
    const created = assertStatus(await tenant.api.post('/v1/companies/upsert', { name: 'Acme', domain }), 201);
    const updated = assertStatus(await tenant.api.post('/v1/companies/upsert', { name: 'Acme', domain: `https://www.${domain.toUpperCase()}/about`, industry: 'Tools' }), 200);
    assert.equal(updated.id, created.id);
    assert.equal(updated.domain, domain);
    assert.equal(updated.industry, 'Tools');
    assert.equal(await total(tenant.api, `/v1/companies?domain=${domain}`), 1);
    assert.deepEqual((await eventsOf(tenant.api, created.id)).map((e) => e.type), ['company.created', 'company.updated']);
  });

  it('needs a company domain (400)', async () => {
    assertInvalid(await tenant.api.post('/v1/companies/upsert', { name: 'No domain' }), 'domain');
    assertInvalid(await tenant.api.post('/v1/companies/upsert', { name: 'Blank domain', domain: '   ' }), 'domain');
    assertInvalid(await tenant.api.post('/v1/companies/upsert', { name: 'Bad domain', domain: 'not a domain' }), 'domain');
  });

  it('matches leads on email', async () => {
    const address = email('lead-');
    const created = assertStatus(await tenant.api.post('/v1/leads/upsert', { first_name: 'Lena', last_name: 'Lead', email: address }), 201);
    const updated = assertStatus(await tenant.api.post('/v1/leads/upsert', { first_name: 'Lena', last_name: 'Lead', email: address, status: 'contacted' }), 200);
    assert.equal(updated.id, created.id);
    assert.equal(updated.status, 'contacted');
    assert.equal(updated.created_by, created.created_by);
    assert.deepEqual((await eventsOf(tenant.api, created.id)).map((e) => e.type), ['lead.created', 'lead.updated']);
    assertInvalid(await tenant.api.post('/v1/leads/upsert', { first_name: 'No', last_name: 'Email' }), 'email');
  });
});

describe('bulk writes', () => {
  it('creates the valid records and reports each record in input order, the failed ones with their error', async () => {
    const existing = await createContact(tenant.api);
    const [first, second] = [email('bulk-a-'), email('bulk-b-')];
    const response = await tenant.api.post('/v1/contacts/bulk', {
      records: [
        { first_name: 'A', email: first },
        { first_name: 'Bad', nickname: 'unknown field' },
        { first_name: 'Dup', email: existing.email },
        { first_name: 'B', email: second },
        { first_name: 'Ref', company_id: 'cmp_01M807GFFF8MEEXBKKKVK895SP' },
        'not a record',
        { first_name: 'A again', email: first },
      ],
    });
    const data = assertStatus(response, 200);
    assert.deepEqual(
      data.results.map((r: any) => [r.index, r.status, r.error?.code ?? null]),
      [
        [0, 'created', null],
        [1, 'failed', 'validation_error'],
        [2, 'failed', 'duplicate'],
        [3, 'created', null],
        [4, 'failed', 'unprocessable'],
        [5, 'failed', 'validation_error'],
        [6, 'failed', 'duplicate'],
      ],
    );
    assert.deepEqual([data.created, data.updated, data.unchanged, data.failed], [2, 0, 0, 5]);
    assert.ok(data.results[1].error.details.nickname, JSON.stringify(data.results[1]));
    assert.equal(data.results[2].error.details.existing_id, existing.id);
    assert.ok(data.results[4].error.details.company_id);
    assert.equal(data.results[6].error.details.existing_id, data.results[0].id, 'a record duplicating an earlier one of the batch names it');
    for (const result of data.results.filter((r: any) => r.status === 'failed')) assert.equal(result.id, undefined);

    const a = await get(tenant.api, `/v1/contacts/${data.results[0].id}`);
    const b = await get(tenant.api, `/v1/contacts/${data.results[3].id}`);
    assert.deepEqual([a.email, b.email], [first, second]);
    assert.equal((await eventsOf(tenant.api, a.id, 'contact.created')).length, 1);
    assert.equal((await eventsOf(tenant.api, b.id, 'contact.created')).length, 1);
  });

  it('upserts: creates the new, updates the changed and leaves the same, one event per changed record', async () => {
    const [same, changed] = [await createCompany(tenant.api, { industry: 'Retail' }), await createCompany(tenant.api)];
    const fresh = `${unique('fresh-')}.com`;
    const data = assertStatus(
      await tenant.api.post('/v1/companies/bulk', {
        mode: 'upsert',
        records: [
          { name: same.name, domain: same.domain, industry: 'Retail' },
          { name: changed.name, domain: changed.domain, employee_count: 42 },
          { name: 'Fresh', domain: fresh },
          { name: 'Missing domain' },
        ],
      }),
      200,
    );
    assert.deepEqual(
      data.results.map((r: any) => [r.status, r.id ?? null]),
      [
        ['unchanged', same.id],
        ['updated', changed.id],
        ['created', data.results[2].id],
        ['failed', null],
      ],
    );
    assert.ok(data.results[3].error.details.domain, JSON.stringify(data.results[3]));
    assert.deepEqual([data.created, data.updated, data.unchanged, data.failed], [1, 1, 1, 1]);
    assert.equal((await get(tenant.api, `/v1/companies/${changed.id}`)).employee_count, 42);
    assert.equal((await get(tenant.api, `/v1/companies/${data.results[2].id}`)).domain, fresh);
    assert.deepEqual((await eventsOf(tenant.api, same.id)).map((e) => e.type), ['company.created']);
    assert.deepEqual((await eventsOf(tenant.api, changed.id)).map((e) => e.type), ['company.created', 'company.updated']);
  });

  it('writes leads in bulk, by create or upsert', async () => {
    const address = email('bulk-lead-');
    const created = assertStatus(await tenant.api.post('/v1/leads/bulk', { records: [{ first_name: 'Lea', last_name: 'One', email: address }] }), 200);
    assert.equal(created.results[0].status, 'created');
    const upserted = assertStatus(await tenant.api.post('/v1/leads/bulk', { mode: 'upsert', records: [{ first_name: 'Lea', last_name: 'One', email: address, city: 'Bergen' }] }), 200);
    assert.deepEqual([upserted.results[0].status, upserted.results[0].id], ['updated', created.results[0].id]);
    const again = assertStatus(await tenant.api.post('/v1/leads/bulk', { mode: 'create', records: [{ first_name: 'Lea', last_name: 'One', email: address }] }), 200);
    assert.equal(again.results[0].error.code, 'duplicate');
  });

  it('refuses a body that is wrong as a whole with 400: no records, over 100, an unknown mode or field', async () => {
    const record = () => ({ email: email('many-') });
    const tooMany = await tenant.api.post('/v1/contacts/bulk', { records: Array.from({ length: 101 }, record) });
    assertInvalid(tooMany, 'records');
    assertInvalid(await tenant.api.post('/v1/contacts/bulk', { records: [] }), 'records');
    assertInvalid(await tenant.api.post('/v1/contacts/bulk', { records: record() }), 'records');
    assertInvalid(await tenant.api.post('/v1/contacts/bulk', {}), 'records');
    assertInvalid(await tenant.api.post('/v1/contacts/bulk', { mode: 'replace', records: [record()] }), 'mode');
    assertInvalid(await tenant.api.post('/v1/contacts/bulk', { records: [record()], extra: true }), 'extra');
    const exactly = assertStatus(await tenant.api.post('/v1/contacts/bulk', { records: Array.from({ length: 100 }, record) }), 200);
    assert.equal(exactly.created, 100);
  });
});

describe('merging contacts', () => {
  it("moves the duplicate's deals, activities, tasks, tags and converted leads, fills empty fields and deletes it, with one contact.merged event", async () => {
    const company = await createCompany(tenant.api);
    const [shared, own] = [await createTag(tenant.api), await createTag(tenant.api)];
    const survivor = await createContact(tenant.api, { first_name: 'Sam', last_name: null, tag_ids: [shared.id], custom_fields: { tier: 'gold' }, address: { country: 'NO' } });
    const duplicateEmail = email('dup-');
    const secondEmail = email('dup2-');
    const duplicate = await createContact(tenant.api, {
      first_name: 'Samuel',
      last_name: 'Stone',
      email: undefined,
      emails: [{ email: duplicateEmail }, { email: secondEmail, label: 'home' }],
      phone: '+47 123 45 678',
      title: 'CEO',
      company_id: company.id,
      address: { city: 'Oslo', country: 'SE' },
      tag_ids: [shared.id, own.id],
      custom_fields: { tier: 'silver', shoe: 44 },
    });
    const onlyDuplicate = await post(tenant.api, '/v1/deals', { name: unique('Deal '), contact_ids: [duplicate.id] });
    const both = await post(tenant.api, '/v1/deals', { name: unique('Deal '), contact_ids: [survivor.id, duplicate.id] });
    const activity = await post(tenant.api, '/v1/activities', { type: 'call', subject: 'Hello', contact_id: duplicate.id });
    const task = await post(tenant.api, '/v1/tasks', { title: 'Follow up', contact_id: duplicate.id });
    const lead = await post(tenant.api, '/v1/leads', { first_name: 'Samuel', last_name: 'Stone', email: duplicateEmail });
    const conversion = await post(tenant.api, `/v1/leads/${lead.id}/convert`, {}, 200);
    assert.equal(conversion.lead.converted_contact_id, duplicate.id);

    const merged = assertStatus(await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id }), 200);
    assert.equal(merged.id, survivor.id);
    assert.equal(merged.first_name, 'Sam', 'the survivor keeps its values');
    assert.equal(merged.last_name, 'Stone', 'and takes the duplicate’s where it has none');
    assert.equal(merged.title, 'CEO');
    assert.equal(merged.company_id, company.id);
    assert.deepEqual(merged.address, { street: null, city: 'Oslo', state: null, postal_code: null, country: 'NO' });
    assert.deepEqual(merged.custom_fields, { tier: 'gold', shoe: 44 });
    assert.deepEqual(merged.emails, [
      { email: survivor.email, label: null, primary: true },
      { email: duplicateEmail, label: null, primary: false },
      { email: secondEmail, label: 'home', primary: false },
    ]);
    assert.equal(merged.email, survivor.email);
    assert.deepEqual(merged.phones, [{ phone: '+47 123 45 678', label: null, primary: true }]);
    assert.deepEqual(ids(merged.tags).sort(), [shared.id, own.id].sort());
    assert.equal(merged.version, survivor.version + 1);
    assert.deepEqual(await get(tenant.api, `/v1/contacts/${survivor.id}`), merged);

    assertNotFound(await tenant.api.get(`/v1/contacts/${duplicate.id}`), 'the duplicate is deleted');
    assert.deepEqual(ids((await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(secondEmail)}`)).body.data), [survivor.id]);

    const dealOfDuplicate = await get(tenant.api, `/v1/deals/${onlyDuplicate.id}`);
    assert.deepEqual(dealOfDuplicate.contact_ids, [survivor.id]);
    assert.equal(dealOfDuplicate.version, onlyDuplicate.version + 1);
    const dealOfBoth = await get(tenant.api, `/v1/deals/${both.id}`);
    assert.deepEqual(dealOfBoth.contact_ids, [survivor.id], 'a deal of both keeps one link');
    assert.equal(dealOfBoth.version, both.version + 1);
    const movedActivity = await get(tenant.api, `/v1/activities/${activity.id}`);
    assert.equal(movedActivity.contact_id, survivor.id);
    assert.equal(movedActivity.version, activity.version + 1);
    assert.equal((await get(tenant.api, `/v1/tasks/${task.id}`)).contact_id, survivor.id);
    assert.equal((await get(tenant.api, `/v1/leads/${lead.id}`)).converted_contact_id, survivor.id);
    assert.deepEqual(ids((await tenant.api.get(`/v1/deals?contact_id=${survivor.id}`)).body.data).sort(), [onlyDuplicate.id, both.id].sort());
    const timeline = (await tenant.api.get(`/v1/contacts/${survivor.id}/timeline`)).body.data;
    assert.deepEqual(timeline.map((entry: any) => entry.id).sort(), [activity.id, task.id].sort());

    const events = await eventsOf(tenant.api, survivor.id, 'contact.merged');
    assert.equal(events.length, 1);
    const { data } = events[0];
    assert.equal(data.object.id, survivor.id);
    assert.equal(data.merged_id, duplicate.id);
    assert.equal(data.merged.id, duplicate.id);
    assert.equal(data.merged.title, 'CEO');
    assert.equal(data.previous_attributes.last_name, null);
    assert.equal(data.previous_attributes.first_name, undefined, 'only what changed');
    assert.deepEqual([...data.reassigned_ids].sort(), [onlyDuplicate.id, both.id, activity.id, task.id, lead.id].sort());
    assert.deepEqual(await eventsOf(tenant.api, duplicate.id, 'contact.deleted'), [], 'the merged event covers the deletion');
  });

  it('refuses to merge a contact into itself (422), unknown ids (404) and a stale If-Match (412), changing nothing', async () => {
    const contact = await createContact(tenant.api);
    const unknown = 'con_01M807GFFF8MEEXBKKKVK895SP';
    assertUnprocessable(await tenant.api.post(`/v1/contacts/${contact.id}/merge`, { duplicate_id: contact.id }), 'duplicate_id');
    assertNotFound(await tenant.api.post(`/v1/contacts/${contact.id}/merge`, { duplicate_id: unknown }), 'unknown duplicate');
    assertNotFound(await tenant.api.post(`/v1/contacts/${unknown}/merge`, { duplicate_id: contact.id }), 'unknown survivor');
    const duplicate = await createContact(tenant.api);
    const stale = await tenant.api.post(`/v1/contacts/${contact.id}/merge`, { duplicate_id: duplicate.id }, { 'if-match': '"7"' });
    assert.equal(stale.status, 412, stale.text);
    assertInvalid(await tenant.api.post(`/v1/contacts/${contact.id}/merge`, {}), 'duplicate_id');
    assert.equal((await get(tenant.api, `/v1/contacts/${contact.id}`)).version, contact.version);
    await get(tenant.api, `/v1/contacts/${duplicate.id}`);
    const current = await tenant.api.post(`/v1/contacts/${contact.id}/merge`, { duplicate_id: duplicate.id }, { 'if-match': `"${contact.version}"` });
    assert.equal(current.status, 200, current.text);
  });

  it('refuses a merge that would give the contact more than 20 emails (422)', async () => {
    const many = (prefix: string, n: number) => Array.from({ length: n }, () => ({ email: email(prefix) }));
    const survivor = await createContact(tenant.api, { email: undefined, emails: many('s-', 12) });
    const duplicate = await createContact(tenant.api, { email: undefined, emails: many('d-', 10) });
    assertUnprocessable(await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id }), 'emails');
    await get(tenant.api, `/v1/contacts/${duplicate.id}`);
  });
});

describe('merging companies', () => {
  it('moves contacts, deals and activities, takes the domain when the survivor has none, and deletes the duplicate', async () => {
    const survivor = await createCompany(tenant.api, { name: 'Acme', domain: null });
    const domain = `${unique('acme-')}.com`;
    const duplicate = await createCompany(tenant.api, { name: 'ACME Inc', domain, industry: 'Tools' });
    const contact = await createContact(tenant.api, { company_id: duplicate.id });
    const deal = await post(tenant.api, '/v1/deals', { name: unique('Deal '), company_id: duplicate.id });
    const activity = await post(tenant.api, '/v1/activities', { type: 'note', company_id: duplicate.id });

    const merged = assertStatus(await tenant.api.post(`/v1/companies/${survivor.id}/merge`, { duplicate_id: duplicate.id }), 200);
    assert.equal(merged.name, 'Acme');
    assert.equal(merged.domain, domain);
    assert.equal(merged.industry, 'Tools');
    assertNotFound(await tenant.api.get(`/v1/companies/${duplicate.id}`), 'the duplicate is deleted');

    const movedContact = await get(tenant.api, `/v1/contacts/${contact.id}`);
    assert.equal(movedContact.company_id, survivor.id);
    assert.equal(movedContact.version, contact.version + 1);
    assert.deepEqual(ids((await tenant.api.get(`/v1/companies/${survivor.id}/contacts`)).body.data), [contact.id]);
    assert.equal((await get(tenant.api, `/v1/deals/${deal.id}`)).company_id, survivor.id);
    assert.equal((await get(tenant.api, `/v1/activities/${activity.id}`)).company_id, survivor.id);
    assert.equal((await get(tenant.api, `/v1/companies?domain=${domain}`))[0].id, survivor.id);

    const events = await eventsOf(tenant.api, survivor.id, 'company.merged');
    assert.equal(events.length, 1);
    assert.equal(events[0].data.merged_id, duplicate.id);
    assert.equal(events[0].data.previous_attributes.domain, null);
    assert.deepEqual(await eventsOf(tenant.api, duplicate.id, 'company.deleted'), []);
  });

  it('keeps the survivor’s own domain', async () => {
    const survivor = await createCompany(tenant.api);
    const duplicate = await createCompany(tenant.api);
    const merged = assertStatus(await tenant.api.post(`/v1/companies/${survivor.id}/merge`, { duplicate_id: duplicate.id }), 200);
    assert.equal(merged.domain, survivor.domain);
    assert.equal(await total(tenant.api, `/v1/companies?domain=${duplicate.domain}`), 0);
  });
});

describe('isolation and scopes', () => {
  it("answers 404 for another workspace's records, in the path or as duplicate_id, and leaves them", async () => {
    const mine = await createContact(tenant.api);
    const theirs = await createContact(other.api);
    assertNotFound(await tenant.api.post(`/v1/contacts/${mine.id}/merge`, { duplicate_id: theirs.id }), 'their duplicate');
    assertNotFound(await tenant.api.post(`/v1/contacts/${theirs.id}/merge`, { duplicate_id: mine.id }), 'their survivor');
    const theirCompany = await createCompany(other.api);
    const myCompany = await createCompany(tenant.api);
    assertNotFound(await tenant.api.post(`/v1/companies/${myCompany.id}/merge`, { duplicate_id: theirCompany.id }), 'their company');
    await get(other.api, `/v1/contacts/${theirs.id}`);
    await get(other.api, `/v1/companies/${theirCompany.id}`);
    await get(tenant.api, `/v1/contacts/${mine.id}`);
  });

  it("upserts within the key's workspace only: the same email elsewhere is another contact", async () => {
    const theirs = await createContact(other.api);
    const mine = assertStatus(await tenant.api.post('/v1/contacts/upsert', { email: theirs.email, title: 'Mine' }), 201);
    assert.notEqual(mine.id, theirs.id);
    assert.equal((await get(other.api, `/v1/contacts/${theirs.id}`)).title, null);
  });

  it('refuses a read_only key on every new route with 403, and checks the scope of bulk before any record', async () => {
    const readOnly = await keyFor(server, tenant, { scope: 'read_only' });
    const contact = await createContact(tenant.api);
    const company = await createCompany(tenant.api);
    const calls: [string, unknown, string][] = [
      ['/v1/contacts/upsert', { email: email() }, 'contacts:write'],
      ['/v1/companies/upsert', { name: 'X', domain: `${unique('ro-')}.com` }, 'companies:write'],
      ['/v1/leads/upsert', { first_name: 'R', last_name: 'O', email: email() }, 'leads:write'],
      ['/v1/contacts/bulk', { records: [{ email: email() }] }, 'contacts:write'],
      ['/v1/companies/bulk', { mode: 'upsert', records: [{ name: 'X', domain: `${unique('ro-')}.com` }] }, 'companies:write'],
      ['/v1/leads/bulk', { records: [{ first_name: 'R', last_name: 'O' }] }, 'leads:write'],
      [`/v1/contacts/${contact.id}/merge`, { duplicate_id: (await createContact(tenant.api)).id }, 'contacts:write'],
      [`/v1/companies/${company.id}/merge`, { duplicate_id: (await createCompany(tenant.api)).id }, 'companies:write'],
    ];
    for (const [path, body, required] of calls) assertScopeRefused(await readOnly.api.post(path, body), required);

    const contactsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write'] });
    assertScopeRefused(await contactsOnly.api.post('/v1/companies/bulk', { records: [{ name: 'X' }] }), 'companies:write');
    assert.equal((await contactsOnly.api.post('/v1/contacts/bulk', { records: [{ email: email() }] })).status, 200);
  });
});

describe('API reference', () => {
  it('documents upsert, bulk and merge', async () => {
    const document = (await server.anonymous.get('/v1/openapi.json')).body;
    const operations = new Set<string>();
    for (const item of Object.values<Record<string, any>>(document.paths)) for (const op of Object.values(item)) operations.add(op.operationId);
    for (const id of ['contacts.upsert', 'contacts.bulk', 'contacts.merge', 'companies.upsert', 'companies.bulk', 'companies.merge', 'leads.upsert', 'leads.bulk']) {
      assert.ok(operations.has(id), `missing ${id}`);
    }
    assert.ok(!operations.has('leads.merge'));
    const upsert = document.paths['/v1/contacts/upsert'].post;
    assert.ok(upsert.responses['200'] && upsert.responses['201']);
  });
});
