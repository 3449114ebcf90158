/**
 * Long reads (reports, search, list counts, text-matched list pages, exports)
 * run on the long-read workers (SQLite, SQLITE_READ_WORKERS) or pool
 * (PostgreSQL, DATABASE_LONG_READ_POOL_SIZE), and short indexed reads stay on
 * the main reader: trellis_db_long_reads_total shows where each ran. With more
 * long reads in flight than workers or connections, each still answers with
 * its own rows, and a look-up by id answers meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createContact, createDeal, createTenant, createUser, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

const TOKEN = 'metrics-token-0123456789';
let server: TestServer;
let tenant: Tenant;
let api: ApiClient;
let ana: { id: string };
let ben: { id: string };
let probe: { id: string; first_name: string };
/** A unique word of letters only: a run of 7 digits inside a word would be searched as a phone number (search-terms.ts). */
const uniqueWord = (prefix: string) => unique(prefix).replace(/\d/g, (d) => 'ghijklmnop'.charAt(Number(d)));
/** Words only these contacts carry, and how many carry each. */
const words = { [uniqueWord('zeph')]: 3, [uniqueWord('quil')]: 5, [uniqueWord('mora')]: 7 };

before(async () => {
  // One long-read connection on PostgreSQL, so the long reads below queue for it as they queue for the two threads on SQLite.
  server = await startServer({ METRICS_TOKEN: TOKEN, SQLITE_READ_WORKERS: '2', DATABASE_LONG_READ_POOL_SIZE: '1' });
  tenant = await createTenant(server);
  api = tenant.api;
  ana = await createUser(api, { name: 'Ana Alvarez' });
  ben = await createUser(api, { name: 'Ben Brook' });
  // Ana: 4 open deals of 1,000 to 4,000 USD (10,000); Ben: 6 of 100 to 600 EUR (2,100).
  for (let i = 1; i <= 4; i++) await createDeal(api, { owner_id: ana.id, value: { amount: i * 1000, currency: 'USD' } });
  for (let i = 1; i <= 6; i++) await createDeal(api, { owner_id: ben.id, value: { amount: i * 100, currency: 'EUR' } });
  for (const [word, count] of Object.entries(words)) {
    const records = Array.from({ length: count }, (_, i) => ({ first_name: `${word}${i}`, last_name: word, email: `${unique('c-')}@example.com` }));
    const response = await api.post('/v1/contacts/bulk', { records });
    assert.equal(response.status, 200, response.text);
  }
  probe = await createContact(api, { first_name: 'Petra' });
});
after(async () => server.close());

async function longReads(): Promise<number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  const line = (await response.text()).split('\n').find((l) => l.startsWith('trellis_db_long_reads_total '));
  assert.ok(line, 'trellis_db_long_reads_total is reported');
  return Number(line.split(' ')[1]);
}

async function data(path: string): Promise<any> {
  const response = await api.get(path);
  assert.equal(response.status, 200, response.text);
  return response.body;
}

const pipelineTotals = async (owner: { id: string }) => (await data(`/v1/reports/pipeline?owner_id=${owner.id}`)).data.totals;
const searchTotal = async (word: string) => (await data(`/v1/search?q=${word}&types=contact`)).meta.total;
const containsTotal = async (word: string) => (await data(`/v1/contacts?last_name[contains]=${word}&limit=1`)).meta.total;

describe('long reads', () => {
  it('run reports, search and filtered totals on the long-read workers, and look-ups by id on the main reader', async () => {
    const start = await longReads();
    assert.equal((await data(`/v1/contacts/${probe.id}`)).data.first_name, 'Petra');
    assert.equal((await data(`/v1/deals?limit=2`)).data.length, 2);
    assert.equal(await longReads(), start, 'a look-up by id and an unfiltered list page are short reads');

    assert.equal((await pipelineTotals(ana)).open_deals, 4);
    const afterReport = await longReads();
    assert.ok(afterReport > start, 'a report is a long read');

    const [word, count] = Object.entries(words)[1] as [string, number];
    assert.equal(await searchTotal(word), count);
    const afterSearch = await longReads();
    assert.ok(afterSearch > afterReport, 'a search is a long read');

    assert.equal(await containsTotal(word), count);
    assert.ok((await longReads()) > afterSearch, 'a text-matched list page and its total are long reads');
  });

  it('answers each of many concurrent long reads with its own rows, and a look-up by id meanwhile', async () => {
    const entries = Object.entries(words);
    const reads: Promise<void>[] = [];
    // Four rounds of eight long reads: far more than the threads or connections, so most wait their turn.
    for (let round = 0; round < 4; round++) {
      reads.push(
        pipelineTotals(ana).then((totals) => assert.deepEqual([totals.open_deals, totals.total_value], [4, { USD: 10_000 }])),
        pipelineTotals(ben).then((totals) => assert.deepEqual([totals.open_deals, totals.total_value], [6, { EUR: 2_100 }])),
        ...entries.map(([word, count]) => searchTotal(word).then((total) => assert.equal(total, count, word))),
        ...entries.map(([word, count]) => containsTotal(word).then((total) => assert.equal(total, count, word))),
      );
    }
    const lookUp = data(`/v1/contacts/${probe.id}`);
    const [found] = await Promise.all([lookUp, ...reads]);
    assert.equal(found.data.id, probe.id);
    assert.equal(found.data.first_name, 'Petra');
  });

  it('shuts down while long reads are running, answering each one it accepted', async () => {
    const other = await startServer({ SQLITE_READ_WORKERS: '2', DATABASE_LONG_READ_POOL_SIZE: '1' });
    const owner = await createTenant(other);
    for (let i = 0; i < 3; i++) await createDeal(owner.api, { value: { amount: 100, currency: 'USD' } });
    const reads = Array.from({ length: 8 }, () => owner.api.get('/v1/reports/pipeline'));
    // The first answer means the workers are running and more reports are in flight; then the server closes.
    await Promise.race(reads);
    await other.close();
    // A report the server had accepted is answered in full; one it had not yet accepted may be refused, never half-answered.
    for (const result of await Promise.allSettled(reads)) {
      if (result.status === 'rejected') continue;
      assert.equal(result.value.status, 200, result.value.text);
      assert.deepEqual(result.value.body.data.totals.total_value, { USD: 300 });
    }
  });

  it('exports every record through the long-read workers', async () => {
    const [word, count] = Object.entries(words)[2] as [string, number];
    const start = await longReads();
    const response = await fetch(`${server.url}/v1/exports/contacts?format=jsonl&last_name=${word}`, { headers: { authorization: `Bearer ${tenant.key}` } });
    assert.equal(response.status, 200);
    const names = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).first_name as string);
    assert.deepEqual(names.sort(), Array.from({ length: count }, (_, i) => `${word}${i}`).sort());
    assert.ok((await longReads()) > start, 'an export page is a long read');
  });
});
