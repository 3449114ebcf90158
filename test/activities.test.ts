/**
 * Activities: types and fields, who logged them, links to records of the
 * workspace, safe retries of automated logging (source + external_id, also
 * under concurrency), filters and search, what deleting linked records does,
 * isolation and scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertDuplicate, assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids, total } from './helpers/assertions.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TYPES = ['call', 'email', 'meeting', 'note', 'sms', 'other'];

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
let mine: { contact: any; company: any; deal: any; lead: any };
let theirs: { contact: any; company: any; deal: any; lead: any; user: any; activity: any };

async function createDeal(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/deals', { name: unique('Deal '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function createLead(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/leads', { first_name: 'Lena', last_name: unique('Lead'), email: `${unique('lead-')}@example.com`, ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function log(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/activities', { type: 'note', ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function getActivity(api: ApiClient, id: string): Promise<any> {
  const response = await api.get(`/v1/activities/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}


before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
  mine = { contact: await createContact(tenant.api), company: await createCompany(tenant.api), deal: await createDeal(tenant.api), lead: await createLead(tenant.api) };
  const t = { contact: await createContact(other.api), company: await createCompany(other.api), deal: await createDeal(other.api), lead: await createLead(other.api), user: await createUser(other.api) };
  const activity = await log(other.api, { type: 'call', subject: 'Their call', contact_id: t.contact.id, source: 'aircall', external_id: 'shared-1' });
  theirs = { ...t, activity };
});
after(() => server.close());

describe('logging activities', () => {
  it('logs every type and keeps the fields given', async () => {
    for (const type of TYPES) {
      const activity = await log(tenant.api, { type, subject: `A ${type}` });
      assert.match(activity.id, /^act_/);
      assert.equal(activity.type, type);
      assert.equal(activity.subject, `A ${type}`);
      assert.equal(activity.version, 1);
      assert.deepEqual(await getActivity(tenant.api, activity.id), activity);
    }
    const call = await log(tenant.api, { type: 'call', subject: 'Discovery', body: 'Talked about pricing', duration_seconds: 540, direction: 'outbound', outcome: 'connected', custom_fields: { recording: 'r-1' } });
    assert.equal(call.body, 'Talked about pricing');
    assert.equal(call.duration_seconds, 540);
    assert.equal(call.direction, 'outbound');
    assert.equal(call.outcome, 'connected');
    assert.deepEqual(call.custom_fields, { recording: 'r-1' });
  });

  it('refuses an unknown or missing type', async () => {
    const subject = unique('Bad type ');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'fax', subject }), 'type');
    assertInvalid(await tenant.api.post('/v1/activities', { subject }), 'type');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'CALL', subject }), 'type');
    const activity = await log(tenant.api);
    assertInvalid(await tenant.api.patch(`/v1/activities/${activity.id}`, { type: 'fax' }), 'type');
    assert.equal(await total(tenant.api, `/v1/activities?q=${encodeURIComponent(subject)}`), 0);
  });

  it('sets occurred_at to now unless it is given, and refuses one that is no date-time', async () => {
    const before = Date.now();
    const now = await log(tenant.api);
    const after = Date.now();
    assert.match(now.occurred_at, ISO);
    const at = Date.parse(now.occurred_at);
    assert.ok(at >= before - 2000 && at <= after + 2000, `${now.occurred_at} is about now`);
    const given = await log(tenant.api, { occurred_at: '2026-03-21T12:30:00+02:00' });
    assert.equal(given.occurred_at, '2026-03-21T10:30:00.000Z');
    const moved = await tenant.api.patch(`/v1/activities/${given.id}`, { occurred_at: '2025-12-31T23:59:59.123Z' });
    assert.equal(moved.body.data.occurred_at, '2025-12-31T23:59:59.123Z');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'note', occurred_at: 'yesterday' }), 'occurred_at');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'note', occurred_at: '2026-13-40T00:00:00Z' }), 'occurred_at');
  });

  it('gives back every instant exactly as given: leap days, single-digit milliseconds, years before 1970 and the last instant of year 9999', async () => {
    const instants = [
      '2024-02-29T00:00:00.000Z',
      '2026-01-01T00:00:00.007Z',
      '2026-12-31T23:59:59.999Z',
      '2000-03-01T09:05:03.040Z',
      '1970-01-01T00:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1900-06-15T12:00:00.500Z',
    ];
    for (const instant of instants) {
      const logged = await log(tenant.api, { occurred_at: instant });
      assert.equal(logged.occurred_at, instant);
      assert.equal((await getActivity(tenant.api, logged.id)).occurred_at, instant);
    }
    const last = await log(tenant.api, { occurred_at: '9999-12-31T23:59:59.999Z' });
    assert.equal(last.occurred_at, '9999-12-31T23:59:59.999Z');
  });

  it('refuses a negative, fractional or string duration', async () => {
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'call', duration_seconds: -1 }), 'duration_seconds');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'call', duration_seconds: 1.5 }), 'duration_seconds');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'call', duration_seconds: '60' }), 'duration_seconds');
    const zero = await log(tenant.api, { type: 'call', duration_seconds: 0 });
    assert.equal(zero.duration_seconds, 0);
    assertInvalid(await tenant.api.patch(`/v1/activities/${zero.id}`, { duration_seconds: -5 }), 'duration_seconds');
    assert.equal((await getActivity(tenant.api, zero.id)).duration_seconds, 0);
  });

  it('takes inbound or outbound as direction, and nothing else', async () => {
    assert.equal((await log(tenant.api, { type: 'call', direction: 'inbound' })).direction, 'inbound');
    const outbound = await log(tenant.api, { type: 'call', direction: 'outbound' });
    assert.equal(outbound.direction, 'outbound');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'call', direction: 'sideways' }), 'direction');
    assertInvalid(await tenant.api.patch(`/v1/activities/${outbound.id}`, { direction: 'Inbound' }), 'direction');
    assert.equal((await getActivity(tenant.api, outbound.id)).direction, 'outbound');
  });

  it('clears direction given as null, and takes null on create', async () => {
    const outbound = await log(tenant.api, { type: 'call', direction: 'outbound' });
    const cleared = await tenant.api.patch(`/v1/activities/${outbound.id}`, { direction: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.data.direction, null);
    assert.equal((await getActivity(tenant.api, outbound.id)).direction, null);
    const created = await tenant.api.post('/v1/activities', { type: 'note', direction: null });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.data.direction, null);
  });

  it("is logged by the key's user unless another user of the workspace is named", async () => {
    const member = await createUser(tenant.api, { role: 'member' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: member.id });
    assert.equal((await log(key.api)).logged_by, member.id);
    assert.equal((await log(tenant.api)).logged_by, tenant.ownerId);
    const named = await log(tenant.api, { logged_by: member.id });
    assert.equal(named.logged_by, member.id);
    const subject = unique('Cross logger ');
    for (const userId of [theirs.user.id, other.ownerId, 'usr_01M807GFFF8MEEXBKKKVK895SP', 'nonsense']) {
      assertUnprocessable(await tenant.api.post('/v1/activities', { type: 'call', subject, logged_by: userId }), 'logged_by');
      assertUnprocessable(await tenant.api.patch(`/v1/activities/${named.id}`, { logged_by: userId }), 'logged_by');
    }
    assert.equal(await total(tenant.api, `/v1/activities?q=${encodeURIComponent(subject)}`), 0);
    assert.deepEqual(await getActivity(tenant.api, named.id), named);
  });

  it('links to a contact, a company, a deal and a lead of the workspace', async () => {
    const activity = await log(tenant.api, { type: 'meeting', contact_id: mine.contact.id, company_id: mine.company.id, deal_id: mine.deal.id, lead_id: mine.lead.id });
    assert.equal(activity.contact_id, mine.contact.id);
    assert.equal(activity.company_id, mine.company.id);
    assert.equal(activity.deal_id, mine.deal.id);
    assert.equal(activity.lead_id, mine.lead.id);
    const unlinked = await tenant.api.patch(`/v1/activities/${activity.id}`, { contact_id: null, deal_id: null });
    assert.equal(unlinked.status, 200, unlinked.text);
    assert.equal(unlinked.body.data.contact_id, null);
    assert.equal(unlinked.body.data.deal_id, null);
    assert.equal(unlinked.body.data.company_id, mine.company.id);
  });

  it('refuses a link to a record outside the workspace with 422 naming the field', async () => {
    const subject = unique('Cross link ');
    const activity = await log(tenant.api, { contact_id: mine.contact.id });
    for (const field of ['contact_id', 'company_id', 'deal_id', 'lead_id'] as const) {
      for (const id of [theirs[field.replace('_id', '') as 'contact' | 'company' | 'deal' | 'lead'].id, 'con_01M807GFFF8MEEXBKKKVK895SP', 'x']) {
        assertUnprocessable(await tenant.api.post('/v1/activities', { type: 'note', subject, [field]: id }), field);
        assertUnprocessable(await tenant.api.patch(`/v1/activities/${activity.id}`, { [field]: id }), field);
      }
    }
    assert.equal(await total(tenant.api, `/v1/activities?q=${encodeURIComponent(subject)}`), 0);
    assert.deepEqual(await getActivity(tenant.api, activity.id), activity);
  });
});

describe('source and external_id', () => {
  it('refuses the same event logged twice with the existing activity id', async () => {
    const call = { type: 'call', subject: 'Inbound call', source: 'aircall', external_id: unique('call-') };
    const first = await log(tenant.api, call);
    assertDuplicate(await tenant.api.post('/v1/activities', call), first.id);
    assertDuplicate(await tenant.api.post('/v1/activities', { ...call, subject: 'Other words', type: 'note' }), first.id);
    assert.equal(await total(tenant.api, `/v1/activities?external_id=${call.external_id}`), 1);
  });

  it('accepts the same external_id from another source, and the same pair in another workspace', async () => {
    const externalId = unique('evt-');
    await log(tenant.api, { source: 'aircall', external_id: externalId });
    await log(tenant.api, { source: 'gmail', external_id: externalId });
    await log(tenant.api, { source: 'aircall', external_id: `${externalId}-2` });
    assert.equal(await total(tenant.api, `/v1/activities?external_id=${externalId}`), 2);
    // Their workspace holds aircall/shared-1 already; ours is free to log it.
    await log(tenant.api, { source: 'aircall', external_id: 'shared-1' });
  });

  it('refuses an external_id without a source', async () => {
    const externalId = unique('orphan-');
    assertInvalid(await tenant.api.post('/v1/activities', { type: 'call', external_id: externalId }), 'source');
    assert.equal(await total(tenant.api, `/v1/activities?external_id=${externalId}`), 0);
    const activity = await log(tenant.api, { source: 'aircall', external_id: externalId });
    assertInvalid(await tenant.api.patch(`/v1/activities/${activity.id}`, { source: null }), 'source');
    assert.deepEqual(await getActivity(tenant.api, activity.id), activity);
  });

  it('refuses a PATCH onto a source and external_id another activity holds', async () => {
    const taken = await log(tenant.api, { source: 'aircall', external_id: unique('taken-') });
    const activity = await log(tenant.api, { source: 'aircall', external_id: unique('free-') });
    assertDuplicate(await tenant.api.patch(`/v1/activities/${activity.id}`, { external_id: taken.external_id }), taken.id);
    const plain = await log(tenant.api);
    assertDuplicate(await tenant.api.patch(`/v1/activities/${plain.id}`, { source: 'aircall', external_id: taken.external_id }), taken.id);
    assert.deepEqual(await getActivity(tenant.api, activity.id), activity);
    assert.deepEqual(await getActivity(tenant.api, plain.id), plain);
    // Re-sending its own pair is fine.
    const same = await tenant.api.patch(`/v1/activities/${taken.id}`, { source: 'aircall', external_id: taken.external_id });
    assert.equal(same.status, 200, same.text);
    assert.equal(same.body.data.version, taken.version);
  });

  it('creates exactly one activity when 10 identical logs arrive at once', async () => {
    const call = { type: 'call', source: 'aircall', external_id: unique('burst-'), lead_id: mine.lead.id };
    const responses = await Promise.all(Array.from({ length: 10 }, () => tenant.api.post('/v1/activities', call)));
    const created = responses.filter((r) => r.status === 201);
    assert.equal(created.length, 1, responses.map((r) => `${r.status} ${r.text}`).join('\n'));
    for (const r of responses.filter((x) => x.status !== 201)) assertDuplicate(r, created[0]?.body.data.id);
    assert.equal(await total(tenant.api, `/v1/activities?external_id=${call.external_id}`), 1);
  });
});

describe('filters and search', () => {
  let f: Tenant;
  let a: any[];
  let c1: any, c2: any, d1: any, l1: any, u1: any;

  before(async () => {
    f = await createTenant(server);
    [c1, c2, d1, l1, u1] = [await createContact(f.api), await createContact(f.api), await createDeal(f.api), await createLead(f.api), await createUser(f.api)];
    a = [
      await log(f.api, { type: 'call', contact_id: c1.id, occurred_at: '2026-01-10T09:00:00.000Z', source: 'aircall', external_id: 'c-1', subject: 'Discovery call', body: 'Talked pricing' }),
      await log(f.api, { type: 'email', contact_id: c2.id, deal_id: d1.id, occurred_at: '2026-02-01T00:00:00.000Z', source: 'gmail', external_id: 'm-1', subject: 'Proposal sent', logged_by: u1.id }),
      await log(f.api, { type: 'meeting', deal_id: d1.id, lead_id: l1.id, occurred_at: '2026-03-15T14:00:00.000Z', subject: 'Onsite demo', body: 'Pricing discussion with the CFO' }),
      await log(f.api, { type: 'note', lead_id: l1.id, occurred_at: '2026-04-01T08:00:00.000Z', logged_by: u1.id, body: 'Follow up next quarter' }),
    ];
  });

  const expect = async (query: string, expected: number[]) => {
    const response = await f.api.get(`/v1/activities?${query}`);
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    assert.deepEqual(ids(response.body.data), expected.map((i) => a[i].id), query);
    assert.equal(response.body.meta.total, expected.length, query);
  };

  it('filters by type and by linked record', async () => {
    await expect('type=call', [0]);
    await expect('type[in]=email,meeting', [1, 2]);
    await expect(`contact_id=${c1.id}`, [0]);
    await expect(`deal_id=${d1.id}`, [1, 2]);
    await expect(`lead_id=${l1.id}`, [2, 3]);
    await expect('deal_id[exists]=false', [0, 3]);
    await expect(`lead_id=${l1.id}&type=note`, [3]);
  });

  it('filters by occurred_at range, source, external_id and logged_by', async () => {
    await expect('occurred_at[gte]=2026-02-01T00:00:00.000Z&occurred_at[lt]=2026-04-01T08:00:00.000Z', [1, 2]);
    await expect('occurred_at[lt]=2026-01-31', [0]);
    await expect('occurred_at[gt]=2026-03-15T14:00:00.000Z', [3]);
    await expect('source=aircall', [0]);
    await expect('source=gmail&external_id=m-1', [1]);
    await expect('external_id=c-1', [0]);
    await expect('source[exists]=false', [2, 3]);
    await expect(`logged_by=${u1.id}`, [1, 3]);
    await expect(`logged_by=${f.ownerId}`, [0, 2]);
    await expect('sort=-occurred_at', [3, 2, 1, 0]);
  });

  it('searches subject and body with q', async () => {
    await expect('q=pricing', [0, 2]);
    await expect('q=PRICING%20cfo', [2]);
    await expect('q=quarter', [3]);
    await expect('q=proposal', [1]);
    await expect('q=nothing-like-this', []);
  });

  it('refuses unknown fields and wrong values', async () => {
    for (const query of ['type=fax', 'direction=up', 'occurred_at[gte]=soon', 'colour=red', 'logged_by[contains]=usr']) {
      const response = await f.api.get(`/v1/activities?${query}`);
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assert.equal(response.body.error.code, 'invalid_filter', query);
    }
  });
});

describe('deleting what an activity points at', () => {
  it('keeps the activity when its contact, company or deal is deleted, unlinked with a new version', async () => {
    const contact = await createContact(tenant.api);
    const company = await createCompany(tenant.api);
    const deal = await createDeal(tenant.api);
    const activity = await log(tenant.api, { type: 'call', contact_id: contact.id, company_id: company.id, deal_id: deal.id });

    assert.equal((await tenant.api.delete(`/v1/contacts/${contact.id}`)).status, 200);
    const afterContact = await getActivity(tenant.api, activity.id);
    assert.equal(afterContact.contact_id, null);
    assert.equal(afterContact.deal_id, deal.id);
    assert.equal(afterContact.version, activity.version + 1);
    assert.ok(afterContact.updated_at > activity.updated_at);

    assert.equal((await tenant.api.delete(`/v1/deals/${deal.id}`)).status, 200);
    const afterDeal = await getActivity(tenant.api, activity.id);
    assert.equal(afterDeal.deal_id, null);
    assert.equal(afterDeal.company_id, company.id);
    assert.equal(afterDeal.version, activity.version + 2);

    assert.equal((await tenant.api.delete(`/v1/companies/${company.id}`)).status, 200);
    const afterCompany = await getActivity(tenant.api, activity.id);
    assert.equal(afterCompany.company_id, null);
    assert.equal(afterCompany.version, activity.version + 3);
    assert.equal(afterCompany.subject, activity.subject);
  });

  it('keeps the activity without logged_by when the user who logged it is deleted', async () => {
    const user = await createUser(tenant.api);
    const activity = await log(tenant.api, { logged_by: user.id });
    assert.equal((await tenant.api.delete(`/v1/users/${user.id}`)).status, 200);
    const after = await getActivity(tenant.api, activity.id);
    assert.equal(after.logged_by, null);
    assert.equal(after.version, activity.version + 1);
    assert.equal(await total(tenant.api, `/v1/activities?logged_by=${user.id}`), 0);
  });
});

describe('isolation', () => {
  const missing = 'act_01M807GFFF8MEEXBKKKVK895SP';

  it("answers 404 for another workspace's activity on get, update and delete", async () => {
    for (const [what, request] of [
      ['GET', (x: string) => tenant.api.get(`/v1/activities/${x}`)],
      ['PATCH', (x: string) => tenant.api.patch(`/v1/activities/${x}`, { subject: 'Hijacked' })],
      ['PATCH If-Match', (x: string) => tenant.api.patch(`/v1/activities/${x}`, { subject: 'Hijacked' }, { 'if-match': '"1"' })],
      ['DELETE', (x: string) => tenant.api.delete(`/v1/activities/${x}`)],
    ] as const) {
      const foreign = await request(theirs.activity.id);
      assertNotFound(foreign, what);
      assert.ok(!foreign.text.includes('Their call'), what);
      assert.deepEqual(foreign.body.error, (await request(missing)).body.error, what);
    }
    assert.deepEqual(await getActivity(other.api, theirs.activity.id), theirs.activity);
  });

  it("never lists another workspace's activities", async () => {
    for (const query of [`contact_id=${theirs.contact.id}`, 'q=Their', 'external_id=shared-1&source=aircall&type=call']) {
      const response = await tenant.api.get(`/v1/activities?${query}`);
      assert.equal(response.status, 200, response.text);
      assert.ok(!ids(response.body.data).includes(theirs.activity.id), query);
    }
  });
});

describe('scopes', () => {
  it('lets an activities:write key log and read activities but not read contacts', async () => {
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['activities:write'] });
    const response = await key.api.post('/v1/activities', { type: 'call', contact_id: mine.contact.id, source: 'aircall', external_id: unique('k-') });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.data.logged_by, tenant.ownerId);
    assert.equal((await key.api.get(`/v1/activities/${response.body.data.id}`)).status, 200);
    assertScopeRefused(await key.api.get('/v1/contacts'), 'contacts:read');
    assertScopeRefused(await key.api.get(`/v1/contacts/${mine.contact.id}`), 'contacts:read');
    assertScopeRefused(await key.api.post('/v1/tasks', { title: 'Nope' }), 'tasks:write');
  });

  it('lets a read_only key read activities but not write them, and a contacts-only key not even read them', async () => {
    const activity = await log(tenant.api);
    const readOnly = await keyFor(server, tenant, { scope: 'read_only' });
    assert.equal((await readOnly.api.get(`/v1/activities/${activity.id}`)).status, 200);
    assertScopeRefused(await readOnly.api.post('/v1/activities', { type: 'note' }), 'activities:write');
    assertScopeRefused(await readOnly.api.patch(`/v1/activities/${activity.id}`, { subject: 'x' }), 'activities:write');
    assertScopeRefused(await readOnly.api.delete(`/v1/activities/${activity.id}`), 'activities:write');
    const contactsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write'] });
    assertScopeRefused(await contactsOnly.api.get('/v1/activities'), 'activities:read');
    assertScopeRefused(await contactsOnly.api.get(`/v1/activities/${activity.id}`), 'activities:read');
    assert.deepEqual(await getActivity(tenant.api, activity.id), activity);
  });
});
