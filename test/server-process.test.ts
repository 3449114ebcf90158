import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { startServerProcess, spawnServer } from './helpers/process.js';
import { testEnv } from './helpers/server.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** A fresh database for one test: a SQLite file or a PostgreSQL schema. */
function freshEnv(overrides: Record<string, string | undefined> = {}) {
  const { env, cleanup } = testEnv(overrides);
  cleanups.push(cleanup);
  return env;
}

describe('first start', () => {
  it('creates a workspace and prints a working key with a ready curl line, once', async () => {
    const env = freshEnv({ TRELLIS_OPERATOR_TOKEN: undefined });
    const first = await startServerProcess(env);
    try {
      const key = /\b(trl_live_[A-Za-z0-9]{32,})\b/.exec(first.output())?.[1];
      assert.ok(key, first.output());
      assert.match(first.output(), new RegExp(`curl -H "Authorization: Bearer ${key}" http://localhost:\\d+/v1/me`));
      const me = await fetch(`${first.url}/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(me.status, 200);
      const body = (await me.json()) as any;
      assert.equal(body.data.api_key.scope, 'full');
      assert.equal(body.data.user.role, 'owner');
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
    const second = await startServerProcess(env);
    try {
      assert.doesNotMatch(second.output(), /trl_live_/, 'a second start prints no new key');
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('uses TRELLIS_BOOTSTRAP_KEY and TRELLIS_BOOTSTRAP_EMAIL, without printing the key', async () => {
    const key = 'trl_live_' + 'b'.repeat(40);
    const server = await startServerProcess(freshEnv({ TRELLIS_BOOTSTRAP_KEY: key, TRELLIS_BOOTSTRAP_EMAIL: 'Ops@Example.com' }));
    try {
      assert.ok(!server.output().includes(key));
      const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Basic ${Buffer.from(`ops@example.com:${key}`).toString('base64')}` } });
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as any).data.user.email, 'ops@example.com');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});

describe('configuration', () => {
  it('refuses bad settings with a readable list of what is wrong', async () => {
    const started = spawnServer({ ...freshEnv(), PORT: 'eighty', LOG_LEVEL: 'loud', TRELLIS_BOOTSTRAP_KEY: 'short', REDIS_KEY_PREFIX: 'a prefix with spaces' });
    const code = await started.exited;
    assert.equal(code, 78);
    const output = started.output();
    assert.match(output, /PORT must be a whole number/);
    assert.match(output, /LOG_LEVEL must be one of/);
    assert.match(output, /TRELLIS_BOOTSTRAP_KEY must be/);
    assert.match(output, /REDIS_KEY_PREFIX must be 1 to 64 letters/);
    assert.doesNotMatch(output, /at .*\.ts:\d+/, 'no stack trace');
  });
});

describe('shutdown and durability', () => {
  it('finishes an in-flight request on SIGTERM, then exits 0', async () => {
    const key = 'trl_live_' + 'c'.repeat(40);
    const server = await startServerProcess(freshEnv({ TRELLIS_BOOTSTRAP_KEY: key }));
    const { hostname, port } = new URL(server.url);
    const body = JSON.stringify({ first_name: 'Slow', email: 'slow@example.com' });
    // Send the headers and half the body, stop the server, then send the rest.
    const socket = net.connect(Number(port), hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    let response = '';
    socket.on('data', (chunk) => (response += chunk.toString()));
    socket.write(`POST /v1/contacts HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.write(body.slice(10));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(response, /^HTTP\/1\.1 201/);
    assert.equal(await server.exited, 0);
  });

  it('keeps every acknowledged write when the process is killed', async () => {
    const key = 'trl_live_' + 'd'.repeat(40);
    // Durability as configured by default: SQLite synchronous=FULL.
    const env = freshEnv({ TRELLIS_BOOTSTRAP_KEY: key, SQLITE_SYNCHRONOUS: 'FULL' });
    const server = await startServerProcess(env);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const acknowledged: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const response = await fetch(`${server.url}/v1/contacts`, { method: 'POST', headers, body: JSON.stringify({ first_name: `Kill ${i}`, email: `kill-${i}@example.com` }) });
        if (response.status === 201) acknowledged.push(((await response.json()) as any).data.id);
      }),
    );
    server.child.kill('SIGKILL');
    await server.exited;
    assert.equal(acknowledged.length, 40);

    const restarted = await startServerProcess(env);
    try {
      for (const id of acknowledged) {
        const response = await fetch(`${restarted.url}/v1/contacts/${id}`, { headers });
        assert.equal(response.status, 200, `contact ${id} was acknowledged but is gone`);
      }
    } finally {
      restarted.child.kill('SIGTERM');
      await restarted.exited;
    }
  });
});

describe('logs', () => {
  it('write one JSON line per request with its request id, and never a key or a secret', async () => {
    const key = 'trl_live_' + 'e'.repeat(40);
    const server = await startServerProcess(freshEnv({ TRELLIS_BOOTSTRAP_KEY: key, LOG_LEVEL: 'info', TRELLIS_BOOTSTRAP_EMAIL: 'logs@example.com' }));
    try {
      const json = { 'content-type': 'application/json' };
      await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': 'trace-logs-1' } });
      await fetch(`${server.url}/v1/me`, { headers: { 'x-api-key': key } });
      await fetch(`${server.url}/v1/me`, { headers: { authorization: `Basic ${Buffer.from(`logs@example.com:${key}`).toString('base64')}` } });
      const created = await fetch(`${server.url}/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${key}`, ...json }, body: JSON.stringify({ name: 'secret check', scope: 'full' }) });
      const secret = ((await created.json()) as any).data.secret as string;
      await fetch(`${server.url}/v1/contacts`, { method: 'POST', headers: { authorization: `Bearer ${secret}`, ...json }, body: '{"broken' });
      await fetch(`${server.url}/v1/me`, { headers: { authorization: 'Bearer trl_live_wrongwrongwrongwrongwrongwrongwrong12' } });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const output = server.output();
      assert.ok(!output.includes(key), 'the bootstrap key is not logged');
      assert.ok(!output.includes(secret), 'a created key is not logged');
      assert.ok(!output.includes('wrongwrongwrong'), 'a presented wrong key is not logged');
      const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      const traced = lines.find((line) => line.request_id === 'trace-logs-1');
      assert.ok(traced, 'the request line carries the request id');
      assert.equal(traced.status, 200);
      assert.equal(traced.url, '/v1/me');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('are written out, every one, when the server shuts down right after the requests', async () => {
    const key = 'trl_live_' + 'f'.repeat(40);
    const server = await startServerProcess(freshEnv({ TRELLIS_BOOTSTRAP_KEY: key, LOG_LEVEL: 'info' }));
    const ids = Array.from({ length: 40 }, (_, i) => `flush-${i}`);
    for (const id of ids) await (await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${key}`, 'x-request-id': id } })).arrayBuffer();
    server.child.kill('SIGTERM');
    await server.exited;
    const logged = new Set(
      server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line).request_id as string | undefined),
    );
    assert.deepEqual(ids.filter((id) => !logged.has(id)), [], 'no request line is lost on shutdown');
  });
});
