/**
 * What a list's `meta.total` promises (docs/api-guide.md, "Lists"): exact and
 * current on every page of an unfiltered list, whatever wrote or removed the
 * records, per workspace; for a filtered list counted on the first page and
 * carried to the next in the cursor; exact up to 10,000 matches and a flagged
 * estimate beyond.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createCompany, createContact, createDeal, createTenant, unique, type Tenant } from './helpers/factories.js';
import { importFile } from './helpers/imports.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  other = await createTenant(server);
});
after(() => server.close());

async function meta(api: ApiClient, path: string): Promise<{ total: number; total_exact: boolean; next_cursor: string | null; has_more: boolean }> {
  const response = await api.get(path);
  assert.equal(response.status, 200, response.text);
  return response.body.meta;
}

/** Creates `count` contacts through the bulk endpoint, 100 a call. */
async function bulkContacts(api: ApiClient, count: number, fields: (i: number) => Record<string, unknown>): Promise<void> {
  for (let start = 0; start < count; start += 100) {
    const records = Array.from({ length: Math.min(100, count - start) }, (_, j) => fields(start + j));
    const response = await api.post('/v1/contacts/bulk', { records });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.created, records.length, response.text);
  }
}

describe('the total of an unfiltered list', () => {
  it('is exact on every page after creates, bulk writes, deletes, merges and cascades, and counts only the workspace', async () => {
    const api = tenant.api;
    const before = (await meta(api, '/v1/contacts')).total;
    const theirs = (await meta(other.api, '/v1/contacts')).total;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createContact(api, { last_name: unique('Count') }));
    await bulkContacts(api, 7, (i) => ({ first_name: `Bulk${i}`, email: `${unique('bulk-')}@example.com` }));
    assert.equal((await meta(api, '/v1/contacts?limit=2')).total, before + 12);

    assert.equal((await api.delete(`/v1/contacts/${made[0].id}`)).status, 200);
    const merged = await api.post(`/v1/contacts/${made[1].id}/merge`, { duplicate_id: made[2].id });
    assert.equal(merged.status, 200, merged.text);
    let page = await meta(api, '/v1/contacts?limit=3');
    assert.equal(page.total, before + 10);
    assert.equal(page.total_exact, true);
    // Later pages count what is there now, not what the first page saw.
    await createContact(api, { last_name: unique('Late') });
    page = await meta(api, `/v1/contacts?limit=3&cursor=${encodeURIComponent(page.next_cursor as string)}`);
    assert.equal(page.total, before + 11);
    assert.equal((await meta(other.api, '/v1/contacts')).total, theirs, "another workspace's total does not move");

    // Deals and companies too; deleting a company leaves its contacts (and their count) alone.
    const deals = (await meta(api, '/v1/deals')).total;
    await createDeal(api, { name: unique('Deal ') });
    assert.equal((await meta(api, '/v1/deals')).total, deals + 1);
    const companies = (await meta(api, '/v1/companies')).total;
    const company = await createCompany(api, { name: unique('Co ') });
    await createContact(api, { company_id: company.id });
    assert.equal((await meta(api, '/v1/companies')).total, companies + 1);
    assert.equal((await api.delete(`/v1/companies/${company.id}`)).status, 200);
    assert.equal((await meta(api, '/v1/companies')).total, companies);
    assert.equal((await meta(api, '/v1/contacts')).total, before + 12);
  });
});

describe('the total of a filtered list', () => {
  it('is counted on the first page and carried unchanged to the next pages; a new first page counts again', async () => {
    const name = unique('Filtered');
    for (let i = 0; i < 8; i++) await createContact(tenant.api, { last_name: name });
    const first = await meta(tenant.api, `/v1/contacts?last_name=${name}&limit=3`);
    assert.deepEqual([first.total, first.total_exact], [8, true]);
    await createContact(tenant.api, { last_name: name });
    const second = await meta(tenant.api, `/v1/contacts?last_name=${name}&limit=3&cursor=${encodeURIComponent(first.next_cursor as string)}`);
    assert.deepEqual([second.total, second.total_exact], [8, true], "the first page's total");
    assert.equal((await meta(tenant.api, `/v1/contacts?last_name=${name}&limit=3`)).total, 9);
    assert.equal((await meta(tenant.api, `/v1/contacts?last_name=${name}&limit=100`)).total, 9, 'a single page counts its rows');
  });

  it('refuses a cursor whose carried total was tampered with', async () => {
    const name = unique('Tamper');
    for (let i = 0; i < 3; i++) await createContact(tenant.api, { last_name: name });
    const { next_cursor } = await meta(tenant.api, `/v1/contacts?last_name=${name}&limit=1`);
    const payload = JSON.parse(Buffer.from(next_cursor as string, 'base64url').toString('utf8'));
    assert.deepEqual(payload.t, [3, 1]);
    for (const t of [[-1, 1], [3, 2], ['3', 1], [3], 1e300]) {
      const forged = Buffer.from(JSON.stringify({ ...payload, t })).toString('base64url');
      const response = await tenant.api.get(`/v1/contacts?last_name=${name}&limit=1&cursor=${forged}`);
      assert.equal(response.status, 400, JSON.stringify(t));
      assert.equal(response.body.error.code, 'invalid_cursor');
    }
  });

  it('is exact up to 10,000 matches and beyond that an estimate flagged by total_exact: false', async () => {
    const big = await createTenant(server);
    await bulkContacts(big.api, 10_050, (i) => ({ last_name: i < 10_020 ? 'Many' : 'Few', email: `many${i}@example.com` }));
    const many = await meta(big.api, '/v1/contacts?last_name=Many');
    assert.equal(many.total_exact, false);
    assert.ok(many.total > 10_000 && many.total <= 10_050, `an estimate within the workspace's 10,050 contacts: ${many.total}`);
    const next = await meta(big.api, `/v1/contacts?last_name=Many&cursor=${encodeURIComponent(many.next_cursor as string)}`);
    assert.deepEqual([next.total, next.total_exact], [many.total, false], 'carried to the next page, flag and all');
    const few = await meta(big.api, '/v1/contacts?last_name=Few&limit=5');
    assert.deepEqual([few.total, few.total_exact], [30, true]);
    const all = await meta(big.api, '/v1/contacts');
    assert.deepEqual([all.total, all.total_exact], [10_050, true], 'an unfiltered list is always exact');
  });
});

describe('the total of a pipeline stage (deals filtered by stage_id alone)', () => {
  it('is exact at any size, on every page, after imports, moves, stage changes and deletes, and counts only the workspace', async () => {
    const big = await createTenant(server);
    const pipelines = (await big.api.get('/v1/pipelines')).body.data;
    const [first, second] = pipelines.find((p: { is_default: boolean }) => p.is_default).stages;
    const stageTotal = (api: ApiClient, stageId: string, extra = '') => meta(api, `/v1/deals?stage_id=${stageId}&limit=5${extra}`);

    // More than the 10,000 a filtered count stops at: without the stage counter this would be an estimate.
    const names = Array.from({ length: 10_050 }, (_, i) => `Board deal ${i}`);
    const job = await importFile(big.api, 'resource=deals', `name\n${names.join('\n')}\n`);
    assert.equal(job.created, 10_050, JSON.stringify(job));
    let page = await stageTotal(big.api, first.id);
    assert.deepEqual([page.total, page.total_exact], [10_050, true]);

    const listed = (await big.api.get(`/v1/deals?stage_id=${first.id}&limit=2`)).body.data;
    const moved = await big.api.post(`/v1/deals/${listed[0].id}/move`, { stage_id: second.id });
    assert.equal(moved.status, 200, moved.text);
    const patched = await big.api.patch(`/v1/deals/${listed[1].id}`, { stage_id: second.id });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await big.api.delete(`/v1/deals/${listed[0].id}`)).status, 200);
    page = await stageTotal(big.api, first.id);
    assert.deepEqual([page.total, page.total_exact], [10_048, true]);
    assert.deepEqual([(await stageTotal(big.api, second.id)).total, (await stageTotal(big.api, second.id)).total_exact], [1, true]);

    // Later pages read the counter again: a deal created meanwhile is counted.
    await createDeal(big.api, { stage_id: first.id });
    const next = await stageTotal(big.api, first.id, `&cursor=${encodeURIComponent(page.next_cursor as string)}`);
    assert.deepEqual([next.total, next.total_exact], [10_049, true]);

    // With another filter as well, the list counts as any filtered list does.
    const both = await meta(big.api, `/v1/deals?stage_id=${first.id}&name=${encodeURIComponent('Board deal 7')}`);
    assert.deepEqual([both.total, both.total_exact], [1, true]);

    // Another workspace's stages hold their own deals only.
    const theirs = (await other.api.get('/v1/pipelines')).body.data.find((p: { is_default: boolean }) => p.is_default).stages[0];
    const theirsBefore = (await stageTotal(other.api, theirs.id)).total;
    await createDeal(other.api, { stage_id: theirs.id });
    assert.equal((await stageTotal(other.api, theirs.id)).total, theirsBefore + 1);
    assert.equal((await stageTotal(big.api, first.id)).total, 10_049);
    assert.equal((await stageTotal(other.api, first.id)).total, 0, "a stage of another workspace counts nothing here");
  });
});
