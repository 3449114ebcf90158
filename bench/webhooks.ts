/**
 * Webhook delivery: how fast the outbox drains to a local receiver, and how
 * long an event takes from its commit to the receiver during steady writes.
 * Runs Trellis as its own process on a fresh SQLite file; the receiver lives
 * in the benchmark process and answers 200 at once.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, TRELLIS_SERVER, type ServerProcess } from './processes.js';

export interface WebhookResults {
  backlog: number;
  drainSeconds: number;
  deliveriesPerSecond: number;
  steadyRatePerSecond: number;
  steadyEvents: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
}

interface Receiver {
  url: string;
  /** Arrival time (ms) by event id; the event's created_at by event id. */
  arrivals: Map<string, { at: number; createdAt: number }>;
  close(): Promise<void>;
}

function startReceiver(): Promise<Receiver> {
  const arrivals = new Map<string, { at: number; createdAt: number }>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      const id = String(request.headers['webhook-id']);
      if (!arrivals.has(id)) {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { created_at: string };
        arrivals.set(id, { at, createdAt: Date.parse(event.created_at) });
      }
      response.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${address.port}/hooks`, arrivals, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

async function post(base: string, key: string, route: string, body: unknown): Promise<{ data: { id: string } }> {
  const response = await fetch(`${base}${route}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await response.json()) as { data: { id: string } };
  if (!response.ok) throw new Error(`POST ${route} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Creates `count` contacts, `concurrency` at a time. */
async function createContacts(base: string, key: string, count: number, concurrency: number, tag: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        await post(base, key, '/v1/contacts', { first_name: 'Hook', last_name: `${tag}-${i}`, email: `hook-${tag}-${i}@example.com` });
      }
    }),
  );
}

async function waitForArrivals(receiver: Receiver, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (receiver.arrivals.size < count) {
    if (Date.now() > deadline) throw new Error(`only ${receiver.arrivals.size} of ${count} webhook deliveries arrived within ${timeoutMs / 1000} s`);
    await sleep(5);
  }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

export async function benchWebhooks(dir: string, apiKey: string, options: { backlog: number; steadyRate: number; steadySeconds: number; logLevel: string }, log: (line: string) => void): Promise<WebhookResults> {
  const dbFile = path.join(dir, 'webhooks.db');
  const receiver = await startReceiver();
  const env = (worker: boolean): Record<string, string> => ({
    DATABASE_URL: dbFile,
    TRELLIS_BOOTSTRAP_KEY: apiKey,
    RATE_LIMIT_PER_MINUTE: '1000000',
    LOG_LEVEL: options.logLevel,
    TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
    WEBHOOK_WORKER: String(worker),
  });
  const start = (worker: boolean, logName: string): Promise<ServerProcess> =>
    startServer({ name: 'Trellis (webhooks)', script: TRELLIS_SERVER, env: env(worker), logFile: path.join(dir, logName), readyPath: '/readyz' });
  try {
    // 1. A backlog: events written while no worker runs, then drained by one.
    const writer = await start(false, 'trellis-webhooks-1.log');
    await post(writer.url, apiKey, '/v1/webhook-endpoints', { url: receiver.url, events: ['contact.created'] });
    log(`Webhooks: writing ${options.backlog.toLocaleString('en-US')} contacts with the worker off…`);
    await createContacts(writer.url, apiKey, options.backlog, 16, 'backlog');
    await writer.stop();
    const server = await start(true, 'trellis-webhooks-2.log');
    await waitForArrivals(receiver, options.backlog, 600_000);
    // From the first arrival to the last: the server's start-up is not delivery time.
    const times = [...receiver.arrivals.values()].map((a) => a.at);
    const drainSeconds = Math.max(1, Math.max(...times) - Math.min(...times)) / 1000;

    // 2. Steady writes at a fixed rate: commit-to-receiver latency.
    log(`Webhooks: ${options.steadyRate} contacts/s for ${options.steadySeconds} s with the worker on…`);
    const before = receiver.arrivals.size;
    const steadyEvents = options.steadyRate * options.steadySeconds;
    const interval = 1000 / options.steadyRate;
    const t0 = Date.now();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < steadyEvents; i++) {
      const due = t0 + i * interval;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      writes.push(post(server.url, apiKey, '/v1/contacts', { first_name: 'Steady', last_name: String(i), email: `steady-${i}@example.com` }));
    }
    await Promise.all(writes);
    await waitForArrivals(receiver, before + steadyEvents, 120_000);
    const latencies = [...receiver.arrivals.values()]
      .slice(before)
      .map((a) => a.at - a.createdAt)
      .sort((a, b) => a - b);
    await server.stop();
    return {
      backlog: options.backlog,
      drainSeconds,
      deliveriesPerSecond: (options.backlog - 1) / drainSeconds,
      steadyRatePerSecond: options.steadyRate,
      steadyEvents,
      latencyP50Ms: percentile(latencies, 50),
      latencyP99Ms: percentile(latencies, 99),
    };
  } finally {
    await receiver.close();
    fs.rmSync(dbFile, { force: true });
  }
}
