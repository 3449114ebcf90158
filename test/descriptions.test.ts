/**
 * A description on contacts, companies and deals, a company's email and a
 * contact's website: kept, answered, changed, filtered like the other text
 * fields, found by `q` (descriptions), and filled by a merge.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createDeal, createTenant, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

const ids = async (path: string): Promise<string[]> => {
  const response = await tenant.api.get(path);
  assert.equal(response.status, 200, response.text);
  return response.body.data.map((r: any) => r.id);
};

describe('description', () => {
  for (const [path, create] of [
    ['/v1/contacts', (body: Record<string, unknown>) => createContact(tenant.api, body)],
    ['/v1/companies', (body: Record<string, unknown>) => createCompany(tenant.api, body)],
    ['/v1/deals', (body: Record<string, unknown>) => createDeal(tenant.api, body)],
  ] as const) {
    it(`is kept, changed, cleared and filterable on ${path}`, async () => {
      const word = unique('kiwi');
      const record = await create({ description: `  Met at the fair.\nAsked about ${word} pricing.  ` });
      assert.equal(record.description, `Met at the fair.\nAsked about ${word} pricing.`, 'trimmed like the other text fields');
      assert.equal((await tenant.api.get(`${path}/${record.id}`)).body.data.description, record.description);
      assert.deepEqual(await ids(`${path}?description[contains]=${word.toUpperCase()}`), [record.id]);
      assert.deepEqual(await ids(`${path}?q=${word}`), [record.id], 'q reads descriptions too');
      const changed = await tenant.api.patch(`${path}/${record.id}`, { description: 'Renewal due in May.' });
      assert.equal(changed.body.data.description, 'Renewal due in May.');
      assert.deepEqual(await ids(`${path}?description[contains]=${word}`), []);
      const cleared = await tenant.api.patch(`${path}/${record.id}`, { description: '   ' });
      assert.equal(cleared.body.data.description, null);
      assert.ok((await ids(`${path}?description[exists]=false&limit=100`)).includes(record.id));
      const tooLong = await tenant.api.patch(`${path}/${record.id}`, { description: 'x'.repeat(100_001) });
      assert.equal(tooLong.status, 400, tooLong.text);
    });
  }

  it('is taken from the duplicate by a merge when the survivor has none', async () => {
    const survivor = await createContact(tenant.api);
    const duplicate = await createContact(tenant.api, { description: 'Prefers email.' });
    const merged = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id });
    assert.equal(merged.status, 200, merged.text);
    assert.equal(merged.body.data.description, 'Prefers email.');
  });
});

describe("a company's email", () => {
  it('is stored lower-cased, filterable, not unique, and must be an address', async () => {
    const address = `${unique('info-')}@Acme.example`;
    const a = await createCompany(tenant.api, { email: address });
    const b = await createCompany(tenant.api, { email: address.toUpperCase() });
    assert.equal(a.email, address.toLowerCase());
    assert.deepEqual((await ids(`/v1/companies?email=${encodeURIComponent(address.toUpperCase())}`)).sort(), [a.id, b.id].sort());
    const refused = await tenant.api.post('/v1/companies', { name: 'No Mail Inc', email: 'not an address' });
    assert.equal(refused.status, 400, refused.text);
    assert.ok(refused.body.error.details.email, refused.text);
  });
});

describe("a contact's website", () => {
  it('is kept, changed, cleared, filterable, exported, and filled by a merge', async () => {
    const host = `${unique('joan')}.example`;
    const contact = await createContact(tenant.api, { website: `  https://${host}/about  ` });
    assert.equal(contact.website, `https://${host}/about`, 'trimmed like the other text fields');
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data.website, contact.website);
    assert.deepEqual(await ids(`/v1/contacts?website[contains]=${host}`), [contact.id]);
    const exported = await tenant.api.get(`/v1/exports/contacts?format=csv&website[contains]=${host}`);
    assert.equal(exported.status, 200, exported.text);
    assert.match(exported.text, new RegExp(`https://${host.replace('.', '\\.')}/about`), 'exports carry it');
    assert.equal((await tenant.api.patch(`/v1/contacts/${contact.id}`, { website: null })).body.data.website, null);
    assert.equal((await tenant.api.patch(`/v1/contacts/${contact.id}`, { website: 'x'.repeat(2049) })).status, 400);
    const duplicate = await createContact(tenant.api, { website: `https://${host}` });
    const merged = await tenant.api.post(`/v1/contacts/${contact.id}/merge`, { duplicate_id: duplicate.id });
    assert.equal(merged.status, 200, merged.text);
    assert.equal(merged.body.data.website, `https://${host}`);
  });
});
