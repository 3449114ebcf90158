/**
 * The Nutshell dialect, with requests shaped as Nutshell's clients send them
 * (the compat page's examples, its error cases, the seed's HTTP Basic with
 * email + key): discovery, auth, revs, scopes, rate limits, paging and stubs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createDeal, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { basicAuth, rpcClient, rpcPost } from './helpers/jsonrpc.js';
import { startServer, type TestServer } from './helpers/server.js';

const PUBLIC_URL = 'https://crm.example.test';
let server: TestServer;
let tenant: Tenant;
/** Nutshell's PHP and Python clients: HTTP Basic with the user's email and the key. */
let nutshell: ReturnType<typeof rpcClient>;

before(async () => {
  server = await startServer({ PUBLIC_URL });
  tenant = await createTenant(server);
  nutshell = rpcClient(server.url, basicAuth(tenant.ownerEmail, tenant.key));
});
after(() => server.close());


describe('discovery and the method list', () => {
  it('answers getApiForUsername without a key, at the discovery path, as the PHP client sends it', async () => {
    // curl with a string body sends it form-encoded; the Node client sends no content type at all.
    for (const [path, contentType] of [['/v1/json', 'application/x-www-form-urlencoded'], ['/api/v1/json', null]] as const) {
      const reply = await rpcPost(server.url, { method: 'getApiForUsername', params: { username: tenant.ownerEmail }, id: 'd1f3' }, { path, contentType });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.body, { jsonrpc: '2.0', id: 'd1f3', result: { api: 'crm.example.test', login: 'crm.example.test', iphone: 'crm.example.test' }, error: null });
    }
  });

  it('lists every method with its params on GET, without a key', async () => {
    for (const path of ['/api/v1/json', '/v1/rpc/methods']) {
      const reply = await server.anonymous.get(path);
      assert.equal(reply.status, 200, reply.text);
      const { services } = reply.body;
      for (const name of [
        ...['Lead', 'Contact', 'Account'].flatMap((x) => [`get${x}`, `new${x}`, `edit${x}`, `delete${x}`, `find${x}s`]),
        ...['getActivity', 'newActivity', 'editActivity', 'findActivities', 'getTask', 'newTask', 'editTask', 'findTasks'],
        ...['findUsers', 'findStagesets', 'findMilestones', 'findActivityTypes', 'findSources', 'findTags', 'newTag'],
        ...['searchContacts', 'searchAccounts', 'searchLeads', 'searchByEmail', 'searchUniversal', 'getApiForUsername'],
      ]) {
        assert.ok(services[name], `${path} lists ${name}`);
      }
      assert.deepEqual(services.editLead.parameters.map((p: any) => p.name), ['leadId', 'rev', 'lead']);
      assert.deepEqual(services.findLeads.parameters.map((p: any) => p.name), ['query', 'orderBy', 'orderDirection', 'limit', 'page', 'stubResponses']);
      assert.equal(services.getApiForUsername.auth, 'none');
    }
  });
});

describe('the examples of the compat page', () => {
  it('newContact with label-keyed phone and email objects', async () => {
    const email = `${unique('jsmith-')}@example.com`;
    const reply = await nutshell.send(
      { method: 'newContact', params: { contact: { name: 'Joan Smith', phone: { 0: '734-555-9090', cell: '734-555-6711' }, email: { 0: email, blackberry: 'jsmith@att.blackberry.com' } } }, id: 'a1' },
      'application/x-www-form-urlencoded',
    );
    assert.equal(reply.status, 200, reply.text);
    const contact = reply.body.result;
    assert.equal(reply.body.error, null);
    assert.equal(reply.body.jsonrpc, '2.0');
    assert.equal(contact.entityType, 'Contacts');
    assert.equal(contact.rev, '1');
    assert.match(contact.createdTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0000$/);
    assert.deepEqual(contact.name, { givenName: 'Joan', familyName: 'Smith', displayName: 'Joan Smith' });
    assert.deepEqual(contact.email, { 0: email, blackberry: 'jsmith@att.blackberry.com', '--primary': email });
    assert.deepEqual(contact.phone, { 0: '734-555-9090', cell: '734-555-6711', '--primary': '734-555-9090' });
    // The same contact, as REST sees it.
    const stored = (await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data;
    assert.deepEqual(stored.emails, [
      { email, label: null, primary: true },
      { email: 'jsmith@att.blackberry.com', label: 'blackberry', primary: false },
    ]);
  });

  it('findContacts by leadId: the lead\'s contacts', async () => {
    const [a, b] = [await createContact(tenant.api), await createContact(tenant.api)];
    await createContact(tenant.api);
    const deal = await createDeal(tenant.api, { contact_ids: [a.id, b.id] });
    const reply = await nutshell.send({ method: 'findContacts', params: { query: { leadId: deal.id } }, id: 'a2' });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.body.result.map((c: any) => c.id).sort(), [a.id, b.id].sort());
    assert.ok(reply.body.result.every((c: any) => c.stub === true && c.entityType === 'Contacts'));
  });

  it('editLead with the rev last read: confidence and contacts with their relationship', async () => {
    const contact = await createContact(tenant.api);
    const deal = await createDeal(tenant.api);
    const reply = await nutshell.send({
      method: 'editLead',
      params: { leadId: deal.id, rev: String(deal.version), lead: { confidence: 75, contacts: [{ id: contact.id, relationship: 'First Contact', entityType: 'Contacts' }] } },
      id: 'a3',
    });
    assert.equal(reply.status, 200, reply.text);
    const lead = reply.body.result;
    assert.equal(lead.confidence, 75);
    assert.deepEqual(lead.contacts.map((c: any) => c.id), [contact.id]);
    assert.equal(lead.rev, String(deal.version + 1));
    const stored = (await tenant.api.get(`/v1/deals/${deal.id}`)).body.data;
    assert.equal(stored.probability, 75);
    assert.deepEqual(stored.contact_ids, [contact.id]);
  });

  it('getLead with positional params', async () => {
    const company = await createCompany(tenant.api);
    const deal = await createDeal(tenant.api, { value: { amount: 1250000, currency: 'USD' }, company_id: company.id, expected_close_date: '2026-12-31' });
    const reply = await nutshell.send({ method: 'getLead', params: [deal.id], id: 'a4' });
    assert.equal(reply.status, 200, reply.text);
    const lead = reply.body.result;
    assert.equal(lead.entityType, 'Leads');
    assert.equal(lead.status, 0);
    assert.deepEqual(lead.value, { currency: 'USD', amount: 12500 });
    assert.equal(lead.milestone.entityType, 'Milestones');
    assert.equal(lead.milestone.name, 'Qualification');
    assert.equal(lead.stageset.entityType, 'Stagesets');
    assert.equal(lead.primaryAccount.id, company.id);
    assert.equal(lead.primaryAccount.name, company.name);
    assert.equal(lead.dueTime, '2026-12-31T00:00:00+0000');
  });
});

describe('authentication', () => {
  it('takes Bearer and X-API-Key as well as HTTP Basic', async () => {
    for (const headers of [{ authorization: `Bearer ${tenant.key}` }, { 'x-api-key': tenant.key }] as Record<string, string>[]) {
      const reply = await rpcClient(server.url, headers, '/v1/rpc').call('findUsers');
      assert.equal(reply.status, 200, reply.text);
    }
  });

  it('answers a bad key, a missing key or another user\'s email with HTTP 401 and code 401 "API key not found"', async () => {
    for (const headers of [basicAuth(tenant.ownerEmail, 'trl_live_notakey'), {}, basicAuth('someone-else@example.com', tenant.key)]) {
      const reply = await rpcClient(server.url, headers).call('getContact', ['con_x'], 'k1');
      assert.equal(reply.status, 401, reply.text);
      assert.equal(reply.body.id, 'k1');
      assert.equal(reply.body.error.code, 401);
      assert.equal(reply.body.error.message, 'API key not found');
      assert.equal(reply.body.result, undefined);
    }
  });

  it('answers a batch with a bad key with HTTP 200 and the error for each call', async () => {
    const reply = await rpcClient(server.url, basicAuth(tenant.ownerEmail, 'trl_live_notakey')).send([
      { method: 'findUsers', id: 1 },
      { method: 'getApiForUsername', params: ['x@example.com'], id: 2 },
    ]);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.find((a: any) => a.id === 1).error.code, 401);
    assert.equal(reply.body.find((a: any) => a.id === 2).error, null, 'discovery needs no key');
  });

  it('refuses new* to a read-only key with code 403, and lets it read', async () => {
    const readOnly = await keyFor(server, tenant, { scope: 'read_only' });
    const client = rpcClient(server.url, basicAuth(tenant.ownerEmail, readOnly.secret));
    const refused = await client.call('newContact', { contact: { name: 'Not Allowed' } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 403);
    assert.equal(refused.body.error.data.details.required, 'contacts:write');
    assert.equal((await client.call('searchContacts', { string: 'Not Allowed' })).body.result.length, 0);
    const contact = await createContact(tenant.api);
    assert.equal((await client.call('getContact', [contact.id])).status, 200);
  });

  it('does not show another workspace\'s records: not found, code 404', async () => {
    const other = await createTenant(server);
    const theirs = await createContact(other.api);
    const reply = await nutshell.call('getContact', [theirs.id]);
    assert.equal(reply.status, 404, reply.text);
    assert.equal(reply.body.error.code, 404);
  });
});

describe('revs, errors and the envelope', () => {
  it('refuses a stale rev with HTTP 409, code 409 "rev key is out-of-date"; REV_IGNORE skips the check', async () => {
    const contact = await createContact(tenant.api);
    const first = await nutshell.call('editContact', { contactId: contact.id, rev: '1', contact: { name: 'First Edit' } });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.result.rev, '2');
    const stale = await nutshell.call('editContact', { contactId: contact.id, rev: '1', contact: { name: 'Stale Edit' } });
    assert.equal(stale.status, 409, stale.text);
    assert.equal(stale.body.error.code, 409);
    assert.equal(stale.body.error.message, 'rev key is out-of-date');
    assert.equal(stale.body.error.data.details.current_version, 2);
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data.first_name, 'First');
    const ignored = await nutshell.call('editContact', { contactId: contact.id, rev: 'REV_IGNORE', contact: { name: 'Last Edit' } });
    assert.equal(ignored.status, 200, ignored.text);
    const deleted = await nutshell.call('deleteContact', { contactId: contact.id, rev: '1' });
    assert.equal(deleted.status, 409, 'a stale delete is refused too');
    assert.equal((await nutshell.call('deleteContact', { contactId: contact.id, rev: ignored.body.result.rev })).body.result, true);
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).status, 404);
  });

  it('answers an unknown method with HTTP 404 and -32601', async () => {
    const reply = await nutshell.call('getLeads', [1]);
    assert.equal(reply.status, 404);
    assert.equal(reply.body.error.code, -32601);
  });

  it('answers a duplicate with code 409 naming the record that has it', async () => {
    const contact = await createContact(tenant.api);
    const reply = await nutshell.call('newContact', { contact: { name: 'Twin', email: [contact.email] } });
    assert.equal(reply.status, 409, reply.text);
    assert.equal(reply.body.error.code, 409);
    assert.equal(reply.body.error.data.details.existing_id, contact.id);
  });

  it('answers invalid params with -32602, naming the field as the client sent it', async () => {
    const unknownField = await nutshell.call('newAccount', { account: { name: 'Acme', colour: 'red' } });
    assert.equal(unknownField.status, 400);
    assert.equal(unknownField.body.error.code, -32602);
    assert.match(unknownField.body.error.message, /colour/);
    const noName = await nutshell.call('newContact', { contact: { phone: ['734-555-0000'] } });
    assert.equal(noName.body.error.code, -32602, noName.text);
    assert.ok(noName.body.error.data.details.name, noName.text);
    const missing = await nutshell.call('editLead', { leadId: 'deal_x', lead: {} });
    assert.equal(missing.body.error.code, -32602);
    assert.match(missing.body.error.message, /rev/);
  });

  it('is lenient with the envelope: no "jsonrpc", ?output=json, any content type', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null, 'application/json; charset=utf-8']) {
      const reply = await rpcPost(server.url, { method: 'findUsers', params: { limit: '1' }, id: 77 }, { path: '/api/v1/json?output=json', contentType, headers: basicAuth(tenant.ownerEmail, tenant.key) });
      assert.equal(reply.status, 200, `${contentType}: ${reply.text}`);
      assert.equal(reply.body.jsonrpc, '2.0');
      assert.equal(reply.body.id, 77);
      assert.equal(reply.body.error, null);
      assert.equal(reply.body.result.length, 1);
    }
    const broken = await rpcPost(server.url, '{"method": ', { contentType: 'text/plain' });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, -32700, 'a parse error speaks JSON-RPC, not the REST envelope');
    assert.equal(broken.body.success, undefined);
  });
});

describe('rate limits', () => {
  it('counts a batch as its number of calls, and refuses each call of a batch over the limit', async () => {
    const limited = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 5 });
    const client = rpcClient(server.url, basicAuth(tenant.ownerEmail, limited.secret));
    const batch = [1, 2, 3].map((id) => ({ method: 'findUsers', params: { limit: 1 }, id }));
    const first = await client.send(batch);
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('x-ratelimit-limit'), '5');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '2');
    assert.ok(first.body.every((a: any) => a.error === null));
    const second = await client.send(batch);
    assert.equal(second.status, 200);
    assert.ok(Number(second.headers.get('retry-after')) >= 1);
    assert.deepEqual(second.body.map((a: any) => a.error?.code), [429, 429, 429]);
    // The refused batch drew nothing: the two calls left can still be spent, one by one.
    for (const remaining of ['1', '0']) {
      const single = await client.call('findUsers');
      assert.equal(single.status, 200, single.text);
      assert.equal(single.headers.get('x-ratelimit-remaining'), remaining);
    }
    const refused = await client.call('findUsers');
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 429);
  });

  it('answers names every object inherits as unknown (-32602), never as a server error', async () => {
    const attempts: [string, unknown][] = [
      ['findContacts', { query: { hasOwnProperty: 'x' } }],
      ['findContacts', { query: { constructor: [1, 2] } }],
      ['findContacts', { orderBy: 'toString', orderDirection: 'DESC' }],
      ['findLeads', { query: { status: 'constructor' } }],
      ['newContact', { contact: { name: 'Proto Type', constructor: 1 } }],
      ['newAccount', { account: { name: 'Proto Inc', toString: 1 } }],
    ];
    for (const [method, params] of attempts) {
      const reply = await nutshell.call(method, params);
      assert.equal(reply.status, 400, `${method} ${JSON.stringify(params)}: ${reply.text}`);
      assert.equal(reply.body.error.code, -32602, reply.text);
    }
    const unknown = await nutshell.call('constructor', []);
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal(unknown.body.error.code, -32601);
  });
});

describe('find* and search*', () => {
  it('pages with limit and page until an empty page, and orders by name', async () => {
    const fresh = await createTenant(server);
    const client = rpcClient(server.url, basicAuth(fresh.ownerEmail, fresh.key));
    const names = ['Dana', 'Ben', 'Eve', 'Abe', 'Cy'];
    for (const name of names) await createContact(fresh.api, { first_name: name, last_name: 'Page' });
    const seen: string[] = [];
    const sizes: number[] = [];
    for (let page = 1; page <= 10; page++) {
      const reply = await client.call('findContacts', { query: {}, orderBy: 'name', orderDirection: 'ASC', limit: 2, page });
      assert.equal(reply.status, 200, reply.text);
      sizes.push(reply.body.result.length);
      if (reply.body.result.length === 0) break;
      seen.push(...reply.body.result.map((c: any) => c.name));
    }
    assert.deepEqual(sizes, [2, 2, 1, 0]);
    assert.deepEqual(seen, ['Abe Page', 'Ben Page', 'Cy Page', 'Dana Page', 'Eve Page']);
    // A page asked for directly, in the other direction.
    const third = await client.call('findContacts', [{}, 'name', 'DESC', 2, 3]);
    assert.deepEqual(third.body.result.map((c: any) => c.name), ['Abe Page']);
  });

  it('answers stubs by default and full entities with stubResponses false', async () => {
    const company = await createCompany(tenant.api);
    await createContact(tenant.api, { company_id: company.id, title: 'Buyer', email: `${unique('stub-')}@example.com` });
    const stubs = await nutshell.call('findContacts', { query: { accountId: company.id } });
    const [stub] = stubs.body.result;
    assert.equal(stub.stub, true);
    assert.equal(typeof stub.name, 'string');
    assert.equal(stub.accounts, undefined);
    const full = await nutshell.call('findContacts', { query: { accountId: company.id }, stubResponses: false });
    const [entity] = full.body.result;
    assert.equal(entity.stub, undefined);
    assert.equal(typeof entity.name, 'object');
    assert.deepEqual(entity.accounts.map((a: any) => [a.id, a.relationship]), [[company.id, 'Buyer']]);
    assert.equal(entity.email['--primary'], stub.email);
  });

  it('filters leads by status, milestone, account and due time with operator prefixes', async () => {
    const company = await createCompany(tenant.api);
    const pipelines = (await tenant.api.get('/v1/pipelines')).body.data;
    const won = pipelines[0].stages.find((s: any) => s.type === 'won');
    const open = await createDeal(tenant.api, { company_id: company.id, expected_close_date: '2026-03-01' });
    const closed = await createDeal(tenant.api, { company_id: company.id, stage_id: won.id, expected_close_date: '2026-06-01' });
    const ids = async (query: Record<string, unknown>) => (await nutshell.call('findLeads', { query })).body.result.map((l: any) => l.id);
    assert.deepEqual(await ids({ accountId: company.id, status: 10 }), [closed.id]);
    assert.deepEqual(await ids({ accountId: company.id, status: [0, 11] }), [open.id]);
    assert.deepEqual(await ids({ accountId: company.id, milestoneId: won.id }), [closed.id]);
    assert.deepEqual(await ids({ accountId: company.id, dueTime: '> 2026-04-01' }), [closed.id]);
    assert.deepEqual(await ids({ accountId: company.id, dueTime: ['>= 2026-01-01', '< 2026-04-01'] }), [open.id]);
    const unknown = await nutshell.call('findLeads', { query: { number: 7 } });
    assert.equal(unknown.body.error.code, -32602);
  });

  it('finds by tag name, and tags records by name as Nutshell does', async () => {
    const tag = unique('vip-');
    const created = await nutshell.call('newAccount', { account: { name: unique('Tagged '), tags: [tag], url: ['https://tagged.example'], phone: '555-0100' } });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.result.tags, [tag]);
    assert.deepEqual(created.body.result.url, { 0: 'https://tagged.example', '--primary': 'https://tagged.example' });
    const found = await nutshell.call('findAccounts', { query: { tag: tag.toUpperCase() } });
    assert.deepEqual(found.body.result.map((a: any) => a.id), [created.body.result.id]);
    assert.deepEqual((await nutshell.call('findAccounts', { query: { tag: unique('none-') } })).body.result, []);
    const tags = await nutshell.call('findTags');
    assert.ok(tags.body.result.Accounts.includes(tag));
  });

  it('searches contacts, accounts and leads by words, and by email', async () => {
    const word = unique('Zebulon');
    const company = await createCompany(tenant.api, { name: `${word} Holdings` });
    const contact = await createContact(tenant.api, { first_name: word, company_id: company.id });
    const deal = await createDeal(tenant.api, { name: `${word} renewal`, contact_ids: [contact.id] });
    assert.deepEqual((await nutshell.call('searchContacts', [word])).body.result.map((c: any) => c.id), [contact.id]);
    assert.deepEqual((await nutshell.call('searchAccounts', { string: word, limit: 5 })).body.result.map((c: any) => c.id), [company.id]);
    const universal = (await nutshell.call('searchUniversal', [word])).body.result;
    assert.deepEqual([universal.contacts.length, universal.accounts.length, universal.leads[0].id], [1, 1, deal.id]);
    const byEmail = (await nutshell.call('searchByEmail', [contact.email.toUpperCase()])).body.result;
    assert.deepEqual([byEmail.contacts[0].id, byEmail.accounts[0].id, byEmail.leads[0].id], [contact.id, company.id, deal.id]);
  });
});

describe('the other families', () => {
  it('moves a lead through its stageset\'s milestones, and closes it', async () => {
    const [stageset] = (await nutshell.call('findStagesets')).body.result;
    assert.equal(stageset.entityType, 'Stagesets');
    const milestones = (await nutshell.call('findMilestones', { orderBy: 'position' })).body.result.filter((m: any) => m.stagesetId === stageset.id);
    assert.deepEqual(milestones.map((m: any) => m.name), ['Qualification', 'Needs analysis', 'Proposal', 'Negotiation', 'Won', 'Lost']);
    const created = await nutshell.call('newLead', { lead: { name: 'Big one', value: { currency: 'EUR', amount: '99.5' }, stagesetId: stageset.id, sources: [{ name: 'referral' }], dueTime: '2026-09-30T12:00:00+0000' } });
    assert.equal(created.status, 200, created.text);
    const lead = created.body.result;
    assert.deepEqual([lead.milestone.name, lead.value.amount, lead.sources[0].name, lead.dueTime], ['Qualification', 99.5, 'referral', '2026-09-30T00:00:00+0000']);
    const won = milestones.find((m: any) => m.name === 'Won');
    const moved = await nutshell.call('editLead', [lead.id, lead.rev, { milestoneId: won.id }]);
    assert.equal(moved.body.result.status, 10, moved.text);
    assert.ok(moved.body.result.closedTime);
    const stored = (await tenant.api.get(`/v1/deals/${lead.id}`)).body.data;
    assert.deepEqual([stored.status, stored.value], ['won', { amount: 9950, currency: 'EUR' }]);
  });

  it('logs an activity with participants and a lead, and finds it', async () => {
    const contact = await createContact(tenant.api);
    const deal = await createDeal(tenant.api);
    const [call] = (await nutshell.call('findActivityTypes')).body.result.filter((t: any) => t.id === 'call');
    const created = await nutshell.call('newActivity', {
      activity: {
        name: 'Intro call',
        description: 'Talked pricing',
        activityTypeId: call.id,
        startTime: '2026-01-13T23:08:06+0000',
        endTime: '2026-01-13T23:38:06+0000',
        participants: [{ entityType: 'Contacts', id: contact.id }],
        leads: [{ id: deal.id, entityType: 'Leads' }],
      },
    });
    assert.equal(created.status, 200, created.text);
    const activity = created.body.result;
    assert.deepEqual([activity.startTime, activity.endTime, activity.status, activity.activityType.id], ['2026-01-13T23:08:06+0000', '2026-01-13T23:38:06+0000', 1, 'call']);
    assert.deepEqual(activity.participants.map((p: any) => p.id), [contact.id]);
    const stored = (await tenant.api.get(`/v1/activities/${activity.id}`)).body.data;
    assert.deepEqual([stored.type, stored.duration_seconds, stored.deal_id, stored.logged_by], ['call', 1800, deal.id, tenant.ownerId]);
    const found = await nutshell.call('findActivities', { query: { leadId: deal.id, startTime: '< 2026-02-01' } });
    assert.deepEqual(found.body.result.map((a: any) => a.id), [activity.id]);
  });

  it('creates a task about a lead, completes it by editTask, and finds open ones', async () => {
    const deal = await createDeal(tenant.api);
    const created = await nutshell.call('newTask', { task: { name: 'Send quote', dueTime: '2026-02-01T09:00:00+0000', entity: { entityType: 'Leads', id: deal.id }, assignee: { entityType: 'Users', id: tenant.ownerId } } });
    assert.equal(created.status, 200, created.text);
    const task = created.body.result;
    assert.deepEqual([task.entity.id, task.assignee.id, task.status], [deal.id, tenant.ownerId, 0]);
    assert.deepEqual((await nutshell.call('findTasks', { query: { leadId: deal.id, status: 0 } })).body.result.map((t: any) => t.id), [task.id]);
    const done = await nutshell.call('editTask', [task.id, task.rev, { status: 1 }]);
    assert.equal(done.body.result.status, 1, done.text);
    assert.deepEqual((await nutshell.call('findTasks', { query: { leadId: deal.id, status: 0 } })).body.result, []);
  });

  it('creates a tag with newTag; a second with the same name is a duplicate', async () => {
    const name = unique('Hot ');
    const created = await nutshell.call('newTag', { tag: { name, entityType: 'Leads' } });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual([created.body.result.entityType, created.body.result.name], ['Tags', name]);
    const again = await nutshell.call('newTag', { tag: { name: name.toLowerCase(), entityType: 'Contacts' } });
    assert.equal(again.body.error.code, 409);
  });
});
