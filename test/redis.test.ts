import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, keyFor } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

// Two instances on one database and one Redis share each key's budget. Needs REDIS_URL (CI sets it).
const redisUrl = process.env.REDIS_URL;
const postgres = /^postgres/.test(process.env.DATABASE_URL ?? '');

describe('rate limits shared through Redis', { skip: redisUrl === undefined || !postgres ? 'needs DATABASE_URL=postgres://… and REDIS_URL' : false }, () => {
  let first: TestServer;
  let second: TestServer;

  before(async () => {
    first = await startServer();
    // The second instance serves the same database schema, like a second node behind a load balancer.
    second = await startServer({ DATABASE_SCHEMA: first.config.database.kind === 'postgres' ? first.config.database.schema : undefined });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it('counts a key’s requests on every instance against one budget', async () => {
    const tenant = await createTenant(first);
    const limited = await keyFor(first, tenant, { scope: 'full', rate_limit_per_minute: 4 });
    const viaSecond = second.client(limited.secret);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      statuses.push((await limited.api.get('/v1/me')).status);
      statuses.push((await viaSecond.get('/v1/me')).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
  });
});
