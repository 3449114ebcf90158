import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, createUser, keyFor } from './helpers/factories.js';
import { Browser, signedIn } from './helpers/session.js';
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
    second = await startServer({ DATABASE_SCHEMA: first.config.database.kind === 'postgres' ? first.config.database.schema : undefined, REDIS_KEY_PREFIX: first.config.redisKeyPrefix });
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

describe('sign-in shared by every instance', { skip: redisUrl === undefined || !postgres ? 'needs DATABASE_URL=postgres://… and REDIS_URL' : false }, () => {
  let first: TestServer;
  let second: TestServer;

  before(async () => {
    first = await startServer({ TRUST_PROXY: 'true' });
    // The same deployment: one schema and one Redis key prefix.
    second = await startServer({ TRUST_PROXY: 'true', DATABASE_SCHEMA: first.config.database.kind === 'postgres' ? first.config.database.schema : undefined, REDIS_KEY_PREFIX: first.config.redisKeyPrefix });
  });
  after(async () => {
    await second.close();
    await first.close();
  });

  it('locks an email out on every instance, and a session signed out on one is refused by the other', async () => {
    const tenant = await createTenant(first);
    const user = await createUser(tenant.api);
    const onFirst = await signedIn(first, tenant.api, user.id, 'the right password');
    const onSecond = new Browser(second.url);
    onSecond.cookie = onFirst.cookie;
    onSecond.csrfToken = onFirst.csrfToken;
    assert.equal((await onSecond.get('/v1/auth/session')).status, 200, 'the session works on the other instance');
    assert.equal((await onSecond.post('/v1/auth/sign-out')).status, 200);
    assert.equal((await onFirst.get('/v1/auth/session')).status, 401, 'signed out everywhere at once');

    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const server = attempt % 2 === 0 ? first : second;
      statuses.push((await new Browser(server.url).signIn(user.email, 'a wrong password')).status);
    }
    const locked = await new Browser(second.url).signIn(user.email, 'a wrong password');
    statuses.push(locked.status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 429], 'the fifth failure, whichever instance counts it, locks the email');
    assert.equal((await new Browser(first.url).signIn(user.email, 'the right password')).status, 429);

    // Another deployment on the same Redis (another REDIS_KEY_PREFIX) keeps its own counts.
    const other = await startServer({ TRUST_PROXY: 'true', DATABASE_SCHEMA: first.config.database.kind === 'postgres' ? first.config.database.schema : undefined });
    try {
      assert.notEqual(other.config.redisKeyPrefix, first.config.redisKeyPrefix);
      assert.equal((await new Browser(other.url).signIn(user.email, 'the right password')).status, 200);
    } finally {
      await other.close();
    }
  });
});
