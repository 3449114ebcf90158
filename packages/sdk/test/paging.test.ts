/**
 * Auto-paging over a real list: 1,001 contacts in pages of 7, with records
 * created during the walk, none skipped or repeated.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Trellis from '@trellis/sdk';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { unique } from '../../../test/helpers/factories.js';
import { sdkTenant } from './helpers/setup.js';

const TOTAL = 1_001;
let server: TestServer;
let client: Trellis;
let apiKey: string;
const created: string[] = [];

before(async () => {
  server = await startServer();
  const setup = await sdkTenant(server);
  client = setup.client;
  apiKey = setup.tenant.key;
  for (let start = 0; start < TOTAL; start += 100) {
    const records = Array.from({ length: Math.min(100, TOTAL - start) }, (_, i) => ({ first_name: `P${start + i}`, email: `${unique('page-')}@example.com` }));
    const result = await client.contacts.bulk({ records });
    assert.equal(result.failed, 0);
    created.push(...result.results.map((r) => r.id as string));
  }
});
after(() => server.close());

/** A client whose fetch counts the requests it makes. */
function countingClient(): { client: Trellis; requests: string[] } {
  const requests: string[] = [];
  const counting: typeof fetch = (input, init) => {
    requests.push(String(input));
    return fetch(input, init);
  };
  return { client: new Trellis({ apiKey, baseUrl: server.url, fetch: counting }), requests };
}

test('awaiting a list gives its first page with data and meta as the API answers', async () => {
  const page = await client.contacts.list({ limit: 7 });
  assert.equal(page.data.length, 7);
  assert.equal(page.meta.total, TOTAL);
  assert.equal(page.meta.limit, 7);
  assert.equal(page.meta.has_more, true);
  assert.equal(typeof page.meta.next_cursor, 'string');
});

test('for await walks 1,001 records in pages of 7: every record once, in order, even with records created during the walk', async () => {
  const { client: counted, requests } = countingClient();
  const seen: string[] = [];
  const lateIds: string[] = [];
  for await (const contact of counted.contacts.list({ limit: 7 })) {
    seen.push(contact.id);
    if (seen.length === 500 || seen.length === 900) lateIds.push((await client.contacts.create({ first_name: 'Late', email: `${unique('late-')}@example.com` })).id);
  }
  assert.equal(new Set(seen).size, seen.length, 'no record repeated');
  assert.deepEqual(seen, [...created, ...lateIds], 'every record, oldest first, none skipped');
  assert.equal(requests.length, Math.ceil((TOTAL + 2) / 7));
  assert.ok(requests.slice(1).every((url) => url.includes('cursor=')));
});

test('toArray({max}) stops requesting pages once it has max records', async () => {
  const { client: counted, requests } = countingClient();
  const first = await counted.contacts.list({ limit: 7 }).toArray({ max: 10 });
  assert.deepEqual(first.map((c) => c.id), created.slice(0, 10));
  assert.equal(requests.length, 2);
});

test('a list with filters pages through its matches only', async () => {
  const matches = await client.contacts.list({ limit: 7, 'first_name[starts_with]': 'P99' }).toArray();
  assert.deepEqual(matches.map((c) => c.first_name).sort(), ['P99', 'P990', 'P991', 'P992', 'P993', 'P994', 'P995', 'P996', 'P997', 'P998', 'P999']);
});

test('filter operators and numeric limits are typed from the document (this file type-checks in CI)', async () => {
  const since = new Date(Date.now() - 60 * 60 * 1000);
  const recent = await client.contacts.list({ limit: 3, 'created_at[gte]': since, 'first_name[in]': ['P1', 'P2'] });
  assert.deepEqual(recent.data.map((c) => c.first_name), ['P1', 'P2']);
  const typeOnly = () => {
    // @ts-expect-error a misspelt filter does not compile
    void client.contacts.list({ 'frist_name[gte]': 'a' });
    // @ts-expect-error limit is a number
    void client.contacts.list({ limit: { many: true } });
  };
  assert.equal(typeof typeOnly, 'function');
});

test('pages() yields each page; a list is requested only when awaited or iterated, and its first page once', async () => {
  const { client: counted, requests } = countingClient();
  const list = counted.contacts.list({ limit: 100 });
  assert.equal(requests.length, 0);
  const first = await list;
  const sizes: number[] = [];
  for await (const page of list.pages()) sizes.push(page.data.length);
  assert.equal(first.data.length, 100);
  assert.deepEqual(sizes, [...Array(Math.floor((TOTAL + 2) / 100)).fill(100), (TOTAL + 2) % 100]);
  assert.equal(requests.length, sizes.length);
});
