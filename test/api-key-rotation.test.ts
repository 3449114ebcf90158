/** Rotating an API key: a replacement at once, the old key working beside it for the overlap, then refused. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, createUser, keyFor, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

const HOUR = 3_600_000;
/** The server's clock, moved forward to see the overlap end. */
let offset = 0;
const clock = { now: () => Date.now() + offset };

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer({}, { clock });
  tenant = await createTenant(server);
});
after(() => server.close());

describe('rotating an API key', () => {
  it('issues a like replacement at once and keeps the old key working until the overlap ends', async () => {
    const old = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read'], rate_limit_per_minute: 600 });
    const rotated = await tenant.api.post(`/v1/api-keys/${old.id}/rotate`, { overlap_seconds: 3600 });
    assert.equal(rotated.status, 201, rotated.text);
    const fresh = rotated.body.data;
    assert.match(fresh.secret, /^trl_live_/);
    assert.notEqual(fresh.id, old.id);
    assert.deepEqual([fresh.scope, fresh.grants, fresh.rate_limit_per_minute, fresh.expires_at], ['custom', ['contacts:read'], 600, null]);
    assert.equal(fresh.replaces.id, old.id);
    const overlapEnds = Date.parse(fresh.replaces.expires_at);
    assert.ok(overlapEnds > Date.now() + 0.9 * HOUR && overlapEnds <= Date.now() + HOUR, fresh.replaces.expires_at);
    // The secret is never shown again.
    assert.equal((await tenant.api.get(`/v1/api-keys/${fresh.id}`)).body.data.secret, undefined);

    const replacement = server.client(fresh.secret);
    try {
      assert.equal((await old.api.get('/v1/contacts')).status, 200, 'the old key works during the overlap');
      assert.equal((await replacement.get('/v1/contacts')).status, 200);
      assert.equal((await replacement.post('/v1/contacts', { first_name: 'No' })).status, 403, 'same grants, no more');
      offset = HOUR + 60_000;
      assert.equal((await old.api.get('/v1/contacts')).status, 401, 'the old key is refused once the overlap is over');
      assert.equal((await replacement.get('/v1/contacts')).status, 200);
    } finally {
      offset = 0;
    }
  });

  it('stops the old key at once with overlap 0, defaults to 24 hours, and never extends an earlier expiry', async () => {
    const now = await keyFor(server, tenant, { scope: 'full' });
    const atOnce = await tenant.api.post(`/v1/api-keys/${now.id}/rotate`, { overlap_seconds: 0 });
    assert.equal(atOnce.status, 201, atOnce.text);
    assert.equal((await now.api.get('/v1/contacts')).status, 401);

    const daily = await keyFor(server, tenant, { scope: 'full' });
    const byDefault = await tenant.api.post(`/v1/api-keys/${daily.id}/rotate`);
    assert.equal(byDefault.status, 201, byDefault.text);
    assert.ok(Math.abs(Date.parse(byDefault.body.data.replaces.expires_at) - (Date.now() + 24 * HOUR)) < 60_000);

    const soon = new Date(Date.now() + HOUR).toISOString();
    const expiring = await keyFor(server, tenant, { scope: 'full', expires_at: soon });
    const kept = await tenant.api.post(`/v1/api-keys/${expiring.id}/rotate`, { overlap_seconds: 7 * 86_400 });
    assert.equal(kept.body.data.replaces.expires_at, soon);
    assert.equal(kept.body.data.expires_at, soon, 'the replacement keeps the expiry the old key had');
  });

  it('refuses a revoked key, a bad overlap, another workspace\'s key, and a member', async () => {
    const revoked = await keyFor(server, tenant, { scope: 'full' });
    await tenant.api.delete(`/v1/api-keys/${revoked.id}`);
    const refused = await tenant.api.post(`/v1/api-keys/${revoked.id}/rotate`);
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'unprocessable');

    const live = await keyFor(server, tenant, { scope: 'full' });
    for (const overlap of [-1, 31 * 86_400, 'soon']) {
      const bad = await tenant.api.post(`/v1/api-keys/${live.id}/rotate`, { overlap_seconds: overlap });
      assert.equal(bad.status, 400, bad.text);
      assert.ok(bad.body.error.details.overlap_seconds, bad.text);
    }

    const other = await createTenant(server);
    assert.equal((await other.api.post(`/v1/api-keys/${live.id}/rotate`)).status, 404);
    const member = await createUser(tenant.api, { role: 'member' });
    const memberKey = await keyFor(server, tenant, { scope: 'full', user_id: member.id });
    assert.equal((await memberKey.api.post(`/v1/api-keys/${memberKey.id}/rotate`)).status, 403);
    assert.equal((await live.api.get('/v1/contacts')).status, 200, 'nothing refused changed the key');
  });
});
