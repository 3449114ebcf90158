/**
 * Search: one ranked, paginated list across contacts, companies, leads and
 * deals (prefix words, names, every email, phone digits, domains), kept in step
 * with every write by the database's triggers; look-ups by email and by phone;
 * scopes, tenant isolation and hostile query strings.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, keyFor, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertInvalid, assertScopeRefused, ids } from './helpers/assertions.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  other = await createTenant(server);
});
after(() => server.close());

/** A word of letters only, unique to the test run: no other record holds it. */
const word = (prefix = 'w'): string => `${prefix}${randomBytes(5).toString('hex').replace(/\d/g, (d) => 'ghijklmnop'[Number(d)] as string)}`;
/** A phone number of this run: +1 (5xx) 0dd-dddd with random digits. */
const phoneNumber = (): { pretty: string; national: string } => {
  const n = randomBytes(4).readUInt32BE(0);
  const area = `5${String(n % 100).padStart(2, '0')}`;
  const mid = `0${String(Math.floor(n / 100) % 100).padStart(2, '0')}`;
  const last = String(Math.floor(n / 10_000) % 10_000).padStart(4, '0');
  return { pretty: `+1 (${area}) ${mid}-${last}`, national: `${area}${mid}${last}` };
};

async function search(api: ApiClient, params: Record<string, string>, path = '/v1/search'): Promise<ApiResponse> {
  return api.get(`${path}?${new URLSearchParams(params).toString()}`);
}

/** The hits of a search (every page), asserting it answered 200. */
async function hits(api: ApiClient, q: string, extra: Record<string, string> = {}): Promise<any[]> {
  return walk(api, `/v1/search?${new URLSearchParams({ q, limit: '100', ...extra }).toString()}`);
}

async function lookup(api: ApiClient, kind: 'email' | 'phone', value: string, extra: Record<string, string> = {}): Promise<any[]> {
  const response = await search(api, { [kind]: value, ...extra }, `/v1/search/by-${kind}`);
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.meta.total, response.body.data.length, response.text);
  return response.body.data;
}

async function created(response: ApiResponse): Promise<any> {
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

const createLead = (api: ApiClient, body: Record<string, unknown>) => api.post('/v1/leads', body).then(created);
const createDeal = (api: ApiClient, body: Record<string, unknown>) => api.post('/v1/deals', body).then(created);

async function patch(api: ApiClient, path: string, body: Record<string, unknown>): Promise<any> {
  const response = await api.patch(path, body);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

describe('search across types', () => {
  let first: string;
  let last: string;
  let records: { contact: any; company: any; lead: any; deal: any };

  before(async () => {
    first = word('jan');
    last = word('smi');
    const company = await createCompany(tenant.api, { name: `${last} Holdings`, domain: `${last}-holdings.example` });
    records = {
      contact: await createContact(tenant.api, { first_name: first, last_name: last, email: `${first}.${last}@example.com`, company_id: company.id }),
      company,
      lead: await createLead(tenant.api, { first_name: `${first}et`, last_name: `${last}son`, company_name: 'Lead Co' }),
      deal: await createDeal(tenant.api, { name: `${last} renewal`, company_id: company.id }),
    };
  });

  it('finds every type by word prefixes, "jan smi" style', async () => {
    // Both words as prefixes: the contact (name) and the lead (name); not the company or the deal (no first name).
    const found = await hits(tenant.api, `${first.slice(0, 5)} ${last.slice(0, 5)}`);
    assert.deepEqual(ids(found).sort(), [records.contact.id, records.lead.id].sort());

    const all = await hits(tenant.api, last);
    assert.deepEqual(ids(all).sort(), [records.contact.id, records.company.id, records.lead.id, records.deal.id].sort());
    const byType = Object.fromEntries(all.map((h) => [h.type, h]));
    assert.deepEqual(byType.contact, { type: 'contact', id: records.contact.id, title: `${first} ${last}`, subtitle: `${first}.${last}@example.com`, score: 3, matched: ['name', 'email'] });
    assert.deepEqual(byType.company, { type: 'company', id: records.company.id, title: `${last} Holdings`, subtitle: `${last}-holdings.example`, score: 3, matched: ['name', 'domain'] });
    assert.deepEqual(byType.lead, { type: 'lead', id: records.lead.id, title: `${first}et ${last}son`, subtitle: 'Lead Co', score: 2, matched: ['name'] });
    assert.deepEqual(byType.deal, { type: 'deal', id: records.deal.id, title: `${last} renewal`, subtitle: `${last} Holdings`, score: 3, matched: ['name'] });
  });

  it('matches emails, the company domain, the lead company name and deal names', async () => {
    assert.deepEqual(ids(await hits(tenant.api, `${first}.${last}@example`)), [records.contact.id]);
    assert.deepEqual(ids(await hits(tenant.api, `${last}-holdings.example`)), [records.company.id]);
    assert.deepEqual(ids(await hits(tenant.api, `lead co ${first}`)), [records.lead.id]);
    assert.deepEqual(ids(await hits(tenant.api, `renew ${last}`)), [records.deal.id]);
  });

  it('narrows to the types asked for', async () => {
    assert.deepEqual(ids(await hits(tenant.api, last, { types: 'deal' })), [records.deal.id]);
    assert.deepEqual(ids(await hits(tenant.api, last, { types: 'company,lead' })).sort(), [records.company.id, records.lead.id].sort());
  });

  it('ranks a whole name word before a name prefix, a whole email word, and an email prefix', async () => {
    const w = word();
    const prefixOnly = await createContact(tenant.api, { first_name: 'Aaron', last_name: `${w}ington`, email: `${word()}@example.com` });
    const emailPrefix = await createContact(tenant.api, { first_name: 'Abe', last_name: 'Other', email: `${w}abc@example.com` });
    const emailWord = await createContact(tenant.api, { first_name: 'Acel', last_name: 'Other', email: `${w}@example.com` });
    const exact = await createContact(tenant.api, { first_name: 'Zed', last_name: w, email: `${word()}@example.com` });
    const found = await hits(tenant.api, w);
    assert.deepEqual(
      found.map((h) => [h.id, h.score]),
      [
        [exact.id, 3],
        [prefixOnly.id, 2],
        [emailWord.id, 1],
        [emailPrefix.id, 0],
      ],
    );
    assert.deepEqual(found[2].matched, ['email']);
  });

  it('folds case and accents (letters that decompose into a letter and a mark)', async () => {
    const w = word();
    const contact = await createContact(tenant.api, { first_name: 'Øyvind', last_name: `${w} Åsen`, email: `${word()}@example.com` });
    const jose = await createContact(tenant.api, { first_name: 'José', last_name: `${w} Álvarez`, email: `${word()}@example.com` });
    for (const q of ['øyv', 'ØYVIND', 'øyvind åsen', 'asen']) assert.deepEqual(ids(await hits(tenant.api, `${q} ${w.slice(0, 4)}`)), [contact.id], q);
    // As FTS5's unicode61 has it: ø is a letter of its own, not an o with an accent.
    assert.deepEqual(ids(await hits(tenant.api, `oyvind ${w.slice(0, 4)}`)), []);
    for (const q of ['jose', 'JOSÉ', 'josé alvarez']) assert.deepEqual(ids(await hits(tenant.api, `${q} ${w.slice(0, 4)}`)), [jose.id], q);
  });
});

describe('the index follows every write', () => {
  it('finds a renamed contact by its new name only, and a deleted one no more', async () => {
    const before = word();
    const after = word();
    const contact = await createContact(tenant.api, { first_name: 'Rena', last_name: before, email: `${word()}@example.com` });
    assert.deepEqual(ids(await hits(tenant.api, before)), [contact.id]);
    await patch(tenant.api, `/v1/contacts/${contact.id}`, { last_name: after });
    assert.deepEqual(ids(await hits(tenant.api, before)), []);
    assert.deepEqual(ids(await hits(tenant.api, after)), [contact.id]);
    const deleted = await tenant.api.delete(`/v1/contacts/${contact.id}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(ids(await hits(tenant.api, after)), []);
  });

  it("follows a contact's secondary emails as they are added and removed", async () => {
    const primary = `${word()}@example.com`;
    const secondary = `${word()}@second.example`;
    const contact = await createContact(tenant.api, { first_name: 'Sec', last_name: word(), email: primary });
    assert.deepEqual(ids(await hits(tenant.api, secondary)), []);
    await patch(tenant.api, `/v1/contacts/${contact.id}`, { emails: [{ email: primary, primary: true }, { email: secondary, label: 'home' }] });
    assert.deepEqual(ids(await hits(tenant.api, secondary.split('@')[0] as string)), [contact.id]);
    assert.deepEqual(ids(await lookup(tenant.api, 'email', secondary)), [contact.id]);
    await patch(tenant.api, `/v1/contacts/${contact.id}`, { emails: [{ email: primary }] });
    assert.deepEqual(ids(await hits(tenant.api, secondary.split('@')[0] as string)), []);
    assert.deepEqual(await lookup(tenant.api, 'email', secondary), []);
    assert.deepEqual(ids(await hits(tenant.api, primary.split('@')[0] as string)), [contact.id]);
  });

  it('follows a merge: the duplicate is gone, the survivor carries its addresses and numbers', async () => {
    const [keep, dup] = [word(), word()];
    const number = phoneNumber();
    const survivor = await createContact(tenant.api, { first_name: 'Keep', last_name: keep, email: `${keep}@example.com` });
    const duplicate = await createContact(tenant.api, { first_name: 'Dup', last_name: dup, email: `${dup}@example.com`, phone: number.pretty });
    const merged = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id });
    assert.equal(merged.status, 200, merged.text);
    assert.deepEqual(ids(await hits(tenant.api, dup)), [survivor.id], "the survivor, by the duplicate's address");
    assert.deepEqual(ids(await lookup(tenant.api, 'email', `${dup}@example.com`)), [survivor.id]);
    assert.deepEqual(ids(await lookup(tenant.api, 'phone', number.national)), [survivor.id]);
    assert.deepEqual(ids(await hits(tenant.api, `dup ${dup}`)), [], "the duplicate's name is gone with it");
  });

  it('follows companies, leads and deals through update and delete', async () => {
    const [c1, c2, l1, l2, d1, d2] = [word(), word(), word(), word(), word(), word()];
    const company = await createCompany(tenant.api, { name: `${c1} Inc`, domain: `${c1}.example` });
    const lead = await createLead(tenant.api, { first_name: 'Lee', last_name: l1 });
    const deal = await createDeal(tenant.api, { name: `${d1} deal`, company_id: company.id });
    await patch(tenant.api, `/v1/companies/${company.id}`, { name: `${c2} Inc`, domain: `${c2}.example` });
    await patch(tenant.api, `/v1/leads/${lead.id}`, { last_name: l2 });
    await patch(tenant.api, `/v1/deals/${deal.id}`, { name: `${d2} deal` });
    for (const old of [c1, l1, d1]) assert.deepEqual(ids(await hits(tenant.api, old)), [], old);
    assert.deepEqual(ids(await hits(tenant.api, c2)), [company.id]);
    assert.deepEqual(ids(await hits(tenant.api, l2)), [lead.id]);
    const [dealHit] = await hits(tenant.api, d2);
    assert.equal(dealHit.id, deal.id);
    assert.equal(dealHit.subtitle, `${c2} Inc`, 'a deal shows its company as it is now');
    for (const [path, id] of [
      ['deals', deal.id],
      ['leads', lead.id],
      ['companies', company.id],
    ]) {
      const response = await tenant.api.delete(`/v1/${path}/${id}`);
      assert.equal(response.status, 200, response.text);
    }
    for (const gone of [c2, l2, d2]) assert.deepEqual(ids(await hits(tenant.api, gone)), [], gone);
  });
});

describe('look-ups by email and by phone', () => {
  it('finds every contact and lead with an address, compared trimmed and lower-cased', async () => {
    const email = `${word()}@Example.com`;
    const primary = `${word()}@example.com`;
    const contact = await createContact(tenant.api, { first_name: 'Mail', last_name: word(), email: primary, emails: [{ email: primary }, { email }] });
    const lead = await createLead(tenant.api, { first_name: 'Mail', last_name: word(), email });
    await createContact(tenant.api, { first_name: 'Mail', last_name: word(), email: `x${email}` });
    const found = await lookup(tenant.api, 'email', `  ${email.toUpperCase()} `);
    assert.deepEqual(ids(found).sort(), [contact.id, lead.id].sort());
    assert.ok(found.every((h) => h.matched[0] === 'email'));
    assert.deepEqual(ids(await lookup(tenant.api, 'email', email, { types: 'lead' })), [lead.id]);
    assert.deepEqual(await lookup(tenant.api, 'email', `nobody-${email}`), []);
    assertInvalid(await search(tenant.api, { email: 'not an address' }, '/v1/search/by-email'), 'email');
    assertInvalid(await search(tenant.api, { email, types: 'company' }, '/v1/search/by-email'), 'types');
  });

  it('compares phone numbers by digits, with or without the country code', async () => {
    const number = phoneNumber();
    const contact = await createContact(tenant.api, { first_name: 'Phil', last_name: word(), phones: [{ phone: '+44 20 7946 0000' }, { phone: `${number.pretty} ext. 12` }] });
    const company = await createCompany(tenant.api, { phone: number.national.replace(/(\d{3})(\d{3})(\d{4})/, '$1.$2.$3') });
    const lead = await createLead(tenant.api, { first_name: 'Phil', last_name: word(), phone: `1${number.national}` });
    // The same last seven digits in another area: another number.
    await createContact(tenant.api, { first_name: 'Phil', last_name: word(), phone: `+1 (${number.national[0] === '9' ? '8' : '9'}${number.national.slice(1, 3)}) ${number.national.slice(3)}` });
    const expected = [contact.id, company.id, lead.id].sort();
    for (const given of [number.pretty, `1${number.national}`, number.national, `001 ${number.national}`, `(${number.national.slice(0, 3)}) ${number.national.slice(3, 6)}-${number.national.slice(6)} x99`]) {
      assert.deepEqual(ids(await lookup(tenant.api, 'phone', given)).sort(), expected, given);
    }
    assert.deepEqual(ids(await lookup(tenant.api, 'phone', number.pretty, { types: 'company' })), [company.id]);
    assert.deepEqual(await lookup(tenant.api, 'phone', number.national.slice(4)), [], 'a part of the number is not the number');
    // A trunk 0 is what the international form drops.
    assert.deepEqual(ids(await lookup(tenant.api, 'phone', '020 7946 0000')), [contact.id]);
    assertInvalid(await search(tenant.api, { phone: 'ext.' }, '/v1/search/by-phone'), 'phone');
    assertInvalid(await search(tenant.api, { phone: number.pretty, types: 'deal' }, '/v1/search/by-phone'), 'types');
  });

  it('reads the digits of a number whatever separators it is written with, up to its extension', async () => {
    const number = phoneNumber();
    const [area, mid, last] = [number.national.slice(0, 3), number.national.slice(3, 6), number.national.slice(6)];
    // Companies and leads take any text as a phone: slashes, no-break spaces, en dashes, a tab.
    const written = [`+1/${area}/${mid}/${last}`, `+1\u00a0${area}\u00a0${mid}\u00a0${last}`, `+1 ${area} \u2013 ${mid} \u2013 ${last}`, `1\t${area}\t${mid}${last} #77`];
    const companies = [];
    for (const phone of written) companies.push((await createCompany(tenant.api, { phone })).id);
    assert.deepEqual(ids(await lookup(tenant.api, 'phone', number.pretty)).sort(), companies.sort());
    assert.deepEqual(await lookup(tenant.api, 'phone', `${number.national}77`), [], 'the extension is not part of the number');
  });

  it('finds a name with a long run of digits inside it by that name, not as a phone number', async () => {
    const name = `Quil${Date.now() % 10_000_000}b17`.padEnd(14, '7');
    const contact = await createContact(tenant.api, { first_name: name, last_name: word() });
    assert.deepEqual(ids(await hits(tenant.api, name)), [contact.id]);
    assert.deepEqual(ids(await hits(tenant.api, name.slice(0, 11))), [contact.id]);
  });

  it('finds phone digits in the free-text search, wherever they are in the number', async () => {
    const number = phoneNumber();
    const contact = await createContact(tenant.api, { first_name: 'Dee', last_name: word(), phone: number.pretty });
    assert.deepEqual(ids(await hits(tenant.api, number.pretty)), [contact.id]);
    assert.deepEqual(ids(await hits(tenant.api, number.national)), [contact.id]);
    const [hit] = await hits(tenant.api, number.national.slice(3));
    assert.equal(hit.id, contact.id);
    assert.deepEqual(hit.matched, ['phone']);
  });
});

describe('pagination', () => {
  it('walks every match once, in rank order, across pages and types', async () => {
    const w = word();
    const expected: string[] = [];
    for (let i = 0; i < 12; i++) expected.push((await createContact(tenant.api, { first_name: `N${i}`, last_name: w, email: `${word()}@example.com` })).id);
    for (let i = 0; i < 6; i++) expected.push((await createContact(tenant.api, { first_name: `P${i}`, last_name: `${w}x${i}`, email: `${word()}@example.com` })).id);
    for (let i = 0; i < 5; i++) expected.push((await createContact(tenant.api, { first_name: `E${i}`, last_name: 'Mail', email: `${w}.${i}@example.com` })).id);
    for (let i = 0; i < 4; i++) expected.push((await createCompany(tenant.api, { name: `${w} ${i}` })).id);
    for (let i = 0; i < 4; i++) expected.push((await createDeal(tenant.api, { name: `${w} deal ${i}` })).id);
    for (let i = 0; i < 3; i++) expected.push((await createLead(tenant.api, { first_name: `L${i}`, last_name: w })).id);

    const pages: any[][] = [];
    let cursor: string | null = null;
    do {
      const response: ApiResponse = await search(tenant.api, { q: w, limit: '7', ...(cursor && { cursor }) });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body.meta.total, expected.length);
      assert.equal(response.body.meta.limit, 7);
      pages.push(response.body.data);
      cursor = response.body.meta.next_cursor;
      assert.equal(response.body.meta.has_more, cursor !== null);
    } while (cursor !== null);
    const walked = pages.flat();
    assert.equal(pages.length, Math.ceil(expected.length / 7));
    assert.equal(new Set(ids(walked)).size, walked.length, 'no duplicates');
    assert.deepEqual(ids(walked).sort(), [...expected].sort(), 'no misses');
    const scores = walked.map((h) => h.score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a), 'best first');
    assert.deepEqual([...new Set(scores)], [3, 2, 1]);
    // Within a score, by title.
    const exact = walked.filter((h) => h.score === 3).map((h) => h.title.toLowerCase());
    assert.deepEqual(exact, [...exact].sort());
  });

  it('refuses a cursor of another query, or a forged one', async () => {
    const w = word();
    for (let i = 0; i < 3; i++) await createContact(tenant.api, { first_name: w, last_name: `C${i}`, email: `${word()}@example.com` });
    const page = await search(tenant.api, { q: w, limit: '1' });
    assert.equal(page.status, 200, page.text);
    const cursor: string = page.body.meta.next_cursor;
    assert.ok(cursor);
    const attempts: Record<string, string>[] = [
      { q: `${w} c`, limit: '1', cursor },
      { q: w, limit: '1', cursor, types: 'contact' },
      { q: w, cursor: 'not-a-cursor' },
      { q: w, cursor: Buffer.from(JSON.stringify({ s: 'x' })).toString('base64url') },
    ];
    for (const params of attempts) {
      const response = await search(tenant.api, params);
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.error.code, 'invalid_cursor', response.text);
    }
  });
});

describe('scopes', () => {
  let w: string;
  let contact: any;
  let company: any;
  before(async () => {
    w = word();
    contact = await createContact(tenant.api, { first_name: w, last_name: 'Scope', phone: '+1 555 777 0101', email: `${w}@example.com` });
    company = await createCompany(tenant.api, { name: `${w} Scope Corp`, phone: '+1 555 777 0101' });
    await createDeal(tenant.api, { name: `${w} scoped deal` });
  });

  it('leaves out the types a key may not read, and refuses them when asked for', async () => {
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read'] });
    assert.deepEqual(ids(await hits(key.api, w)), [contact.id]);
    assertScopeRefused(await search(key.api, { q: w, types: 'contact,company' }), 'companies:read');
    assert.deepEqual(ids(await lookup(key.api, 'phone', '5557770101')), [contact.id]);
    assertScopeRefused(await search(key.api, { phone: '5557770101', types: 'company' }, '/v1/search/by-phone'), 'companies:read');
    const writer = await keyFor(server, tenant, { scope: 'custom', grants: ['companies:write'] });
    assert.deepEqual(ids(await hits(writer.api, w)), [company.id]);
  });

  it('refuses a key that may read none of the types', async () => {
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['pipelines:read', 'tasks:write'] });
    assertScopeRefused(await search(key.api, { q: w }), 'contacts:read');
    assertScopeRefused(await search(key.api, { email: `${w}@example.com` }, '/v1/search/by-email'), 'contacts:read');
    const response = await server.anonymous.get(`/v1/search?q=${w}`);
    assert.equal(response.status, 401, response.text);
  });
});

describe('tenant isolation', () => {
  it("never shows another workspace's records, whatever matches", async () => {
    const w = word();
    const email = `${w}@example.com`;
    const phone = '+1 (555) 123-9876';
    const mine = await createContact(tenant.api, { first_name: w, last_name: 'Mine', email, phone });
    const theirs = {
      contact: await createContact(other.api, { first_name: w, last_name: 'Theirs', email, phone }),
      company: await createCompany(other.api, { name: `${w} Theirs`, phone }),
      lead: await createLead(other.api, { first_name: w, last_name: 'Theirs', email, phone }),
      deal: await createDeal(other.api, { name: `${w} theirs` }),
    };
    assert.deepEqual(ids(await hits(tenant.api, w)), [mine.id]);
    assert.deepEqual(ids(await lookup(tenant.api, 'email', email)), [mine.id]);
    assert.deepEqual(ids(await lookup(tenant.api, 'phone', phone)), [mine.id]);
    const seenByThem = ids(await hits(other.api, w));
    assert.deepEqual(seenByThem.sort(), Object.values(theirs).map((r) => r.id).sort());
    assert.ok(!seenByThem.includes(mine.id));
  });
});

describe('bad input', () => {
  it('answers 400 validation_error for a missing, empty, long or wordless q, unknown types and bad limits', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'q'],
      [{ q: '' }, 'q'],
      [{ q: '   ' }, 'q'],
      [{ q: '*' }, 'q'],
      [{ q: '"' }, 'q'],
      [{ q: '%_\\' }, 'q'],
      [{ q: 'a'.repeat(201) }, 'q'],
      [{ q: 'a b c d e f g h i j k' }, 'q'],
      [{ q: 'jan', types: 'contact,person' }, 'types'],
      [{ q: 'jan', types: '' }, 'types'],
      [{ q: 'jan', limit: '0' }, 'limit'],
      [{ q: 'jan', limit: '101' }, 'limit'],
      [{ q: 'jan', limit: 'ten' }, 'limit'],
      [{ q: 'jan', sort: 'name' }, 'sort'],
    ];
    for (const [params, field] of cases) assertInvalid(await search(tenant.api, params), field);
    const twice = await tenant.api.get('/v1/search?q=a&q=b');
    assert.equal(twice.status, 400, twice.text);
    assert.equal(twice.body.error.code, 'validation_error');
  });

  it('treats query syntax as plain words, never as FTS5 or tsquery operators', async () => {
    const w = word();
    const orla = await createContact(tenant.api, { first_name: 'Orla', last_name: w, email: `${word()}@example.com` });
    const near = await createContact(tenant.api, { first_name: 'Nearchos', last_name: w, email: `${word()}@example.com` });
    const quoted = await createContact(tenant.api, { first_name: 'A"B', last_name: w, email: `${word()}@example.com` });
    const expectations: [string, string[]][] = [
      [`OR ${w}`, [orla.id]],
      [`${w} OR`, [orla.id]],
      [`NEAR( ${w}`, [near.id]],
      [`near(${w}, 2)`, []],
      [`a"b ${w}`, [quoted.id]],
      [`"${w}" -orla`, [orla.id]],
      [`${w} NOT orla`, []],
      [`${w}*`, [orla.id, near.id, quoted.id]],
      [`{names}: ${w}`, []],
      [`names:${w}`, []],
      [`${w}:*A`, [quoted.id]],
      [`${w} & !orla`, [orla.id]],
      [`${w} | x`, []],
      [`'; drop table contacts; -- ${w}`, []],
      [`${w} \\ ' " ( ) ^ $ ~ < > @ # ; :`, [orla.id, near.id, quoted.id]],
      ['Øyvind 名前 Ελλάδα', []],
    ];
    for (const [q, expected] of expectations) {
      const response = await search(tenant.api, { q, limit: '100' });
      assert.equal(response.status, 200, `${q}: ${response.text}`);
      assert.deepEqual(ids(response.body.data).sort(), [...expected].sort(), q);
    }
    // The table is still there.
    assert.deepEqual(ids(await hits(tenant.api, `orla ${w}`)), [orla.id]);
  });
});
