/**
 * Retries, idempotency, timeouts and aborts against a real server, through a
 * proxy that loses answers after the server has given them.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Trellis, { APIConnectionError, APITimeoutError, APIUserAbortError, TrellisError } from '@trellis/sdk';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { createTenant, unique, type Tenant } from '../../../test/helpers/factories.js';
import { FaultProxy } from './helpers/fault-proxy.js';

let server: TestServer;
let tenant: Tenant;
let proxy: FaultProxy;
/** The owner's client, straight to the server. */
let direct: Trellis;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  direct = new Trellis({ apiKey: tenant.key, baseUrl: server.url });
});
beforeEach(async () => {
  await proxy?.close();
  proxy = await FaultProxy.start(server.url);
});
after(async () => {
  await proxy?.close();
  await server.close();
});

const viaProxy = (options: ConstructorParameters<typeof Trellis>[0] = {}) => new Trellis({ apiKey: tenant.key, baseUrl: proxy.url, ...options });
const isPost = (path: string) => (r: { method: string; path: string }) => r.method === 'POST' && r.path === path;

test('a create whose answer is lost is retried with the same Idempotency-Key and makes exactly one record', async () => {
  const email = `${unique('lost-')}@example.com`;
  proxy.dropAnswers(isPost('/v1/contacts'));
  const contact = await viaProxy().contacts.create({ first_name: 'Lost', email });

  const posts = proxy.requests.filter(isPost('/v1/contacts'));
  assert.equal(posts.length, 2);
  assert.equal(posts[0]?.dropped, true);
  assert.match(posts[0]?.headers['idempotency-key'] ?? '', /^sdk-/);
  assert.equal(posts[1]?.headers['idempotency-key'], posts[0]?.headers['idempotency-key']);
  const stored = await direct.contacts.list({ email });
  assert.deepEqual(stored.data.map((c) => c.id), [contact.id]);
});

test('each logical create gets its own Idempotency-Key', async () => {
  const client = viaProxy();
  await client.tags.create({ name: unique('a-') });
  await client.tags.create({ name: unique('b-') });
  const keys = proxy.requests.filter(isPost('/v1/tags')).map((r) => r.headers['idempotency-key']);
  assert.equal(new Set(keys).size, 2);
});

test('with retries off, the caller can repeat a lost create with its own idempotencyKey and still gets one record', async () => {
  const email = `${unique('own-')}@example.com`;
  const idempotencyKey = `import-row-${unique()}`;
  proxy.dropAnswers(isPost('/v1/contacts'));
  const client = viaProxy({ maxRetries: 0 });
  await assert.rejects(client.contacts.create({ first_name: 'Own', email }, { idempotencyKey }), APIConnectionError);
  const contact = await client.contacts.create({ first_name: 'Own', email }, { idempotencyKey });
  assert.deepEqual((await direct.contacts.list({ email })).data.map((c) => c.id), [contact.id]);
});

test('a lost read is retried; a lost API-key creation is not (the server cannot replay a secret)', async () => {
  proxy.dropAnswers((r) => r.method === 'GET' && r.path === '/v1/me');
  assert.equal((await viaProxy().me.get()).workspace.id, tenant.workspaceId);
  assert.equal(proxy.requests.filter((r) => r.path === '/v1/me').length, 2);

  proxy.dropAnswers(isPost('/v1/api-keys'));
  await assert.rejects(viaProxy().apiKeys.create({ name: 'once', scope: 'full' }), APIConnectionError);
  assert.equal(proxy.requests.filter(isPost('/v1/api-keys')).length, 1);
});

test('gives up after maxRetries lost answers and says the connection failed', async () => {
  proxy.dropAnswers((r) => r.path === '/v1/workspace', 10);
  await assert.rejects(viaProxy({ maxRetries: 2 }).workspace.get(), APIConnectionError);
  assert.equal(proxy.requests.filter((r) => r.path === '/v1/workspace').length, 3);
});

test('a call with no answer within the timeout fails with APITimeoutError', async () => {
  proxy.delayAnswers(2_000);
  const started = Date.now();
  await assert.rejects(viaProxy({ timeout: 200, maxRetries: 1 }).me.get(), APITimeoutError);
  assert.ok(Date.now() - started < 1_900, 'did not wait for the answer');
  assert.equal(proxy.requests.filter((r) => r.path === '/v1/me').length, 2, 'a timeout is retried');
});

test('an AbortSignal stops the call at once, without retrying', async () => {
  proxy.delayAnswers(2_000);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  await assert.rejects(viaProxy().contacts.list({}, { signal: controller.signal }), APIUserAbortError);
  assert.ok(Date.now() - started < 1_500);
  assert.equal(proxy.requests.length, 1);
  await assert.rejects(viaProxy().me.get({ signal: AbortSignal.abort() }), APIUserAbortError);
});

test('a baseUrl that answers HTML instead of the API is a TrellisError saying so, not retried', async () => {
  let requests = 0;
  const website = http.createServer((_, response) => {
    requests++;
    response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome</html>');
  });
  await new Promise<void>((resolve) => website.listen(0, '127.0.0.1', resolve));
  try {
    const client = new Trellis({ apiKey: tenant.key, baseUrl: `http://127.0.0.1:${(website.address() as AddressInfo).port}` });
    const error = await client.me.get().catch((e: unknown) => e);
    assert.ok(error instanceof TrellisError && !(error instanceof APIConnectionError), String(error));
    assert.match(error.message, /Expected JSON .* baseUrl/);
    assert.equal(requests, 1);
  } finally {
    await new Promise((resolve) => website.close(resolve));
  }
});
