/** GET /metrics: off without METRICS_TOKEN, Bearer-protected, and counting what operators alert on. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createContact, createTenant, keyFor, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { waitFor, WebhookReceiver } from './helpers/webhook-receiver.js';

const TOKEN = 'metrics-token-0123456789';
let server: TestServer;
let plain: TestServer;
let tenant: Tenant;
let receiver: WebhookReceiver;

before(async () => {
  server = await startServer({ METRICS_TOKEN: TOKEN, TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_POLL_INTERVAL_MS: '50' });
  plain = await startServer();
  tenant = await createTenant(server);
  receiver = await WebhookReceiver.start();
});
after(async () => {
  await receiver.close();
  await server.close();
  await plain.close();
});

const scrape = async () => {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  return response.text();
};
const value = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('metrics', () => {
  it('does not exist without METRICS_TOKEN, and refuses a scrape without the token', async () => {
    assert.equal((await fetch(`${plain.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
  });

  it('counts requests by route template and status, with latency, and rate-limit refusals', async () => {
    const contact = await createContact(tenant.api);
    await tenant.api.get(`/v1/contacts/${contact.id}`);
    await tenant.api.get('/v1/contacts/con_missing');
    const limited = await keyFor(server, tenant, { scope: 'read_only', rate_limit_per_minute: 1 });
    await limited.api.get('/v1/contacts');
    assert.equal((await limited.api.get('/v1/contacts')).status, 429);
    const text = await scrape();
    assert.ok(value(text, 'trellis_http_requests_total{method="GET",route="/v1/contacts/:id",status="200"}') >= 1);
    assert.ok(value(text, 'trellis_http_requests_total{method="GET",route="/v1/contacts/:id",status="404"}') >= 1);
    assert.ok(value(text, 'trellis_http_request_duration_seconds_count{method="POST",route="/v1/contacts"}') >= 1);
    assert.ok(value(text, 'trellis_rate_limited_total{route="/v1/contacts"}') >= 1);
    assert.match(text, /trellis_nodejs_eventloop_lag_seconds \d/);
  });

  it('shows webhook delivery outcomes, their lag and the queue', async () => {
    const endpoint = await tenant.api.post('/v1/webhook-endpoints', { url: receiver.url(), events: ['contact.created'] });
    assert.equal(endpoint.status, 201, endpoint.text);
    receiver.trust(endpoint.body.data.secret);
    await createContact(tenant.api);
    await waitFor(() => receiver.deliveries.length > 0, 10_000, 'a delivery');
    const text = await waitFor(async () => {
      const t = await scrape();
      return value(t, 'trellis_webhook_deliveries_total{outcome="succeeded"}') >= 1 ? t : undefined;
    }, 5000, 'the delivery counted');
    assert.ok(value(text, 'trellis_webhook_delivery_lag_seconds_count') >= 1);
    assert.match(text, /trellis_webhook_queue_depth \d/);
    assert.match(text, /trellis_webhook_oldest_due_seconds \d/);
    if (server.config.database.kind === 'postgres') assert.ok(value(text, 'trellis_db_pool_connections{state="max"}') === 10);
  });
});
