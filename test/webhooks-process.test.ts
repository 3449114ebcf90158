/**
 * Process-level proofs for webhook delivery: real server processes (as `npm
 * start` runs them), a real loopback receiver in this process, real HTTP.
 *
 * - Crash safety: deliveries pending when the server is SIGKILLed, whether
 *   waiting for their next attempt or in flight, are all delivered after a
 *   restart on the same database.
 * - On PostgreSQL, two instances on one database never make the same attempt.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ApiClient } from './helpers/client.js';
import { walk } from './helpers/factories.js';
import { startServerProcess, type ServerProcess } from './helpers/process.js';
import { testEnv } from './helpers/server.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const onPostgres = /^postgres/.test(process.env.DATABASE_URL ?? '');

/** A fresh database (SQLite file or PostgreSQL schema) with webhook settings fit for a test. */
function freshEnv(key: string, overrides: Record<string, string | undefined> = {}) {
  const { env, cleanup } = testEnv({
    TRELLIS_BOOTSTRAP_KEY: key,
    TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1',
    WEBHOOK_POLL_INTERVAL_MS: '50',
    LOG_LEVEL: 'warn',
    ...overrides,
  });
  cleanups.push(cleanup);
  return env;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail() ? `\n${detail()}` : ''}`);
    await sleep(50);
  }
}

async function stop(server: ServerProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill(signal);
  await server.exited;
}

interface Received {
  /** The webhook-id header: the event id. */
  id: string;
  /** What the receiver answered; null when it held the request and never answered. */
  status: number | null;
  /** The signature check's error, or null when the request verified. */
  verifyError: string | null;
  /** The id of the contact the event is about. */
  contactId: string | undefined;
  at: number;
  /** The port the request came from, to tell which process sent it. */
  fromPort: number;
}

type Mode = 'fail' | 'ok' | 'hold';

/**
 * A webhook receiver on a loopback port. `mode`: 'fail' answers 503, 'ok'
 * answers 200 (after `delayMs`), 'hold' reads the request and never answers.
 * Every request is verified against `secret` with the standardwebhooks package.
 */
class Receiver {
  mode: Mode = 'fail';
  delayMs = 0;
  secret = '';
  readonly received: Received[] = [];
  /** Called synchronously for each new TCP connection with the client's port. */
  onConnection: ((remotePort: number) => void) | undefined;
  private readonly server = http.createServer((request, response) => void this.handle(request, response));
  url = '';

  async listen(): Promise<void> {
    this.server.on('connection', (socket) => this.onConnection?.(socket.remotePort ?? 0));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Event ids answered 200, with how many times each. */
  acknowledged(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.received) if (r.status === 200) counts.set(r.id, (counts.get(r.id) ?? 0) + 1);
    return counts;
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(request.headers['webhook-id'] ?? '');
    let verifyError: string | null = null;
    let contactId: string | undefined;
    try {
      const payload = new Webhook(this.secret).verify(body, request.headers as Record<string, string>) as any;
      if (payload.id !== id) verifyError = `body id ${String(payload.id)} is not the webhook-id ${id}`;
      contactId = payload.data?.object?.id;
    } catch (error) {
      verifyError = (error as Error).message;
    }
    const mode = this.mode;
    const entry: Received = { id, status: null, verifyError, contactId, at: Date.now(), fromPort: request.socket.remotePort ?? 0 };
    this.received.push(entry);
    if (mode === 'hold') return;
    if (mode === 'ok' && this.delayMs > 0) await sleep(this.delayMs);
    entry.status = mode === 'ok' ? 200 : 503;
    response.writeHead(entry.status, { 'content-type': 'text/plain' }).end(mode === 'ok' ? 'ok' : 'try later');
  }
}

async function receiver(): Promise<Receiver> {
  const r = new Receiver();
  await r.listen();
  cleanups.push(() => r.close());
  return r;
}

function apiOf(server: ServerProcess, key: string): ApiClient {
  return new ApiClient(server.url, { authorization: `Bearer ${key}` });
}

async function createEndpoint(api: ApiClient, hooks: Receiver): Promise<string> {
  const response = await api.post('/v1/webhook-endpoints', { url: hooks.url, events: ['contact.created'] });
  assert.equal(response.status, 201, response.text);
  hooks.secret = response.body.data.secret;
  assert.match(hooks.secret, /^whsec_/);
  return response.body.data.id;
}

async function createContacts(apis: ApiClient[], count: number, prefix: string): Promise<string[]> {
  const ids: string[] = [];
  // A few at a time, spread over the given instances in turn.
  for (let start = 0; start < count; start += 10) {
    const created = await Promise.all(
      Array.from({ length: Math.min(10, count - start) }, async (_, j) => {
        const i = start + j;
        const api = apis[i % apis.length] as ApiClient;
        const response = await api.post('/v1/contacts', { first_name: `${prefix} ${i}`, email: `${prefix}-${i}@example.com` });
        assert.equal(response.status, 201, response.text);
        return response.body.data.id as string;
      }),
    );
    ids.push(...created);
  }
  return ids;
}

/** Every contact was delivered, each event acknowledged, every request signed correctly. */
function assertAllDelivered(hooks: Receiver, contactIds: string[]): Map<string, number> {
  const badSignatures = hooks.received.filter((r) => r.verifyError !== null);
  assert.deepEqual(badSignatures, [], 'every request verifies with the endpoint secret');
  const acknowledged = hooks.acknowledged();
  const eventOfContact = new Map(hooks.received.map((r) => [r.contactId, r.id]));
  const missing = contactIds.filter((c) => !acknowledged.has(eventOfContact.get(c) ?? ''));
  assert.deepEqual(missing, [], 'the event of every contact was acknowledged by the receiver');
  assert.equal(new Set(hooks.received.map((r) => r.id)).size, contactIds.length, 'one event per contact, nothing else');
  return acknowledged;
}

describe('webhook delivery survives a crash', () => {
  it('delivers every pending delivery after a SIGKILL between attempts and a restart', async () => {
    const key = 'trl_live_' + 'w'.repeat(40);
    // The retry is 8 s after the first (failed) attempt. The kill comes as soon as
    // every first attempt is recorded, well before any retry is due, so no attempt
    // is in flight at the kill: each delivery sits in the outbox with no lease,
    // waiting for its next attempt. (An attempt in flight at a kill holds a lease
    // of WEBHOOK_TIMEOUT_MS + 30 s; the next test covers that case.)
    const env = freshEnv(key, { WEBHOOK_RETRY_SCHEDULE: '8s,8s,8s,8s', WEBHOOK_TIMEOUT_MS: '1000' });
    const hooks = await receiver();
    hooks.mode = 'fail';
    const count = 30;

    let server: ServerProcess | undefined = await startServerProcess(env);
    let endpointId: string;
    let contactIds: string[];
    try {
      const api = apiOf(server, key);
      endpointId = await createEndpoint(api, hooks);
      contactIds = await createContacts([api], count, 'crash');

      const deliveries = () => walk(api, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
      let seen: any[] = [];
      await waitFor(
        `${count} first attempts answered 503 and recorded`,
        async () => {
          seen = await deliveries();
          return seen.length === count && seen.every((d) => d.status === 'pending' && d.attempts === 1 && d.last_status_code === 503);
        },
        6_000,
        () => JSON.stringify(seen.map((d) => [d.status, d.attempts, d.last_status_code])),
      );
      assert.equal(hooks.received.length, count, 'one attempt per delivery so far: no retry has started');
      const firstAttempt = Math.min(...hooks.received.map((r) => r.at));
      assert.ok(Date.now() - firstAttempt < 7_000, 'the kill comes before any retry is due (8 s ± 10 % after the first attempt)');
      server.child.kill('SIGKILL');
      assert.equal(await server.exited, 'SIGKILL');
      assert.equal(hooks.received.length, count, 'no attempt was under way at the kill');
      server = undefined;

      hooks.mode = 'ok';
      server = await startServerProcess(env);
      const restarted = apiOf(server, key);
      await waitFor(`all ${count} events acknowledged after the restart`, () => hooks.acknowledged().size === count, 15_000, () => `acknowledged ${hooks.acknowledged().size}`);
      await sleep(500); // time for a duplicate to show up, were there one

      const acknowledged = assertAllDelivered(hooks, contactIds);
      const duplicates = [...acknowledged.values()].filter((n) => n > 1).length;
      // At-least-once allows duplicates, but none is expected here: nothing was in flight at the kill.
      assert.equal(duplicates, 0, 'no event acknowledged twice');
      assert.equal(hooks.received.length, 2 * count, 'one 503 and one 200 per event');

      const finished = await walk(restarted, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
      assert.equal(finished.length, count);
      for (const d of finished) {
        assert.equal(d.status, 'succeeded', JSON.stringify(d));
        assert.equal(d.attempts, 2, JSON.stringify(d));
        assert.equal(d.last_status_code, 200);
        assert.equal(d.last_error, null);
        assert.ok(d.delivered_at);
        assert.equal(acknowledged.get(d.event_id), 1, `delivery ${d.id} is of an event the receiver acknowledged`);
      }
    } finally {
      await stop(server);
    }
  });

  it('delivers attempts that were in flight at a SIGKILL once their lease runs out, and the rest at once', async () => {
    const key = 'trl_live_' + 'x'.repeat(40);
    // The lease of a claimed delivery is 2 × WEBHOOK_TIMEOUT_MS + 5 s: 35 s here.
    // The timeout must outlast the moment between the claim and the kill, or the
    // held attempts would end (as failures) before the kill; and the lease must
    // outlast a restart on a busy machine (tsx compiling: 15 s and more under CI
    // load), or the unclaimed deliveries could not be seen to go before it ends.
    const timeoutMs = 15_000;
    const leaseMs = 2 * timeoutMs + 5_000;
    const env = freshEnv(key, { WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms', WEBHOOK_TIMEOUT_MS: String(timeoutMs) });
    const hooks = await receiver();
    const count = 30;
    const batch = 16; // what one worker claims at once (BATCH in delivery-worker.ts)

    // 1. Queue the deliveries on an instance without a worker, so none is attempted.
    let server: ServerProcess | undefined = await startServerProcess({ ...env, WEBHOOK_WORKER: 'false' });
    let endpointId: string;
    let contactIds: string[];
    try {
      const api = apiOf(server, key);
      endpointId = await createEndpoint(api, hooks);
      contactIds = await createContacts([api], count, 'lease');
      await sleep(300);
      assert.equal(hooks.received.length, 0, 'WEBHOOK_WORKER=false sends nothing');
      const queued = await walk(api, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
      assert.equal(queued.length, count);
      assert.ok(queued.every((d) => d.status === 'pending' && d.attempts === 0));
    } finally {
      await stop(server);
    }

    // 2. An instance with a worker claims one batch; the receiver holds those
    //    requests unanswered, and the instance is killed with them in flight.
    hooks.mode = 'hold';
    server = await startServerProcess(env);
    let killedAt: number;
    try {
      await waitFor(`${batch} attempts in flight`, () => hooks.received.length >= batch, 10_000, () => `received ${hooks.received.length}`);
      server.child.kill('SIGKILL');
      killedAt = Date.now();
      assert.equal(await server.exited, 'SIGKILL');
      server = undefined;
    } finally {
      await stop(server);
    }
    const inFlight = new Set(hooks.received.map((r) => r.id));
    assert.equal(inFlight.size, batch, 'exactly one batch was in flight at the kill');
    const claimedAt = Math.min(...hooks.received.map((r) => r.at));

    // 3. Restart: the unclaimed deliveries go at once; the leased ones when the lease runs out.
    hooks.mode = 'ok';
    server = await startServerProcess(env);
    try {
      const api = apiOf(server, key);
      const acknowledgedNotInFlight = () => [...hooks.acknowledged().keys()].filter((id) => !inFlight.has(id)).length;
      await waitFor(`the ${count - batch} unclaimed deliveries`, () => acknowledgedNotInFlight() === count - batch, 10_000, () => `acknowledged ${acknowledgedNotInFlight()}`);
      assert.ok(Date.now() < claimedAt + leaseMs, 'the unclaimed ones did not wait for the lease');
      await waitFor(`all ${count} events acknowledged`, () => hooks.acknowledged().size === count, claimedAt + leaseMs + 15_000 - Date.now(), () => `acknowledged ${hooks.acknowledged().size}`);
      await sleep(500);

      const acknowledged = assertAllDelivered(hooks, contactIds);
      assert.deepEqual([...acknowledged.values()].filter((n) => n !== 1), [], 'each event acknowledged exactly once');
      for (const r of hooks.received) {
        if (r.status === 200 && inFlight.has(r.id)) {
          // A lease taken by a worker that died is honoured until it runs out (claimDue).
          assert.ok(r.at >= claimedAt + leaseMs - 1_000, `event ${r.id} was retried ${r.at - killedAt} ms after the kill, before its lease ran out`);
        }
      }

      const deliveries = await walk(api, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
      assert.equal(deliveries.length, count);
      for (const d of deliveries) {
        assert.equal(d.status, 'succeeded', JSON.stringify(d));
        // The attempt cut short by the kill was never recorded; the one that succeeded was.
        assert.equal(d.attempts, 1, JSON.stringify(d));
        assert.equal(d.last_status_code, 200);
      }
    } finally {
      await stop(server);
    }
  });
});

/**
 * Which of `pids` owns the client end of the loopback TCP connection from
 * `clientPort` to `serverPort`, read from /proc (Linux only; undefined elsewhere).
 */
function socketOwner(clientPort: number, serverPort: number, pids: number[]): number | undefined {
  const hex = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  let inode: string | undefined;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!fs.existsSync(table)) continue;
    for (const line of fs.readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(`:${hex(clientPort)}`) && fields[2]?.endsWith(`:${hex(serverPort)}`)) inode = fields[9];
    }
  }
  if (inode === undefined) return undefined;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

describe('two instances on one PostgreSQL database', { skip: onPostgres ? false : 'needs DATABASE_URL=postgres://…' }, () => {
  it('never make the same attempt twice', async (t) => {
    const key = 'trl_live_' + 'y'.repeat(40);
    const env = freshEnv(key, { WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms', WEBHOOK_TIMEOUT_MS: '5000' });
    const hooks = await receiver();
    hooks.mode = 'ok';
    // A slow receiver keeps each worker's batch in flight a while, so both workers find work.
    hooks.delayMs = 20;
    const count = 200;

    const servers: ServerProcess[] = [];
    try {
      servers.push(await startServerProcess(env)); // migrates the schema
      servers.push(await startServerProcess(env));
      const pids = servers.map((s) => s.child.pid as number);
      // Which process opened each connection to the receiver, looked up while it is open.
      const ownerOfPort = new Map<number, number | undefined>();
      hooks.onConnection = (port) => ownerOfPort.set(port, socketOwner(port, hooks.port, pids));

      const apis = servers.map((s) => apiOf(s, key));
      const endpointId = await createEndpoint(apis[0] as ApiClient, hooks);
      const contactIds = await createContacts(apis, count, 'twin');

      await waitFor(`all ${count} events acknowledged`, () => hooks.acknowledged().size === count, 30_000, () => `acknowledged ${hooks.acknowledged().size}`);
      await sleep(1_000); // time for a duplicate attempt to show up, were there one

      assertAllDelivered(hooks, contactIds);
      // Every answer was 200, so a second request for an event could only be a second attempt.
      const perEvent = new Map<string, number>();
      for (const r of hooks.received) perEvent.set(r.id, (perEvent.get(r.id) ?? 0) + 1);
      const twice = [...perEvent].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no event was sent twice');
      assert.equal(hooks.received.length, count);

      const deliveries = await walk(apis[1] as ApiClient, `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
      assert.equal(deliveries.length, count);
      for (const d of deliveries) {
        assert.equal(d.status, 'succeeded', JSON.stringify(d));
        assert.equal(d.attempts, 1, JSON.stringify(d));
      }

      // Both instances took part, or the test proved nothing about two of them.
      if (fs.existsSync('/proc/net/tcp')) {
        const byPid = new Map<number | undefined, number>();
        for (const r of hooks.received) {
          const pid = ownerOfPort.get(r.fromPort);
          byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
        }
        const summary = JSON.stringify([...byPid]);
        t.diagnostic(`requests per process: ${summary}`);
        assert.equal(byPid.get(undefined) ?? 0, 0, `every request was traced to one of the two processes: ${summary}`);
        for (const pid of pids) assert.ok((byPid.get(pid) ?? 0) > 0, `process ${pid} delivered some events: ${summary}`);
      }
    } finally {
      for (const server of servers) await stop(server);
    }
  });
});
