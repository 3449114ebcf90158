/**
 * Key look-ups are remembered in memory for at most KEY_CACHE_TTL_MS (1 s), under
 * the promise docs/configuration.md states, shown on two instances of Trellis
 * sharing one database: a revocation or a role change takes effect on the next
 * request on the instance that made it, and within a second on the other (at
 * once when a notification carries it: PostgreSQL LISTEN/NOTIFY, or Redis
 * pub/sub with REDIS_URL); expiry is checked against the clock on every request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTenant, createUser, keyFor, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

const TTL_MS = 1000;
let offset = 0;
let first: TestServer;
let second: TestServer;
let tenant: Tenant;
/** Whether instances tell each other (PostgreSQL, or Redis), or only the TTL carries a change (SQLite alone). */
const notified = /^postgres/.test(process.env.DATABASE_URL ?? '') || process.env.REDIS_URL !== undefined;

before(async () => {
  first = await startServer({ KEY_CACHE_TTL_MS: String(TTL_MS) }, { clock: { now: () => Date.now() + offset } });
  const database = first.config.database;
  const shared = database.kind === 'sqlite' ? { DATABASE_URL: database.file } : { DATABASE_URL: database.url, DATABASE_SCHEMA: database.schema };
  // A second instance of the same deployment: the same database and Redis key prefix.
  second = await startServer({ ...shared, REDIS_KEY_PREFIX: first.config.redisKeyPrefix, KEY_CACHE_TTL_MS: String(TTL_MS) });
  tenant = await createTenant(first);
});
after(async () => {
  await second.close();
  await first.close();
});

const status = async (server: TestServer, key: string, path = '/v1/me'): Promise<number> => (await server.client(key).get(path)).status;

/** Asks `server` until it answers `expected`, for at most `ms`; the time it took. */
async function until(server: TestServer, key: string, expected: number, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const answer = await status(server, key);
    if (answer === expected) return Date.now() - started;
    assert.ok(Date.now() - started < ms, `still ${answer} after ${ms} ms`);
    await sleep(20);
  }
}

describe('the key look-up cache', () => {
  it('refuses a revoked key on the next request on the instance that revoked it, and within a second on the other', async () => {
    const key = await keyFor(first, tenant, { scope: 'full' });
    // Both instances have the key's look-up in memory.
    assert.equal(await status(first, key.secret), 200);
    assert.equal(await status(second, key.secret), 200);
    const revoked = await tenant.api.delete(`/v1/api-keys/${key.id}`);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(await status(first, key.secret), 401, 'at once where it was revoked');
    if (notified) {
      // The notification drops it well before the TTL would.
      await until(second, key.secret, 401, TTL_MS - 200);
    } else {
      await sleep(TTL_MS + 100);
      assert.equal(await status(second, key.secret), 401, 'after the TTL on the other instance');
    }
  });

  it("applies a user's new role to their keys on the next request on the instance that changed it, and within a second on the other", async () => {
    const admin = await createUser(tenant.api, { role: 'admin' });
    const key = await keyFor(first, tenant, { scope: 'full', user_id: admin.id });
    assert.equal(await status(first, key.secret, '/v1/api-keys'), 200, 'an admin lists keys');
    assert.equal(await status(second, key.secret, '/v1/api-keys'), 200);
    const demoted = await tenant.api.patch(`/v1/users/${admin.id}`, { role: 'member' });
    assert.equal(demoted.status, 200, demoted.text);
    assert.equal(await status(first, key.secret, '/v1/api-keys'), 403, 'a member may not, at once where the role changed');
    await sleep(TTL_MS + 100);
    assert.equal(await status(second, key.secret, '/v1/api-keys'), 403, 'and on the other instance within a second');
  });

  it('checks expiry against the clock on every request, cached or not', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const key = await keyFor(first, tenant, { scope: 'full', expires_at: expiresAt });
    assert.equal(await status(first, key.secret), 200);
    offset = 61_000;
    try {
      assert.equal(await status(first, key.secret), 401, 'expired: refused although its look-up is in memory');
    } finally {
      offset = 0;
    }
  });
});
