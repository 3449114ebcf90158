/**
 * The list contract (docs: "Lists" in the API conventions): keyset pagination
 * that neither skips nor repeats, exact incremental sync on updated_at, every
 * filter operator, and 400s (never 500s) for every malformed list request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;

before(async () => {
  server = await startServer();
});
after(() => server.close());

interface Page {
  data: any[];
  meta: { total: number; limit: number; next_cursor: string | null; has_more: boolean };
}

/** Walks a list page by page, keeping each page's meta; `between` runs after every page but the last. */
async function pages(api: ApiClient, path: string, between?: (page: Page, index: number) => Promise<void>): Promise<Page[]> {
  const result: Page[] = [];
  let cursor: string | null = null;
  for (let index = 0; index < 5_000; index++) {
    const separator = path.includes('?') ? '&' : '?';
    const response: { status: number; text: string; body: any } = await api.get(cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`);
    assert.equal(response.status, 200, response.text);
    const page: Page = { data: response.body.data, meta: response.body.meta };
    result.push(page);
    if (!page.meta.has_more) return result;
    assert.equal(typeof page.meta.next_cursor, 'string', 'a page with has_more gives a next_cursor');
    cursor = page.meta.next_cursor;
    if (between) await between(page, index);
  }
  throw new Error('list did not end');
}

const idsOf = (records: { id: string }[]): string[] => records.map((r) => r.id);
const sorted = (ids: string[]): string[] => [...ids].sort();

/** The ids a one-page list answers, sorted, after checking the page is complete and total agrees. */
async function matching(api: ApiClient, path: string): Promise<string[]> {
  const separator = path.includes('?') ? '&' : '?';
  const response = await api.get(`${path}${separator}limit=100`);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  assert.equal(response.body.meta.has_more, false, path);
  assert.equal(response.body.meta.total, response.body.data.length, `${path}: meta.total counts the matches`);
  return sorted(idsOf(response.body.data));
}

function assertNoRepeats(ids: string[]): void {
  const seen = new Set<string>();
  for (const id of ids) {
    assert.ok(!seen.has(id), `${id} was returned twice`);
    seen.add(id);
  }
}

/** Checks every page's meta: full pages until the last, a cursor exactly when there is more. */
function assertPageShapes(walked: Page[], limit: number): void {
  walked.forEach((page, i) => {
    const last = i === walked.length - 1;
    assert.equal(page.meta.limit, limit);
    assert.equal(typeof page.meta.total, 'number');
    if (last) {
      assert.equal(page.meta.has_more, false);
      assert.equal(page.meta.next_cursor, null);
      assert.ok(page.data.length <= limit);
    } else {
      assert.equal(page.meta.has_more, true);
      assert.equal(page.data.length, limit, `page ${i} is full`);
    }
  });
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const made: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = Array.from({ length: Math.min(size, count - start) }, (_, j) => make(start + j));
    made.push(...(await Promise.all(batch)));
  }
  return made;
}

const LAST_NAMES = ['Adams', 'Baker', 'Clark', 'Davis', 'Evans', 'Foster', 'Garcia', null] as const;
const FIRST_NAMES = ['Ann', 'Ben', 'Cora', 'Dan', null] as const;

interface Named {
  id: string;
  first_name: string | null;
  last_name: string | null;
}

/** The order of `sort=-last_name,first_name`: NULL first when descending, last when ascending; id breaks ties. */
function lastDescFirstAsc(a: Named, b: Named): number {
  if (a.last_name !== b.last_name) {
    if (a.last_name === null) return -1;
    if (b.last_name === null) return 1;
    return a.last_name < b.last_name ? 1 : -1;
  }
  if (a.first_name !== b.first_name) {
    if (a.first_name === null) return 1;
    if (b.first_name === null) return -1;
    return a.first_name < b.first_name ? -1 : 1;
  }
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

describe('paging through 1,000 contacts', () => {
  let big: Tenant;
  let originals: any[];
  const late: any[] = [];
  let count = 0;

  const addOne = async (i: number): Promise<any> => {
    const contact = await createContact(big.api, {
      first_name: FIRST_NAMES[(i * 7) % FIRST_NAMES.length],
      last_name: LAST_NAMES[i % LAST_NAMES.length],
      email: `${unique(`late${i}-`)}@big.example`,
    });
    late.push(contact);
    count++;
    return contact;
  };

  before(async () => {
    big = await createTenant(server);
    originals = await inBatches(1_000, 50, (i) =>
      createContact(big.api, {
        first_name: FIRST_NAMES[Math.floor(i / LAST_NAMES.length) % FIRST_NAMES.length],
        last_name: LAST_NAMES[i % LAST_NAMES.length],
        email: `person${i}@big.example`,
      }),
    );
    count = originals.length;
  });

  it('sees each of 1,000 contacts exactly once, in created order, while contacts are created between pages', async () => {
    const inserted: string[] = [];
    const walked = await pages(big.api, '/v1/contacts?limit=7', async (page, index) => {
      assert.equal(page.meta.total, count, `page ${index}: meta.total counts every contact`);
      inserted.push((await addOne(index)).id);
    });
    assertPageShapes(walked, 7);
    assert.equal(walked[walked.length - 1]?.meta.total, count);

    const seen = walked.flatMap((p) => p.data);
    const seenIds = idsOf(seen);
    assertNoRepeats(seenIds);
    // Created order: created_at strictly rises through the walk.
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].created_at > seen[i - 1].created_at, `created order at ${i}`);

    const originalIds = new Set(idsOf(originals));
    const expectedOrder = [...originals].sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : 0));
    assert.deepEqual(seenIds.filter((id) => originalIds.has(id)), idsOf(expectedOrder), 'every original, once, in created order');
    // Contacts created during the walk come after the cursor, so the walk reaches them too.
    assert.ok(inserted.length > 100);
    assert.deepEqual(seenIds.slice(originals.length), inserted);
    assert.equal(seen.length, count);
  });

  it('sees each contact exactly once sorted by -last_name,first_name, with NULL names placed by direction, while contacts are created between pages', async () => {
    const walked = await pages(big.api, '/v1/contacts?sort=-last_name,first_name&limit=7', async (page, index) => {
      assert.equal(page.meta.total, count);
      await addOne(index);
    });
    assertPageShapes(walked, 7);

    const seen: Named[] = walked.flatMap((p) => p.data);
    assertNoRepeats(idsOf(seen));
    for (let i = 1; i < seen.length; i++) {
      assert.ok(lastDescFirstAsc(seen[i - 1] as Named, seen[i] as Named) < 0, `out of order at ${i}: ${JSON.stringify([seen[i - 1], seen[i]])}`);
    }
    const originalIds = new Set(idsOf(originals));
    const expected = [...originals].sort(lastDescFirstAsc);
    assert.deepEqual(idsOf(seen.filter((c) => originalIds.has(c.id))), idsOf(expected), 'every original, once, in sort order');

    // The NULL handling a user sees: no last name comes first (descending), then Garcia … Adams;
    // within a last name, no first name comes last (ascending).
    assert.equal(seen[0]?.last_name, null);
    assert.equal(seen[seen.length - 1]?.last_name, 'Adams');
    assert.equal(seen[seen.length - 1]?.first_name, null);
    const firstNamed = seen.findIndex((c) => c.last_name !== null);
    assert.equal(seen[firstNamed]?.last_name, 'Garcia');
    assert.ok(seen.slice(firstNamed).every((c) => c.last_name !== null));
  });

  it('answers 25 records by default and up to 100 when asked', async () => {
    const first = await big.api.get('/v1/contacts');
    assert.equal(first.status, 200);
    assert.equal(first.body.data.length, 25);
    assert.equal(first.body.meta.limit, 25);
    assert.equal(first.body.meta.has_more, true);
    assert.equal(typeof first.body.meta.next_cursor, 'string');
    assert.equal(first.body.meta.total, count);

    const max = await big.api.get('/v1/contacts?limit=100');
    assert.equal(max.status, 200);
    assert.equal(max.body.data.length, 100);
    assert.equal(max.body.meta.limit, 100);
    assert.deepEqual(idsOf(max.body.data).slice(0, 25), idsOf(first.body.data));
  });

  it('counts in meta.total the records matching the filters, on every page', async () => {
    const walked = await pages(big.api, '/v1/contacts?last_name=Adams&first_name[exists]=false&limit=7');
    const expected = [...originals, ...late].filter((c) => c.last_name === 'Adams' && c.first_name === null).length;
    assert.ok(expected > 7);
    for (const page of walked) assert.equal(page.meta.total, expected);
    const seen = walked.flatMap((p) => p.data);
    assert.ok(seen.every((c) => c.last_name === 'Adams' && c.first_name === null));
    assert.equal(seen.length, expected);
  });
});

describe('incremental sync on updated_at', () => {
  it('shows again, at the end of the walk, records changed behind the cursor during the walk', async () => {
    const t = await createTenant(server);
    const before = await createContact(t.api, { first_name: 'Before', email: `${unique('before-')}@sync.example` });
    const contacts = [];
    for (let i = 0; i < 20; i++) contacts.push(await createContact(t.api, { first_name: `Sync${i}`, email: `${unique(`s${i}-`)}@sync.example` }));
    const since = contacts[0].updated_at;
    assert.ok(since > before.updated_at);

    const patched: { id: string; version: number; title: string }[] = [];
    const walked = await pages(t.api, `/v1/contacts?updated_at[gte]=${encodeURIComponent(since)}&limit=4`, async (page, index) => {
      // Change a record the client has already passed, once per page for the first pages.
      const target = page.data[0];
      if (index >= 4 || target.version !== 1) return;
      const title = `changed during walk ${index}`;
      const response = await t.api.patch(`/v1/contacts/${target.id}`, { title });
      assert.equal(response.status, 200, response.text);
      patched.push({ id: target.id, version: response.body.data.version, title });
    });
    const seen = walked.flatMap((p) => p.data);
    assert.equal(patched.length, 4);

    // Default order under updated_at[gte] is change order.
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].updated_at > seen[i - 1].updated_at, `change order at ${i}`);
    assert.ok(!seen.some((c) => c.id === before.id), 'updated_at[gte] excludes older changes');
    assert.deepEqual(sorted([...new Set(idsOf(seen))]), sorted(idsOf(contacts)), 'every record in the window is seen');

    // The changed records come again at the end, in the order they changed, with their new version.
    const tail = seen.slice(seen.length - patched.length);
    assert.deepEqual(
      tail.map((c) => ({ id: c.id, version: c.version, title: c.title })),
      patched,
    );
    assert.equal(seen.length, contacts.length + patched.length);
  });

  it('returns through updated_at[gt] of the newest change seen exactly the records changed since', async () => {
    const t = await createTenant(server);
    const contacts = await Promise.all(Array.from({ length: 12 }, (_, i) => createContact(t.api, { first_name: `Delta${i}`, email: `${unique(`d${i}-`)}@sync.example` })));
    const all = await walk(t.api, '/v1/contacts?limit=5');
    assert.equal(all.length, 12);
    const newest = all.map((c) => c.updated_at).sort().at(-1) as string;
    // The records changed below must not include the newest one, which stays on the gte boundary.
    const others = contacts.filter((c) => c.updated_at !== newest);

    const nothing = await t.api.get(`/v1/contacts?updated_at[gt]=${encodeURIComponent(newest)}`);
    assert.equal(nothing.status, 200);
    assert.deepEqual(nothing.body.data, []);
    assert.equal(nothing.body.meta.total, 0);

    const changedA = await t.api.patch(`/v1/contacts/${others[3].id}`, { title: 'A' });
    const created = await createContact(t.api, { first_name: 'New', email: `${unique('new-')}@sync.example` });
    const changedB = await t.api.patch(`/v1/contacts/${others[7].id}`, { title: 'B' });
    const deleted = await t.api.delete(`/v1/contacts/${others[9].id}`);
    assert.equal(deleted.status, 200);

    const since = await walk(t.api, `/v1/contacts?updated_at[gt]=${encodeURIComponent(newest)}&limit=2`);
    assert.deepEqual(
      since.map((c) => [c.id, c.version]),
      [
        [others[3].id, 2],
        [created.id, 1],
        [others[7].id, 2],
      ],
    );
    assert.deepEqual([since[0].updated_at, since[2].updated_at], [changedA.body.data.updated_at, changedB.body.data.updated_at]);
    // gte includes the boundary record itself.
    const inclusive = await walk(t.api, `/v1/contacts?updated_at[gte]=${encodeURIComponent(newest)}`);
    assert.equal(inclusive.length, 4);
    assert.equal(inclusive[0].updated_at, newest);
  });

  it('loses no change when a client polls updated_at[gt] while concurrent writes commit', async () => {
    const t = await createTenant(server);
    const contacts = await Promise.all(Array.from({ length: 10 }, (_, i) => createContact(t.api, { first_name: `Poll${i}`, email: `${unique(`p${i}-`)}@sync.example` })));
    let since = contacts.map((c) => c.updated_at).sort().at(-1) as string;
    const latest = new Map<string, number>();
    const poll = async () => {
      const changes = await walk(t.api, `/v1/contacts?updated_at[gt]=${encodeURIComponent(since)}&limit=3`);
      for (const c of changes) {
        latest.set(c.id, c.version);
        if (c.updated_at > since) since = c.updated_at;
      }
    };

    let writing = true;
    const writes = (async () => {
      try {
        for (let round = 1; round <= 3; round++) {
          const responses = await Promise.all(contacts.map((c) => t.api.patch(`/v1/contacts/${c.id}`, { title: `round ${round}` })));
          for (const r of responses) assert.equal(r.status, 200, r.text);
        }
      } finally {
        writing = false;
      }
    })();
    while (writing) await poll();
    await writes;
    await poll();

    for (const c of contacts) assert.equal(latest.get(c.id), 4, `the sync saw the last version of ${c.id}`);
    const stamps = (await walk(t.api, '/v1/contacts?limit=100')).map((c) => c.updated_at);
    assert.equal(new Set(stamps).size, stamps.length, 'every change in a workspace has its own updated_at');
  });
});

describe('filters', () => {
  let t: Tenant;
  let user: any;
  const companies: Record<'alpha' | 'beta' | 'gamma' | 'delta', any> = {} as never;
  const c: Record<'jan' | 'janet' | 'bob' | 'alice' | 'nobody', any> = {} as never;

  before(async () => {
    t = await createTenant(server);
    user = await createUser(t.api);
    companies.alpha = await createCompany(t.api, { name: 'Alpha Corp', domain: 'alpha.example', employee_count: 10 });
    companies.beta = await createCompany(t.api, { name: 'Beta Ltd', domain: 'beta.example', employee_count: 50 });
    companies.gamma = await createCompany(t.api, { name: 'Gamma', domain: 'gamma.example', employee_count: 0 });
    companies.delta = await createCompany(t.api, { name: 'Delta', domain: null, employee_count: null });
    // Created one after another, so created_at follows this order.
    c.jan = await createContact(t.api, {
      first_name: 'Jan',
      last_name: 'Smithson',
      email: undefined,
      emails: [{ email: 'jan.primary@alpha.example' }, { email: 'js.second@beta.example', label: 'home' }],
      title: 'CEO',
      source: 'web',
      address: { city: 'Oslo' },
      company_id: companies.alpha.id,
      owner_id: user.id,
    });
    c.janet = await createContact(t.api, {
      first_name: 'Janet',
      last_name: 'Smith',
      email: 'janet@gamma.example',
      title: 'CTO',
      source: null,
      status: 'archived',
      address: { city: 'Bergen' },
      company_id: companies.beta.id,
    });
    c.bob = await createContact(t.api, { first_name: 'Bob', last_name: 'Jansen', email: 'bob@delta.example', title: '100% owner', source: 'ads_x', address: { city: 'Trondheim' }, owner_id: user.id });
    c.alice = await createContact(t.api, { first_name: 'Alice', last_name: null, email: 'alice@epsilon.example', title: '100 percent', source: 'adsyx' });
    c.nobody = await createContact(t.api, { first_name: null, last_name: 'Nobody', email: undefined, title: null, source: null });
  });

  const expectContacts = async (query: string, expected: any[]) => {
    assert.deepEqual(await matching(t.api, `/v1/contacts?${query}`), sorted(idsOf(expected)), query);
  };
  const expectCompanies = async (query: string, expected: any[]) => {
    assert.deepEqual(await matching(t.api, `/v1/companies?${query}`), sorted(idsOf(expected)), query);
  };

  it('eq matches exactly and ne also matches records where the field is empty', async () => {
    await expectContacts('first_name=Jan', [c.jan]);
    await expectContacts('first_name[eq]=Janet', [c.janet]);
    await expectContacts('first_name[ne]=Jan', [c.janet, c.bob, c.alice, c.nobody]);
    await expectContacts('source[ne]=web', [c.janet, c.bob, c.alice, c.nobody]);
    await expectContacts('last_name[ne]=Smith', [c.jan, c.bob, c.alice, c.nobody]);
  });

  it('gt, gte, lt and lte compare created_at as instants given in ISO 8601', async () => {
    const at = c.janet.created_at as string;
    await expectContacts(`created_at[gt]=${encodeURIComponent(at)}`, [c.bob, c.alice, c.nobody]);
    await expectContacts(`created_at[gte]=${encodeURIComponent(at)}`, [c.janet, c.bob, c.alice, c.nobody]);
    await expectContacts(`created_at[lt]=${encodeURIComponent(at)}`, [c.jan]);
    await expectContacts(`created_at[lte]=${encodeURIComponent(at)}`, [c.jan, c.janet]);
    await expectContacts(`created_at=${encodeURIComponent(at)}`, [c.janet]);
    await expectContacts(`created_at[in]=${encodeURIComponent(`${c.jan.created_at},${c.bob.created_at}`)}`, [c.jan, c.bob]);
    // The same instant written with an offset.
    const ms = Date.parse(at);
    const offset = new Date(ms + 2 * 3_600_000).toISOString().replace('Z', '+02:00');
    await expectContacts(`created_at[gt]=${encodeURIComponent(offset)}`, [c.bob, c.alice, c.nobody]);
    // A bare date is midnight UTC.
    await expectContacts('created_at[lt]=2000-01-01', []);
    await expectContacts('created_at[gte]=2000-01-01', Object.values(c));
  });

  it('gt, gte, lt, lte, in, nin and exists compare employee_count as numbers, with empty counts only in ne, nin and exists=false', async () => {
    const { alpha, beta, gamma, delta } = companies;
    await expectCompanies('employee_count[gt]=10', [beta]);
    await expectCompanies('employee_count[gte]=10', [alpha, beta]);
    await expectCompanies('employee_count[lt]=10', [gamma]);
    await expectCompanies('employee_count[lte]=10', [alpha, gamma]);
    await expectCompanies('employee_count[gt]=9', [alpha, beta]); // numeric, not text: "9" > "10" as text
    await expectCompanies('employee_count=0', [gamma]);
    await expectCompanies('employee_count[ne]=10', [beta, gamma, delta]);
    await expectCompanies('employee_count[in]=0,50', [gamma, beta]);
    await expectCompanies('employee_count[nin]=0,50', [alpha, delta]);
    await expectCompanies('employee_count[exists]=false', [delta]);
    await expectCompanies('employee_count[exists]=true', [alpha, beta, gamma]);
    await expectCompanies('domain[exists]=false', [delta]);
    await expectCompanies('domain=Alpha.Example', [alpha]);
    await expectCompanies('q=beta.ex', [beta]);
    await expectCompanies('q=corp', [alpha]);
  });

  it('sorts companies by employee_count with empty counts last ascending and first descending, across pages', async () => {
    const { alpha, beta, gamma, delta } = companies;
    assert.deepEqual(idsOf(await walk(t.api, '/v1/companies?sort=employee_count&limit=1')), idsOf([gamma, alpha, beta, delta]));
    assert.deepEqual(idsOf(await walk(t.api, '/v1/companies?sort=-employee_count&limit=1')), idsOf([delta, beta, alpha, gamma]));
  });

  it('in and nin take comma lists; nin also matches empty fields', async () => {
    await expectContacts('title[in]=CEO,CTO', [c.jan, c.janet]);
    await expectContacts('title[nin]=CEO,CTO', [c.bob, c.alice, c.nobody]);
    await expectContacts('address.city[in]=Oslo,Bergen', [c.jan, c.janet]);
    await expectContacts(`company_id[in]=${companies.alpha.id},${companies.beta.id}`, [c.jan, c.janet]);
  });

  it('contains and starts_with ignore case and treat % and _ as plain characters', async () => {
    await expectContacts('title[contains]=ceo', [c.jan]);
    await expectContacts('first_name[starts_with]=JA', [c.jan, c.janet]);
    await expectContacts('last_name[contains]=SMITH', [c.jan, c.janet]);
    await expectContacts(`title[contains]=${encodeURIComponent('100%')}`, [c.bob]);
    await expectContacts(`title[contains]=${encodeURIComponent('%')}`, [c.bob]);
    await expectContacts(`source[starts_with]=${encodeURIComponent('ads_')}`, [c.bob]);
    await expectContacts('source[contains]=_', [c.bob]);
    await expectContacts(`title[starts_with]=${encodeURIComponent('1_0')}`, []);
  });

  it('contains, starts_with and q ignore case beyond ASCII letters too (Ø, Æ, É, Ü)', async () => {
    const own = await createTenant(server);
    const oyvind = await createContact(own.api, { first_name: 'Øyvind', last_name: 'Ærø', email: 'oyvind@nordic.example' });
    const emile = await createContact(own.api, { first_name: 'Émile', last_name: 'Zürcher', email: 'emile@swiss.example' });
    const expectOwn = async (query: string, expected: any[]) => {
      assert.deepEqual(await matching(own.api, `/v1/contacts?${query}`), sorted(idsOf(expected)), decodeURIComponent(query));
    };
    await expectOwn(`first_name[starts_with]=${encodeURIComponent('øy')}`, [oyvind]);
    await expectOwn(`last_name[contains]=${encodeURIComponent('ZÜR')}`, [emile]);
    await expectOwn(`first_name[contains]=${encodeURIComponent('émile')}`, [emile]);
    await expectOwn(`q=${encodeURIComponent('ærø')}`, [oyvind]);
    await expectOwn(`q=${encodeURIComponent('ÉMILE zü')}`, [emile]);
  });

  it('exists=true and exists=false split records by whether the field has a value', async () => {
    await expectContacts('title[exists]=false', [c.nobody]);
    await expectContacts('title[exists]=true', [c.jan, c.janet, c.bob, c.alice]);
    await expectContacts('source[exists]=false', [c.janet, c.nobody]);
    await expectContacts('last_name[exists]=false', [c.alice]);
    await expectContacts('email[exists]=false', [c.nobody]);
    await expectContacts('email[exists]=true', [c.jan, c.janet, c.bob, c.alice]);
  });

  it('filters by status, company and owner', async () => {
    await expectContacts('status=archived', [c.janet]);
    await expectContacts('status[ne]=archived', [c.jan, c.bob, c.alice, c.nobody]);
    await expectContacts('status[in]=active,archived', Object.values(c));
    await expectContacts(`company_id=${companies.alpha.id}`, [c.jan]);
    await expectContacts('company_id[exists]=false', [c.bob, c.alice, c.nobody]);
    await expectContacts(`owner_id=${user.id}`, [c.jan, c.bob]);
    await expectContacts(`owner_id=${user.id}&status=active&title[contains]=o`, [c.jan, c.bob]);
    await expectContacts('address.city=Oslo', [c.jan]);
  });

  it("email= matches any of a contact's addresses, ignoring case", async () => {
    await expectContacts('email=js.second@beta.example', [c.jan]);
    await expectContacts(`email=${encodeURIComponent('JS.Second@Beta.EXAMPLE')}`, [c.jan]);
    await expectContacts('email=jan.primary@alpha.example', [c.jan]);
    await expectContacts('email[contains]=beta', [c.jan]);
    await expectContacts('email[ne]=js.second@beta.example', [c.janet, c.bob, c.alice, c.nobody]);
    await expectContacts('email[in]=js.second@beta.example,bob@delta.example', [c.jan, c.bob]);
  });

  it('q needs every word to match part of a name or an email, ignoring case', async () => {
    await expectContacts('q=jan%20smi', [c.jan, c.janet]);
    await expectContacts('q=JAN%20SMI', [c.jan, c.janet]);
    await expectContacts('q=jan', [c.jan, c.janet, c.bob]);
    await expectContacts('q=son%20jan', [c.jan]); // Smithson, not Jansen
    await expectContacts('q=jan%20sen', [c.bob]);
    await expectContacts('q=second%40beta', [c.jan]); // a secondary address
    await expectContacts('q=epsilon', [c.alice]);
    await expectContacts('q=jan%20epsilon', []);
    await expectContacts('q=_', []);
    await expectContacts(`q=${encodeURIComponent('%')}`, []);
  });
});

describe('malformed list requests', () => {
  let t: Tenant;
  let company: any;

  before(async () => {
    t = await createTenant(server);
    company = await createCompany(t.api);
    for (let i = 0; i < 3; i++) await createContact(t.api, { company_id: company.id });
  });

  const expectError = async (path: string, code: string | string[]) => {
    const response = await t.api.get(path);
    assert.equal(response.status, 400, `${path}: ${response.status} ${response.text.slice(0, 300)}`);
    assert.equal(response.body.success, false);
    const codes = Array.isArray(code) ? code : [code];
    assert.ok(codes.includes(response.body.error.code), `${path}: ${response.body.error.code}`);
    return response.body.error;
  };

  it('refuses unknown filter fields and operators with invalid_filter', async () => {
    const error = await expectError('/v1/contacts?nickname=x', 'invalid_filter');
    assert.ok(error.details.nickname);
    await expectError('/v1/contacts?email[like]=x', 'invalid_filter');
    await expectError('/v1/contacts?email[]=x', 'invalid_filter');
    await expectError('/v1/companies?status=active', 'invalid_filter'); // contacts have status, companies do not
    await expectError('/v1/companies?first_name=Jan', 'invalid_filter');
    await expectError(`/v1/companies/${company.id}/contacts?nickname=x`, 'invalid_filter');
  });

  it('refuses operators the field type does not support with invalid_filter', async () => {
    await expectError('/v1/contacts?status[contains]=a', 'invalid_filter');
    await expectError('/v1/contacts?created_at[contains]=x', 'invalid_filter');
    await expectError('/v1/contacts?company_id[gt]=cmp_x', 'invalid_filter');
    await expectError('/v1/companies?employee_count[starts_with]=1', 'invalid_filter');
  });

  it('refuses values of the wrong type with invalid_filter', async () => {
    await expectError('/v1/companies?employee_count[gt]=abc', 'invalid_filter');
    await expectError('/v1/companies?employee_count=1.5', 'invalid_filter');
    await expectError('/v1/companies?employee_count[in]=1,two', 'invalid_filter');
    await expectError('/v1/contacts?created_at[gte]=yesterday', 'invalid_filter');
    await expectError('/v1/contacts?created_at[gte]=2026-13-45', 'invalid_filter');
    await expectError('/v1/contacts?updated_at[gt]=1700000000000', 'invalid_filter');
    await expectError('/v1/contacts?status=deleted', 'invalid_filter');
    await expectError('/v1/contacts?status[in]=active,deleted', 'invalid_filter');
    await expectError('/v1/contacts?title[exists]=yes', 'invalid_filter');
  });

  it('refuses a filter given twice', async () => {
    await expectError('/v1/contacts?status=active&status=archived', ['validation_error', 'invalid_filter']);
    await expectError('/v1/contacts?title[ne]=a&title[ne]=b', ['validation_error', 'invalid_filter']);
    await expectError('/v1/contacts?limit=5&limit=6', 'validation_error');
  });

  it('refuses a limit outside 1 to 100 with validation_error', async () => {
    for (const limit of ['0', '101', 'abc', '-1', '2.5', '']) {
      const error = await expectError(`/v1/contacts?limit=${limit}`, 'validation_error');
      assert.ok(error.details.limit, `limit=${limit}`);
    }
  });

  it('refuses sorting by an unsortable or unknown field', async () => {
    await expectError('/v1/contacts?sort=phone', 'validation_error');
    await expectError('/v1/contacts?sort=nickname', 'validation_error');
    await expectError('/v1/contacts?sort=-custom_fields', 'validation_error');
    await expectError('/v1/companies?sort=status', 'validation_error');
    await expectError('/v1/contacts?sort=created_at,-created_at', 'validation_error');
  });

  it('refuses a cursor that is garbage, from another sort order, or tampered with, with invalid_cursor', async () => {
    const first = await t.api.get('/v1/contacts?limit=1');
    const cursor = first.body.meta.next_cursor as string;
    assert.equal(typeof cursor, 'string');
    const ok = await t.api.get(`/v1/contacts?limit=1&cursor=${encodeURIComponent(cursor)}`);
    assert.equal(ok.status, 200);

    await expectError('/v1/contacts?cursor=not-a-cursor!!', 'invalid_cursor');
    await expectError(`/v1/contacts?cursor=${Buffer.from('hello').toString('base64url')}`, 'invalid_cursor');
    await expectError(`/v1/contacts?cursor=${encodeURIComponent(cursor.slice(0, cursor.length - 6))}`, 'invalid_cursor');
    // A cursor belongs to its sort order.
    await expectError(`/v1/contacts?sort=-created_at&cursor=${encodeURIComponent(cursor)}`, 'invalid_cursor');
    await expectError(`/v1/contacts?sort=last_name&cursor=${encodeURIComponent(cursor)}`, 'invalid_cursor');

    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const tampered = (change: Record<string, unknown>) => Buffer.from(JSON.stringify({ ...decoded, ...change })).toString('base64url');
    for (const change of [{ v: ['yesterday'] }, { v: [] }, { v: [null] }, { v: [{ ms: 1 }] }, { v: [1, 2] }, { id: 42 }, { id: null }, { s: '-created_at' }]) {
      await expectError(`/v1/contacts?cursor=${tampered(change)}`, 'invalid_cursor');
    }
    for (const text of ['null', '[1,2]', '"text"', '{}']) {
      await expectError(`/v1/contacts?cursor=${Buffer.from(text).toString('base64url')}`, 'invalid_cursor');
    }
  });

  it('refuses a tampered cursor whose timestamp is not a whole number of milliseconds with invalid_cursor, not a 500', async () => {
    const first = await t.api.get('/v1/contacts?limit=1');
    const decoded = JSON.parse(Buffer.from(first.body.meta.next_cursor as string, 'base64url').toString('utf8'));
    for (const value of [1.5, 1e30, -1e300]) {
      const cursor = Buffer.from(JSON.stringify({ ...decoded, v: [value] })).toString('base64url');
      await expectError(`/v1/contacts?cursor=${cursor}`, 'invalid_cursor');
      await expectError(`/v1/contacts?sort=updated_at&cursor=${Buffer.from(JSON.stringify({ ...decoded, s: 'updated_at', v: [value] })).toString('base64url')}`, 'invalid_cursor');
    }
    // The same on an integer sort field.
    const companies = await t.api.get('/v1/companies?sort=name,employee_count&limit=1');
    assert.equal(companies.status, 200);
    const companyCursor = { s: 'name,employee_count', v: ['A', 2.5], id: company.id };
    await expectError(`/v1/companies?sort=name,employee_count&cursor=${Buffer.from(JSON.stringify(companyCursor)).toString('base64url')}`, 'invalid_cursor');
  });
});
