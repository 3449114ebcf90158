/**
 * Leads: required names, normalized email, duplicates (by email, else by name
 * and company, also under concurrency), status rules, conversion into a
 * contact, a company and a deal (found or created, in one transaction, once),
 * filters, tags, conditional writes, what deleting does, isolation and scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids, total } from './helpers/assertions.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
/** Records of the other workspace. */
let theirs: { lead: any; user: any; tag: any; pipeline: any };

async function createLead(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/leads', { first_name: 'Lena', last_name: unique('Lead'), email: `${unique('lead-')}@example.com`, ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function getLead(api: ApiClient, id: string): Promise<any> {
  const response = await api.get(`/v1/leads/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function createTag(api: ApiClient, name = unique('tag-')): Promise<any> {
  const response = await api.post('/v1/tags', { name });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function defaultPipeline(api: ApiClient): Promise<any> {
  const response = await api.get('/v1/pipelines');
  assert.equal(response.status, 200, response.text);
  return response.body.data.find((p: { is_default: boolean }) => p.is_default);
}

async function convert(api: ApiClient, id: string, body?: unknown): Promise<any> {
  const response = await api.post(`/v1/leads/${id}/convert`, body);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function counts(api: ApiClient): Promise<{ contacts: number; companies: number; deals: number; leads: number }> {
  return {
    contacts: await total(api, '/v1/contacts'),
    companies: await total(api, '/v1/companies'),
    deals: await total(api, '/v1/deals'),
    leads: await total(api, '/v1/leads'),
  };
}

const domain = () => `${unique('corp-')}.com`;

function assertDuplicate(response: ApiResponse, existingId: string, field: 'email' | 'name'): void {
  assert.equal(response.status, 409, response.text);
  assert.equal(response.body.error.code, 'duplicate', response.text);
  assert.equal(response.body.error.details.existing_id, existingId, response.text);
  assert.equal(response.body.error.details.field, field, response.text);
}

before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
  const lead = await createLead(other.api, { first_name: 'Their', last_name: 'Lead', company_name: 'Their Co' });
  theirs = { lead, user: await createUser(other.api), tag: await createTag(other.api), pipeline: await defaultPipeline(other.api) };
});
after(() => server.close());

describe('creating leads', () => {
  it('requires first_name and last_name and names each one missing', async () => {
    const email = `${unique('nameless-')}@example.com`;
    const neither = await tenant.api.post('/v1/leads', { email });
    assertInvalid(neither, 'first_name');
    assertInvalid(neither, 'last_name');
    assertInvalid(await tenant.api.post('/v1/leads', { first_name: 'Only', email }), 'last_name');
    assertInvalid(await tenant.api.post('/v1/leads', { last_name: 'Only', email }), 'first_name');
    assertInvalid(await tenant.api.post('/v1/leads', { first_name: '   ', last_name: 'Blank', email }), 'first_name');
    assert.equal(await total(tenant.api, `/v1/leads?email=${encodeURIComponent(email)}`), 0);
  });

  it("stores the email lower-cased, starts as new and records the key's user as created_by", async () => {
    const user = await createUser(tenant.api, { role: 'member' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: user.id });
    const local = unique('Ada.Byron-');
    const response = await key.api.post('/v1/leads', { first_name: ' Ada ', last_name: 'Byron', email: `${local}@Example.COM`, source: 'website' });
    assert.equal(response.status, 201, response.text);
    const lead = response.body.data;
    assert.match(lead.id, /^led_/);
    assert.equal(lead.first_name, 'Ada');
    assert.equal(lead.email, `${local.toLowerCase()}@example.com`);
    assert.equal(lead.status, 'new');
    assert.equal(lead.created_by, user.id);
    assert.equal(lead.owner_id, null);
    assert.equal(lead.converted_at, null);
    assert.equal(lead.converted_contact_id, null);
    assert.deepEqual(lead.tags, []);
    assert.equal(lead.version, 1);
    assert.match(lead.created_at, ISO);
    assert.equal(response.headers.get('etag'), '"1"');
    assert.deepEqual(await getLead(tenant.api, lead.id), lead);
    // Filtering by the address in any case finds it.
    const found = await tenant.api.get(`/v1/leads?email=${encodeURIComponent(`${local.toUpperCase()}@EXAMPLE.com`)}`);
    assert.deepEqual(ids(found.body.data), [lead.id]);
  });

  it('refuses status converted, an unknown status and unknown fields on create', async () => {
    const last = unique('Refused');
    assertInvalid(await tenant.api.post('/v1/leads', { first_name: 'A', last_name: last, status: 'converted' }), 'status');
    assertInvalid(await tenant.api.post('/v1/leads', { first_name: 'A', last_name: last, status: 'hot' }), 'status');
    assertInvalid(await tenant.api.post('/v1/leads', { first_name: 'A', last_name: last, converted_contact_id: 'con_x' }), 'converted_contact_id');
    assertInvalid(await tenant.api.post('/v1/leads', { first_name: 'A', last_name: last, email: 'not-an-email' }), 'email');
    assert.equal(await total(tenant.api, `/v1/leads?last_name=${last}`), 0);
  });
});

describe('duplicates', () => {
  it('refuses a lead with the email of another, whatever its case', async () => {
    const lead = await createLead(tenant.api);
    const again = await tenant.api.post('/v1/leads', { first_name: 'Other', last_name: 'Person', email: lead.email.toUpperCase() });
    assertDuplicate(again, lead.id, 'email');
    assert.equal(await total(tenant.api, `/v1/leads?email=${encodeURIComponent(lead.email)}`), 1);
    // Changing another lead's email to it is refused as well.
    const second = await createLead(tenant.api);
    assertDuplicate(await tenant.api.patch(`/v1/leads/${second.id}`, { email: lead.email }), lead.id, 'email');
    assert.deepEqual(await getLead(tenant.api, second.id), second);
  });

  it('refuses a lead without email that has the name and company of another, ignoring case and spacing', async () => {
    const last = unique('Hopper');
    const lead = await createLead(tenant.api, { first_name: 'Grace', last_name: last, email: null, company_name: 'Navy  Research Labs' });
    const again = await tenant.api.post('/v1/leads', { first_name: '  grace ', last_name: last.toUpperCase(), company_name: ' navy research   LABS ' });
    assertDuplicate(again, lead.id, 'name');
    // The existing lead has no email, so a newcomer with one is the same person too.
    assertDuplicate(await tenant.api.post('/v1/leads', { first_name: 'GRACE', last_name: last, company_name: 'Navy Research Labs', email: `${unique('g-')}@example.com` }), lead.id, 'name');
    assert.equal(await total(tenant.api, `/v1/leads?last_name=${last}`), 1);
    // Another company is another person.
    await createLead(tenant.api, { first_name: 'Grace', last_name: last, email: null, company_name: 'Other Labs' });
    assert.equal(await total(tenant.api, `/v1/leads?last_name=${last}`), 2);
  });

  it('accepts two leads with the same name but different emails', async () => {
    const last = unique('Smith');
    const a = await tenant.api.post('/v1/leads', { first_name: 'John', last_name: last, company_name: 'Acme', email: `${unique('j1-')}@example.com` });
    const b = await tenant.api.post('/v1/leads', { first_name: 'John', last_name: last, company_name: 'Acme', email: `${unique('j2-')}@example.com` });
    assert.equal(a.status, 201, a.text);
    assert.equal(b.status, 201, b.text);
    assert.equal(await total(tenant.api, `/v1/leads?last_name=${last}`), 2);
  });

  it('creates exactly one lead when 20 identical posts arrive at once', async () => {
    const body = { first_name: 'Rush', last_name: unique('Hour'), email: `${unique('rush-')}@example.com` };
    const responses = await Promise.all(Array.from({ length: 20 }, () => tenant.api.post('/v1/leads', body)));
    const created = responses.filter((r) => r.status === 201);
    assert.equal(created.length, 1, responses.map((r) => `${r.status} ${r.text}`).join('\n'));
    const winner = created[0]?.body.data.id;
    for (const r of responses.filter((x) => x.status !== 201)) assertDuplicate(r, winner, 'email');
    assert.equal(await total(tenant.api, `/v1/leads?email=${encodeURIComponent(body.email)}`), 1);
  });

  it('creates exactly one lead when 20 identical posts without email arrive at once', async () => {
    const body = { first_name: 'Rush', last_name: unique('Nameonly'), company_name: 'Crowd Inc' };
    const responses = await Promise.all(Array.from({ length: 20 }, () => tenant.api.post('/v1/leads', body)));
    const created = responses.filter((r) => r.status === 201);
    assert.equal(created.length, 1, responses.map((r) => `${r.status} ${r.text}`).join('\n'));
    const winner = created[0]?.body.data.id;
    for (const r of responses.filter((x) => x.status !== 201)) assertDuplicate(r, winner, 'name');
    assert.equal(await total(tenant.api, `/v1/leads?last_name=${body.last_name}`), 1);
  });
});

describe('status', () => {
  it('moves between contacted, qualified and unqualified by PATCH', async () => {
    const lead = await createLead(tenant.api);
    let version = lead.version;
    for (const status of ['contacted', 'qualified', 'unqualified', 'new']) {
      const response = await tenant.api.patch(`/v1/leads/${lead.id}`, { status });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.data.status, status);
      assert.equal(response.body.data.version, ++version);
    }
    assert.equal((await getLead(tenant.api, lead.id)).status, 'new');
  });

  it('refuses status converted by PATCH: only conversion converts', async () => {
    const lead = await createLead(tenant.api);
    assertInvalid(await tenant.api.patch(`/v1/leads/${lead.id}`, { status: 'converted' }), 'status');
    const after = await getLead(tenant.api, lead.id);
    assert.equal(after.status, 'new');
    assert.equal(after.converted_at, null);
    assert.equal(after.version, lead.version);
  });

  it("keeps a converted lead's status", async () => {
    const lead = await createLead(tenant.api, { email: `${unique('conv-')}@gmail.com` });
    const { lead: converted } = await convert(tenant.api, lead.id);
    for (const status of ['new', 'qualified']) {
      assertUnprocessable(await tenant.api.patch(`/v1/leads/${lead.id}`, { status }), 'status');
    }
    assert.deepEqual(await getLead(tenant.api, lead.id), converted);
  });
});

describe('conversion', () => {
  let conv: Tenant;
  before(async () => {
    conv = await createTenant(server);
  });

  it("makes a contact and a company from the lead's details when none exist (no body)", async () => {
    const d = domain();
    const lead = await createLead(conv.api, {
      first_name: 'Ada',
      last_name: 'Lovelace',
      email: `ada@${d}`,
      phone: '+44 20 7946 0000',
      company_name: 'Analytical Engines',
      website: `https://www.${d}/about`,
      source: 'referral',
      address: '12 Marylebone Rd',
      city: 'London',
      state: 'Greater London',
      zipcode: 'NW1 5LR',
      country: 'GB',
    });
    const before = await counts(conv.api);
    const result = await convert(conv.api, lead.id);
    const { contact, company, deal } = result;
    assert.equal(deal, null);
    assert.equal(contact.first_name, 'Ada');
    assert.equal(contact.last_name, 'Lovelace');
    assert.equal(contact.email, `ada@${d}`);
    assert.equal(contact.phone, '+44 20 7946 0000');
    assert.deepEqual(contact.address, { street: '12 Marylebone Rd', city: 'London', state: 'Greater London', postal_code: 'NW1 5LR', country: 'GB' });
    assert.equal(contact.company_id, company.id);
    assert.equal(company.name, 'Analytical Engines');
    assert.equal(company.domain, d);

    assert.equal(result.lead.status, 'converted');
    assert.match(result.lead.converted_at, ISO);
    assert.equal(result.lead.converted_contact_id, contact.id);
    assert.equal(result.lead.converted_company_id, company.id);
    assert.equal(result.lead.converted_deal_id, null);
    assert.equal(result.lead.version, lead.version + 1);
    assert.deepEqual(await getLead(conv.api, lead.id), result.lead);
    assert.deepEqual((await conv.api.get(`/v1/contacts/${contact.id}`)).body.data, contact);
    const afterCounts = await counts(conv.api);
    assert.deepEqual(afterCounts, { ...before, contacts: before.contacts + 1, companies: before.companies + 1 });
  });

  it('finds the contact by email (any of its addresses) instead of creating a second one ({} body)', async () => {
    const email = `${unique('known-')}@gmail.com`;
    const existing = await createContact(conv.api, {
      first_name: 'Known',
      last_name: 'Person',
      email: undefined,
      emails: [{ email: `${unique('main-')}@example.org`, primary: true }, { email }],
    });
    const lead = await createLead(conv.api, { first_name: 'Someone', last_name: 'Else', email: email.toUpperCase() });
    const before = await counts(conv.api);
    const { contact, company } = await convert(conv.api, lead.id, {});
    assert.equal(contact.id, existing.id);
    assert.equal(contact.first_name, 'Known', 'the existing contact is kept as it is');
    assert.equal(company, null, 'a webmail lead without a company name gets no company');
    assert.equal((await getLead(conv.api, lead.id)).converted_contact_id, existing.id);
    assert.deepEqual(await counts(conv.api), before);
  });

  it("finds the company by the website's domain", async () => {
    const d = domain();
    const company = await createCompany(conv.api, { name: unique('Website Match '), domain: d });
    const lead = await createLead(conv.api, { email: `x@${domain()}`, company_name: unique('Some other name '), website: `http://WWW.${d.toUpperCase()}/contact?x=1` });
    const before = await counts(conv.api);
    const result = await convert(conv.api, lead.id);
    assert.equal(result.company.id, company.id);
    assert.equal(result.contact.company_id, company.id);
    assert.equal(result.lead.converted_company_id, company.id);
    assert.equal((await counts(conv.api)).companies, before.companies);
  });

  it('finds the company by the domain of a work email when the lead has no website', async () => {
    const d = domain();
    const company = await createCompany(conv.api, { name: unique('Email Match '), domain: d });
    const lead = await createLead(conv.api, { email: `Someone@${d.toUpperCase()}`, company_name: unique('Not the name ') });
    const before = await counts(conv.api);
    const result = await convert(conv.api, lead.id);
    assert.equal(result.company.id, company.id);
    assert.equal((await counts(conv.api)).companies, before.companies);
  });

  it('never takes a webmail domain for a company', async () => {
    // A gmail.com lead without a company name: no company, none named after gmail.com.
    const plain = await createLead(conv.api, { email: `${unique('solo-')}@gmail.com` });
    const before = await counts(conv.api);
    const alone = await convert(conv.api, plain.id);
    assert.equal(alone.company, null);
    assert.equal(alone.lead.converted_company_id, null);
    assert.equal(alone.contact.company_id, null);
    assert.equal((await counts(conv.api)).companies, before.companies);
    assert.equal(await total(conv.api, '/v1/companies?q=gmail'), 0);

    // Even when some company holds the gmail.com domain, a gmail lead is not linked to it.
    const mailbox = await createCompany(conv.api, { name: 'Google Mail', domain: 'gmail.com' });
    const named = await createLead(conv.api, { email: `${unique('indie-')}@gmail.com`, company_name: unique('Indie Studio ') });
    const result = await convert(conv.api, named.id);
    assert.notEqual(result.company.id, mailbox.id);
    assert.equal(result.company.name, named.company_name);
    assert.equal(result.company.domain, null);
    assert.equal(result.contact.company_id, result.company.id);
    const stray = await createLead(conv.api, { email: `${unique('stray-')}@GMAIL.com` });
    const strayResult = await convert(conv.api, stray.id);
    assert.equal(strayResult.company, null);
    assert.equal((await conv.api.get(`/v1/companies/${mailbox.id}/contacts`)).body.meta.total, 0);
  });

  it('finds the company by name, ignoring case, when no domain matches', async () => {
    const name = unique('Globex Corporation ');
    const company = await createCompany(conv.api, { name, domain: domain() });
    const lead = await createLead(conv.api, { email: `${unique('hank-')}@gmail.com`, company_name: name.toUpperCase() });
    const before = await counts(conv.api);
    const result = await convert(conv.api, lead.id);
    assert.equal(result.company.id, company.id);
    assert.equal((await counts(conv.api)).companies, before.companies);
  });

  it('creates a company named by the lead when none matches', async () => {
    const name = unique('Brand New Co ');
    const lead = await createLead(conv.api, { email: `${unique('nc-')}@hotmail.com`, company_name: name });
    const before = await counts(conv.api);
    const result = await convert(conv.api, lead.id);
    assert.equal(result.company.name, name);
    assert.equal(result.contact.company_id, result.company.id);
    assert.equal((await counts(conv.api)).companies, before.companies + 1);
  });

  it('creates a deal linked to the contact and company, with the value and stage given', async () => {
    const pipeline = await defaultPipeline(conv.api);
    const proposal = pipeline.stages[2];
    const lead = await createLead(conv.api, { email: `deal@${domain()}`, company_name: unique('Deal Co ') });
    const result = await convert(conv.api, lead.id, { deal: { name: 'Engine licence', stage_id: proposal.id, value: { amount: 4_800_000, currency: 'GBP' } } });
    const { contact, company, deal } = result;
    assert.match(deal.id, /^deal_/);
    assert.equal(deal.name, 'Engine licence');
    assert.equal(deal.pipeline_id, pipeline.id);
    assert.equal(deal.stage_id, proposal.id);
    assert.deepEqual(deal.value, { amount: 4_800_000, currency: 'GBP' });
    assert.deepEqual(deal.contact_ids, [contact.id]);
    assert.equal(deal.company_id, company.id);
    assert.equal(result.lead.converted_deal_id, deal.id);
    assert.deepEqual((await conv.api.get(`/v1/deals/${deal.id}`)).body.data, deal);
  });

  it("rolls everything back when the deal's stage belongs to another workspace", async () => {
    const email = `rollback@${domain()}`;
    const companyName = unique('Rollback Co ');
    const lead = await createLead(conv.api, { email, company_name: companyName });
    const before = await counts(conv.api);
    const response = await conv.api.post(`/v1/leads/${lead.id}/convert`, { deal: { name: 'Cross', stage_id: theirs.pipeline.stages[0].id } });
    assertUnprocessable(response, 'stage_id');
    assert.deepEqual(await counts(conv.api), before, 'no contact, company or deal was left behind');
    assert.equal(await total(conv.api, `/v1/contacts?email=${encodeURIComponent(email)}`), 0);
    assert.equal(await total(conv.api, `/v1/companies?name=${encodeURIComponent(companyName)}`), 0);
    assert.deepEqual(await getLead(conv.api, lead.id), lead);
    // Nothing reached the other workspace either.
    assert.equal(await total(other.api, `/v1/contacts?email=${encodeURIComponent(email)}`), 0);
    // Fixed, the same conversion goes through.
    const ok = await convert(conv.api, lead.id, { deal: { name: 'Fixed' } });
    assert.equal(ok.lead.status, 'converted');
  });

  it("answers a second conversion with the first one's records and creates nothing", async () => {
    const lead = await createLead(conv.api, { email: `twice@${domain()}`, company_name: unique('Twice Co ') });
    const first = await convert(conv.api, lead.id, { deal: { name: 'First deal' } });
    const before = await counts(conv.api);
    for (const body of [undefined, {}, { deal: { name: 'Another deal' } }]) {
      const again = await convert(conv.api, lead.id, body);
      assert.equal(again.contact.id, first.contact.id);
      assert.equal(again.company.id, first.company.id);
      assert.equal(again.deal.id, first.deal.id);
      assert.equal(again.deal.name, 'First deal');
      assert.deepEqual(again.lead, first.lead);
    }
    assert.deepEqual(await counts(conv.api), before);
  });

  it('answers a repeated conversion by a key that may not read deals with the deal as null, not a 403', async () => {
    const lead = await createLead(conv.api, { email: `noread@${domain()}`, company_name: unique('No Read Co ') });
    const first = await convert(conv.api, lead.id, { deal: { name: 'Hidden deal' } });
    const limited = await keyFor(server, conv, { scope: 'custom', grants: ['leads:write', 'contacts:write', 'companies:write'] });
    const again = await convert(limited.api, lead.id);
    assert.equal(again.deal, null);
    assert.equal(again.lead.converted_deal_id, first.deal.id);
    assert.equal(again.contact.id, first.contact.id);
  });

  it('needs leads, contacts and companies write, and deals write when a deal is asked for', async () => {
    const lead = await createLead(conv.api, { email: `scoped@${domain()}`, company_name: unique('Scoped Co ') });
    const before = await counts(conv.api);
    const leadsOnly = await keyFor(server, conv, { scope: 'custom', grants: ['leads:write'] });
    assertScopeRefused(await leadsOnly.api.post(`/v1/leads/${lead.id}/convert`), 'contacts:write');
    const noCompanies = await keyFor(server, conv, { scope: 'custom', grants: ['leads:write', 'contacts:write'] });
    assertScopeRefused(await noCompanies.api.post(`/v1/leads/${lead.id}/convert`, {}), 'companies:write');
    const readOnly = await keyFor(server, conv, { scope: 'read_only' });
    assertScopeRefused(await readOnly.api.post(`/v1/leads/${lead.id}/convert`), 'leads:write');
    const enough = await keyFor(server, conv, { scope: 'custom', grants: ['leads:write', 'contacts:write', 'companies:write'] });
    assertScopeRefused(await enough.api.post(`/v1/leads/${lead.id}/convert`, { deal: { name: 'No deals grant' } }), 'deals:write');
    assert.deepEqual(await getLead(conv.api, lead.id), lead);
    assert.deepEqual(await counts(conv.api), before);

    const done = await convert(enough.api, lead.id);
    assert.equal(done.lead.status, 'converted');
    assert.equal(done.deal, null);
  });

  it('answers 404 for a lead that does not exist and 400 for an unknown field', async () => {
    assertNotFound(await conv.api.post('/v1/leads/led_01M807GFFF8MEEXBKKKVK895SP/convert'), 'convert missing');
    const lead = await createLead(conv.api);
    assertInvalid(await conv.api.post(`/v1/leads/${lead.id}/convert`, { deal: { name: 'X', owner: 'me' } }), 'deal.owner');
    assert.equal((await getLead(conv.api, lead.id)).status, 'new');
  });
});

describe('filters and search', () => {
  let f: Tenant;
  let l: any[];
  let u1: any, u2: any, t1: any;

  before(async () => {
    f = await createTenant(server);
    [u1, u2, t1] = [await createUser(f.api), await createUser(f.api), await createTag(f.api, 'hot')];
    const asU2 = await keyFor(server, f, { scope: 'full', user_id: u2.id });
    l = [
      await createLead(f.api, { first_name: 'Alan', last_name: 'Turing', email: 'alan@bletchley.uk', company_name: 'Bletchley Park', source: 'referral', owner_id: u1.id, tag_ids: [t1.id] }),
      await createLead(asU2.api, { first_name: 'Joan', last_name: 'Clarke', email: 'joan@bletchley.uk', company_name: 'Bletchley Park Trust', source: 'event', owner_id: u2.id }),
      await createLead(f.api, { first_name: 'Tommy', last_name: 'Flowers', email: null, company_name: 'Post Office Research', source: 'referral', tag_ids: [t1.id] }),
      await createLead(f.api, { first_name: 'Max', last_name: 'Newman', email: 'Max@Manchester.ac.uk', source: 'website' }),
    ];
    assert.equal((await f.api.patch(`/v1/leads/${l[1].id}`, { status: 'contacted' })).status, 200);
    assert.equal((await f.api.patch(`/v1/leads/${l[3].id}`, { status: 'qualified' })).status, 200);
    await convert(f.api, l[2].id);
  });

  const expect = async (query: string, expected: number[]) => {
    const response = await f.api.get(`/v1/leads?${query}`);
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    assert.deepEqual(ids(response.body.data), expected.map((i) => l[i].id), query);
    assert.equal(response.body.meta.total, expected.length, query);
  };

  it('filters by status, source and email', async () => {
    await expect('status=new', [0]);
    await expect('status=contacted', [1]);
    await expect('status=converted', [2]);
    await expect('status[in]=new,qualified', [0, 3]);
    await expect('source=referral', [0, 2]);
    await expect('source[ne]=referral', [1, 3]);
    await expect('email=ALAN@Bletchley.UK', [0]);
    await expect('email=max@manchester.ac.uk', [3]);
    await expect('email[exists]=false', [2]);
  });

  it('filters by company name, tag, owner, creator and conversion', async () => {
    await expect('company_name[contains]=bletchley', [0, 1]);
    await expect('company_name[contains]=PARK%20TRUST', [1]);
    await expect(`tag=${t1.id}`, [0, 2]);
    await expect(`owner_id=${u1.id}`, [0]);
    await expect(`owner_id=${u2.id}`, [1]);
    await expect('owner_id[exists]=false', [2, 3]);
    await expect(`created_by=${u2.id}`, [1]);
    await expect(`created_by=${f.ownerId}`, [0, 2, 3]);
    await expect('converted_at[exists]=true', [2]);
    await expect('converted_at[exists]=false', [0, 1, 3]);
    await expect(`source=referral&tag=${t1.id}&converted_at[exists]=false`, [0]);
  });

  it('searches names, emails and company names with q', async () => {
    await expect('q=turing', [0]);
    await expect('q=bletchley', [0, 1]);
    await expect('q=park%20trust', [1]);
    await expect('q=MANCHESTER', [3]);
    await expect('q=post%20flowers', [2]);
    await expect('q=nobody', []);
  });

  it('refuses unknown fields and wrong values', async () => {
    for (const query of ['status=hot', 'colour=red', 'converted_at[exists]=maybe', 'owner_id[contains]=usr', 'converted_at[gte]=yesterday']) {
      const response = await f.api.get(`/v1/leads?${query}`);
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assert.equal(response.body.error.code, 'invalid_filter', query);
    }
  });
});

describe('tags, versions and conditional writes', () => {
  it('sets, replaces and clears tags with tag_ids', async () => {
    const [t1, t2] = [await createTag(tenant.api), await createTag(tenant.api)];
    const lead = await createLead(tenant.api, { tag_ids: [t1.id] });
    assert.deepEqual(lead.tags, [{ id: t1.id, name: t1.name, color: null }]);
    const replaced = await tenant.api.patch(`/v1/leads/${lead.id}`, { tag_ids: [t2.id] });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(ids(replaced.body.data.tags), [t2.id]);
    assert.equal(replaced.body.data.version, lead.version + 1);
    const cleared = await tenant.api.patch(`/v1/leads/${lead.id}`, { tag_ids: [] });
    assert.deepEqual(cleared.body.data.tags, []);
    assert.deepEqual((await getLead(tenant.api, lead.id)).tags, []);
    assertUnprocessable(await tenant.api.post('/v1/leads', { first_name: 'T', last_name: unique('T'), tag_ids: ['tag_01M807GFFF8MEEXBKKKVK895SP'] }), 'tag_ids');
  });

  it('writes only with a matching If-Match, else 412 with the current version', async () => {
    const lead = await createLead(tenant.api);
    const stale = await tenant.api.patch(`/v1/leads/${lead.id}`, { phone: '123' }, { 'if-match': '"7"' });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'precondition_failed');
    assert.equal(stale.body.error.details.current_version, 1);
    assert.deepEqual(await getLead(tenant.api, lead.id), lead);
    const ok = await tenant.api.patch(`/v1/leads/${lead.id}`, { phone: '123' }, { 'if-match': '"1"' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.data.phone, '123');
    assert.equal(ok.headers.get('etag'), '"2"');
    const staleDelete = await tenant.api.delete(`/v1/leads/${lead.id}`, { 'if-match': '"1"' });
    assert.equal(staleDelete.status, 412, staleDelete.text);
    assert.equal((await tenant.api.get(`/v1/leads/${lead.id}`)).status, 200);
    assert.equal((await tenant.api.delete(`/v1/leads/${lead.id}`, { 'if-match': '"2"' })).status, 200);
  });

  it('keeps the version and updated_at when a PATCH changes nothing', async () => {
    const tag = await createTag(tenant.api);
    const lead = await createLead(tenant.api, { company_name: 'Same Co', tag_ids: [tag.id] });
    const response = await tenant.api.patch(`/v1/leads/${lead.id}`, { first_name: lead.first_name, email: lead.email.toUpperCase(), company_name: ' Same Co ', tag_ids: [tag.id], status: 'new' });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.version, lead.version);
    assert.equal(response.body.data.updated_at, lead.updated_at);
    assert.equal(response.headers.get('etag'), `"${lead.version}"`);
    assert.deepEqual(await getLead(tenant.api, lead.id), lead);
  });
});

describe('deleting', () => {
  it('unlinks the activities and tasks of a deleted lead, moving their version on', async () => {
    const lead = await createLead(tenant.api);
    const activity = (await tenant.api.post('/v1/activities', { type: 'call', lead_id: lead.id })).body.data;
    const task = (await tenant.api.post('/v1/tasks', { title: 'Call back', lead_id: lead.id })).body.data;
    const deleted = await tenant.api.delete(`/v1/leads/${lead.id}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.body.data, { id: lead.id, deleted: true });
    assertNotFound(await tenant.api.get(`/v1/leads/${lead.id}`), 'deleted lead');
    const a = (await tenant.api.get(`/v1/activities/${activity.id}`)).body.data;
    assert.equal(a.lead_id, null);
    assert.equal(a.version, activity.version + 1);
    assert.ok(a.updated_at > activity.updated_at);
    const t = (await tenant.api.get(`/v1/tasks/${task.id}`)).body.data;
    assert.equal(t.lead_id, null);
    assert.equal(t.version, task.version + 1);
    assert.equal(await total(tenant.api, `/v1/activities?lead_id=${lead.id}`), 0);
  });

  it('clears converted_contact_id when the contact the lead became is deleted', async () => {
    const lead = await createLead(tenant.api, { email: `gone@${domain()}`, company_name: unique('Stays Co ') });
    const { contact, company, lead: converted } = await convert(tenant.api, lead.id);
    assert.equal((await tenant.api.delete(`/v1/contacts/${contact.id}`)).status, 200);
    const after = await getLead(tenant.api, lead.id);
    assert.equal(after.converted_contact_id, null);
    assert.equal(after.converted_company_id, company.id);
    assert.equal(after.status, 'converted');
    assert.equal(after.version, converted.version + 1);
    assert.ok(after.updated_at > converted.updated_at);
    // Converting again answers with what is left, and makes no new contact.
    const again = await convert(tenant.api, lead.id);
    assert.equal(again.contact, null);
    assert.equal(again.company.id, company.id);
  });
});

describe('isolation', () => {
  const missing = 'led_01M807GFFF8MEEXBKKKVK895SP';

  it("answers 404 for another workspace's lead on get, update, delete and convert", async () => {
    const id = theirs.lead.id;
    for (const [what, request] of [
      ['GET', (x: string) => tenant.api.get(`/v1/leads/${x}`)],
      ['PATCH', (x: string) => tenant.api.patch(`/v1/leads/${x}`, { status: 'qualified' })],
      ['PATCH If-Match', (x: string) => tenant.api.patch(`/v1/leads/${x}`, { status: 'qualified' }, { 'if-match': '"1"' })],
      ['DELETE', (x: string) => tenant.api.delete(`/v1/leads/${x}`)],
      ['convert', (x: string) => tenant.api.post(`/v1/leads/${x}/convert`)],
      ['timeline', (x: string) => tenant.api.get(`/v1/leads/${x}/timeline`)],
    ] as const) {
      const foreign = await request(id);
      assertNotFound(foreign, what);
      assert.ok(!foreign.text.includes(theirs.lead.email), `${what} leaks nothing`);
      assert.deepEqual(foreign.body.error, (await request(missing)).body.error, what);
    }
    assert.deepEqual(await getLead(other.api, id), theirs.lead);
    assert.equal(await total(other.api, '/v1/contacts'), 0, 'their lead was not converted');
    assert.equal(await total(tenant.api, `/v1/leads?email=${encodeURIComponent(theirs.lead.email)}`), 0);
  });

  it("refuses an owner or tags of another workspace with 422 naming the field", async () => {
    const last = unique('Cross');
    assertUnprocessable(await tenant.api.post('/v1/leads', { first_name: 'X', last_name: last, owner_id: theirs.user.id }), 'owner_id');
    assertUnprocessable(await tenant.api.post('/v1/leads', { first_name: 'X', last_name: last, owner_id: other.ownerId }), 'owner_id');
    assertUnprocessable(await tenant.api.post('/v1/leads', { first_name: 'X', last_name: last, tag_ids: [theirs.tag.id] }), 'tag_ids');
    assert.equal(await total(tenant.api, `/v1/leads?last_name=${last}`), 0);
    const lead = await createLead(tenant.api);
    assertUnprocessable(await tenant.api.patch(`/v1/leads/${lead.id}`, { owner_id: theirs.user.id }), 'owner_id');
    assertUnprocessable(await tenant.api.patch(`/v1/leads/${lead.id}`, { tag_ids: [theirs.tag.id] }), 'tag_ids');
    assert.deepEqual(await getLead(tenant.api, lead.id), lead);
  });

  it('keeps duplicate rules within a workspace', async () => {
    const same = await tenant.api.post('/v1/leads', { first_name: 'Their', last_name: 'Lead', company_name: 'Their Co', email: theirs.lead.email });
    assert.equal(same.status, 201, same.text);
  });
});

describe('scopes', () => {
  it('lets a read_only key read leads but not write them', async () => {
    const lead = await createLead(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'read_only' });
    assert.equal((await key.api.get(`/v1/leads/${lead.id}`)).status, 200);
    assert.equal((await key.api.get('/v1/leads')).status, 200);
    assertScopeRefused(await key.api.post('/v1/leads', { first_name: 'R', last_name: unique('O') }), 'leads:write');
    assertScopeRefused(await key.api.patch(`/v1/leads/${lead.id}`, { status: 'qualified' }), 'leads:write');
    assertScopeRefused(await key.api.delete(`/v1/leads/${lead.id}`), 'leads:write');
    assert.deepEqual(await getLead(tenant.api, lead.id), lead);
  });

  it('lets a custom leads:read key read leads only', async () => {
    const lead = await createLead(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['leads:read'] });
    assert.deepEqual((await key.api.get(`/v1/leads/${lead.id}`)).body.data, lead);
    assert.equal((await key.api.get(`/v1/leads?email=${encodeURIComponent(lead.email)}`)).body.meta.total, 1);
    assertScopeRefused(await key.api.post('/v1/leads', { first_name: 'R', last_name: unique('O') }), 'leads:write');
    assertScopeRefused(await key.api.patch(`/v1/leads/${lead.id}`, { phone: '1' }), 'leads:write');
    assertScopeRefused(await key.api.delete(`/v1/leads/${lead.id}`), 'leads:write');
    assertScopeRefused(await key.api.get('/v1/contacts'), 'contacts:read');
    assert.deepEqual(await getLead(tenant.api, lead.id), lead);
  });
});
