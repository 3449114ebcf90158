/**
 * The request examples of the JSON-RPC 2.0 specification (its "Examples"
 * section), each kept in its structure and mapped onto real methods: the
 * spec's `subtract` and `sum` become getContact / getAccount, `update` and
 * `notify_*` become notifications of editContact, `get_data` becomes
 * findUsers; `foobar` and `foo.get` stay methods that do not exist.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createTenant, type Tenant } from './helpers/factories.js';
import { rpcClient, type RpcReply } from './helpers/jsonrpc.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let rpc: ReturnType<typeof rpcClient>;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  rpc = rpcClient(server.url, { authorization: `Bearer ${tenant.key}` });
});
after(() => server.close());

/** A success exactly as the spec shows it, plus the `"error": null` Nutshell clients need. */
function assertResult(answer: any, id: unknown): void {
  assert.deepEqual(Object.keys(answer).sort(), ['error', 'id', 'jsonrpc', 'result'], JSON.stringify(answer));
  assert.equal(answer.jsonrpc, '2.0');
  assert.equal(answer.id, id);
  assert.equal(answer.error, null);
}

/** An error exactly as the spec shows it: no `result`, the code and message given. */
function assertError(answer: any, id: unknown, code: number, message: string): void {
  assert.deepEqual(Object.keys(answer).sort(), ['error', 'id', 'jsonrpc'], JSON.stringify(answer));
  assert.equal(answer.jsonrpc, '2.0');
  assert.equal(answer.id, id);
  assert.equal(answer.error.code, code, JSON.stringify(answer));
  assert.equal(answer.error.message, message, JSON.stringify(answer));
}

function assertNoAnswer(reply: RpcReply): void {
  assert.equal(reply.status, 204, reply.text);
  assert.equal(reply.text, '');
}

describe('JSON-RPC 2.0 specification examples', () => {
  it('rpc call with positional parameters', async () => {
    const first = await createContact(tenant.api, { first_name: 'Forty', last_name: 'Two' });
    const second = await createContact(tenant.api, { first_name: 'Twenty', last_name: 'Three' });
    // --> {"jsonrpc": "2.0", "method": "subtract", "params": [42, 23], "id": 1}
    const one = await rpc.send({ jsonrpc: '2.0', method: 'getContact', params: [first.id], id: 1 });
    assert.equal(one.status, 200, one.text);
    assertResult(one.body, 1);
    assert.equal(one.body.result.id, first.id);
    assert.equal(one.body.result.name.givenName, 'Forty');
    // --> {"jsonrpc": "2.0", "method": "subtract", "params": [23, 42], "id": 2}: the order of the params is what counts
    const two = await rpc.send({ jsonrpc: '2.0', method: 'getContact', params: [second.id], id: 2 });
    assertResult(two.body, 2);
    assert.equal(two.body.result.id, second.id);
  });

  it('rpc call with named parameters, in any order', async () => {
    const contact = await createContact(tenant.api);
    // --> {"jsonrpc": "2.0", "method": "subtract", "params": {"subtrahend": 23, "minuend": 42}, "id": 3}
    const three = await rpc.send({ jsonrpc: '2.0', method: 'getContact', params: { contactId: contact.id, rev: '1' }, id: 3 });
    // --> {"jsonrpc": "2.0", "method": "subtract", "params": {"minuend": 42, "subtrahend": 23}, "id": 4}
    const four = await rpc.send({ jsonrpc: '2.0', method: 'getContact', params: { rev: '1', contactId: contact.id }, id: 4 });
    assertResult(three.body, 3);
    assertResult(four.body, 4);
    assert.equal(three.body.result.id, contact.id);
    assert.deepEqual(three.body.result, four.body.result);
  });

  it('a notification: no answer, and the call still runs', async () => {
    const contact = await createContact(tenant.api, { first_name: 'Before', last_name: 'Change' });
    // --> {"jsonrpc": "2.0", "method": "update", "params": [1,2,3,4,5]}
    const update = await rpc.send({ jsonrpc: '2.0', method: 'editContact', params: [contact.id, 'REV_IGNORE', { name: 'After Change' }] });
    assertNoAnswer(update);
    const stored = await tenant.api.get(`/v1/contacts/${contact.id}`);
    assert.equal(stored.body.data.first_name, 'After');
    // --> {"jsonrpc": "2.0", "method": "foobar"}
    assertNoAnswer(await rpc.send({ jsonrpc: '2.0', method: 'foobar' }));
  });

  it('rpc call of non-existent method', async () => {
    // --> {"jsonrpc": "2.0", "method": "foobar", "id": "1"}
    const reply = await rpc.send({ jsonrpc: '2.0', method: 'foobar', id: '1' });
    assert.equal(reply.status, 404);
    assertError(reply.body, '1', -32601, 'Method not found');
  });

  it('rpc call with invalid JSON', async () => {
    const reply = await rpc.send('{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]');
    assert.equal(reply.status, 400);
    assertError(reply.body, null, -32700, 'Parse error');
  });

  it('rpc call with invalid Request object', async () => {
    const reply = await rpc.send({ jsonrpc: '2.0', method: 1, params: 'bar' });
    assert.equal(reply.status, 400);
    assertError(reply.body, null, -32600, 'Invalid Request');
  });

  it('rpc call Batch, invalid JSON', async () => {
    const reply = await rpc.send('[\n  {"jsonrpc": "2.0", "method": "getContact", "params": [1,2,4], "id": "1"},\n  {"jsonrpc": "2.0", "method"\n]');
    assert.equal(reply.status, 400);
    assert.ok(!Array.isArray(reply.body), 'one answer, not a batch');
    assertError(reply.body, null, -32700, 'Parse error');
  });

  it('rpc call with an empty Array', async () => {
    const reply = await rpc.send([]);
    assert.equal(reply.status, 400);
    assert.ok(!Array.isArray(reply.body), 'one answer, not a batch');
    assertError(reply.body, null, -32600, 'Invalid Request');
  });

  it('rpc call with an invalid Batch (but not empty)', async () => {
    const reply = await rpc.send([1]);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 1);
    assertError(reply.body[0], null, -32600, 'Invalid Request');
  });

  it('rpc call with invalid Batch', async () => {
    const reply = await rpc.send([1, 2, 3]);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.length, 3);
    for (const answer of reply.body) assertError(answer, null, -32600, 'Invalid Request');
  });

  it('rpc call Batch: answers for every call but notifications, by id', async () => {
    const contact = await createContact(tenant.api, { first_name: 'Seven' });
    const company = await createCompany(tenant.api);
    const reply = await rpc.send([
      { jsonrpc: '2.0', method: 'getContact', params: [contact.id], id: '1' },
      { jsonrpc: '2.0', method: 'editContact', params: [contact.id, 'REV_IGNORE', { name: 'Hello Seven' }] },
      { jsonrpc: '2.0', method: 'getAccount', params: [company.id], id: '2' },
      { foo: 'boo' },
      { jsonrpc: '2.0', method: 'foo.get', params: { name: 'myself' }, id: '5' },
      { jsonrpc: '2.0', method: 'findUsers', id: '9' },
    ]);
    assert.equal(reply.status, 200, reply.text);
    assert.equal(reply.body.length, 5, 'five answers: the notification has none');
    const byId = new Map(reply.body.filter((a: any) => a.id !== null).map((a: any) => [a.id, a]));
    assert.deepEqual([...byId.keys()].sort(), ['1', '2', '5', '9']);
    assertResult(byId.get('1'), '1');
    assert.equal((byId.get('1') as any).result.id, contact.id);
    assertResult(byId.get('2'), '2');
    assert.equal((byId.get('2') as any).result.entityType, 'Accounts');
    assertError(byId.get('5'), '5', -32601, 'Method not found');
    assertResult(byId.get('9'), '9');
    assert.ok((byId.get('9') as any).result.some((u: any) => u.id === tenant.ownerId));
    const invalid = reply.body.filter((a: any) => a.id === null);
    assert.equal(invalid.length, 1);
    assertError(invalid[0], null, -32600, 'Invalid Request');
    // The notification ran.
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data.first_name, 'Hello');
  });

  it('rpc call Batch (all notifications): nothing at all', async () => {
    const contact = await createContact(tenant.api, { first_name: 'Quiet' });
    const reply = await rpc.send([
      { jsonrpc: '2.0', method: 'editContact', params: [contact.id, 'REV_IGNORE', { name: 'Notified Once' }] },
      { jsonrpc: '2.0', method: 'findUsers', params: [] },
    ]);
    assertNoAnswer(reply);
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).body.data.last_name, 'Once');
  });
});
