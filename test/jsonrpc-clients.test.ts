/**
 * The public Nutshell clients, unmodified, with only their host changed: the
 * bytes each sends (the official PHP client's json_encode with `[]` for an
 * empty array, form-encoded; the Node client's chunked body without a
 * content type, with stubResponses on every find; a Python client's
 * snake_case orderBy), and the read-then-write-back pattern they all use.
 * One describe per defect of issue 11.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createDeal, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { basicAuth, nodeClientPost, rpcClient, rpcPost, type RpcReply } from './helpers/jsonrpc.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let nutshell: ReturnType<typeof rpcClient>;
/** The official PHP client: curl with the JSON as POSTFIELDS (form-encoded), HTTP Basic, an 8-hex id. */
let php: (json: string) => Promise<RpcReply>;
/** The Node client: chunked, no content type. */
let node: (payload: unknown) => Promise<RpcReply>;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  nutshell = rpcClient(server.url, basicAuth(tenant.ownerEmail, tenant.key));
  php = (json) => rpcPost(server.url, json, { contentType: 'application/x-www-form-urlencoded', headers: basicAuth(tenant.ownerEmail, tenant.key) });
  node = (payload) => nodeClientPost(server.url, payload, `${tenant.ownerEmail}:${tenant.key}`);
});
after(() => server.close());

const ok = (reply: RpcReply) => {
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.body.error, null, reply.text);
  return reply.body.result;
};
const rest = async (path: string) => (await tenant.api.get(path)).body.data;


describe('1. an entity read from Trellis is written back whole', () => {
  it('applies the field changed and ignores the read-only ones sent as read', async () => {
    const company = await createCompany(tenant.api);
    await createContact(tenant.api, { company_id: company.id, title: 'Buyer' });
    await createDeal(tenant.api, { company_id: company.id });
    const account = ok(await node({ method: 'getAccount', params: { accountId: company.id }, id: 1 }));
    assert.equal(account.contacts.length, 1);
    assert.equal(account.leads.length, 1);
    const edited = await node({ method: 'editAccount', params: { accountId: company.id, rev: account.rev, account: { ...account, industry: 'Medical' } }, id: 2 });
    const result = ok(edited);
    assert.equal(result.industry, 'Medical');
    assert.equal(result.rev, String(Number(account.rev) + 1));
    assert.deepEqual(result.contacts.map((c: any) => c.id), account.contacts.map((c: any) => c.id), 'account.contacts sent as read changes nothing');
    assert.equal(edited.body.data, undefined, 'nothing to warn about');
  });

  it('ignores a read-only field sent with another value, and says so in data.warnings', async () => {
    const deal = await createDeal(tenant.api);
    const lead = ok(await nutshell.call('getLead', [deal.id]));
    const reply = await nutshell.call('editLead', { leadId: deal.id, rev: lead.rev, lead: { ...lead, status: 10, closedTime: '2026-01-01T00:00:00+0000', confidence: 90 } });
    const edited = ok(reply);
    assert.equal(edited.status, 0, 'a lead is closed by its milestone, not its status');
    assert.equal(edited.confidence, 90);
    assert.ok(reply.body.data.warnings.some((w: string) => /lead\.status is read only/.test(w)), reply.text);
    assert.ok(reply.body.data.warnings.some((w: string) => /lead\.closedTime is read only/.test(w)), reply.text);
    for (const [method, param, id, field] of [
      ['editContact', 'contact', (await createContact(tenant.api)).id, 'leads'],
      ['editTask', 'task', (await tenant.api.post('/v1/tasks', { title: 'Call back' })).body.data.id, 'completedTime'],
    ] as const) {
      const entity = ok(await nutshell.call(method.replace('edit', 'get'), [id]));
      const sent = { ...entity, [field]: field === 'leads' ? [{ id: deal.id, entityType: 'Leads' }] : '2026-01-01T00:00:00+0000' };
      const written = await nutshell.call(method, { [`${param}Id`]: id, rev: entity.rev, [param]: sent });
      assert.equal(ok(written).rev, entity.rev, `${method}: a read-only field changes nothing`);
      assert.match(written.body.data.warnings.join(' '), new RegExp(`${param}\\.${field} is read only`));
    }
  });

  it('still refuses a field that is neither kept nor known', async () => {
    const contact = await createContact(tenant.api);
    const entity = ok(await nutshell.call('getContact', [contact.id]));
    const reply = await nutshell.call('editContact', { contactId: contact.id, rev: entity.rev, contact: { ...entity, favouriteColour: 'teal' } });
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.error.code, -32602);
    assert.deepEqual(Object.keys(reply.body.error.data.details), ['favouriteColour']);
  });
});

describe('2. every find* takes the params clients send to all of them', () => {
  it('answers findUsers with stubResponses, as the Node client sends it', async () => {
    const reply = await node({ method: 'findUsers', params: { stubResponses: false, limit: 5 }, id: 1 });
    assert.deepEqual(ok(reply).map((u: any) => u.id), [tenant.ownerId]);
  });

  it('accepts query, orderBy, orderDirection, limit, page and stubResponses on every find*', async () => {
    const { services } = (await server.anonymous.get('/api/v1/json')).body;
    const finders = Object.keys(services).filter((name) => name.startsWith('find'));
    assert.ok(finders.length >= 11, finders.join());
    for (const method of finders) {
      const reply = await node({ method, params: { query: [], orderBy: 'name', orderDirection: 'DESC', limit: 5, page: 1, stubResponses: true }, id: method });
      assert.equal(reply.status, 200, `${method}: ${reply.text}`);
      assert.equal(reply.body.error, null, `${method}: ${reply.text}`);
    }
    const ignored = await nutshell.call('findUsers', { query: { isEnabled: true } });
    assert.equal(ignored.body.error.code, -32602, 'a look-up refuses query keys it would ignore');
  });

  it('takes stubResponses as text or as 1 and 0, as clients built on form values send it', async () => {
    await createContact(tenant.api);
    for (const [sent, stubs] of [['"false"', false], ['0', false], ['"0"', false], ['"true"', true], ['1', true]] as const) {
      const found = ok(await php(`{"method":"findContacts","params":{"query":[],"limit":"1","stubResponses":${sent}},"id":"2a"}`));
      assert.equal(found[0].stub === true, stubs, `stubResponses ${sent}: ${JSON.stringify(found[0])}`);
    }
    const refused = await php('{"method":"findContacts","params":{"stubResponses":"maybe"},"id":"2b"}');
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(Object.keys(refused.body.error.data.details), ['stubResponses']);
  });
});

describe('3. contacts linked from the account side', () => {
  it('links the contacts of a new account, keeping each relationship as the job title (the PHP create example)', async () => {
    const contact = await createContact(tenant.api);
    const name = unique('Arbor Medical ');
    const reply = await php(`{"method":"newAccount","params":{"account":{"name":"${name}","contacts":[{"id":"${contact.id}","relationship":"Purchasing Manager"}]}},"id":"9b1c3e7a"}`);
    const account = ok(reply);
    assert.deepEqual(account.contacts.map((c: any) => [c.id, c.relationship]), [[contact.id, 'Purchasing Manager']]);
    const stored = await rest(`/v1/contacts/${contact.id}`);
    assert.deepEqual([stored.company_id, stored.title], [account.id, 'Purchasing Manager']);
  });

  it('replaces the list on editAccount: the contacts sent are linked, the others unlinked', async () => {
    const company = await createCompany(tenant.api);
    const [stays, leaves] = [await createContact(tenant.api, { company_id: company.id, title: 'CEO' }), await createContact(tenant.api, { company_id: company.id })];
    const joins = await createContact(tenant.api);
    const account = ok(await nutshell.call('getAccount', [company.id]));
    const contacts = [...account.contacts.filter((c: any) => c.id === stays.id), { id: joins.id, entityType: 'Contacts', relationship: 'Buyer' }];
    const edited = ok(await nutshell.call('editAccount', [company.id, account.rev, { contacts }]));
    assert.deepEqual(edited.contacts.map((c: any) => c.id).sort(), [stays.id, joins.id].sort());
    assert.equal((await rest(`/v1/contacts/${leaves.id}`)).company_id, null);
    assert.deepEqual([(await rest(`/v1/contacts/${joins.id}`)).title, (await rest(`/v1/contacts/${stays.id}`)).title], ['Buyer', 'CEO']);
  });

  it('refuses a contact that is not in the workspace before creating anything', async () => {
    const name = unique('Ghost Co ');
    const reply = await nutshell.call('newAccount', { account: { name, contacts: [{ id: 'con_nothere', relationship: 'Buyer' }] } });
    assert.equal(reply.status, 422, reply.text);
    assert.ok(reply.body.error.data.details['contacts.0'], reply.text);
    assert.equal((await tenant.api.get(`/v1/companies?name=${encodeURIComponent(name)}`)).body.meta.total, 0);
  });

  it('links lead.contacts and lead.accounts, their relationships accepted and not kept, with a warning', async () => {
    const [contact, company] = [await createContact(tenant.api), await createCompany(tenant.api)];
    const reply = await nutshell.call('newLead', {
      lead: { name: 'Linked', contacts: [{ id: contact.id, relationship: 'Champion' }], accounts: [{ id: company.id, relationship: 'Customer', entityType: 'Accounts' }] },
    });
    const lead = ok(reply);
    const stored = await rest(`/v1/deals/${lead.id}`);
    assert.deepEqual([stored.contact_ids, stored.company_id], [[contact.id], company.id]);
    assert.deepEqual(lead.contacts.map((c: any) => c.relationship), [null]);
    const warnings = reply.body.data.warnings.join('\n');
    assert.match(warnings, /lead\.contacts: a relationship to a lead was accepted and not kept/);
    assert.match(warnings, /lead\.accounts: a relationship to a lead was accepted and not kept/);
  });
});

describe("4. the compat page's fields: contact.description, lead.description, account.email, contact.url", () => {
  it('keeps them, answers them from get*, and maps them to the native fields', async () => {
    const contact = ok(await nutshell.call('newContact', { contact: { name: 'Dora Desc', description: 'Met at MedTech.' } }));
    const account = ok(await nutshell.call('newAccount', { account: { name: unique('Mail Co '), email: { 0: 'Info@Mail.example', '--primary': 'Info@Mail.example' }, description: 'Hospital group.' } }));
    const lead = ok(await nutshell.call('newLead', { lead: { name: 'Described', description: 'Two sites, 40 seats.' } }));
    assert.equal(ok(await nutshell.call('getContact', [contact.id])).description, 'Met at MedTech.');
    assert.deepEqual(ok(await nutshell.call('getAccount', [account.id])).email, { 0: 'info@mail.example', '--primary': 'info@mail.example' });
    assert.equal(ok(await nutshell.call('getLead', [lead.id])).description, 'Two sites, 40 seats.');
    const [c, a, d] = [await rest(`/v1/contacts/${contact.id}`), await rest(`/v1/companies/${account.id}`), await rest(`/v1/deals/${lead.id}`)];
    assert.deepEqual([c.description, a.email, a.description, d.description], ['Met at MedTech.', 'info@mail.example', 'Hospital group.', 'Two sites, 40 seats.']);
  });

  it("keeps a contact's url (the compat page's contact shape) as its website: the primary one, the others reported", async () => {
    const reply = await php(`{"method":"newContact","params":{"contact":{"name":"Walt Web","email":["${unique('walt-')}@example.com"],"url":["http:\\/\\/walt.example","http:\\/\\/blog.walt.example"]}},"id":"4c"}`);
    const contact = ok(reply);
    assert.deepEqual(contact.url, { 0: 'http://walt.example', '--primary': 'http://walt.example' });
    assert.match(reply.body.data.warnings.join('\n'), /contact\.url: Trellis keeps one/);
    assert.deepEqual(ok(await nutshell.call('getContact', [contact.id])).url, contact.url);
    assert.equal((await rest(`/v1/contacts/${contact.id}`)).website, 'http://walt.example');
    const edited = ok(await nutshell.call('editContact', [contact.id, contact.rev, { url: { work: 'https://walt.example/work' } }]));
    assert.deepEqual(edited.url, { 0: 'https://walt.example/work', '--primary': 'https://walt.example/work' }, 'one address, kept without its label');
  });
});

describe("5. PHP's [] for an empty object", () => {
  it('takes [] as {} for query, customFields and the entity itself', async () => {
    const found = await php('{"method":"findContacts","params":{"query":[],"orderBy":"name","limit":"5"},"id":"5e0f11aa"}');
    assert.ok(Array.isArray(ok(found)));
    const created = ok(await php(`{"method":"newContact","params":{"contact":{"name":"Pam Php","email":["${unique('pam-')}@example.com"],"customFields":[],"address":[]}},"id":"5e0f11ab"}`));
    assert.deepEqual(created.customFields, {});
    const emptyEntity = await php('{"method":"newContact","params":{"contact":[]},"id":"5e0f11ac"}');
    assert.equal(emptyEntity.body.error.code, -32602, 'an empty contact is the contact without a name, not a malformed call');
    assert.ok(emptyEntity.body.error.data.details.name, emptyEntity.text);
  });

  it('takes numbers and booleans sent as text, as PHP sends form values: confidence "75", task status "1", isAllDay "0"', async () => {
    const lead = ok(await php('{"method":"newLead","params":{"lead":{"name":"From a form","confidence":"75","tags":["Form","form "]}},"id":"5e0f11b0"}'));
    assert.equal(lead.confidence, 75);
    assert.deepEqual(lead.tags, ['Form'], 'two spellings of one tag name are one tag');
    const task = ok(await php('{"method":"newTask","params":{"task":{"name":"From a form","status":"1"}},"id":"5e0f11b1"}'));
    assert.equal(task.status, 1);
    assert.notEqual(task.completedTime, null);
    const activity = ok(await php('{"method":"newActivity","params":{"activity":{"activityTypeId":"call","isAllDay":"0"}},"id":"5e0f11b2"}'));
    assert.equal(activity.isAllDay, false);
    const refused = await php('{"method":"newLead","params":{"lead":{"name":"Not a number","confidence":"high"}},"id":"5e0f11b3"}');
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(Object.keys(refused.body.error.data.details), ['confidence']);
    assert.match(refused.body.error.message, /^confidence must be a whole number/, 'named as sent, not as Trellis calls it (probability)');
    const noSuchMilestone = await php('{"method":"newLead","params":{"lead":{"name":"Nowhere","milestoneId":3}},"id":"5e0f11b4"}');
    assert.equal(noSuchMilestone.status, 422, noSuchMilestone.text);
    assert.match(noSuchMilestone.body.error.message, /^milestoneId does not name a stage/);
    assert.deepEqual(Object.keys(noSuchMilestone.body.error.data.details), ['milestoneId']);
  });

  it('takes [] as none where one record or one value is expected: a lead\'s value, primaryAccount and assignee, a task\'s entity', async () => {
    const lead = ok(await php('{"method":"newLead","params":{"lead":{"name":"Empty refs","value":[],"primaryAccount":[],"assignee":[],"contacts":{},"tags":[],"customFields":[]}},"id":"5e0f11ad"}'));
    assert.deepEqual([lead.value, lead.primaryAccount, lead.assignee, lead.contacts, lead.customFields], [null, null, null, [], {}]);
    const task = ok(await php('{"method":"newTask","params":{"task":{"name":"Empty entity","entity":[],"assignee":[]}},"id":"5e0f11ae"}'));
    assert.deepEqual([task.entity, task.assignee], [null, null]);
    const deal = await createDeal(tenant.api, { company_id: (await createCompany(tenant.api)).id, value: { amount: 5000, currency: 'USD' } });
    const got = ok(await nutshell.call('getLead', [deal.id]));
    const edited = ok(await php(`{"method":"editLead","params":{"leadId":"${deal.id}","rev":"${got.rev}","lead":{"primaryAccount":[],"accounts":[],"value":[]}},"id":"5e0f11af"}`));
    assert.deepEqual([edited.primaryAccount, edited.value], [null, null], 'an empty object sent in an edit clears the field, as null does');
  });
});

describe('6. every error carries data: the Trellis error', () => {
  it('answers each kind of error with data {code, message}', async () => {
    const contact = await createContact(tenant.api);
    const readOnly = await keyFor(server, tenant, { scope: 'read_only' });
    const limited = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 1 });
    const limitedClient = rpcClient(server.url, basicAuth(tenant.ownerEmail, limited.secret));
    assert.equal((await limitedClient.call('findUsers')).status, 200);
    const cases: [string, Promise<RpcReply>, string][] = [
      ['unknown param', nutshell.call('findContacts', { colour: 'red' }), 'validation_error'],
      ['unknown field', nutshell.call('newAccount', { account: { name: 'X', colour: 'red' } }), 'validation_error'],
      ['missing param', nutshell.call('getLead', {}), 'validation_error'],
      ['parse error', php('{"method": "findUsers", '), 'invalid_json'],
      ['invalid request', php('{"params": {}, "id": "x"}'), 'validation_error'],
      ['empty batch', php('[]'), 'validation_error'],
      ['unknown method', nutshell.call('getLeads', [1]), 'not_found'],
      ['no such record', nutshell.call('getContact', ['con_nothere']), 'not_found'],
      ['stale rev', nutshell.call('editContact', [contact.id, '99', { name: 'Late Edit' }]), 'precondition_failed'],
      ['bad key', rpcClient(server.url, basicAuth(tenant.ownerEmail, 'trl_live_wrong')).call('findUsers'), 'unauthorized'],
      ['isAllDay true', nutshell.call('newActivity', { activity: { isAllDay: true } }), 'validation_error'],
      ['read-only key', rpcClient(server.url, basicAuth(tenant.ownerEmail, readOnly.secret)).call('newContact', { contact: { name: 'No Write' } }), 'insufficient_scope'],
      ['duplicate', nutshell.call('newContact', { contact: { name: 'Twin', email: [contact.email] } }), 'duplicate'],
      ['a contact of no workspace', nutshell.call('newAccount', { account: { name: unique('X '), contacts: [{ id: 'con_nothere', relationship: 'Buyer' }] } }), 'unprocessable'],
      ['over the rate limit', limitedClient.call('findUsers'), 'rate_limited'],
      ['body too large', php(`{"method":"newContact","params":{"contact":{"name":"${'x'.repeat(1_100_000)}"}},"id":"big"}`), 'payload_too_large'],
    ];
    for (const [what, pending, code] of cases) {
      const reply = await pending;
      const { error } = reply.body;
      assert.ok(error, `${what}: ${reply.text}`);
      assert.equal(typeof error.data, 'object', `${what} has data: ${reply.text}`);
      assert.equal(error.data.code, code, `${what}: ${reply.text}`);
      assert.equal(typeof error.data.message, 'string', `${what}: ${reply.text}`);
    }
  });
});

describe("7 and 8. the official client's create example, verbatim", () => {
  it('creates the contact, the account and a lead without a name; maps, ignores with a warning, or keeps each field', async () => {
    const email = `${unique('jsmith-')}@example.com`;
    const contact = ok(await php(`{"method":"newContact","params":{"contact":{"name":"Joan Smith","phone":{"0":"734-555-9090","cell":"734-555-6711"},"email":{"0":"${email}","blackberry":"jsmith@att.blackberry.com"}}},"id":"0c8f4b21"}`));
    const accountName = unique('Arbor Medical LLC ');
    const accountReply = await php(
      `{"method":"newAccount","params":{"account":{"name":"${accountName}","industryId":1,"url":["http:\\/\\/example.com","http:\\/\\/suppliers.example.com"],"phone":["734-234-9990"],"contacts":[{"id":"${contact.id}","relationship":"Purchasing Manager"}],"address":{"office":{"address_1":"220 Depot St","city":"Ann Arbor","state":"MI","postalCode":"48104"}}}},"id":"1d9e5c32"}`,
    );
    const account = ok(accountReply);
    assert.deepEqual(account.url, { 0: 'http://example.com', '--primary': 'http://example.com' }, 'Trellis keeps one url: the primary');
    assert.equal(account.address['--primary'].city, 'Ann Arbor');
    assert.match(accountReply.body.data.warnings.join('\n'), /account\.industryId was accepted and not kept/);
    assert.match(accountReply.body.data.warnings.join('\n'), /account\.url: Trellis keeps one/);

    const leadReply = await php(
      `{"method":"newLead","params":{"lead":{"primaryAccount":{"id":"${account.id}"},"confidence":70,"market":{"id":1},"contacts":[{"relationship":"First Contact","id":"${contact.id}"}],"products":[{"relationship":"","quantity":15,"price":{"currency_shortname":"USD","amount":1000},"id":4}],"sources":[{"id":2}],"assignee":{"entityType":"Teams","id":1000}}},"id":"2e0f6d43"}`,
    );
    const lead = ok(leadReply);
    assert.equal(lead.name, `${accountName} - Lead 1`, "7: named after its account, numbered among the account's leads");
    assert.equal(lead.confidence, 70);
    assert.deepEqual(lead.value, { currency: 'USD', amount: 15000 }, "8: products give the lead's value");
    assert.deepEqual([lead.primaryAccount.id, lead.contacts.map((c: any) => c.id), lead.sources, lead.assignee], [account.id, [contact.id], [], null]);
    const warnings = leadReply.body.data.warnings.join('\n');
    for (const field of [/lead\.market was accepted and not kept/, /lead\.products were accepted and not kept/, /lead\.sources: 2 is not a Trellis source/, /lead\.assignee: Trellis has no teams/]) assert.match(warnings, field);
    const stored = await rest(`/v1/deals/${lead.id}`);
    assert.deepEqual([stored.name, stored.value, stored.source, stored.owner_id, stored.probability], [lead.name, { amount: 1500000, currency: 'USD' }, null, null, 70]);
  });

  it('numbers generated names: the account\'s second lead, a contact\'s lead, a lead with neither', async () => {
    const company = await createCompany(tenant.api, { name: unique('Numbered ') });
    await createDeal(tenant.api, { company_id: company.id });
    assert.equal(ok(await nutshell.call('newLead', { lead: { accounts: [{ id: company.id }] } })).name, `${company.name} - Lead 2`);
    const contact = await createContact(tenant.api, { first_name: 'Nia', last_name: unique('Named') });
    assert.equal(ok(await nutshell.call('newLead', { lead: { contacts: [{ id: contact.id }] } })).name, `Nia ${contact.last_name} - Lead 1`);
    const fresh = await createTenant(server);
    const client = rpcClient(server.url, basicAuth(fresh.ownerEmail, fresh.key));
    assert.equal(ok(await client.call('newLead', { lead: {} })).name, 'Lead 1');
    assert.equal(ok(await client.call('newLead', [{ confidence: 10 }])).name, 'Lead 2');
  });

  it('keeps what it can map: a source by name, a user assignee, competitors ignored with a warning', async () => {
    const reply = await nutshell.call('newLead', { lead: { name: 'Mapped', sources: [{ id: 'referral', entityType: 'Sources' }], assignee: { entityType: 'Users', id: tenant.ownerId }, competitors: [{ id: 3 }] } });
    const lead = ok(reply);
    assert.deepEqual([lead.sources[0].name, lead.assignee.id], ['referral', tenant.ownerId]);
    assert.match(reply.body.data.warnings.join('\n'), /lead\.competitors was accepted and not kept/);
  });
});

describe('9. orderBy in camelCase, snake_case or Nutshell\'s own names', () => {
  it('orders findTasks by due_time (a Python client\'s default) as by dueTime, and findContacts by displayName (the Node client)', async () => {
    const fresh = await createTenant(server);
    const client = rpcClient(server.url, basicAuth(fresh.ownerEmail, fresh.key));
    for (const [title, due] of [['Later', '2026-03-01T09:00:00.000Z'], ['Sooner', '2026-01-01T09:00:00.000Z'], ['Middle', '2026-02-01T09:00:00.000Z']]) {
      assert.equal((await fresh.api.post('/v1/tasks', { title, due_at: due })).status, 201);
    }
    for (const orderBy of ['due_time', 'dueTime', 'DUE_TIME', 'DueTime']) {
      assert.deepEqual(ok(await client.call('findTasks', { query: {}, orderBy, orderDirection: 'ASC' })).map((t: any) => t.name), ['Sooner', 'Middle', 'Later'], orderBy);
    }
    for (const name of ['Zed Last', 'Amy First']) await createContact(fresh.api, { first_name: name.split(' ')[0], last_name: name.split(' ')[1] });
    const byDisplayName = await nodeClientPost(server.url, { method: 'findContacts', params: { orderBy: 'displayName', limit: 25, stubResponses: false }, id: 'n1' }, `${fresh.ownerEmail}:${fresh.key}`);
    assert.deepEqual(ok(byDisplayName).map((c: any) => c.name.displayName), ['Amy First', 'Zed Last']);
    assert.deepEqual(ok(await client.call('findUsers', { orderBy: 'EMAIL' })).length, 1);
    assert.equal((await client.call('findTasks', { orderBy: 'priority_level' })).body.error.code, -32602);
  });

  it('takes query keys in snake_case too, as a Python client names them (lead_id, account_id)', async () => {
    const company = await createCompany(tenant.api);
    const contact = await createContact(tenant.api, { company_id: company.id });
    const deal = await createDeal(tenant.api, { company_id: company.id, contact_ids: [contact.id] });
    const python = (method: string, query: Record<string, unknown>) => rpcPost(server.url, JSON.stringify({ method, params: { query, orderBy: 'created_time' }, id: 'py-1' }), { contentType: 'application/x-www-form-urlencoded', headers: basicAuth(tenant.ownerEmail, tenant.key) });
    assert.deepEqual(ok(await python('findContacts', { lead_id: deal.id })).map((c: any) => c.id), [contact.id]);
    assert.deepEqual(ok(await python('findLeads', { account_id: company.id, contact_id: contact.id })).map((l: any) => l.id), [deal.id]);
    assert.deepEqual(ok(await python('findContacts', { AccountId: company.id })).map((c: any) => c.id), [contact.id]);
  });

  it('takes every orderBy a find* lists (GET the endpoint) in snake_case as in camelCase, and the paging params as the Node client sends them', async () => {
    const { services } = (await server.anonymous.get('/api/v1/json')).body;
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    let checked = 0;
    for (const [method, { description }] of Object.entries<any>(services)) {
      const listed = /orderBy: ([^.]+)\./.exec(description)?.[1];
      if (!method.startsWith('find') || listed === undefined) continue;
      for (const name of listed.split(', ')) {
        for (const orderBy of [name, snake(name)]) {
          const reply = await node({ method, params: { orderBy, orderDirection: 'DESC', limit: 25, page: 1, stubResponses: false }, id: `${method}-${orderBy}` });
          assert.equal(reply.body.error, null, `${method} by ${orderBy}: ${reply.text}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 60, `${checked} orders checked`);
  });
});
