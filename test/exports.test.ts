/** Exports: every record the filters select, as CSV or JSON Lines, formulas neutralised, round trip through an import, scopes and isolation. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { createContact, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { importFile } from './helpers/imports.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

describe('exports', () => {
  it('streams every contact past many pages as CSV, in creation order, with formulas neutralised', async () => {
    const lines = ['first_name,last_name,email,title'];
    for (let i = 0; i < 2500; i++) lines.push(`P${i},Export,p${i}@export.example,${i === 7 ? '"=HYPERLINK(""http://evil"")"' : 'Buyer'}`);
    const job = await importFile(tenant.api, 'resource=contacts', lines.join('\n'));
    assert.equal(job.created, 2500, JSON.stringify(job));

    const response = await tenant.api.get('/v1/exports/contacts?format=csv');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/csv/);
    const rows = parse(response.text, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 2500);
    assert.deepEqual(rows.slice(0, 3).map((r) => r.first_name), ['P0', 'P1', 'P2']);
    assert.equal(rows[2499]?.first_name, 'P2499');
    assert.equal(rows[7]?.title, `'=HYPERLINK("http://evil")`);
    assert.ok('address.city' in (rows[0] ?? {}));
  });

  it('quotes commas, quotes and line breaks so a CSV reader gets the text back', async () => {
    const mark = unique('Quote');
    const title = 'Says "hi", then\nleaves\r\nfor good';
    await createContact(tenant.api, { first_name: mark, title, custom_fields: { note: 'a,"b"' } });
    const response = await tenant.api.get(`/v1/exports/contacts?format=csv&first_name=${mark}`);
    const rows = parse(response.text, { columns: true }) as Record<string, string>[];
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.title, title);
    assert.deepEqual(JSON.parse(rows[0]?.custom_fields ?? ''), { note: 'a,"b"' });
  });

  it('applies the list filters and exports JSON Lines', async () => {
    const mark = unique('Filter');
    await createContact(tenant.api, { first_name: mark, status: 'archived' });
    const response = await tenant.api.get(`/v1/exports/contacts?format=jsonl&status=archived&first_name=${mark}`);
    const records = response.text.trim().split('\n').map((line) => JSON.parse(line));
    assert.equal(records.length, 1);
    assert.equal(records[0].first_name, mark);
    assert.equal(records[0].status, 'archived');
  });

  it('an exported CSV imports back as the same contacts (nothing new in the same workspace, all new in another)', async () => {
    const csv = (await tenant.api.get('/v1/exports/contacts?format=csv&first_name[in]=P1,P7')).text;
    const map = encodeURIComponent(JSON.stringify({ id: null, email: null, phone: null, tags: null, created_at: null, updated_at: null, version: null }));
    const again = await importFile(tenant.api, `resource=contacts&map=${map}`, csv);
    assert.deepEqual([again.created, again.skipped, again.failed], [0, 2, 0], JSON.stringify(again));
    const other = await createTenant(server);
    const copied = await importFile(other.api, `resource=contacts&map=${map}`, csv);
    assert.deepEqual([copied.created, copied.failed], [2, 0], JSON.stringify(copied));
    const p7 = (await other.api.get('/v1/contacts?first_name=P7')).body.data[0];
    assert.equal(p7.title, '=HYPERLINK("http://evil")');
  });

  it('needs the read grant, refuses a bad filter with 400, and never shows another workspace', async () => {
    const dealsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:read'] });
    assert.equal((await dealsOnly.api.get('/v1/exports/contacts')).status, 403);
    assert.equal((await tenant.api.get('/v1/exports/contacts?no_such_field=1')).status, 400);
    assert.equal((await tenant.api.get('/v1/exports/widgets')).status, 400);
    const other = await createTenant(server);
    const response = await other.api.get('/v1/exports/contacts?format=jsonl');
    assert.equal(response.status, 200);
    assert.equal(response.text, '');
  });
});
