/**
 * The webhook address guard (SSRF): endpoint URLs must be https unless their
 * host is allow-listed (TRELLIS_WEBHOOK_ALLOW_PRIVATE); internal addresses
 * (loopback, private, link-local / cloud metadata, unique-local, CGNAT, and
 * their IPv4-mapped IPv6 forms) are refused when registered as literals, and
 * refused at delivery time when a host name resolves to one. Redirects are
 * never followed.
 *
 * Host names that resolve to internal addresses: this machine's /etc/hosts
 * has none besides single-label names ("vm", "runsc"), which registration
 * already refuses as internal hosts. So names under `.rebind.test` (a reserved
 * TLD) are answered by a stand-in for `dns.lookup` in this process, which the
 * in-process server resolves through — as a DNS answer that points a public
 * looking name at an internal address would. Every other name resolves as usual.
 */
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createContact, createTenant, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { waitFor, WebhookReceiver } from './helpers/webhook-receiver.js';

const WAIT = 8_000;

const ANSWERS: Record<string, { address: string; family: 4 | 6 }[]> = {
  'loopback.rebind.test': [{ address: '127.0.0.1', family: 4 }],
  'ipv6-loopback.rebind.test': [{ address: '::1', family: 6 }],
  'mapped.rebind.test': [{ address: '::ffff:127.0.0.1', family: 6 }],
  'metadata.rebind.test': [{ address: '169.254.169.254', family: 4 }],
  'private.rebind.test': [{ address: '10.20.30.40', family: 4 }],
  'cgnat.rebind.test': [{ address: '100.64.0.7', family: 4 }],
  'ula.rebind.test': [{ address: 'fd00::7', family: 6 }],
};

const realLookup = dns.lookup;
function standInLookup(hostname: string, options: any, callback?: any): void {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (typeof options === 'number') options = { family: options };
  const found = ANSWERS[hostname.toLowerCase()];
  if (!found) return (realLookup as any)(hostname, options, callback);
  process.nextTick(() => (options?.all ? callback(null, found) : callback(null, found[0]?.address, found[0]?.family)));
}

/** Loopback receivers allowed, one quick retry. */
let allowing: TestServer;
/** Nothing allowed: only public https. One attempt, then an hour's wait. */
let guarded: TestServer;
const receivers: WebhookReceiver[] = [];

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

before(async () => {
  (dns as any).lookup = standInLookup;
  allowing = await startServer({ WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_RETRY_SCHEDULE: '100ms', WEBHOOK_TIMEOUT_MS: '2000', TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' });
  guarded = await startServer({ WEBHOOK_POLL_INTERVAL_MS: '50', WEBHOOK_RETRY_SCHEDULE: '1h', WEBHOOK_TIMEOUT_MS: '2000' });
});
after(async () => {
  await Promise.all([allowing?.close(), guarded?.close()]);
  await Promise.all(receivers.map((r) => r.close()));
  (dns as any).lookup = realLookup;
});

const deliveriesOf = (api: ApiClient, endpointId: string): Promise<any[]> => walk(api, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);

/** Refused with 400 naming `url`; returns the message. */
async function assertUrlRefused(api: ApiClient, url: string, pattern: RegExp): Promise<void> {
  const response = await api.post('/v1/webhook-endpoints', { url, enabled: false });
  assert.equal(response.status, 400, `${url}: ${response.text}`);
  assert.equal(response.body.error.code, 'validation_error', url);
  const message = response.body.error.details?.url?.[0];
  assert.ok(message, `details.url for ${url}: ${response.text}`);
  assert.match(message, pattern, url);
}

describe('registering endpoint URLs', () => {
  let t: Tenant;
  before(async () => {
    t = await createTenant(allowing);
  });

  it('refuses internal IP literals in every spelling, with a message on url', async () => {
    const internal = [
      'https://10.0.0.5/hook',
      'https://10.255.255.254/',
      'https://172.16.0.1/',
      'https://172.31.255.254/',
      'https://192.168.1.10/',
      'https://169.254.169.254/latest/meta-data/',
      'https://100.64.0.1/',
      'https://100.127.255.254/',
      'https://127.0.0.2/',
      'https://0.0.0.0/',
      'https://[::1]/',
      'https://[fd00::1]/',
      'https://[fdff:ffff::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:127.0.0.2]/',
      'https://[::ffff:10.0.0.5]/',
      'https://[::ffff:172.16.0.1]/',
      'https://[::ffff:192.168.0.1]/',
      'https://[::ffff:169.254.169.254]/',
      'https://[::ffff:100.64.0.1]/',
      // Other spellings of 10.0.0.5 and 169.254.169.254.
      'https://167772165/',
      'https://0xa9fea9fe/',
      'https://10.1/',
    ];
    for (const url of internal) await assertUrlRefused(t.api, url, /internal address/);
    assert.deepEqual((await t.api.get('/v1/webhook-endpoints')).body.data, []);
  });

  it('refuses internal host names, http for hosts not allow-listed, other schemes and credentials', async () => {
    for (const url of ['https://localhost/', 'https://api.localhost/', 'https://intranet/', 'https://vm/', 'https://localhost./', 'https://api.localhost./', 'https://intranet./']) {
      await assertUrlRefused(t.api, url, /internal host/);
    }
    await assertUrlRefused(t.api, 'http://hooks.example.com/trellis', /https/);
    await assertUrlRefused(t.api, 'http://10.0.0.5/', /https|internal/);
    await assertUrlRefused(t.api, 'ftp://hooks.example.com/', /https/);
    await assertUrlRefused(t.api, 'not a url', /URL/);
    await assertUrlRefused(t.api, 'https://user:secret@hooks.example.com/', /password/);
  });

  it('accepts public addresses next to the refused ranges, and http to an allow-listed host', async () => {
    for (const url of [
      'https://hooks.example.com/trellis',
      'https://172.15.255.254/',
      'https://172.32.0.1/',
      'https://100.63.255.254/',
      'https://100.128.0.1/',
      'https://192.169.0.1/',
      'https://11.0.0.1/',
      'https://[2606:4700::1111]/',
      'http://127.0.0.1:9/allowed',
    ]) {
      // Disabled: nothing is ever sent to these.
      const response = await t.api.post('/v1/webhook-endpoints', { url, enabled: false });
      assert.equal(response.status, 201, `${url}: ${response.text}`);
      assert.equal((await t.api.delete(`/v1/webhook-endpoints/${response.body.data.id}`)).status, 200);
    }
  });

  it('refuses loopback and http on a server that allows nothing', async () => {
    const g = await createTenant(guarded);
    await assertUrlRefused(g.api, 'http://127.0.0.1:9/', /https/);
    await assertUrlRefused(g.api, 'https://127.0.0.1:9/', /internal address/);
    await assertUrlRefused(g.api, 'https://[::ffff:127.0.0.1]:9/', /internal address/);
  });

  it('refuses an internal URL on PATCH too, leaving the endpoint as it was', async () => {
    const r = await receiver();
    const created = await t.api.post('/v1/webhook-endpoints', { url: r.url() });
    assert.equal(created.status, 201, created.text);
    const endpoint = created.body.data;
    for (const url of ['https://169.254.169.254/', 'https://[::ffff:10.0.0.1]/', 'http://hooks.example.com/']) {
      const response = await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { url });
      assert.equal(response.status, 400, `${url}: ${response.text}`);
      assert.ok(response.body.error.details?.url, response.text);
    }
    const after = (await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data;
    assert.equal(after.url, r.url());
    assert.equal(after.version, endpoint.version);
    assert.equal((await t.api.delete(`/v1/webhook-endpoints/${endpoint.id}`)).status, 200);
  });
});

describe('resolving at delivery time', () => {
  it('refuses to connect when a host name resolves to an internal address: the delivery fails, nothing is reached', async () => {
    const t = await createTenant(guarded);
    const r = await receiver();
    const endpoints: { name: string; id: string }[] = [];
    for (const name of Object.keys(ANSWERS)) {
      const response = await t.api.post('/v1/webhook-endpoints', { url: `https://${name}:${r.port}/hook` });
      assert.equal(response.status, 201, `${name} looks public when registered: ${response.text}`);
      endpoints.push({ name, id: response.body.data.id });
    }
    const contact = await createContact(t.api);
    const [event] = await walk(t.api, `/v1/events?record_id=${contact.id}`);
    for (const { name, id } of endpoints) {
      const delivery = await waitFor(async () => (await deliveriesOf(t.api, id)).find((d) => d.attempts > 0), WAIT, `the attempt at ${name}`);
      assert.equal(delivery.event_id, event.id);
      assert.notEqual(delivery.status, 'succeeded', name);
      assert.equal(delivery.last_status_code, null, name);
      assert.match(delivery.last_error, /refused/, `${name}: ${delivery.last_error}`);
      assert.ok(delivery.last_error.includes(name), `${name}: ${delivery.last_error}`);
      assert.ok(delivery.last_error.includes((ANSWERS[name]?.[0]?.address ?? '').replace('::ffff:', '')), `${name}: ${delivery.last_error}`);
    }
    assert.equal(r.connections, 0, 'the receiver behind 127.0.0.1 was never reached');
  });

  it('does reach a name resolving to an allow-listed address (the control: the stand-in resolver is in use)', async () => {
    const t = await createTenant(allowing);
    const r = await receiver();
    // https to a plain-HTTP receiver: the TLS handshake fails, but only after connecting.
    const response = await t.api.post('/v1/webhook-endpoints', { url: `https://loopback.rebind.test:${r.port}/hook` });
    assert.equal(response.status, 201, response.text);
    await createContact(t.api);
    const delivery = await waitFor(async () => (await deliveriesOf(t.api, response.body.data.id)).find((d) => d.attempts > 0), WAIT, 'the attempt');
    assert.doesNotMatch(delivery.last_error ?? '', /refused/);
    assert.ok(r.connections > 0, 'the receiver saw the connection');
  });
});

describe('redirects', () => {
  it('never follows a redirect: the attempt fails with the 3xx and the redirect target gets nothing', async () => {
    const t = await createTenant(allowing);
    const target = await receiver();
    for (const status of [301, 302, 307, 308]) {
      const r = await receiver();
      const created = await t.api.post('/v1/webhook-endpoints', { url: r.url(`/moved-${status}`) });
      assert.equal(created.status, 201, created.text);
      r.trust(created.body.data.secret).respond(() => ({ status, headers: { location: target.url('/elsewhere') }, body: 'moved' }));
      target.trust(created.body.data.secret);
      const contact = await createContact(t.api);
      const [event] = await walk(t.api, `/v1/events?record_id=${contact.id}`);
      const delivery = await waitFor(async () => (await deliveriesOf(t.api, created.body.data.id)).find((d) => d.event_id === event.id && d.status === 'failed'), WAIT, `the ${status} delivery to fail`);
      assert.equal(delivery.attempts, 2, 'the first attempt and the one retry');
      assert.equal(delivery.last_status_code, status);
      assert.match(delivery.last_error, /redirect/i);
      assert.equal(r.ofEvent(event.id).length, 2);
      assert.ok(r.ofEvent(event.id).every((d) => d.verifiedWith.length === 1));
      assert.equal((await t.api.delete(`/v1/webhook-endpoints/${created.body.data.id}`)).status, 200);
    }
    assert.equal(target.connections, 0, 'the redirect target was never called');
  });
});
