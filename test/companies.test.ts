import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createTenant, createUser, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

const domainOf = (prefix = 'acme-') => `${unique(prefix)}.com`;

describe('creating companies', () => {
  it('creates a company, trims its name and answers 201 with an ETag', async () => {
    const domain = domainOf();
    const response = await tenant.api.post('/v1/companies', { name: ' Acme Inc ', domain, industry: 'Software', employee_count: 12, custom_fields: { tier: 'gold' } });
    assert.equal(response.status, 201, response.text);
    const company = response.body.data;
    assert.match(company.id, /^cmp_[0-9A-Z]{26}$/);
    assert.equal(company.name, 'Acme Inc');
    assert.equal(company.domain, domain);
    assert.equal(company.employee_count, 12);
    assert.deepEqual(company.custom_fields, { tier: 'gold' });
    assert.equal(company.version, 1);
    assert.equal(company.created_at, company.updated_at);
    assert.equal(response.headers.get('etag'), '"1"');

    const fetched = await tenant.api.get(`/v1/companies/${company.id}`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.headers.get('etag'), '"1"');
    assert.deepEqual(fetched.body.data, company);
  });

  it('needs a name', async () => {
    for (const body of [{ domain: domainOf() }, { name: '   ' }, { name: '' }]) {
      const response = await tenant.api.post('/v1/companies', body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.body.error.code, 'validation_error');
      assert.ok(response.body.error.details.name, JSON.stringify(body));
    }
  });

  it('rejects unknown fields', async () => {
    const response = await tenant.api.post('/v1/companies', { name: 'X', revenue: 5 });
    assert.equal(response.status, 400);
    assert.ok(response.body.error.details.revenue);
  });

  it('answers 404 for a company that does not exist', async () => {
    for (const id of ['cmp_01M807GFFF8MEEXBKKKVK895SP', 'nonsense']) {
      const response = await tenant.api.get(`/v1/companies/${id}`);
      assert.equal(response.status, 404);
      assert.equal(response.body.error.code, 'not_found');
    }
  });

  it("does not show another workspace's company", async () => {
    const other = await createTenant(server);
    const theirs = await createCompany(other.api);
    assert.equal((await tenant.api.get(`/v1/companies/${theirs.id}`)).status, 404);
    assert.equal((await tenant.api.patch(`/v1/companies/${theirs.id}`, { name: 'Mine' })).status, 404);
    assert.equal((await tenant.api.delete(`/v1/companies/${theirs.id}`)).status, 404);
    // Domains are unique per workspace, not across workspaces.
    await createCompany(tenant.api, { domain: theirs.domain });
  });
});

describe('company domains', () => {
  it('stores a URL as its bare, lower-case host: "https://www.Acme.COM/about?x=1" becomes "acme.com"', async () => {
    const t = await createTenant(server);
    const response = await t.api.post('/v1/companies', { name: 'Acme', domain: 'https://www.Acme.COM/about?x=1' });
    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.data.domain, 'acme.com');
    assert.equal((await t.api.get(`/v1/companies/${response.body.data.id}`)).body.data.domain, 'acme.com');
  });

  it('normalizes "WWW.acme.com." and "acme.com:8080" to "acme.com" too', async () => {
    for (const written of ['WWW.acme.com.', 'acme.com:8080', '  ACME.com  ', 'http://www.acme.com:443/']) {
      const t = await createTenant(server);
      const company = await createCompany(t.api, { domain: written });
      assert.equal(company.domain, 'acme.com', written);
    }
  });

  it('refuses a value that is no domain with 400 naming domain', async () => {
    for (const domain of ['not a domain', 'acme', 'acme..com', 'http://', '-acme.com', 'acme.c', 'acme_corp.com', 'x'.repeat(300) + '.com']) {
      const response = await tenant.api.post('/v1/companies', { name: 'Bad', domain });
      assert.equal(response.status, 400, `${domain}: ${response.text}`);
      assert.equal(response.body.error.code, 'validation_error');
      assert.ok(response.body.error.details.domain, domain);
    }
    const company = await createCompany(tenant.api);
    const patched = await tenant.api.patch(`/v1/companies/${company.id}`, { domain: 'not a domain' });
    assert.equal(patched.status, 400);
    assert.ok(patched.body.error.details.domain);
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).body.data.domain, company.domain);
  });

  it('refuses a domain another company has, after normalization, with 409 naming it', async () => {
    const t = await createTenant(server);
    const first = await createCompany(t.api, { domain: 'acme.com' });
    for (const domain of ['acme.com', 'https://www.ACME.com/pricing', 'WWW.acme.com.', 'acme.com:8080']) {
      const response = await t.api.post('/v1/companies', { name: 'Copy', domain });
      assert.equal(response.status, 409, domain);
      assert.equal(response.body.error.code, 'duplicate');
      assert.deepEqual(response.body.error.details, { existing_id: first.id, field: 'domain' });
    }
    const list = await t.api.get('/v1/companies?domain=acme.com');
    assert.equal(list.body.meta.total, 1);
  });

  it('refuses a PATCH to a domain another company has, leaving the company unchanged', async () => {
    const a = await createCompany(tenant.api);
    const b = await createCompany(tenant.api);
    const response = await tenant.api.patch(`/v1/companies/${b.id}`, { domain: `https://WWW.${a.domain.toUpperCase()}/` });
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'duplicate');
    assert.deepEqual(response.body.error.details, { existing_id: a.id, field: 'domain' });
    const unchanged = await tenant.api.get(`/v1/companies/${b.id}`);
    assert.equal(unchanged.body.data.domain, b.domain);
    assert.equal(unchanged.body.data.version, 1);
    // Writing its own domain again, in another form, is no conflict.
    const own = await tenant.api.patch(`/v1/companies/${b.id}`, { domain: b.domain.toUpperCase(), industry: 'Retail' });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.data.domain, b.domain);
  });

  it('allows any number of companies without a domain', async () => {
    const t = await createTenant(server);
    const responses = [
      await t.api.post('/v1/companies', { name: 'No Domain 1' }),
      await t.api.post('/v1/companies', { name: 'No Domain 2' }),
      await t.api.post('/v1/companies', { name: 'No Domain 3', domain: null }),
      await t.api.post('/v1/companies', { name: 'No Domain 4', domain: '' }),
    ];
    for (const r of responses) {
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.data.domain, null);
    }
    const withDomain = await createCompany(t.api);
    const cleared = await t.api.patch(`/v1/companies/${withDomain.id}`, { domain: null });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal(cleared.body.data.domain, null);
    // The cleared domain is free for another company.
    await createCompany(t.api, { domain: withDomain.domain });
    assert.equal((await t.api.get('/v1/companies?domain[exists]=false')).body.meta.total, 5);
  });

  it('creates exactly one company when 20 clients send the same domain at once', async () => {
    const domain = domainOf('race-');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => tenant.api.post('/v1/companies', { name: `Racer ${i}`, domain: i % 2 === 0 ? domain : `https://www.${domain.toUpperCase()}/` })),
    );
    const created = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    assert.equal(created.length, 1, responses.map((r) => r.status).join(','));
    assert.equal(refused.length, 19, responses.map((r) => `${r.status} ${r.text}`).join('\n'));
    const winner = created[0]?.body.data.id;
    for (const r of refused) assert.deepEqual(r.body.error.details, { existing_id: winner, field: 'domain' });
    const list = await tenant.api.get(`/v1/companies?domain=${encodeURIComponent(domain)}`);
    assert.deepEqual(list.body.data.map((c: { id: string }) => c.id), [winner]);
  });
});

describe('finding companies by domain', () => {
  it('normalizes a domain filter like a stored domain, so a URL finds the company', async () => {
    const domain = `${unique('find-')}.com`;
    const company = await createCompany(tenant.api, { domain });
    for (const given of [`www.${domain}`, `https://WWW.${domain.toUpperCase()}/about`, domain]) {
      const found = await tenant.api.get(`/v1/companies?domain=${encodeURIComponent(given)}`);
      assert.deepEqual(found.body.data.map((c: { id: string }) => c.id), [company.id], given);
    }
  });
});

describe('employee_count', () => {
  it('takes a whole number of at least 0, or null', async () => {
    assert.equal((await createCompany(tenant.api, { employee_count: 0 })).employee_count, 0);
    assert.equal((await createCompany(tenant.api, { employee_count: 250_000 })).employee_count, 250_000);
    assert.equal((await createCompany(tenant.api, { employee_count: null })).employee_count, null);
  });

  it('refuses a string, a fraction or a negative number without coercing it', async () => {
    for (const employee_count of ['12', -1, 1.5, true, '']) {
      const response = await tenant.api.post('/v1/companies', { name: 'Counted', domain: domainOf(), employee_count });
      assert.equal(response.status, 400, `${JSON.stringify(employee_count)}: ${response.text}`);
      assert.equal(response.body.error.code, 'validation_error');
      assert.ok(response.body.error.details.employee_count, JSON.stringify(employee_count));
    }
    const company = await createCompany(tenant.api, { employee_count: 5 });
    const patched = await tenant.api.patch(`/v1/companies/${company.id}`, { employee_count: '12' });
    assert.equal(patched.status, 400);
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).body.data.employee_count, 5);
  });
});

describe('updating companies', () => {
  it('changes only the given fields, bumps the version and moves updated_at forward', async () => {
    const company = await createCompany(tenant.api, { industry: 'Software', phone: '+47 555 0100', employee_count: 10 });
    const response = await tenant.api.patch(`/v1/companies/${company.id}`, { industry: 'Hardware' });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.industry, 'Hardware');
    assert.equal(response.body.data.phone, '+47 555 0100');
    assert.equal(response.body.data.employee_count, 10);
    assert.equal(response.body.data.name, company.name);
    assert.equal(response.body.data.domain, company.domain);
    assert.equal(response.body.data.version, 2);
    assert.equal(response.headers.get('etag'), '"2"');
    assert.ok(response.body.data.updated_at > company.updated_at);
    assert.equal(response.body.data.created_at, company.created_at);
    assert.deepEqual((await tenant.api.get(`/v1/companies/${company.id}`)).body.data, response.body.data);
  });

  it('clears a field set to null', async () => {
    const company = await createCompany(tenant.api, { industry: 'Software', employee_count: 3 });
    const response = await tenant.api.patch(`/v1/companies/${company.id}`, { industry: null, employee_count: null });
    assert.equal(response.body.data.industry, null);
    assert.equal(response.body.data.employee_count, null);
  });

  it('merges address and custom fields, removing keys set to null', async () => {
    const company = await createCompany(tenant.api, { address: { city: 'Oslo', country: 'NO' }, custom_fields: { tier: 'gold', score: 7 } });
    const response = await tenant.api.patch(`/v1/companies/${company.id}`, { address: { city: 'Bergen' }, custom_fields: { score: null, region: 'west' } });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.address.city, 'Bergen');
    assert.equal(response.body.data.address.country, 'NO');
    assert.deepEqual(response.body.data.custom_fields, { tier: 'gold', region: 'west' });

    const untouched = await tenant.api.patch(`/v1/companies/${company.id}`, { name: 'Renamed' });
    assert.deepEqual(untouched.body.data.custom_fields, { tier: 'gold', region: 'west' });

    const cleared = await tenant.api.patch(`/v1/companies/${company.id}`, { custom_fields: null });
    assert.deepEqual(cleared.body.data.custom_fields, {});
  });

  it('bounds custom fields', async () => {
    const big = await tenant.api.post('/v1/companies', { name: 'Big', custom_fields: { notes: 'x'.repeat(20_000) } });
    assert.equal(big.status, 400);
    assert.ok(big.body.error.details.custom_fields);
    const badKey = await tenant.api.post('/v1/companies', { name: 'Key', custom_fields: { 'bad key!': 1 } });
    assert.equal(badKey.status, 400);
  });

  it('writes only when If-Match names the current version', async () => {
    const company = await createCompany(tenant.api);
    const stale = await tenant.api.patch(`/v1/companies/${company.id}`, { industry: 'A' }, { 'if-match': '"7"' });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'precondition_failed');
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).body.data.industry, null);

    const fresh = await tenant.api.patch(`/v1/companies/${company.id}`, { industry: 'A' }, { 'if-match': '"1"' });
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers.get('etag'), '"2"');
    // The ETag just read is the If-Match for the next write.
    const next = await tenant.api.patch(`/v1/companies/${company.id}`, { industry: 'B' }, { 'if-match': fresh.headers.get('etag') ?? '' });
    assert.equal(next.status, 200);
    const replay = await tenant.api.patch(`/v1/companies/${company.id}`, { industry: 'C' }, { 'if-match': '"2"' });
    assert.equal(replay.status, 412);

    const staleDelete = await tenant.api.delete(`/v1/companies/${company.id}`, { 'if-match': '"1"' });
    assert.equal(staleDelete.status, 412);
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).body.data.industry, 'B');
    const freshDelete = await tenant.api.delete(`/v1/companies/${company.id}`, { 'if-match': '"3"' });
    assert.equal(freshDelete.status, 200);
  });
});

describe('company owners', () => {
  it('accepts a user of the workspace as owner', async () => {
    const user = await createUser(tenant.api);
    const company = await createCompany(tenant.api, { owner_id: user.id });
    assert.equal(company.owner_id, user.id);
    const cleared = await tenant.api.patch(`/v1/companies/${company.id}`, { owner_id: null });
    assert.equal(cleared.body.data.owner_id, null);
  });

  it('refuses an owner that is not a user of the workspace with 422', async () => {
    const other = await createTenant(server);
    for (const owner_id of ['usr_01M807GFFF8MEEXBKKKVK895SP', 'usr_nope', other.ownerId]) {
      const response = await tenant.api.post('/v1/companies', { name: 'Owned', domain: domainOf(), owner_id });
      assert.equal(response.status, 422, `${owner_id}: ${response.text}`);
      assert.equal(response.body.error.code, 'unprocessable');
      assert.ok(response.body.error.details.owner_id);
    }
    const company = await createCompany(tenant.api);
    const patched = await tenant.api.patch(`/v1/companies/${company.id}`, { owner_id: other.ownerId });
    assert.equal(patched.status, 422);
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).body.data.owner_id, null);
  });
});

describe('deleting companies', () => {
  it('deletes the company and frees its domain', async () => {
    const company = await createCompany(tenant.api);
    const response = await tenant.api.delete(`/v1/companies/${company.id}`);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body.data, { id: company.id, deleted: true });
    assert.equal((await tenant.api.get(`/v1/companies/${company.id}`)).status, 404);
    assert.equal((await tenant.api.delete(`/v1/companies/${company.id}`)).status, 404);
    assert.equal((await tenant.api.patch(`/v1/companies/${company.id}`, { name: 'Ghost' })).status, 404);
    await createCompany(tenant.api, { domain: company.domain });
  });

  it("unlinks the company's contacts, bumping their version and updated_at so a sync sees them", async () => {
    const t = await createTenant(server);
    const doomed = await createCompany(t.api);
    const kept = await createCompany(t.api);
    const linked = [await createContact(t.api, { company_id: doomed.id }), await createContact(t.api, { company_id: doomed.id })];
    const bystander = await createContact(t.api, { company_id: kept.id });
    const loner = await createContact(t.api);
    const edited = await t.api.patch(`/v1/contacts/${linked[1].id}`, { title: 'Buyer' });
    assert.equal(edited.body.data.version, 2);
    const before = (await walk(t.api, '/v1/contacts?limit=100')).map((c) => c.updated_at).sort().at(-1) as string;

    const response = await t.api.delete(`/v1/companies/${doomed.id}`);
    assert.equal(response.status, 200, response.text);

    const first = (await t.api.get(`/v1/contacts/${linked[0].id}`)).body.data;
    assert.equal(first.company_id, null);
    assert.equal(first.version, 2);
    assert.ok(first.updated_at > before, 'updated_at moves forward');
    const second = await t.api.get(`/v1/contacts/${linked[1].id}`);
    assert.equal(second.body.data.company_id, null);
    assert.equal(second.body.data.version, 3);
    assert.equal(second.body.data.title, 'Buyer');
    assert.equal(second.headers.get('etag'), '"3"');
    assert.ok(second.body.data.updated_at > before);

    for (const other of [bystander, loner]) {
      const now = (await t.api.get(`/v1/contacts/${other.id}`)).body.data;
      assert.equal(now.version, 1);
      assert.equal(now.company_id, other.company_id);
      assert.equal(now.updated_at, other.updated_at);
    }
    const changed = await walk(t.api, `/v1/contacts?updated_at[gt]=${encodeURIComponent(before)}`);
    assert.deepEqual(changed.map((c) => c.id).sort(), linked.map((c) => c.id).sort());
    assert.equal((await t.api.get(`/v1/contacts?company_id=${doomed.id}`)).body.meta.total, 0);
    // The contacts can be linked again and keep working.
    const relinked = await t.api.patch(`/v1/contacts/${linked[0].id}`, { company_id: kept.id }, { 'if-match': '"2"' });
    assert.equal(relinked.status, 200, relinked.text);
  });
});

describe("a company's contacts", () => {
  it('lists exactly the contacts of that company, page by page', async () => {
    const t = await createTenant(server);
    const mine = await createCompany(t.api);
    const theirs = await createCompany(t.api);
    const members: any[] = [];
    for (let i = 0; i < 12; i++) {
      members.push(await createContact(t.api, { company_id: mine.id, status: i % 4 === 0 ? 'archived' : 'active' }));
      if (i % 3 === 0) await createContact(t.api, { company_id: theirs.id });
      if (i % 5 === 0) await createContact(t.api);
    }

    const seen: any[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const response: { status: number; text: string; body: any } = await t.api.get(
        `/v1/companies/${mine.id}/contacts?limit=5${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.meta.total, 12);
      assert.equal(response.body.meta.limit, 5);
      seen.push(...response.body.data);
      if (!response.body.meta.has_more) {
        assert.equal(response.body.meta.next_cursor, null);
        break;
      }
      cursor = response.body.meta.next_cursor;
    }
    assert.deepEqual(
      seen.map((c) => c.id),
      members.map((c) => c.id),
      'every contact of the company once, in created order',
    );
    assert.ok(seen.every((c) => c.company_id === mine.id));

    const archived = await t.api.get(`/v1/companies/${mine.id}/contacts?status=archived`);
    assert.deepEqual(
      archived.body.data.map((c: { id: string }) => c.id),
      members.filter((c) => c.status === 'archived').map((c) => c.id),
    );
    assert.equal(archived.body.meta.total, 3);

    const newestFirst = await walk(t.api, `/v1/companies/${mine.id}/contacts?sort=-created_at&limit=4`);
    assert.deepEqual(
      newestFirst.map((c) => c.id),
      members.map((c) => c.id).reverse(),
    );

    const empty = await createCompany(t.api);
    const none = await t.api.get(`/v1/companies/${empty.id}/contacts`);
    assert.equal(none.status, 200);
    assert.deepEqual(none.body.data, []);
    assert.equal(none.body.meta.total, 0);
    assert.equal(none.body.meta.has_more, false);
  });

  it('answers 404 for a company that does not exist or is in another workspace', async () => {
    const other = await createTenant(server);
    const theirs = await createCompany(other.api);
    await createContact(other.api, { company_id: theirs.id });
    for (const id of ['cmp_01M807GFFF8MEEXBKKKVK895SP', 'nonsense', theirs.id]) {
      const response = await tenant.api.get(`/v1/companies/${id}/contacts`);
      assert.equal(response.status, 404, `${id}: ${response.text}`);
      assert.equal(response.body.error.code, 'not_found');
    }
  });
});
