/**
 * Read, then write back unchanged: every entity type with an edit*, rich
 * (every field set) and sparse (the computed fields: a lead's confidence from
 * its stage, an activity's name from its type, a contact with only an
 * email), read with get* and sent back whole with edit* as clients do.
 * Nothing changes: no error, no warning, the same entity, the same rev, and
 * the record, its version and its events as they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createTenant, unique, type Tenant } from './helpers/factories.js';
import { basicAuth, nodeClientPost, rpcClient, rpcPost } from './helpers/jsonrpc.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let nutshell: ReturnType<typeof rpcClient>;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  nutshell = rpcClient(server.url, basicAuth(tenant.ownerEmail, tenant.key));
});
after(() => server.close());

async function created(path: string, body: Record<string, unknown>): Promise<any> {
  const response = await tenant.api.post(path, body);
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

interface Subject {
  what: string;
  entity: 'Lead' | 'Contact' | 'Account' | 'Activity' | 'Task';
  path: string;
  id: string;
}

/** One record of each kind, rich and sparse, and the user who owns the rich ones. */
async function subjects(): Promise<{ subjects: Subject[]; userId: string }> {
  const tag = unique('vip-');
  const user = await created('/v1/users', { email: `${unique('rep-')}@example.com`, name: 'Rita Rep' });
  const company = await createCompany(tenant.api, {
    industry: 'Medical',
    employee_count: 40,
    phone: '734-234-9990',
    website: 'https://arbor.example',
    email: 'info@arbor.example',
    description: 'Hospital group.\nTwo sites.',
    address: { street: '220 Depot St\nSuite 4', city: 'Ann Arbor', state: 'MI', postal_code: '48104', country: 'US' },
    owner_id: user.id,
    tag_ids: [(await created('/v1/tags', { name: tag })).id],
    custom_fields: { tier: 'gold', seats: 40 },
  });
  const contact = await createContact(tenant.api, {
    first_name: 'Joan',
    last_name: 'Smith',
    emails: [
      { email: `${unique('joan-')}@example.com`, label: null, primary: true },
      { email: `${unique('joan-')}@example.com`, label: 'blackberry' },
    ],
    email: undefined,
    phones: [{ phone: '734-555-9090' }, { phone: '734-555-6711', label: 'cell' }],
    title: 'Purchasing Manager',
    company_id: company.id,
    owner_id: user.id,
    description: 'Prefers email.',
    website: 'https://joan.example',
    address: { street: '1 Main St', city: 'Detroit', country: 'US' },
    custom_fields: { birthday: '04-01' },
  });
  const onlyEmail = await created('/v1/contacts', { email: `${unique('only-')}@example.com` });
  const [pipeline] = (await tenant.api.get('/v1/pipelines')).body.data;
  const lost = pipeline.stages.find((s: any) => s.type === 'lost');
  const deal = await created('/v1/deals', {
    name: 'Arbor renewal',
    value: { amount: 1250050, currency: 'USD' },
    probability: 65,
    owner_id: user.id,
    company_id: company.id,
    contact_ids: [contact.id, onlyEmail.id],
    expected_close_date: '2026-12-31',
    source: 'referral',
    description: 'Two sites, 40 seats.',
    custom_fields: { region: 'north' },
  });
  const lostDeal = await created('/v1/deals', { name: 'Lost one', stage_id: lost.id, lost_reason: 'Price', value: { amount: 500, currency: 'JPY' } });
  const sparseDeal = await created('/v1/deals', { name: 'Sparse' });
  const activity = await created('/v1/activities', {
    type: 'meeting',
    subject: 'Site visit',
    body: 'Walked the wards.',
    occurred_at: '2026-01-13T23:08:06.000Z',
    duration_seconds: 1800,
    contact_id: contact.id,
    company_id: company.id,
    deal_id: deal.id,
    custom_fields: { room: 'B2' },
  });
  const sparseActivity = await created('/v1/activities', { type: 'call', occurred_at: '2030-01-01T09:00:00.000Z' });
  const task = await created('/v1/tasks', { title: 'Send quote', description: 'With the 40-seat price.', due_at: '2026-02-01T09:00:00.000Z', assignee_id: user.id, deal_id: deal.id, custom_fields: { n: 1 } });
  const completed = await created('/v1/tasks', { title: 'Call back', contact_id: contact.id });
  assert.equal((await tenant.api.post(`/v1/tasks/${completed.id}/complete`, {})).status, 200);
  const companyTask = await created('/v1/tasks', { title: 'Check the account', company_id: company.id });
  return { userId: user.id, subjects: [
    { what: 'a rich account, with contacts and leads', entity: 'Account', path: '/v1/companies', id: company.id },
    { what: 'a bare account', entity: 'Account', path: '/v1/companies', id: (await createCompany(tenant.api)).id },
    { what: 'a rich contact', entity: 'Contact', path: '/v1/contacts', id: contact.id },
    { what: 'a contact with only an email', entity: 'Contact', path: '/v1/contacts', id: onlyEmail.id },
    { what: 'a rich lead', entity: 'Lead', path: '/v1/deals', id: deal.id },
    { what: 'a lost lead', entity: 'Lead', path: '/v1/deals', id: lostDeal.id },
    { what: "a lead with its stage's confidence", entity: 'Lead', path: '/v1/deals', id: sparseDeal.id },
    { what: 'a logged activity', entity: 'Activity', path: '/v1/activities', id: activity.id },
    { what: 'a scheduled activity without a name or an end', entity: 'Activity', path: '/v1/activities', id: sparseActivity.id },
    { what: 'a task about a lead', entity: 'Task', path: '/v1/tasks', id: task.id },
    { what: 'a completed task', entity: 'Task', path: '/v1/tasks', id: completed.id },
    { what: 'a task about an account', entity: 'Task', path: '/v1/tasks', id: companyTask.id },
  ] };
}

const read = async ({ entity, id, what }: Subject): Promise<any> => {
  const reply = await nutshell.call(`get${entity}`, { [`${entity.toLowerCase()}Id`]: id });
  assert.equal(reply.status, 200, `${what}: ${reply.text}`);
  return reply.body.result;
};

describe('read, then write back unchanged', () => {
  it('changes nothing for any entity: no error, no warning, the same entity and rev, no new version or event', async () => {
    for (const subject of (await subjects()).subjects) {
      const { entity, id, path, what } = subject;
      const noun = entity.toLowerCase();
      const before = (await tenant.api.get(`${path}/${id}`)).body.data;
      const eventsBefore = (await tenant.api.get(`/v1/events?record_id=${id}&limit=100`)).body.meta.total;
      const got = await read(subject);

      // As the Node client sends it: chunked, no content type.
      const written = await nodeClientPost(server.url, { method: `edit${entity}`, params: { [`${noun}Id`]: id, rev: got.rev, [noun]: got }, id: 'rt' }, `${tenant.ownerEmail}:${tenant.key}`);
      assert.equal(written.status, 200, `${what}: ${written.text}`);
      assert.equal(written.body.error, null, `${what}: ${written.text}`);
      assert.equal(written.body.data, undefined, `${what}: no warnings: ${written.text}`);
      assert.deepEqual(written.body.result, got, `${what}: the entity answered is the one read`);
      assert.equal(written.body.result.rev, got.rev, `${what}: rev unchanged`);

      assert.deepEqual((await tenant.api.get(`${path}/${id}`)).body.data, before, `${what}: the record, its version and updated_at are as they were`);
      assert.equal((await tenant.api.get(`/v1/events?record_id=${id}&limit=100`)).body.meta.total, eventsBefore, `${what}: no event`);
    }
  });

  it('changes nothing either when the related records shown as stubs changed since the read (each field is then mapped back)', async () => {
    const { subjects: all, userId } = await subjects();
    const reads = await Promise.all(all.map(read));
    // Stubs inside the entities read (owner, assignee, milestone, stageset) are now stale: those fields are applied, and must map back to the same records.
    assert.equal((await tenant.api.patch(`/v1/users/${userId}`, { name: 'Rita Renamed' })).status, 200);
    const [pipeline] = (await tenant.api.get('/v1/pipelines')).body.data;
    assert.equal((await tenant.api.patch(`/v1/pipelines/${pipeline.id}`, { name: unique('Sales ') })).status, 200);
    assert.equal((await tenant.api.patch(`/v1/stages/${pipeline.stages[0].id}`, { name: unique('Qualifying ') })).status, 200);
    for (const [i, subject] of all.entries()) {
      const { entity, id, path, what } = subject;
      const got = reads[i];
      const before = (await tenant.api.get(`${path}/${id}`)).body.data;
      const written = await nutshell.call(`edit${entity}`, { [`${entity.toLowerCase()}Id`]: id, rev: got.rev, [entity.toLowerCase()]: got });
      assert.equal(written.body.error, null, `${what}: ${written.text}`);
      assert.equal(written.body.result.rev, got.rev, `${what}: rev unchanged`);
      assert.deepEqual((await tenant.api.get(`${path}/${id}`)).body.data, before, `${what}: the record is as it was`);
    }
  });

  it("changes nothing when written back as PHP re-encodes what it decoded into arrays: every empty object {} as []", async () => {
    // json_decode($json, true) then json_encode: an empty array cannot be told from an empty object, and is written [].
    const asPhpArrays = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(asPhpArrays);
      if (value === null || typeof value !== 'object') return value;
      const entries = Object.entries(value);
      return entries.length === 0 ? [] : Object.fromEntries(entries.map(([k, v]) => [k, asPhpArrays(v)]));
    };
    for (const subject of (await subjects()).subjects) {
      const { entity, id, path, what } = subject;
      const noun = entity.toLowerCase();
      const before = (await tenant.api.get(`${path}/${id}`)).body.data;
      const got = await read(subject);
      const json = JSON.stringify({ method: `edit${entity}`, params: { [`${noun}Id`]: id, rev: got.rev, [noun]: asPhpArrays(got) }, id: '7c1d2e3f' });
      const written = await rpcPost(server.url, json, { contentType: 'application/x-www-form-urlencoded', headers: basicAuth(tenant.ownerEmail, tenant.key) });
      assert.equal(written.body?.error, null, `${what}: ${written.text}`);
      assert.equal(written.body.data, undefined, `${what}: no warnings: ${written.text}`);
      assert.deepEqual(written.body.result, got, `${what}: the entity answered is the one read`);
      assert.deepEqual((await tenant.api.get(`${path}/${id}`)).body.data, before, `${what}: the record is as it was`);
    }
  });

  it('writes back positionally too, as the PHP client may ([id, rev, entity])', async () => {
    const contact = await createContact(tenant.api, { description: 'Positional.' });
    const got = (await nutshell.call('getContact', [contact.id])).body.result;
    const written = await nutshell.call('editContact', [contact.id, got.rev, got]);
    assert.deepEqual(written.body.result, got, written.text);
  });
});
