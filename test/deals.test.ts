/**
 * Deals: placement in a pipeline, money, probability, references, moves and
 * their history (idempotent under repeated and concurrent triggers), filters,
 * conditional writes, what deleting other records does to deals, isolation
 * and scopes.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids } from './helpers/assertions.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
/** The tenant's default "Sales" pipeline. */
let sales: any;
/** Sales stages by name. */
let stage: Record<'qualification' | 'needs' | 'proposal' | 'negotiation' | 'won' | 'lost', any>;
/** A second pipeline of the tenant. */
let renewals: any;
/** Records of the other workspace. */
let theirs: { pipeline: any; contact: any; company: any; user: any; tag: any; deal: any };

async function defaultPipeline(api: ApiClient): Promise<any> {
  const response = await api.get('/v1/pipelines');
  assert.equal(response.status, 200, response.text);
  return response.body.data.find((p: { is_default: boolean }) => p.is_default);
}

async function createDeal(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/deals', { name: unique('Deal '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function getDeal(api: ApiClient, id: string): Promise<any> {
  const response = await api.get(`/v1/deals/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function history(api: ApiClient, id: string): Promise<any[]> {
  const response = await api.get(`/v1/deals/${id}/history`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function createTag(api: ApiClient, name = unique('tag-')): Promise<any> {
  const response = await api.post('/v1/tags', { name });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

const moves = (rows: any[]) => rows.map((h) => [h.from_stage_id, h.to_stage_id]);

before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
  sales = await defaultPipeline(tenant.api);
  const [qualification, needs, proposal, negotiation, won, lost] = sales.stages;
  stage = { qualification, needs, proposal, negotiation, won, lost };
  const created = await tenant.api.post('/v1/pipelines', {
    name: 'Renewals',
    stages: [
      { name: 'Due', probability: 30 },
      { name: 'Renewed', probability: 100, type: 'won' },
      { name: 'Churned', probability: 0, type: 'lost' },
    ],
  });
  assert.equal(created.status, 201, created.text);
  renewals = created.body.data;

  const pipeline = await defaultPipeline(other.api);
  const contact = await createContact(other.api);
  const company = await createCompany(other.api);
  const user = await createUser(other.api);
  const tag = await createTag(other.api);
  const deal = await createDeal(other.api, { name: 'Their deal', contact_ids: [contact.id], company_id: company.id, owner_id: user.id, tag_ids: [tag.id] });
  theirs = { pipeline, contact, company, user, tag, deal };
});
after(() => server.close());

describe('creating deals', () => {
  it('puts a deal given no pipeline or stage into the first stage of the default pipeline', async () => {
    const response = await tenant.api.post('/v1/deals', { name: '  Big renewal ' });
    assert.equal(response.status, 201, response.text);
    const deal = response.body.data;
    assert.match(deal.id, /^deal_/);
    assert.equal(deal.name, 'Big renewal');
    assert.equal(deal.pipeline_id, sales.id);
    assert.equal(deal.stage_id, stage.qualification.id);
    assert.equal(deal.status, 'open');
    assert.equal(deal.probability, 10);
    assert.equal(deal.value, null);
    assert.equal(deal.owner_id, null);
    assert.equal(deal.company_id, null);
    assert.deepEqual(deal.contact_ids, []);
    assert.deepEqual(deal.tags, []);
    assert.deepEqual(deal.custom_fields, {});
    assert.equal(deal.closed_at, null);
    assert.equal(deal.version, 1);
    assert.match(deal.created_at, ISO);
    assert.equal(response.headers.get('etag'), '"1"');
    assert.deepEqual(await getDeal(tenant.api, deal.id), deal);
  });

  it("puts a deal given only pipeline_id into that pipeline's first stage", async () => {
    const deal = await createDeal(tenant.api, { pipeline_id: renewals.id });
    assert.equal(deal.pipeline_id, renewals.id);
    assert.equal(deal.stage_id, renewals.stages[0].id);
    assert.equal(deal.probability, 30);
  });

  it('puts a deal given only stage_id into that stage and its pipeline', async () => {
    const deal = await createDeal(tenant.api, { stage_id: renewals.stages[0].id });
    assert.equal(deal.pipeline_id, renewals.id);
    assert.equal(deal.stage_id, renewals.stages[0].id);
  });

  it('refuses a stage_id that is not a stage of the given pipeline_id', async () => {
    const name = unique('Mismatch ');
    const response = await tenant.api.post('/v1/deals', { name, pipeline_id: sales.id, stage_id: renewals.stages[0].id });
    assertUnprocessable(response, 'stage_id');
    assertUnprocessable(await tenant.api.post('/v1/deals', { name, stage_id: 'stg_01M807GFFF8MEEXBKKKVK895SP' }), 'stage_id');
    assertUnprocessable(await tenant.api.post('/v1/deals', { name, pipeline_id: 'pip_01M807GFFF8MEEXBKKKVK895SP' }), 'pipeline_id');
    assert.equal((await tenant.api.get(`/v1/deals?name=${encodeURIComponent(name)}`)).body.meta.total, 0);
  });

  it('creates a deal in a won stage as won and closed, and in a lost stage with its lost reason', async () => {
    const won = await createDeal(tenant.api, { stage_id: stage.won.id });
    assert.equal(won.status, 'won');
    assert.match(won.closed_at, ISO);
    assert.equal(won.probability, 100);
    const lost = await createDeal(tenant.api, { stage_id: stage.lost.id, lost_reason: 'No budget' });
    assert.equal(lost.status, 'lost');
    assert.match(lost.closed_at, ISO);
    assert.equal(lost.lost_reason, 'No budget');
  });

  it('keeps every field it is given', async () => {
    const deal = await createDeal(tenant.api, {
      value: { amount: 9_007_199_254_740, currency: 'EUR' },
      expected_close_date: '2026-09-30',
      source: 'referral',
      custom_fields: { segment: 'mid-market', seats: 40 },
    });
    assert.deepEqual(deal.value, { amount: 9_007_199_254_740, currency: 'EUR' });
    assert.equal(deal.expected_close_date, '2026-09-30');
    assert.equal(deal.source, 'referral');
    assert.deepEqual(deal.custom_fields, { segment: 'mid-market', seats: 40 });
    assert.deepEqual(await getDeal(tenant.api, deal.id), deal);
  });
});

describe('value and bad input', () => {
  it('refuses a currency that is not an upper-case ISO 4217 code', async () => {
    for (const currency of ['usd', 'US', 'USDX', 12]) {
      assert.equal((await tenant.api.post('/v1/deals', { name: 'Bad', value: { amount: 100, currency } })).status, 400, String(currency));
    }
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', value: { amount: 100, currency: 'usd' } }), 'value.currency');
  });

  it('refuses a negative, fractional or string amount, and a value without a currency', async () => {
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', value: { amount: -1, currency: 'USD' } }), 'value.amount');
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', value: { amount: 10.5, currency: 'USD' } }), 'value.amount');
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', value: { amount: '1000', currency: 'USD' } }), 'value.amount');
    assert.equal((await tenant.api.post('/v1/deals', { name: 'Bad', value: { amount: 1000 } })).status, 400);
    assert.equal((await tenant.api.post('/v1/deals', { name: 'Bad', value: 1000 })).status, 400);
    const deal = await createDeal(tenant.api, { value: { amount: 1000, currency: 'USD' } });
    assertInvalid(await tenant.api.patch(`/v1/deals/${deal.id}`, { value: { amount: -5, currency: 'USD' } }), 'value.amount');
    assert.deepEqual((await getDeal(tenant.api, deal.id)).value, { amount: 1000, currency: 'USD' });
    // null clears it.
    const cleared = await tenant.api.patch(`/v1/deals/${deal.id}`, { value: null });
    assert.equal(cleared.body.data.value, null);
  });

  it('refuses a missing name, a bad date, a probability out of range and unknown fields', async () => {
    assertInvalid(await tenant.api.post('/v1/deals', {}), 'name');
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', expected_close_date: '30/09/2026' }), 'expected_close_date');
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', probability: 101 }), 'probability');
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', status: 'won' }), 'status');
    assertInvalid(await tenant.api.post('/v1/deals', { name: 'Bad', tags: ['x'] }), 'tags');
    assert.equal((await tenant.api.get('/v1/deals?name=Bad')).body.meta.total, 0);
  });
});

describe('probability', () => {
  it("follows the stage unless the deal sets its own, and null goes back to the stage's", async () => {
    const deal = await createDeal(tenant.api, { stage_id: stage.needs.id });
    assert.equal(deal.probability, 25);
    const own = await tenant.api.patch(`/v1/deals/${deal.id}`, { probability: 80 });
    assert.equal(own.status, 200, own.text);
    assert.equal(own.body.data.probability, 80);
    // Its own probability survives a move.
    const moved = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.proposal.id });
    assert.equal(moved.body.data.probability, 80);
    const reset = await tenant.api.patch(`/v1/deals/${deal.id}`, { probability: null });
    assert.equal(reset.body.data.probability, 50);
    // Without one of its own, a move brings the new stage's.
    const again = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.negotiation.id });
    assert.equal(again.body.data.probability, 75);
    const created = await createDeal(tenant.api, { probability: 0 });
    assert.equal(created.probability, 0, '0 is a probability of its own, not "unset"');
  });
});

describe('references', () => {
  it('links contacts, a company, an owner and tags of the workspace, in the order given', async () => {
    const [c1, c2] = [await createContact(tenant.api), await createContact(tenant.api)];
    const company = await createCompany(tenant.api);
    const user = await createUser(tenant.api);
    const tag = await createTag(tenant.api);
    const deal = await createDeal(tenant.api, { contact_ids: [c2.id, c1.id], company_id: company.id, owner_id: user.id, tag_ids: [tag.id] });
    assert.deepEqual(deal.contact_ids, [c2.id, c1.id]);
    assert.equal(deal.company_id, company.id);
    assert.equal(deal.owner_id, user.id);
    assert.deepEqual(deal.tags, [{ id: tag.id, name: tag.name, color: null }]);
    // Read back by id (contacts, tags and the stage's probability come in the deal's one query) and in a list: the same deal.
    const read = await tenant.api.get(`/v1/deals/${deal.id}`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.data, deal);
    assert.equal(read.body.data.probability, 10);
    assert.deepEqual((await tenant.api.get(`/v1/deals?id[in]=${deal.id}`)).body.data, [deal]);
    const replaced = await tenant.api.patch(`/v1/deals/${deal.id}`, { contact_ids: [c1.id], company_id: null, owner_id: null, tag_ids: [] });
    assert.equal(replaced.status, 200, replaced.text);
    assert.deepEqual(replaced.body.data.contact_ids, [c1.id]);
    assert.equal(replaced.body.data.company_id, null);
    assert.equal(replaced.body.data.owner_id, null);
    assert.deepEqual(replaced.body.data.tags, []);
    assert.deepEqual((await tenant.api.get(`/v1/deals/${deal.id}`)).body.data, replaced.body.data);
  });

  it('refuses unknown references and references into another workspace with 422 naming the field', async () => {
    const mine = await createContact(tenant.api);
    const name = unique('Cross ');
    const cases: [string, Record<string, unknown>][] = [
      ['contact_ids', { contact_ids: ['con_01M807GFFF8MEEXBKKKVK895SP'] }],
      ['contact_ids', { contact_ids: [mine.id, theirs.contact.id] }],
      ['company_id', { company_id: 'cmp_01M807GFFF8MEEXBKKKVK895SP' }],
      ['company_id', { company_id: theirs.company.id }],
      ['owner_id', { owner_id: 'usr_nope' }],
      ['owner_id', { owner_id: theirs.user.id }],
      ['owner_id', { owner_id: other.ownerId }],
      ['tag_ids', { tag_ids: ['tag_01M807GFFF8MEEXBKKKVK895SP'] }],
      ['tag_ids', { tag_ids: [theirs.tag.id] }],
      ['stage_id', { stage_id: theirs.pipeline.stages[0].id }],
      ['pipeline_id', { pipeline_id: theirs.pipeline.id }],
    ];
    for (const [field, body] of cases) assertUnprocessable(await tenant.api.post('/v1/deals', { name, ...body }), field);
    assert.equal((await tenant.api.get(`/v1/deals?name=${encodeURIComponent(name)}`)).body.meta.total, 0);

    const deal = await createDeal(tenant.api, { contact_ids: [mine.id] });
    for (const [field, body] of cases.filter(([field]) => field !== 'pipeline_id')) {
      assertUnprocessable(await tenant.api.patch(`/v1/deals/${deal.id}`, body), field);
    }
    assert.deepEqual(await getDeal(tenant.api, deal.id), deal);
    // Malformed ids are the same unknown reference: a 422, never a 500.
    for (const bad of ['', 'nonsense', 'x'.repeat(300), "stg_' or '1'='1", 'ü']) {
      for (const field of ['owner_id', 'company_id', 'stage_id', 'pipeline_id']) {
        assertUnprocessable(await tenant.api.post('/v1/deals', { name, [field]: bad }), field);
      }
      for (const field of ['contact_ids', 'tag_ids']) {
        assertUnprocessable(await tenant.api.post('/v1/deals', { name, [field]: [bad] }), field);
      }
      assertUnprocessable(await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: bad }), 'stage_id');
    }
    // Their deal is untouched and still names only their records.
    const theirDeal = await getDeal(other.api, theirs.deal.id);
    assert.deepEqual(theirDeal.contact_ids, [theirs.contact.id]);
    assert.equal(theirDeal.version, theirs.deal.version);
  });
});

describe('moving deals', () => {
  it('records a move with from, to, who, when and the time spent in the old stage', async () => {
    const deal = await createDeal(tenant.api);
    await sleep(1100);
    const response = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.proposal.id });
    assert.equal(response.status, 200, response.text);
    const moved = response.body.data;
    assert.equal(moved.stage_id, stage.proposal.id);
    assert.equal(moved.status, 'open');
    assert.equal(moved.version, deal.version + 1);
    assert.equal(response.headers.get('etag'), `"${moved.version}"`);
    assert.ok(moved.stage_entered_at > deal.stage_entered_at);

    const rows = await history(tenant.api, deal.id);
    assert.deepEqual(moves(rows), [[null, stage.qualification.id], [stage.qualification.id, stage.proposal.id]]);
    const [created, change] = rows;
    assert.equal(created.deal_id, deal.id);
    assert.equal(created.changed_at, deal.created_at);
    assert.equal(created.time_in_previous_stage_seconds, null);
    assert.equal(created.changed_by, tenant.ownerId);
    assert.equal(change.changed_by, tenant.ownerId);
    assert.match(change.changed_at, ISO);
    assert.equal(change.changed_at, moved.stage_entered_at);
    assert.ok(change.time_in_previous_stage_seconds >= 1 && change.time_in_previous_stage_seconds < 30, JSON.stringify(change));
  });

  it('records a move made with PATCH stage_id the same way, by the user whose key made it', async () => {
    const user = await createUser(tenant.api, { role: 'member' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: user.id });
    const deal = await createDeal(tenant.api);
    const response = await key.api.patch(`/v1/deals/${deal.id}`, { stage_id: stage.negotiation.id, name: 'Renamed while moving' });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.stage_id, stage.negotiation.id);
    assert.equal(response.body.data.name, 'Renamed while moving');
    const rows = await history(tenant.api, deal.id);
    assert.deepEqual(moves(rows), [[null, stage.qualification.id], [stage.qualification.id, stage.negotiation.id]]);
    assert.equal(rows[1].changed_by, user.id);
  });

  it('changes nothing when /move names the stage the deal is already in, however often it is repeated', async () => {
    const deal = await createDeal(tenant.api);
    const first = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.proposal.id });
    assert.equal(first.status, 200, first.text);
    for (let i = 0; i < 3; i++) {
      const again = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.proposal.id });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual(again.body.data, first.body.data);
    }
    assert.equal((await history(tenant.api, deal.id)).length, 2);
    assert.deepEqual(await getDeal(tenant.api, deal.id), first.body.data);
  });

  it('records no move when PATCH names the stage the deal is already in', async () => {
    const deal = await createDeal(tenant.api, { stage_id: stage.proposal.id });
    const response = await tenant.api.patch(`/v1/deals/${deal.id}`, { stage_id: stage.proposal.id });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.stage_id, stage.proposal.id);
    assert.equal(response.body.data.stage_entered_at, deal.stage_entered_at);
    assert.deepEqual(moves(await history(tenant.api, deal.id)), [[null, stage.proposal.id]]);
  });

  it('does not bump the version when PATCH only names the stage the deal is already in (a repeated trigger)', async () => {
    const deal = await createDeal(tenant.api, { stage_id: stage.proposal.id });
    const response = await tenant.api.patch(`/v1/deals/${deal.id}`, { stage_id: stage.proposal.id });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.version, deal.version, 'moving to the current stage is a no-op: no version bump');
    assert.equal(response.body.data.updated_at, deal.updated_at);
  });

  it('moves exactly once when 10 identical moves arrive at the same time', async () => {
    const deal = await createDeal(tenant.api);
    const responses = await Promise.all(Array.from({ length: 10 }, () => tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.won.id })));
    assert.deepEqual(responses.map((r) => r.status), Array(10).fill(200), responses.map((r) => r.text).join('\n'));
    for (const r of responses) {
      assert.equal(r.body.data.version, deal.version + 1);
      assert.equal(r.body.data.status, 'won');
    }
    assert.equal(new Set(responses.map((r) => r.body.data.closed_at)).size, 1, 'one close time');
    const rows = await history(tenant.api, deal.id);
    assert.deepEqual(moves(rows), [[null, stage.qualification.id], [stage.qualification.id, stage.won.id]]);
  });

  it('wins a deal moved to a won stage with closed_at, and reopens it (closed_at cleared) when moved back', async () => {
    const deal = await createDeal(tenant.api, { stage_id: stage.negotiation.id });
    const won = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.won.id });
    assert.equal(won.body.data.status, 'won');
    assert.match(won.body.data.closed_at, ISO);
    assert.equal(won.body.data.closed_at, won.body.data.stage_entered_at);
    assert.deepEqual(ids((await tenant.api.get(`/v1/deals?status=won&stage_id=${stage.won.id}`)).body.data).filter((id) => id === deal.id), [deal.id]);

    const reopened = await tenant.api.patch(`/v1/deals/${deal.id}`, { stage_id: stage.proposal.id });
    assert.equal(reopened.status, 200, reopened.text);
    assert.equal(reopened.body.data.status, 'open');
    assert.equal(reopened.body.data.closed_at, null);
    assert.equal((await history(tenant.api, deal.id)).length, 3);
  });

  it('loses a deal moved to a lost stage and keeps the lost reason given', async () => {
    const deal = await createDeal(tenant.api, { stage_id: stage.proposal.id });
    const lost = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.lost.id, lost_reason: 'Went with a competitor' });
    assert.equal(lost.status, 200, lost.text);
    assert.equal(lost.body.data.status, 'lost');
    assert.equal(lost.body.data.lost_reason, 'Went with a competitor');
    assert.match(lost.body.data.closed_at, ISO);
    const fetched = await getDeal(tenant.api, deal.id);
    assert.equal(fetched.lost_reason, 'Went with a competitor');
    assert.equal(fetched.status, 'lost');
    const listed = await tenant.api.get(`/v1/deals?lost_reason=${encodeURIComponent('Went with a competitor')}`);
    assert.deepEqual(ids(listed.body.data), [deal.id]);
  });

  it("refuses a move to another pipeline's stage, unless PATCH names that pipeline too", async () => {
    const deal = await createDeal(tenant.api);
    assertUnprocessable(await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: renewals.stages[0].id }), 'stage_id');
    assertUnprocessable(await tenant.api.patch(`/v1/deals/${deal.id}`, { stage_id: renewals.stages[0].id }), 'stage_id');
    assertUnprocessable(await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: 'stg_01M807GFFF8MEEXBKKKVK895SP' }), 'stage_id');
    assert.deepEqual(await getDeal(tenant.api, deal.id), deal);
    assert.equal((await history(tenant.api, deal.id)).length, 1);

    const switched = await tenant.api.patch(`/v1/deals/${deal.id}`, { pipeline_id: renewals.id, stage_id: renewals.stages[1].id });
    assert.equal(switched.status, 200, switched.text);
    assert.equal(switched.body.data.pipeline_id, renewals.id);
    assert.equal(switched.body.data.status, 'won');
    assert.deepEqual(moves(await history(tenant.api, deal.id)), [[null, stage.qualification.id], [stage.qualification.id, renewals.stages[1].id]]);
  });

  it('needs a stage_id to move and answers 404 for a deal that does not exist', async () => {
    const deal = await createDeal(tenant.api);
    assertInvalid(await tenant.api.post(`/v1/deals/${deal.id}/move`, {}), 'stage_id');
    assertInvalid(await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.won.id, status: 'won' }), 'status');
    assertNotFound(await tenant.api.post('/v1/deals/deal_01M807GFFF8MEEXBKKKVK895SP/move', { stage_id: stage.won.id }), 'move missing');
    assertNotFound(await tenant.api.get('/v1/deals/deal_01M807GFFF8MEEXBKKKVK895SP/history'), 'history missing');
  });
});

describe('filters', () => {
  let f: Tenant;
  let d: any[];
  let c1: any, c2: any, co1: any, co2: any, u1: any, u2: any, t1: any, t2: any;
  let fSales: any;
  let fOther: any;

  before(async () => {
    f = await createTenant(server);
    fSales = await defaultPipeline(f.api);
    const created = await f.api.post('/v1/pipelines', { name: 'Other', stages: [{ name: 'Open', probability: 50 }, { name: 'Dead', probability: 0, type: 'lost' }] });
    fOther = created.body.data;
    [c1, c2, co1, co2, u1, u2, t1, t2] = [
      await createContact(f.api),
      await createContact(f.api),
      await createCompany(f.api),
      await createCompany(f.api),
      await createUser(f.api),
      await createUser(f.api),
      await createTag(f.api, 'hot'),
      await createTag(f.api, 'enterprise'),
    ];
    d = [
      await createDeal(f.api, { owner_id: u1.id, company_id: co1.id, contact_ids: [c1.id], tag_ids: [t1.id], value: { amount: 1000, currency: 'USD' }, expected_close_date: '2026-01-15' }),
      await createDeal(f.api, { stage_id: fSales.stages[2].id, owner_id: u2.id, company_id: co2.id, contact_ids: [c1.id, c2.id], tag_ids: [t2.id], value: { amount: 50_000, currency: 'USD' }, expected_close_date: '2026-03-01' }),
      await createDeal(f.api, { stage_id: fSales.stages[4].id, contact_ids: [c2.id], tag_ids: [t1.id, t2.id], value: { amount: 200_000, currency: 'EUR' }, expected_close_date: '2026-06-30' }),
      await createDeal(f.api, { stage_id: fOther.stages[1].id }),
    ];
  });

  const expect = async (query: string, expected: number[]) => {
    const response = await f.api.get(`/v1/deals?${query}`);
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    assert.deepEqual(ids(response.body.data), expected.map((i) => d[i].id), query);
    assert.equal(response.body.meta.total, expected.length, query);
  };

  it('filters by pipeline, stage and status', async () => {
    await expect(`pipeline_id=${fSales.id}`, [0, 1, 2]);
    await expect(`pipeline_id=${fOther.id}`, [3]);
    await expect(`stage_id=${fSales.stages[2].id}`, [1]);
    await expect(`stage_id[in]=${fSales.stages[0].id},${fOther.stages[1].id}`, [0, 3]);
    await expect('status=open', [0, 1]);
    await expect('status=won', [2]);
    await expect('status=lost', [3]);
    await expect('status[in]=won,lost', [2, 3]);
  });

  it('filters by owner, company and contact', async () => {
    await expect(`owner_id=${u1.id}`, [0]);
    await expect('owner_id[exists]=false', [2, 3]);
    await expect(`company_id=${co2.id}`, [1]);
    await expect(`contact_id=${c1.id}`, [0, 1]);
    await expect(`contact_id=${c2.id}`, [1, 2]);
    await expect(`contact_id=${c2.id}&status=open`, [1]);
  });

  it('filters by tag', async () => {
    await expect(`tag=${t1.id}`, [0, 2]);
    await expect(`tag=${t2.id}`, [1, 2]);
    await expect(`tag=${t1.id}&contact_id=${c2.id}`, [2]);
    await expect(`tag[in]=${t1.id},${t2.id}`, [0, 1, 2]);
    await expect('tag[exists]=false', [3]);
    await expect(`tag[ne]=${t1.id}`, [1, 3]);
    await expect(`tag[nin]=${t1.id},${t2.id}`, [3]);
    await expect(`contact_id[ne]=${c1.id}`, [2, 3]);
  });

  it('filters by value amount and expected close date ranges, and sorts by amount', async () => {
    await expect('value.amount[gte]=50000', [1, 2]);
    await expect('value.amount[lt]=50000', [0]);
    await expect('value.amount[gte]=1000&value.amount[lte]=50000', [0, 1]);
    await expect('value.currency=EUR', [2]);
    await expect('expected_close_date[lte]=2026-03-01', [0, 1]);
    await expect('expected_close_date[gt]=2026-03-01', [2]);
    await expect('expected_close_date[gte]=2026-01-01&expected_close_date[lt]=2026-02-01', [0]);
    await expect('expected_close_date[exists]=false', [3]);
    await expect('sort=value.amount', [0, 1, 2, 3]);
    await expect('sort=-expected_close_date', [3, 2, 1, 0]);
  });

  it('refuses filters with a wrong value or an unknown field', async () => {
    for (const query of ['value.amount[gte]=lots', 'expected_close_date[lte]=03/01/2026', 'status=maybe', 'colour=red', 'probability=10', 'stage_id[contains]=stg']) {
      const response = await f.api.get(`/v1/deals?${query}`);
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assert.equal(response.body.error.code, 'invalid_filter', query);
    }
  });

  it('pages through every deal with a cursor', async () => {
    assert.deepEqual(ids(await walk(f.api, '/v1/deals?limit=1')), ids(d));
  });
});

describe('conditional writes', () => {
  it('writes only when If-Match names the current version', async () => {
    const deal = await createDeal(tenant.api);
    const stale = await tenant.api.patch(`/v1/deals/${deal.id}`, { name: 'Stale' }, { 'if-match': '"9"' });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'precondition_failed');
    assert.equal(stale.body.error.details.current_version, 1);
    const fresh = await tenant.api.patch(`/v1/deals/${deal.id}`, { name: 'Fresh' }, { 'if-match': '"1"' });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.headers.get('etag'), '"2"');
    assert.equal((await tenant.api.delete(`/v1/deals/${deal.id}`, { 'if-match': '"1"' })).status, 412);
    assert.equal((await getDeal(tenant.api, deal.id)).name, 'Fresh');
    assert.equal((await tenant.api.delete(`/v1/deals/${deal.id}`, { 'if-match': '"2"' })).status, 200);
  });
});

describe('deleting', () => {
  it('unlinks a deleted company from its deals and moves their version on', async () => {
    const company = await createCompany(tenant.api);
    const deal = await createDeal(tenant.api, { company_id: company.id });
    assert.equal((await tenant.api.delete(`/v1/companies/${company.id}`)).status, 200);
    const after = await getDeal(tenant.api, deal.id);
    assert.equal(after.company_id, null);
    assert.equal(after.version, deal.version + 1);
    assert.ok(after.updated_at > deal.updated_at);
    assert.equal((await tenant.api.get(`/v1/deals?company_id=${company.id}`)).body.meta.total, 0);
  });

  it("takes a deleted contact off deals' contact_ids and moves their version on", async () => {
    const [gone, kept] = [await createContact(tenant.api), await createContact(tenant.api)];
    const deal = await createDeal(tenant.api, { contact_ids: [gone.id, kept.id] });
    const untouched = await createDeal(tenant.api, { contact_ids: [kept.id] });
    assert.equal((await tenant.api.delete(`/v1/contacts/${gone.id}`)).status, 200);
    const after = await getDeal(tenant.api, deal.id);
    assert.deepEqual(after.contact_ids, [kept.id]);
    assert.equal(after.version, deal.version + 1);
    assert.ok(after.updated_at > deal.updated_at);
    assert.equal((await getDeal(tenant.api, untouched.id)).version, untouched.version);
    assert.equal((await tenant.api.get(`/v1/deals?contact_id=${gone.id}`)).body.meta.total, 0);
  });

  it('leaves the deals of a deleted user without an owner, and their moves without a mover', async () => {
    const user = await createUser(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'full', user_id: user.id });
    const deal = await createDeal(tenant.api, { owner_id: user.id });
    assert.equal((await key.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.needs.id })).status, 200);
    assert.equal((await tenant.api.delete(`/v1/users/${user.id}`)).status, 200);
    const after = await getDeal(tenant.api, deal.id);
    assert.equal(after.owner_id, null);
    assert.ok(after.version > deal.version + 1, 'the move and the unassignment each move the version on');
    const rows = await history(tenant.api, deal.id);
    assert.equal(rows.length, 2);
    assert.equal(rows[1].changed_by, null);
    assert.equal((await tenant.api.get(`/v1/deals?owner_id=${user.id}`)).body.meta.total, 0);
  });

  it('deletes a deal with its history, and frees its stage for deletion', async () => {
    const pipeline = (await tenant.api.post('/v1/pipelines', { name: unique('Short '), stages: [{ name: 'One', probability: 10 }, { name: 'Two', probability: 90 }] })).body.data;
    const deal = await createDeal(tenant.api, { stage_id: pipeline.stages[0].id });
    await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: pipeline.stages[1].id });
    const response = await tenant.api.delete(`/v1/deals/${deal.id}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.data, { id: deal.id, deleted: true });
    assertNotFound(await tenant.api.get(`/v1/deals/${deal.id}`), 'GET deleted');
    assertNotFound(await tenant.api.get(`/v1/deals/${deal.id}/history`), 'history of deleted');
    assertNotFound(await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: pipeline.stages[0].id }), 'move deleted');
    assertNotFound(await tenant.api.delete(`/v1/deals/${deal.id}`), 'DELETE twice');
    assert.equal((await tenant.api.delete(`/v1/stages/${pipeline.stages[1].id}`)).status, 200);
    assert.equal((await tenant.api.delete(`/v1/pipelines/${pipeline.id}`)).status, 200);
  });
});

describe('isolation', () => {
  const missing = 'deal_01M807GFFF8MEEXBKKKVK895SP';

  it("answers 404 for another workspace's deal on every operation, as for one that does not exist", async () => {
    const mine = (await defaultPipeline(tenant.api)).stages[1].id;
    for (const id of [theirs.deal.id, missing]) {
      assertNotFound(await tenant.api.get(`/v1/deals/${id}`), `GET ${id}`);
      assertNotFound(await tenant.api.patch(`/v1/deals/${id}`, { name: 'Hijacked' }), `PATCH ${id}`);
      assertNotFound(await tenant.api.patch(`/v1/deals/${id}`, { name: 'Hijacked' }, { 'if-match': '"1"' }), `PATCH If-Match ${id}`);
      assertNotFound(await tenant.api.post(`/v1/deals/${id}/move`, { stage_id: mine }), `move ${id}`);
      assertNotFound(await tenant.api.post(`/v1/deals/${id}/move`, { stage_id: theirs.pipeline.stages[1].id }), `move to their stage ${id}`);
      assertNotFound(await tenant.api.get(`/v1/deals/${id}/history`), `history ${id}`);
      assertNotFound(await tenant.api.delete(`/v1/deals/${id}`), `DELETE ${id}`);
    }
    const foreign = await tenant.api.get(`/v1/deals/${theirs.deal.id}`);
    const absent = await tenant.api.get(`/v1/deals/${missing}`);
    assert.equal(foreign.body.error.message, absent.body.error.message);
    assert.deepEqual(await getDeal(other.api, theirs.deal.id), theirs.deal);
    assert.equal((await history(other.api, theirs.deal.id)).length, 1);
  });

  it("never lists another workspace's deals, whatever the filter", async () => {
    const listed = ids(await walk(tenant.api, '/v1/deals?limit=100'));
    assert.ok(listed.length > 0);
    assert.ok(!listed.includes(theirs.deal.id));
    for (const query of [
      `owner_id=${theirs.user.id}`,
      `company_id=${theirs.company.id}`,
      `contact_id=${theirs.contact.id}`,
      `tag=${theirs.tag.id}`,
      `pipeline_id=${theirs.pipeline.id}`,
      `stage_id=${theirs.pipeline.stages[0].id}`,
      `name=${encodeURIComponent('Their deal')}`,
      `q=${encodeURIComponent('Their deal')}`,
    ]) {
      const response = await tenant.api.get(`/v1/deals?${query}`);
      assert.equal(response.status, 200, `${query}: ${response.text}`);
      assert.deepEqual(response.body.data, [], query);
      assert.equal(response.body.meta.total, 0, query);
    }
  });
});

describe('scopes', () => {
  it('lets a read_only key read deals and history but change nothing', async () => {
    const { api } = await keyFor(server, tenant, { scope: 'read_only' });
    const deal = await createDeal(tenant.api);
    assert.equal((await api.get('/v1/deals')).status, 200);
    assert.equal((await api.get(`/v1/deals/${deal.id}`)).status, 200);
    assert.equal((await api.get(`/v1/deals/${deal.id}/history`)).status, 200);
    assertScopeRefused(await api.post('/v1/deals', { name: 'Nope' }), 'deals:write');
    assertScopeRefused(await api.patch(`/v1/deals/${deal.id}`, { name: 'Nope' }), 'deals:write');
    assertScopeRefused(await api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.won.id }), 'deals:write');
    assertScopeRefused(await api.delete(`/v1/deals/${deal.id}`), 'deals:write');
    assert.deepEqual(await getDeal(tenant.api, deal.id), deal);
  });

  it('lets a deals:read key list deals but not move them', async () => {
    const { api } = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:read'] });
    const deal = await createDeal(tenant.api);
    const listed = await api.get(`/v1/deals?stage_id=${stage.qualification.id}`);
    assert.equal(listed.status, 200, listed.text);
    assert.ok(ids(listed.body.data).includes(deal.id));
    assertScopeRefused(await api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage.won.id }), 'deals:write');
    assertScopeRefused(await api.patch(`/v1/deals/${deal.id}`, { stage_id: stage.won.id }), 'deals:write');
    const after = await getDeal(tenant.api, deal.id);
    assert.equal(after.stage_id, stage.qualification.id);
    assert.equal((await history(tenant.api, deal.id)).length, 1);
    // Other resources stay closed to it.
    assertScopeRefused(await api.get('/v1/contacts'), 'contacts:read');
  });

  it('lets a deals:write key create and move deals, and keeps deals closed to a key without a deals grant', async () => {
    const writer = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:write'] });
    const deal = await writer.api.post('/v1/deals', { name: 'By integration' });
    assert.equal(deal.status, 201, deal.text);
    const moved = await writer.api.post(`/v1/deals/${deal.body.data.id}/move`, { stage_id: stage.won.id });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.data.status, 'won');

    const contactsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write'] });
    assertScopeRefused(await contactsOnly.api.get('/v1/deals'), 'deals:read');
    assertScopeRefused(await contactsOnly.api.get(`/v1/deals/${deal.body.data.id}/history`), 'deals:read');
    assertScopeRefused(await contactsOnly.api.post('/v1/deals', { name: 'Nope' }), 'deals:write');
  });
});
