/**
 * Webhooks: endpoints and their secrets, signed Standard Webhooks deliveries
 * of every change to a real receiver, subscriptions, ping, retries on the
 * schedule, the delivery log and manual retries, secret rotation, disabling
 * an endpoint that keeps failing, isolation and scopes. The address guard
 * (SSRF) and redirects are in webhooks-ssrf.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createContact, createTenant, keyFor, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids } from './helpers/assertions.js';
import { waitFor, WebhookReceiver } from './helpers/webhook-receiver.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const SECRET = /^whsec_[A-Za-z0-9+/]+=*$/;
const MISSING_ENDPOINT = 'whk_01M807GFFF8MEEXBKKKVK895SP';
const MISSING_DELIVERY = 'whd_01M807GFFF8MEEXBKKKVK895SP';
/** How long a delivery may take to show up (polls every 50 ms, retries after 100 ms). */
const WAIT = 8_000;

/** The server most tests use: quick polls, three quick retries, loopback receivers allowed. */
const ENV = {
  WEBHOOK_POLL_INTERVAL_MS: '50',
  WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms',
  WEBHOOK_TIMEOUT_MS: '2000',
  TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
};

let server: TestServer;
const receivers: WebhookReceiver[] = [];
const servers: TestServer[] = [];

async function receiver(): Promise<WebhookReceiver> {
  const r = await WebhookReceiver.start();
  receivers.push(r);
  return r;
}

async function extraServer(env: Record<string, string>, options: Parameters<typeof startServer>[1] = {}): Promise<TestServer> {
  const s = await startServer({ ...ENV, ...env }, options);
  servers.push(s);
  return s;
}

before(async () => {
  server = await startServer(ENV);
});
after(async () => {
  // Servers first, so no worker is still posting to a receiver being closed.
  await Promise.all([server, ...servers].map((s) => s.close()));
  await Promise.all(receivers.map((r) => r.close()));
});

/** Registers an endpoint at the receiver and has the receiver trust its secret. */
async function createEndpoint(api: ApiClient, r: WebhookReceiver, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/webhook-endpoints', { url: r.url(), ...body });
  assert.equal(response.status, 201, response.text);
  r.trust(response.body.data.secret);
  return response.body.data;
}

const deliveriesOf = (api: ApiClient, endpointId: string, query = ''): Promise<any[]> => walk(api, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100${query}`);

/** The delivery of one event to one endpoint, once `ready` holds for it. */
function deliveryWhen(api: ApiClient, endpointId: string, eventId: string, ready: (d: any) => boolean, what: string): Promise<any> {
  let last: any;
  return waitFor(
    async () => {
      const [d] = await deliveriesOf(api, endpointId, `&event_id=${eventId}`);
      last = d;
      return d && ready(d) ? d : undefined;
    },
    WAIT,
    () => `${what}: ${JSON.stringify(last)}`,
  );
}

/** The event of a record's creation. */
async function creationEvent(api: ApiClient, recordId: string): Promise<any> {
  const [event] = await walk(api, `/v1/events?record_id=${recordId}`);
  assert.ok(event, `no event for ${recordId}`);
  return event;
}

async function defaultPipeline(api: ApiClient): Promise<any> {
  return (await api.get('/v1/pipelines')).body.data.find((p: { is_default: boolean }) => p.is_default);
}

describe('webhook endpoints', () => {
  let t: Tenant;
  before(async () => {
    t = await createTenant(server);
  });

  it('creates an endpoint and shows its whsec_ secret once: never on GET, in the list or after PATCH', async () => {
    const r = await receiver();
    const response = await t.api.post('/v1/webhook-endpoints', { url: r.url(), events: ['contact.created', 'deal.won'], description: ' CRM sync ' });
    assert.equal(response.status, 201, response.text);
    const { secret, ...endpoint } = response.body.data;
    assert.match(endpoint.id, /^whk_[0-9A-Z]{26}$/);
    assert.equal(endpoint.url, r.url());
    assert.deepEqual(endpoint.events, ['contact.created', 'deal.won']);
    assert.equal(endpoint.description, 'CRM sync');
    assert.equal(endpoint.enabled, true);
    assert.equal(endpoint.disabled_reason, null);
    assert.equal(endpoint.failing_since, null);
    assert.equal(endpoint.version, 1);
    assert.match(endpoint.created_at, ISO);
    assert.match(secret, SECRET);
    assert.equal(Buffer.from(secret.slice('whsec_'.length), 'base64').length, 32);

    const fetched = await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`);
    assert.equal(fetched.status, 200, fetched.text);
    assert.deepEqual(fetched.body.data, endpoint);
    assert.ok(!fetched.text.includes(secret));
    const listed = await t.api.get('/v1/webhook-endpoints');
    assert.deepEqual(listed.body.data.find((e: { id: string }) => e.id === endpoint.id), endpoint);
    assert.ok(!listed.text.includes(secret));
    const patched = await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { description: 'Renamed' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.data.secret, undefined);
    assert.ok(!patched.text.includes(secret));
    // Each endpoint has its own secret.
    const second = await t.api.post('/v1/webhook-endpoints', { url: r.url('/second') });
    assert.equal(second.status, 201, second.text);
    assert.deepEqual(second.body.data.events, ['*'], 'no events given means every event');
    assert.notEqual(second.body.data.secret, secret);
  });

  it('refuses unknown event types, ping, an empty list, a missing url and unknown fields', async () => {
    const r = await receiver();
    /** A 400 naming `events` or one of its items (`events.0`). */
    const assertEventsRefused = (response: ApiResponse) => {
      assert.equal(response.status, 400, response.text);
      assert.equal(response.body.error.code, 'validation_error', response.text);
      assert.ok(Object.keys(response.body.error.details ?? {}).some((field) => field === 'events' || field.startsWith('events.')), response.text);
    };
    for (const events of [['contact.exploded'], ['ping'], [], ['contact.created', 'contact.created'], 'contact.created']) {
      assertEventsRefused(await t.api.post('/v1/webhook-endpoints', { url: r.url(), events }));
    }
    assertInvalid(await t.api.post('/v1/webhook-endpoints', { events: ['*'] }), 'url');
    assertInvalid(await t.api.post('/v1/webhook-endpoints', { url: r.url(), secret: 'whsec_mine' }), 'secret');
    assertInvalid(await t.api.post('/v1/webhook-endpoints', { url: r.url(), enabled: 'yes' }), 'enabled');
    const endpoint = await createEndpoint(t.api, r);
    assertEventsRefused(await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { events: ['nope'] }));
    assert.deepEqual((await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data.events, ['*']);
  });

  it('updates url, events, description and enabled; honours If-Match; deletes the endpoint with its deliveries', async () => {
    const [r1, r2] = [await receiver(), await receiver()];
    const endpoint = await createEndpoint(t.api, r1);
    const patched = await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { url: r2.url('/moved'), events: ['task.created'], description: 'Tasks', enabled: false }, { 'if-match': '"1"' });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.data.url, r2.url('/moved'));
    assert.deepEqual(patched.body.data.events, ['task.created']);
    assert.equal(patched.body.data.description, 'Tasks');
    assert.equal(patched.body.data.enabled, false);
    assert.equal(patched.body.data.version, 2);
    assert.equal(patched.headers.get('etag'), '"2"');
    assert.equal((await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { description: 'Stale' }, { 'if-match': '"1"' })).status, 412);
    assert.equal((await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { description: null })).body.data.description, null);

    const deleted = await t.api.delete(`/v1/webhook-endpoints/${endpoint.id}`);
    assert.equal(deleted.status, 200, deleted.text);
    assert.deepEqual(deleted.body.data, { id: endpoint.id, deleted: true });
    assertNotFound(await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`), 'GET deleted');
    assertNotFound(await t.api.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`), 'deliveries of deleted');
    assertNotFound(await t.api.delete(`/v1/webhook-endpoints/${endpoint.id}`), 'DELETE twice');
    assert.ok(!ids((await t.api.get('/v1/webhook-endpoints?limit=100')).body.data).includes(endpoint.id));
  });
});

describe('delivery', () => {
  it('posts each change to the endpoint, signed per Standard Webhooks, with the event as the body', async () => {
    const t = await createTenant(server);
    const r = await receiver();
    const endpoint = await createEndpoint(t.api, r);
    const secret: string = endpoint.secret;
    const contact = await createContact(t.api, { first_name: 'Hooked' });
    const [received] = await waitFor(() => (r.received('contact.created').length > 0 ? r.received('contact.created') : undefined), WAIT, 'the contact.created delivery');
    assert.ok(received);
    const event = (await t.api.get(`/v1/events/${received.event.id}`)).body.data;

    assert.equal(received.method, 'POST');
    assert.equal(received.path, '/webhooks');
    assert.match(received.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(received.verifiedWith, [secret], 'new Webhook(secret).verify(body, headers) accepts it');
    assert.deepEqual(new Webhook(secret).verify(received.body, received.headers), event);
    assert.deepEqual(received.event, event, 'the body is the event, as GET /v1/events/{id} shows it');
    assert.equal(received.event.type, 'contact.created');
    assert.deepEqual(received.event.data.object, contact);
    assert.equal(received.event.workspace_id, t.workspaceId);
    assert.equal(received.headers['webhook-id'], event.id);
    const timestamp = Number(received.headers['webhook-timestamp']);
    assert.ok(Number.isInteger(timestamp) && Math.abs(timestamp - Date.now() / 1000) < 60, received.headers['webhook-timestamp']);
    assert.match(received.headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]+=*$/);
    // The signature covers the body, the id and the timestamp, and only this endpoint's secret makes it.
    assert.throws(() => new Webhook(secret).verify(received.body.replace('Hooked', 'Hacked'), received.headers));
    assert.throws(() => new Webhook(secret).verify(received.body, { ...received.headers, 'webhook-id': 'evt_other' }));
    assert.throws(() => new Webhook(secret).verify(received.body, { ...received.headers, 'webhook-timestamp': String(timestamp - 1) }));
    assert.throws(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(received.body, received.headers));

    const delivery = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'succeeded', 'the delivery log');
    assert.match(delivery.id, /^whd_[0-9A-Z]{26}$/);
    assert.equal(delivery.endpoint_id, endpoint.id);
    assert.equal(delivery.event_type, 'contact.created');
    assert.equal(delivery.attempts, 1);
    assert.equal(delivery.last_status_code, 200);
    assert.ok(Number.isInteger(delivery.last_latency_ms) && delivery.last_latency_ms >= 0, String(delivery.last_latency_ms));
    assert.equal(delivery.last_error, null);
    assert.equal(delivery.next_attempt_at, null);
    assert.match(delivery.delivered_at, ISO);
    assert.match(delivery.last_attempt_at, ISO);
    assert.equal(r.ofEvent(event.id).length, 1);
  });

  it('sends an endpoint only the types it subscribes to, and a disabled endpoint nothing', async () => {
    const t = await createTenant(server);
    const [rAll, rWon, rContacts, rOff] = [await receiver(), await receiver(), await receiver(), await receiver()];
    const all = await createEndpoint(t.api, rAll, { events: ['*'] });
    const won = await createEndpoint(t.api, rWon, { events: ['deal.won'] });
    const contacts = await createEndpoint(t.api, rContacts, { events: ['contact.created', 'contact.deleted'] });
    const off = await createEndpoint(t.api, rOff, { enabled: false });

    const pipeline = await defaultPipeline(t.api);
    const contact = await createContact(t.api);
    const deal = (await t.api.post('/v1/deals', { name: unique('Hooked deal '), contact_ids: [contact.id] })).body.data;
    assert.equal((await t.api.post(`/v1/deals/${deal.id}/move`, { stage_id: pipeline.stages[4].id })).status, 200);
    assert.equal((await t.api.delete(`/v1/contacts/${contact.id}`)).status, 200);
    const events = await walk(t.api, '/v1/events');
    const expected = ['contact.created', 'deal.created', 'deal.stage_changed', 'deal.won', 'contact.deleted'];
    assert.deepEqual(events.map((e) => e.type).filter((type) => expected.includes(type)), expected);

    await waitFor(() => rAll.deliveries.length >= events.length && rWon.deliveries.length >= 1 && rContacts.deliveries.length >= 2, WAIT, 'every delivery');
    assert.deepEqual(rAll.received().map((d) => d.event.id).sort(), ids(events).sort(), 'every event, once');
    assert.deepEqual(rWon.received().map((d) => d.event.type), ['deal.won']);
    assert.deepEqual(rContacts.received().map((d) => d.event.type).sort(), ['contact.created', 'contact.deleted']);
    for (const r of [rAll, rWon, rContacts]) for (const d of r.deliveries) assert.equal(d.verifiedWith.length, 1);
    // What each endpoint is owed is decided when the change commits: the delivery log shows it.
    assert.equal((await deliveriesOf(t.api, all.id)).length, events.length);
    assert.deepEqual((await deliveriesOf(t.api, won.id)).map((d) => d.event_type), ['deal.won']);
    assert.equal((await deliveriesOf(t.api, contacts.id)).length, 2);
    assert.deepEqual(await deliveriesOf(t.api, off.id), []);
    assert.equal(rOff.connections, 0);
  });

  it('delivers nothing for writes that fail, and exactly one delivery for each change that commits', async () => {
    const t = await createTenant(server);
    const r = await receiver();
    const endpoint = await createEndpoint(t.api, r);
    const pipeline = await defaultPipeline(t.api);
    const elsewhere = (await t.api.post('/v1/pipelines', { name: 'Elsewhere', stages: [{ name: 'Far', probability: 5 }] })).body.data;
    const first = await createContact(t.api);
    const deal = (await t.api.post('/v1/deals', { name: unique('Deal ') })).body.data;
    const lead = (await t.api.post('/v1/leads', { first_name: 'Lee', last_name: 'Lead', email: `${unique('lee-')}@example.com`, company_name: unique('Leeco ') })).body.data;

    assert.equal((await t.api.post('/v1/contacts', { email: first.email })).status, 409);
    assertUnprocessable(await t.api.patch(`/v1/contacts/${first.id}`, { tag_ids: ['tag_01M807GFFF8MEEXBKKKVK895SP'] }), 'tag_ids');
    assertUnprocessable(await t.api.post(`/v1/deals/${deal.id}/move`, { stage_id: elsewhere.stages[0].id }), 'stage_id');
    assertUnprocessable(await t.api.post(`/v1/leads/${lead.id}/convert`, { deal: { pipeline_id: pipeline.id, stage_id: elsewhere.stages[0].id } }), 'stage_id');
    const last = await createContact(t.api);

    const lastEvent = await creationEvent(t.api, last.id);
    await waitFor(() => r.ofEvent(lastEvent.id).length > 0, WAIT, 'the last change');
    const events = await walk(t.api, '/v1/events?limit=100');
    assert.deepEqual(events.map((e) => e.type), ['pipeline.created', 'contact.created', 'deal.created', 'lead.created', 'contact.created']);
    await waitFor(() => r.deliveries.length >= events.length, WAIT, 'every committed change');
    assert.deepEqual(r.received().map((d) => d.event.id).sort(), ids(events).sort());
    assert.deepEqual((await deliveriesOf(t.api, endpoint.id)).map((d) => d.event_id).sort(), ids(events).sort());
  });

  it('sends a ping to that endpoint only, whatever it subscribes to (POST /test answers 202)', async () => {
    const t = await createTenant(server);
    const [rPing, rAll] = [await receiver(), await receiver()];
    const endpoint = await createEndpoint(t.api, rPing, { events: ['deal.won'] });
    const bystander = await createEndpoint(t.api, rAll);
    const response = await t.api.post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    assert.equal(response.status, 202, response.text);
    const ping = response.body.data;
    assert.match(ping.id, /^evt_/);
    assert.equal(ping.type, 'ping');
    assert.equal(ping.workspace_id, t.workspaceId);

    const [received] = await waitFor(() => (rPing.received('ping').length > 0 ? rPing.received('ping') : undefined), WAIT, 'the ping');
    assert.equal(received?.verifiedWith.length, 1);
    assert.deepEqual(received?.event, ping);
    assert.equal(received?.event.data.object.id, endpoint.id);
    const [delivery] = await deliveriesOf(t.api, endpoint.id);
    assert.equal(delivery.event_type, 'ping');
    assert.equal(delivery.event_id, ping.id);
    await deliveryWhen(t.api, endpoint.id, ping.id, (d) => d.status === 'succeeded', 'the ping delivery');
    assert.deepEqual(await deliveriesOf(t.api, bystander.id), []);
    assert.deepEqual(rAll.received('ping'), []);
    assertNotFound(await t.api.post(`/v1/webhook-endpoints/${MISSING_ENDPOINT}/test`), 'ping missing');
  });

  it("shows in the delivery log the body sent and the start of the receiver's reply", async () => {
    const t = await createTenant(server);
    const r = await receiver();
    r.respond(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"received":true}' }));
    const endpoint = await createEndpoint(t.api, r);
    const ping = (await t.api.post(`/v1/webhook-endpoints/${endpoint.id}/test`)).body.data;
    const delivered = await deliveryWhen(t.api, endpoint.id, ping.id, (d) => d.status === 'succeeded', 'the ping delivery');
    assert.equal(delivered.last_response_body, '{"received":true}');
    assert.deepEqual(delivered.request_body, ping);
    const [received] = r.received('ping');
    assert.deepEqual(JSON.parse(received?.body ?? 'null'), delivered.request_body, 'the log shows exactly what was sent');
  });
});

describe('retries', () => {
  it('retries a failing delivery on the schedule until it succeeds, with the same webhook-id each time', async () => {
    const t = await createTenant(server);
    const r = await receiver();
    let calls = 0;
    r.respond(() => (++calls <= 2 ? { status: 500, body: 'try later' } : { status: 200 }));
    const endpoint = await createEndpoint(t.api, r);
    const contact = await createContact(t.api);
    const event = await creationEvent(t.api, contact.id);

    const delivery = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'succeeded', 'success on the third attempt');
    assert.equal(delivery.attempts, 3);
    assert.equal(delivery.last_status_code, 200);
    assert.equal(delivery.last_error, null);
    const attempts = r.ofEvent(event.id);
    assert.deepEqual(attempts.map((d) => d.answered), [500, 500, 200]);
    assert.deepEqual(new Set(attempts.map((d) => d.headers['webhook-id'])), new Set([event.id]));
    for (const a of attempts) assert.equal(a.verifiedWith.length, 1);
    for (let i = 1; i < attempts.length; i++) {
      const gap = (attempts[i]?.receivedAt ?? 0) - (attempts[i - 1]?.receivedAt ?? 0);
      assert.ok(gap >= 80, `attempt ${i + 1} came ${gap} ms after the one before; the schedule says 100 ms`);
    }
    // It recovered: the endpoint is not failing.
    assert.equal((await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data.failing_since, null);
  });

  it('marks a delivery failed after the last retry, keeps the last answer, and a manual retry sends it again', async () => {
    const t = await createTenant(server);
    const r = await receiver();
    r.respond(() => ({ status: 503, body: 'down for maintenance' }));
    const endpoint = await createEndpoint(t.api, r);
    const contact = await createContact(t.api);
    const event = await creationEvent(t.api, contact.id);

    const failed = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'failed', 'the delivery to fail');
    assert.equal(failed.attempts, 4, 'the first attempt and three retries');
    assert.equal(failed.last_status_code, 503);
    assert.match(failed.last_error, /503/);
    assert.match(failed.last_error, /down for maintenance/);
    assert.equal(failed.last_response_body, 'down for maintenance');
    assert.equal(failed.next_attempt_at, null);
    assert.equal(failed.delivered_at, null);
    assert.equal(r.ofEvent(event.id).length, 4);
    const failing = (await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data;
    assert.match(failing.failing_since, ISO);
    assert.equal(failing.enabled, true, 'not failing long enough to be disabled');
    assert.deepEqual((await deliveriesOf(t.api, endpoint.id, '&status=failed')).map((d) => d.id), [failed.id]);

    r.respond(() => ({ status: 204 }));
    const retried = await t.api.post(`/v1/webhook-deliveries/${failed.id}/retry`);
    assert.equal(retried.status, 202, retried.text);
    assert.equal(retried.body.data.id, failed.id);
    assert.equal(retried.body.data.status, 'pending');
    const succeeded = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'succeeded', 'the manual retry');
    assert.equal(succeeded.attempts, 5);
    assert.equal(succeeded.last_status_code, 204);
    assert.equal(succeeded.last_error, null);
    assert.equal(r.ofEvent(event.id).length, 5);
    assert.equal((await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data.failing_since, null);
  });

  it("starts the failure clock afresh when the endpoint's url changes", async () => {
    const t = await createTenant(server);
    const broken = await receiver();
    broken.respond(() => ({ status: 500 }));
    const endpoint = await createEndpoint(t.api, broken);
    const contact = await createContact(t.api);
    const event = await creationEvent(t.api, contact.id);
    await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.attempts >= 1, 'a failed attempt');
    assert.match((await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data.failing_since, ISO);

    const fixed = await receiver();
    const moved = await t.api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { url: fixed.url() });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.data.failing_since, null, "the old url's failures do not count against the new one");
  });

  it('replays a delivery that succeeded (202), with the same event and webhook-id', async () => {
    const t = await createTenant(server);
    const r = await receiver();
    const endpoint = await createEndpoint(t.api, r);
    const contact = await createContact(t.api);
    const event = await creationEvent(t.api, contact.id);
    const delivered = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'succeeded', 'the first delivery');
    const replay = await t.api.post(`/v1/webhook-deliveries/${delivered.id}/retry`);
    assert.equal(replay.status, 202, replay.text);
    await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'succeeded' && d.attempts === 2, 'the replay');
    const both = r.ofEvent(event.id);
    assert.equal(both.length, 2);
    assert.equal(both[1]?.body, both[0]?.body);
    assert.equal(both[1]?.headers['webhook-id'], event.id);
    assert.equal(both[1]?.verifiedWith.length, 1);
    assertNotFound(await t.api.post(`/v1/webhook-deliveries/${MISSING_DELIVERY}/retry`), 'retry missing');
  });

  describe('with a long retry schedule and a short timeout', () => {
    let slow: TestServer;
    before(async () => {
      slow = await extraServer({ WEBHOOK_RETRY_SCHEDULE: '1h', WEBHOOK_TIMEOUT_MS: '1000' });
    });

    it('shows a delivery waiting for its retry as pending, with the last answer and when the next attempt is due', async () => {
      const t = await createTenant(slow);
      const r = await receiver();
      r.respond(() => ({ status: 500, body: 'nope' }));
      const endpoint = await createEndpoint(t.api, r);
      const contact = await createContact(t.api);
      const event = await creationEvent(t.api, contact.id);
      const pending = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.attempts === 1, 'the first attempt');
      assert.equal(pending.status, 'pending');
      assert.equal(pending.last_status_code, 500);
      assert.match(pending.last_error, /HTTP 500/);
      assert.match(pending.last_error, /nope/);
      assert.match(pending.next_attempt_at, ISO);
      const wait = Date.parse(pending.next_attempt_at) - Date.parse(pending.last_attempt_at);
      assert.ok(wait >= 0.85 * 3_600_000 && wait <= 1.15 * 3_600_000, `next attempt in ${wait} ms; the schedule says 1 h`);
      assert.deepEqual((await deliveriesOf(t.api, endpoint.id, '&status=pending')).map((d) => d.id), [pending.id]);

      // A manual retry does not wait for the schedule.
      r.respond(() => ({ status: 200 }));
      assert.equal((await t.api.post(`/v1/webhook-deliveries/${pending.id}/retry`)).status, 202);
      const done = await deliveryWhen(t.api, endpoint.id, event.id, (d) => d.status === 'succeeded', 'the manual retry');
      assert.equal(done.attempts, 2);
      assert.equal(done.next_attempt_at, null);
    });

    it('keeps only the start of a receiver\'s answer, and does not wait for an answer that never ends', async () => {
      const t = await createTenant(slow);
      const [flooding, floodingOk] = [await receiver(), await receiver()];
      flooding.respond(() => ({ status: 500, body: 'Internal error: ', flood: 'x' }));
      floodingOk.respond(() => ({ status: 200, flood: 'y' }));
      const failing = await createEndpoint(t.api, flooding);
      const accepting = await createEndpoint(t.api, floodingOk);
      const contact = await createContact(t.api);
      const event = await creationEvent(t.api, contact.id);
      const failed = await deliveryWhen(t.api, failing.id, event.id, (d) => d.attempts === 1, 'the attempt');
      assert.equal(failed.last_status_code, 500);
      assert.match(failed.last_error, /^HTTP 500: Internal error: x+$/);
      assert.ok(failed.last_error.length <= 600, `last_error is ${failed.last_error.length} characters`);
      assert.ok(failed.last_latency_ms < 800, `the attempt took ${failed.last_latency_ms} ms; the timeout is 1000 ms`);
      const delivered = await deliveryWhen(t.api, accepting.id, event.id, (d) => d.attempts === 1, 'the attempt');
      assert.equal(delivered.status, 'succeeded');
      assert.ok(delivered.last_latency_ms < 800, `the attempt took ${delivered.last_latency_ms} ms; the timeout is 1000 ms`);
    });

    it('records a receiver that does not answer in time, and one that refuses the connection', async () => {
      const t = await createTenant(slow);
      const sluggish = await receiver();
      sluggish.respond(() => ({ status: 200, delayMs: 3_000 }));
      const closed = await WebhookReceiver.start();
      const closedUrl = closed.url();
      await closed.close();
      const late = await createEndpoint(t.api, sluggish);
      const refusedResponse = await t.api.post('/v1/webhook-endpoints', { url: closedUrl });
      assert.equal(refusedResponse.status, 201, refusedResponse.text);
      const refused = refusedResponse.body.data;
      const contact = await createContact(t.api);
      const event = await creationEvent(t.api, contact.id);

      const timedOut = await deliveryWhen(t.api, late.id, event.id, (d) => d.attempts === 1, 'the timeout');
      assert.equal(timedOut.status, 'pending');
      assert.equal(timedOut.last_status_code, null);
      assert.match(timedOut.last_error, /timed out after 1000 ms/);
      assert.ok(timedOut.last_latency_ms >= 950 && timedOut.last_latency_ms < 3_000, String(timedOut.last_latency_ms));
      const noConnection = await deliveryWhen(t.api, refused.id, event.id, (d) => d.attempts === 1, 'the refused connection');
      assert.equal(noConnection.status, 'pending');
      assert.equal(noConnection.last_status_code, null);
      assert.match(noConnection.last_error, /ECONNREFUSED/);
    });
  });
});

describe('promptness', () => {
  it('sends a change at once, even while another receiver is slow to answer most of the attempts under way', async () => {
    // Polls rarely: only the wake-up after each commit makes deliveries prompt.
    const POLL = 2_500;
    const SLOW = 3_000;
    const rare = await extraServer({ WEBHOOK_POLL_INTERVAL_MS: String(POLL), WEBHOOK_TIMEOUT_MS: String(3 * SLOW) });
    const t = await createTenant(rare);
    const [slow, fast] = [await receiver(), await receiver()];
    slow.respond(() => ({ status: 200, delayMs: SLOW }));
    await createEndpoint(t.api, slow, { events: ['contact.created'] });
    await createEndpoint(t.api, fast, { events: ['contact.updated'] });
    // 12 of the worker's 16 slots wait on the slow receiver, each change taken as it commits;
    // a new change still takes one of the 4 free slots at once.
    const bulk = await t.api.post('/v1/contacts/bulk', { records: Array.from({ length: 12 }, (_, i) => ({ first_name: `Slow${i}` })) });
    assert.equal(bulk.status, 200, bulk.text);
    const contact = { id: bulk.body.data.results[0].id as string };
    await waitFor(() => slow.deliveries.length === 12, SLOW / 2, 'the slow attempts to be under way together');

    const changedAt = Date.now();
    assert.equal((await t.api.patch(`/v1/contacts/${contact.id}`, { title: 'Prompt' })).status, 200);
    await waitFor(() => fast.deliveries.length > 0, POLL + WAIT, 'the update');
    const took = (fast.deliveries[0]?.receivedAt ?? 0) - changedAt;
    assert.ok(took < 1_000, `delivered ${took} ms after the change; the slow receiver answers after ${SLOW} ms, the next poll is ${POLL} ms away`);
  });
});

describe('secret rotation', () => {
  it('returns a new secret once and, for 24 hours, signs with both: both signatures sent, each verifies', async () => {
    const t = await createTenant(server);
    const r = await receiver();
    const created = await t.api.post('/v1/webhook-endpoints', { url: r.url() });
    const { secret: oldSecret, ...endpoint } = created.body.data;
    const rotated = await t.api.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`);
    assert.equal(rotated.status, 200, rotated.text);
    const newSecret = rotated.body.data.secret;
    assert.match(newSecret, SECRET);
    assert.notEqual(newSecret, oldSecret);
    assert.equal(rotated.body.data.version, endpoint.version + 1);
    const fetched = await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`);
    assert.equal(fetched.body.data.secret, undefined);
    assert.ok(!fetched.text.includes(newSecret) && !fetched.text.includes(oldSecret));

    r.trust(oldSecret).trust(newSecret);
    const contact = await createContact(t.api);
    const event = await creationEvent(t.api, contact.id);
    const [received] = await waitFor(() => (r.ofEvent(event.id).length > 0 ? r.ofEvent(event.id) : undefined), WAIT, 'the delivery');
    assert.ok(received);
    const signatures = (received.headers['webhook-signature'] ?? '').split(' ');
    assert.equal(signatures.length, 2, received.headers['webhook-signature']);
    for (const s of signatures) assert.match(s, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(received.verifiedWith.slice().sort(), [oldSecret, newSecret].sort(), 'a receiver with either secret accepts it');
    assert.deepEqual(new Webhook(oldSecret).verify(received.body, received.headers), event);
    assert.deepEqual(new Webhook(newSecret).verify(received.body, received.headers), event);
    assertNotFound(await t.api.post(`/v1/webhook-endpoints/${MISSING_ENDPOINT}/rotate-secret`), 'rotate missing');
  });

  it('stops signing with the old secret 24 hours after the rotation', async () => {
    let offset = 0;
    const timeTravel = await extraServer({}, { clock: { now: () => Date.now() + offset } });
    const rotateAt = async (hoursAgo: number) => {
      offset = -hoursAgo * 3_600_000;
      const t = await createTenant(timeTravel);
      const r = await receiver();
      const created = await t.api.post('/v1/webhook-endpoints', { url: r.url() });
      assert.equal(created.status, 201, created.text);
      const rotated = await t.api.post(`/v1/webhook-endpoints/${created.body.data.id}/rotate-secret`);
      assert.equal(rotated.status, 200, rotated.text);
      r.trust(created.body.data.secret).trust(rotated.body.data.secret);
      return { t, r, oldSecret: created.body.data.secret as string, newSecret: rotated.body.data.secret as string };
    };
    const recent = await rotateAt(23);
    const expired = await rotateAt(25);
    offset = 0;
    for (const { t, r, oldSecret, newSecret } of [recent, expired]) {
      const contact = await createContact(t.api);
      const event = await creationEvent(t.api, contact.id);
      await waitFor(() => r.ofEvent(event.id).length > 0, WAIT, 'the delivery');
      const [received] = r.ofEvent(event.id);
      const expected = t === recent.t ? [oldSecret, newSecret] : [newSecret];
      assert.equal(received?.headers['webhook-signature']?.split(' ').length, expected.length, received?.headers['webhook-signature']);
      assert.deepEqual(received?.verifiedWith.slice().sort(), expected.slice().sort(), t === recent.t ? 'rotated 23 h ago' : 'rotated 25 h ago');
    }
  });
});

describe('an endpoint that keeps failing', () => {
  let flaky: TestServer;
  before(async () => {
    flaky = await extraServer({ WEBHOOK_DISABLE_AFTER: '300ms', WEBHOOK_RETRY_SCHEDULE: '100ms,100ms,100ms,100ms,100ms,100ms,100ms,100ms' });
  });

  it('is disabled with a reason and a webhook_endpoint.disabled event, receives nothing more, and PATCH enabled:true brings it back', async () => {
    const t = await createTenant(flaky);
    const [rBroken, rWatcher] = [await receiver(), await receiver()];
    rBroken.respond(() => ({ status: 500, body: 'broken' }));
    const broken = await createEndpoint(t.api, rBroken);
    const watcher = await createEndpoint(t.api, rWatcher, { events: ['webhook_endpoint.disabled', 'contact.created'] });
    const contact = await createContact(t.api);

    const disabled = await waitFor(
      async () => {
        const e = (await t.api.get(`/v1/webhook-endpoints/${broken.id}`)).body.data;
        return e.enabled ? undefined : e;
      },
      WAIT,
      'the endpoint to be disabled',
    );
    assert.equal(disabled.enabled, false);
    assert.match(disabled.disabled_reason, /broken|500/);
    assert.match(disabled.failing_since, ISO);
    assert.ok(rBroken.deliveries.length >= 2, 'it failed more than once');

    const [event] = await walk(t.api, '/v1/events?type=webhook_endpoint.disabled');
    assert.ok(event, 'a webhook_endpoint.disabled event');
    assert.equal(event.data.object.id, broken.id);
    assert.equal(event.data.object.enabled, false);
    assert.equal(event.data.object.disabled_reason, disabled.disabled_reason);
    assert.equal(event.data.object.secret, undefined, 'the event never carries the secret');
    assert.equal(event.data.previous_attributes.enabled, true);
    assert.deepEqual(event.actor, { user_id: null, key_id: null });
    assert.equal(event.request_id, null);
    await waitFor(() => rWatcher.received('webhook_endpoint.disabled').length > 0, WAIT, 'the watcher to hear of it');
    assert.equal(rWatcher.received('webhook_endpoint.disabled')[0]?.event.id, event.id);
    assert.equal(rWatcher.received('webhook_endpoint.disabled')[0]?.verifiedWith.length, 1);
    await deliveryWhen(t.api, watcher.id, event.id, (d) => d.status === 'succeeded' && d.event_type === 'webhook_endpoint.disabled', "the watcher's delivery log");

    // Disabled: later changes are not sent to it.
    const seen = rBroken.deliveries.length;
    const later = await createContact(t.api);
    const laterEvent = await creationEvent(t.api, later.id);
    await waitFor(() => rWatcher.ofEvent(laterEvent.id).length > 0, WAIT, 'the watcher to get the later change');
    assert.deepEqual((await deliveriesOf(t.api, broken.id, `&event_id=${laterEvent.id}`)), []);
    assert.equal(rBroken.deliveries.length, seen);

    // Fixed and re-enabled: it works again.
    rBroken.respond(() => ({ status: 200 }));
    const enabled = await t.api.patch(`/v1/webhook-endpoints/${broken.id}`, { enabled: true });
    assert.equal(enabled.status, 200, enabled.text);
    assert.equal(enabled.body.data.enabled, true);
    assert.equal(enabled.body.data.disabled_reason, null);
    assert.equal(enabled.body.data.failing_since, null);
    const again = await createContact(t.api);
    const againEvent = await creationEvent(t.api, again.id);
    await deliveryWhen(t.api, broken.id, againEvent.id, (d) => d.status === 'succeeded', 'delivery after re-enabling');
    assert.equal(rBroken.ofEvent(againEvent.id)[0]?.verifiedWith.length, 1);
    // The delivery that was waiting when it was disabled goes out too.
    const first = await creationEvent(t.api, contact.id);
    await deliveryWhen(t.api, broken.id, first.id, (d) => d.status === 'succeeded', 'the delivery held while disabled');
  });
});

describe('isolation', () => {
  it("answers 404 for another workspace's endpoints and deliveries, and never sends one workspace's events to another", async () => {
    const [a, b] = [await createTenant(server), await createTenant(server)];
    const [rA, rB] = [await receiver(), await receiver()];
    const mine = await createEndpoint(a.api, rA);
    const theirs = await createEndpoint(b.api, rB);
    const contact = await createContact(a.api);
    const event = await creationEvent(a.api, contact.id);
    const delivery = await deliveryWhen(a.api, mine.id, event.id, (d) => d.status === 'succeeded', 'A\'s delivery');

    for (const id of [mine.id, MISSING_ENDPOINT]) {
      assertNotFound(await b.api.get(`/v1/webhook-endpoints/${id}`), `GET ${id}`);
      assertNotFound(await b.api.patch(`/v1/webhook-endpoints/${id}`, { url: rB.url('/hijack') }), `PATCH ${id}`);
      assertNotFound(await b.api.delete(`/v1/webhook-endpoints/${id}`), `DELETE ${id}`);
      assertNotFound(await b.api.post(`/v1/webhook-endpoints/${id}/rotate-secret`), `rotate ${id}`);
      assertNotFound(await b.api.post(`/v1/webhook-endpoints/${id}/test`), `test ${id}`);
      assertNotFound(await b.api.get(`/v1/webhook-endpoints/${id}/deliveries`), `deliveries ${id}`);
    }
    for (const id of [delivery.id, MISSING_DELIVERY]) assertNotFound(await b.api.post(`/v1/webhook-deliveries/${id}/retry`), `retry ${id}`);
    assertNotFound(await b.api.get(`/v1/events/${event.id}`), 'their event');
    const foreign = await b.api.get(`/v1/webhook-endpoints/${mine.id}`);
    const missing = await b.api.get(`/v1/webhook-endpoints/${MISSING_ENDPOINT}`);
    assert.equal(foreign.body.error.message, missing.body.error.message);

    assert.deepEqual(ids((await b.api.get('/v1/webhook-endpoints')).body.data), [theirs.id]);
    assert.deepEqual(await walk(b.api, '/v1/events'), []);
    assert.deepEqual(await deliveriesOf(b.api, theirs.id), []);
    assert.equal(rB.connections, 0);
    // A's endpoint is as it was, and its secret still signs.
    const after = (await a.api.get(`/v1/webhook-endpoints/${mine.id}`)).body.data;
    assert.equal(after.version, mine.version);
    assert.equal(after.url, mine.url);
    assert.equal(rA.ofEvent(event.id)[0]?.verifiedWith.length, 1);
    assert.equal((await deliveriesOf(a.api, mine.id)).length, 1, 'no retry was queued by B');
  });
});

describe('scopes', () => {
  let t: Tenant;
  let endpoint: any;
  let delivery: any;

  before(async () => {
    t = await createTenant(server);
    const r = await receiver();
    endpoint = await createEndpoint(t.api, r);
    const ping = await t.api.post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    delivery = await deliveryWhen(t.api, endpoint.id, ping.body.data.id, (d) => d.status === 'succeeded', 'the ping');
  });

  async function assertReadsWebhooks(api: ApiClient): Promise<void> {
    const listed = await api.get('/v1/webhook-endpoints');
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(ids(listed.body.data), [endpoint.id]);
    const fetched = await api.get(`/v1/webhook-endpoints/${endpoint.id}`);
    assert.equal(fetched.status, 200, fetched.text);
    assert.equal(fetched.body.data.secret, undefined);
    const deliveries = await api.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`);
    assert.equal(deliveries.status, 200, deliveries.text);
    assert.deepEqual(ids(deliveries.body.data), [delivery.id]);
  }

  async function assertCannotWriteWebhooks(api: ApiClient): Promise<void> {
    const r = await receiver();
    assertScopeRefused(await api.post('/v1/webhook-endpoints', { url: r.url() }), 'webhooks:write');
    assertScopeRefused(await api.patch(`/v1/webhook-endpoints/${endpoint.id}`, { enabled: false }), 'webhooks:write');
    assertScopeRefused(await api.delete(`/v1/webhook-endpoints/${endpoint.id}`), 'webhooks:write');
    assertScopeRefused(await api.post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`), 'webhooks:write');
    assertScopeRefused(await api.post(`/v1/webhook-endpoints/${endpoint.id}/test`), 'webhooks:write');
    assertScopeRefused(await api.post(`/v1/webhook-deliveries/${delivery.id}/retry`), 'webhooks:write');
    const after = (await t.api.get(`/v1/webhook-endpoints/${endpoint.id}`)).body.data;
    assert.equal(after.version, endpoint.version);
    assert.equal(after.enabled, true);
    assert.deepEqual(ids((await t.api.get('/v1/webhook-endpoints')).body.data), [endpoint.id]);
    assert.equal(r.connections, 0);
  }

  it('lets a read_only key list and get endpoints and deliveries, but not create, change, rotate, ping or retry', async () => {
    const { api } = await keyFor(server, t, { scope: 'read_only' });
    await assertReadsWebhooks(api);
    await assertCannotWriteWebhooks(api);
  });

  it('needs webhooks:read to read endpoints and webhooks:write to change them; events need events:read', async () => {
    const reader = await keyFor(server, t, { scope: 'custom', grants: ['webhooks:read'] });
    await assertReadsWebhooks(reader.api);
    await assertCannotWriteWebhooks(reader.api);
    assertScopeRefused(await reader.api.get('/v1/events'), 'events:read');

    const writer = await keyFor(server, t, { scope: 'custom', grants: ['webhooks:write'] });
    const r = await receiver();
    const created = await writer.api.post('/v1/webhook-endpoints', { url: r.url(), events: ['tag.created'] });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.data.secret, SECRET);
    assert.equal((await writer.api.get(`/v1/webhook-endpoints/${created.body.data.id}`)).status, 200);
    assert.equal((await writer.api.delete(`/v1/webhook-endpoints/${created.body.data.id}`)).status, 200);

    const eventsOnly = await keyFor(server, t, { scope: 'custom', grants: ['events:read', 'contacts:write'] });
    assert.equal((await eventsOnly.api.get('/v1/events')).status, 200);
    assertScopeRefused(await eventsOnly.api.get('/v1/webhook-endpoints'), 'webhooks:read');
    assertScopeRefused(await eventsOnly.api.get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`), 'webhooks:read');
    assertScopeRefused(await eventsOnly.api.post('/v1/webhook-endpoints', { url: r.url() }), 'webhooks:write');
  });
});
