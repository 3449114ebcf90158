/**
 * A key with a tiny rate limit: the SDK waits for Retry-After and succeeds,
 * unless the wait is longer than it was told to accept. (Takes a minute: the
 * server's window is a minute long.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Trellis, { RateLimitError } from '@trellis/sdk';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { createTenant, keyFor } from '../../../test/helpers/factories.js';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(() => server.close());

test('a 429 is retried after Retry-After and succeeds; lastRateLimit shows the budget', async () => {
  const tenant = await createTenant(server);
  const { secret } = await keyFor(server, tenant, { scope: 'full', rate_limit_per_minute: 1 });
  const statuses: number[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };
  const impatient = new Trellis({ apiKey: secret, baseUrl: server.url, maxRetryAfter: 1, fetch: recording });
  const patient = new Trellis({ apiKey: secret, baseUrl: server.url, fetch: recording });

  await patient.me.get();
  assert.equal(patient.lastRateLimit?.limit, 1);
  assert.equal(patient.lastRateLimit?.remaining, 0);

  const refused = await impatient.me.get().then(
    () => assert.fail('expected a 429'),
    (error: unknown) => error,
  );
  assert.ok(refused instanceof RateLimitError);
  assert.equal(refused.status, 429);
  assert.ok((refused.retryAfter ?? 0) > 1, 'told to wait longer than it accepts, so not retried');

  const started = Date.now();
  const me = await patient.me.get();
  const waited = (Date.now() - started) / 1000;
  assert.equal(me.workspace.id, tenant.workspaceId);
  assert.deepEqual(statuses, [200, 429, 429, 200]);
  assert.ok(waited >= (refused.retryAfter ?? 0) - 2, `waited ${waited} s for Retry-After ${refused.retryAfter}`);
  assert.ok(patient.lastRateLimit && patient.lastRateLimit.reset.getTime() > Date.now());
});
