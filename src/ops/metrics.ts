/**
 * GET /metrics in the Prometheus text format (prom-client), only when
 * METRICS_TOKEN is set and presented as a Bearer token: requests by route and
 * status with latency, rate-limit refusals, the webhook queue and delivery
 * outcomes and lag, the PostgreSQL pool, the long reads, and Node's own (event-loop lag,
 * memory, CPU). Each app has its own registry, so several apps in one process
 * (the tests) do not share counters. docs/deployment.md lists them with alerts.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Storage } from '../db/database.js';
import { DomainError } from '../domain/errors.js';
import type { Clock } from '../platform/clock.js';
import { constantTimeEqual } from '../platform/secrets.js';
import type { DeliveryWorker } from '../webhooks/delivery-worker.js';
import { WebhookDeliveryRepository } from '../webhooks/webhooks.repository.js';

export function installMetrics(app: FastifyInstance, options: { token: string; storage: Storage; clock: Clock; worker: DeliveryWorker }): void {
  const register = new Registry();
  collectDefaultMetrics({ register, prefix: 'trellis_' });
  const requests = new Counter({ name: 'trellis_http_requests_total', help: 'HTTP requests answered, by route template, method and status', labelNames: ['method', 'route', 'status'], registers: [register] });
  const latency = new Histogram({
    name: 'trellis_http_request_duration_seconds',
    help: 'Time to answer, by route template and method',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  const rateLimited = new Counter({ name: 'trellis_rate_limited_total', help: 'Requests refused by a rate limit (429)', labelNames: ['route'], registers: [register] });
  const deliveries = new Counter({ name: 'trellis_webhook_deliveries_total', help: 'Webhook delivery attempts by outcome (succeeded, retrying, failed for good)', labelNames: ['outcome'], registers: [register] });
  const deliveryLag = new Histogram({
    name: 'trellis_webhook_delivery_lag_seconds',
    help: 'From the event to the attempt that carried it',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200],
    registers: [register],
  });
  const receiverLatency = new Histogram({ name: 'trellis_webhook_receiver_duration_seconds', help: "Receivers' time to answer", buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [register] });
  options.worker.onAttempt = (outcome, lagMs, latencyMs) => {
    deliveries.inc({ outcome });
    deliveryLag.observe(lagMs / 1000);
    receiverLatency.observe(latencyMs / 1000);
  };

  const queue = new WebhookDeliveryRepository(options.storage.capabilities);
  const queueDepth = new Gauge({ name: 'trellis_webhook_queue_depth', help: 'Deliveries waiting for an attempt (due now or retrying later), over every workspace', registers: [register] });
  const queueDue = new Gauge({ name: 'trellis_webhook_queue_due', help: 'Deliveries due now', registers: [register] });
  const oldestDue = new Gauge({ name: 'trellis_webhook_oldest_due_seconds', help: 'How long the longest-waiting due delivery has waited (0 when none)', registers: [register] });
  const pool = new Gauge({ name: 'trellis_db_pool_connections', help: 'PostgreSQL pool connections by state (total, idle, waiting clients, max)', labelNames: ['state'], registers: [register] });
  const longReads = new Counter({ name: 'trellis_db_long_reads_total', help: 'Long reads (reports, search, list counts, exports) run on the long-read workers or pool', registers: [register] });
  const longReadsWaiting = new Gauge({ name: 'trellis_db_long_reads_waiting', help: 'Long reads waiting for a free worker thread (SQLite) or long-read connection (PostgreSQL)', registers: [register] });
  let longReadsSeen = 0;
  const readQueue = async () => {
    const now = options.clock.now();
    const state = await queue.queueState(options.storage.reader, now);
    queueDepth.set(state.pending);
    queueDue.set(state.due);
    oldestDue.set(state.oldestDueAt === null ? 0 : (now - state.oldestDueAt) / 1000);
    const poolState = options.storage.poolState();
    if (poolState) for (const [key, value] of Object.entries(poolState)) pool.set({ state: key }, value);
    const longReadState = options.storage.longReadState();
    if (longReadState) {
      longReads.inc(longReadState.completed - longReadsSeen);
      longReadsSeen = longReadState.completed;
      longReadsWaiting.set(longReadState.waiting);
    }
  };

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    requests.inc({ method: request.method, route, status: reply.statusCode });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode === 429) rateLimited.inc({ route });
  });

  app.get('/metrics', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const presented = request.headers.authorization?.replace(/^Bearer\s+/i, '').trim();
    if (presented === undefined || !constantTimeEqual(presented, options.token)) throw new DomainError('unauthorized', 'GET /metrics needs METRICS_TOKEN as a Bearer token.');
    await readQueue();
    reply.header('content-type', register.contentType);
    return register.metrics();
  });
}
