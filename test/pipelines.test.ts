/**
 * Pipelines and stages: the default "Sales" pipeline, custom pipelines, the
 * stage rules (positions, reorder, delete with move_deals_to), what a stage
 * change does to the deals in it, isolation, scopes and bad input.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable } from './helpers/assertions.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
});
after(() => server.close());

const STANDARD_STAGES = [
  { name: 'Qualification', probability: 10, type: 'open', position: 0 },
  { name: 'Needs analysis', probability: 25, type: 'open', position: 1 },
  { name: 'Proposal', probability: 50, type: 'open', position: 2 },
  { name: 'Negotiation', probability: 75, type: 'open', position: 3 },
  { name: 'Won', probability: 100, type: 'won', position: 4 },
  { name: 'Lost', probability: 0, type: 'lost', position: 5 },
];

const shape = (stages: any[]) => stages.map((s) => ({ name: s.name, probability: s.probability, type: s.type, position: s.position }));
const names = (stages: { name: string }[]) => stages.map((s) => s.name);

async function defaultPipeline(api: ApiClient): Promise<any> {
  const response = await api.get('/v1/pipelines');
  assert.equal(response.status, 200, response.text);
  const defaults = response.body.data.filter((p: { is_default: boolean }) => p.is_default);
  assert.equal(defaults.length, 1, `exactly one default pipeline: ${response.text}`);
  return defaults[0];
}

async function getPipeline(api: ApiClient, id: string): Promise<any> {
  const response = await api.get(`/v1/pipelines/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function createPipeline(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/pipelines', { name: unique('Pipeline '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

/** A pipeline with three open stages A (20%), B (40%), C (60%). */
function threeStages(api: ApiClient): Promise<any> {
  return createPipeline(api, {
    stages: [
      { name: 'A', probability: 20 },
      { name: 'B', probability: 40 },
      { name: 'C', probability: 60 },
    ],
  });
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

describe('the default pipeline', () => {
  it('gives a new workspace one default "Sales" pipeline with the six standard stages in order', async () => {
    const fresh = await createTenant(server);
    const list = await fresh.api.get('/v1/pipelines');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.meta.total, 1);
    const [pipeline] = list.body.data;
    assert.match(pipeline.id, /^pip_/);
    assert.equal(pipeline.name, 'Sales');
    assert.equal(pipeline.is_default, true);
    assert.equal(pipeline.version, 1);
    assert.deepEqual(shape(pipeline.stages), STANDARD_STAGES);
    for (const stage of pipeline.stages) {
      assert.match(stage.id, /^stg_/);
      assert.equal(stage.pipeline_id, pipeline.id);
    }
    // The single pipeline and each stage read the same on their own.
    const fetched = await fresh.api.get(`/v1/pipelines/${pipeline.id}`);
    assert.deepEqual(fetched.body.data, pipeline);
    assert.equal(fetched.headers.get('etag'), '"1"');
    const stage = await fresh.api.get(`/v1/stages/${pipeline.stages[4].id}`);
    assert.equal(stage.status, 200, stage.text);
    assert.deepEqual(stage.body.data, pipeline.stages[4]);
  });

  it('refuses to delete the default pipeline with 422 and keeps it', async () => {
    const pipeline = await defaultPipeline(tenant.api);
    assertUnprocessable(await tenant.api.delete(`/v1/pipelines/${pipeline.id}`));
    const still = await getPipeline(tenant.api, pipeline.id);
    assert.equal(still.is_default, true);
    assert.equal(still.stages.length, 6);
  });

  it('hands the default role over: new deals without a pipeline follow it, and only one pipeline is default at a time', async () => {
    const t = await createTenant(server);
    const sales = await defaultPipeline(t.api);
    const renewals = await createPipeline(t.api, { name: 'Renewals', is_default: true, stages: [{ name: 'Due', probability: 30 }] });
    assert.equal(renewals.is_default, true);
    assert.equal((await getPipeline(t.api, sales.id)).is_default, false);
    assert.equal((await defaultPipeline(t.api)).id, renewals.id);

    const deal = await createDeal(t.api);
    assert.equal(deal.pipeline_id, renewals.id);
    assert.equal(deal.stage_id, renewals.stages[0].id);

    // Handing it back with PATCH.
    const back = await t.api.patch(`/v1/pipelines/${sales.id}`, { is_default: true });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.data.is_default, true);
    assert.equal((await getPipeline(t.api, renewals.id)).is_default, false);
    assert.equal((await createDeal(t.api)).stage_id, sales.stages[0].id);

    // Un-defaulting a pipeline directly would leave the workspace without one.
    assertInvalid(await t.api.patch(`/v1/pipelines/${sales.id}`, { is_default: false }), 'is_default');
    assert.equal((await defaultPipeline(t.api)).id, sales.id);
  });
});

describe('creating and changing pipelines', () => {
  it('creates a pipeline with the given stages in the given order, open unless typed', async () => {
    const response = await tenant.api.post('/v1/pipelines', {
      name: '  Renewals ',
      stages: [
        { name: 'Due', probability: 30 },
        { name: 'Renewed', probability: 100, type: 'won' },
        { name: 'Churned', probability: 0, type: 'lost' },
      ],
    });
    assert.equal(response.status, 201, response.text);
    const pipeline = response.body.data;
    assert.match(pipeline.id, /^pip_/);
    assert.equal(pipeline.name, 'Renewals');
    assert.equal(pipeline.is_default, false);
    assert.deepEqual(shape(pipeline.stages), [
      { name: 'Due', probability: 30, type: 'open', position: 0 },
      { name: 'Renewed', probability: 100, type: 'won', position: 1 },
      { name: 'Churned', probability: 0, type: 'lost', position: 2 },
    ]);
    assert.deepEqual(await getPipeline(tenant.api, pipeline.id), pipeline);
    // Creating a second pipeline leaves the default where it was.
    assert.notEqual((await defaultPipeline(tenant.api)).id, pipeline.id);
  });

  it('gives a pipeline created without stages its own copy of the standard sales stages', async () => {
    const sales = await defaultPipeline(tenant.api);
    const pipeline = await createPipeline(tenant.api);
    assert.deepEqual(shape(pipeline.stages), STANDARD_STAGES);
    const salesStageIds = new Set(sales.stages.map((s: { id: string }) => s.id));
    for (const stage of pipeline.stages) {
      assert.equal(stage.pipeline_id, pipeline.id);
      assert.ok(!salesStageIds.has(stage.id));
    }
  });

  it('renames a pipeline and moves its version on', async () => {
    const pipeline = await createPipeline(tenant.api);
    const response = await tenant.api.patch(`/v1/pipelines/${pipeline.id}`, { name: 'Enterprise' });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.name, 'Enterprise');
    assert.equal(response.body.data.version, pipeline.version + 1);
    const stale = await tenant.api.patch(`/v1/pipelines/${pipeline.id}`, { name: 'Stale' }, { 'if-match': `"${pipeline.version}"` });
    assert.equal(stale.status, 412, stale.text);
    assert.equal((await getPipeline(tenant.api, pipeline.id)).name, 'Enterprise');
  });

  it('deletes an empty pipeline together with its stages', async () => {
    const pipeline = await threeStages(tenant.api);
    const response = await tenant.api.delete(`/v1/pipelines/${pipeline.id}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.data, { id: pipeline.id, deleted: true });
    assertNotFound(await tenant.api.get(`/v1/pipelines/${pipeline.id}`), 'deleted pipeline');
    assertNotFound(await tenant.api.get(`/v1/stages/${pipeline.stages[0].id}`), 'stage of a deleted pipeline');
  });

  it('refuses to delete a pipeline that holds deals, and deletes it once they are gone', async () => {
    const pipeline = await threeStages(tenant.api);
    const deal = await createDeal(tenant.api, { pipeline_id: pipeline.id });
    const refused = await tenant.api.delete(`/v1/pipelines/${pipeline.id}`);
    assertUnprocessable(refused);
    assert.equal((await getPipeline(tenant.api, pipeline.id)).stages.length, 3);
    assert.equal((await getDeal(tenant.api, deal.id)).stage_id, pipeline.stages[0].id);

    assert.equal((await tenant.api.delete(`/v1/deals/${deal.id}`)).status, 200);
    assert.equal((await tenant.api.delete(`/v1/pipelines/${pipeline.id}`)).status, 200);
  });
});

describe('stages', () => {
  it('adds a stage at a position, shifting the later ones so positions stay 0..n-1', async () => {
    const pipeline = await threeStages(tenant.api);
    const added = await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'X', probability: 30, position: 1 });
    assert.equal(added.status, 201, added.text);
    assert.match(added.body.data.id, /^stg_/);
    assert.equal(added.body.data.pipeline_id, pipeline.id);
    assert.equal(added.body.data.position, 1);
    assert.equal(added.body.data.type, 'open');

    const first = await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Zero', probability: 5, position: 0 });
    assert.equal(first.status, 201, first.text);
    const last = await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'End', probability: 100, type: 'won' });
    assert.equal(last.status, 201, last.text);
    const far = await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Far', probability: 0, type: 'lost', position: 99 });
    assert.equal(far.status, 201, far.text);

    const after = await getPipeline(tenant.api, pipeline.id);
    assert.deepEqual(names(after.stages), ['Zero', 'A', 'X', 'B', 'C', 'End', 'Far']);
    assert.deepEqual(after.stages.map((s: { position: number }) => s.position), [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(after.version > pipeline.version, 'the pipeline presents its stages, so its version moves on');
    // Each stage read alone agrees with its place in the pipeline.
    const b = await tenant.api.get(`/v1/stages/${pipeline.stages[1].id}`);
    assert.equal(b.body.data.position, 3);
  });

  it('applies a new stage probability to its deals that have no probability of their own', async () => {
    const pipeline = await threeStages(tenant.api);
    const stage = pipeline.stages[0];
    const inherits = await createDeal(tenant.api, { stage_id: stage.id });
    const own = await createDeal(tenant.api, { stage_id: stage.id, probability: 90 });
    assert.equal(inherits.probability, 20);

    const response = await tenant.api.patch(`/v1/stages/${stage.id}`, { probability: 35 });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.probability, 35);
    assert.equal(response.body.data.version, stage.version + 1);
    assert.equal((await getDeal(tenant.api, inherits.id)).probability, 35);
    assert.equal((await getDeal(tenant.api, own.id)).probability, 90);
    const listed = await tenant.api.get(`/v1/deals?stage_id=${stage.id}`);
    assert.deepEqual(
      listed.body.data.map((d: { id: string; probability: number }) => [d.id, d.probability]),
      [[inherits.id, 35], [own.id, 90]],
    );
  });

  it('wins the deals in a stage whose type changes from open to won, and reopens them when it changes back', async () => {
    const pipeline = await threeStages(tenant.api);
    const stage = pipeline.stages[2];
    const deal = await createDeal(tenant.api, { stage_id: stage.id });
    assert.equal(deal.status, 'open');
    assert.equal(deal.closed_at, null);

    const won = await tenant.api.patch(`/v1/stages/${stage.id}`, { type: 'won' });
    assert.equal(won.status, 200, won.text);
    assert.equal(won.body.data.type, 'won');
    const closed = await getDeal(tenant.api, deal.id);
    assert.equal(closed.status, 'won');
    assert.match(closed.closed_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(closed.version > deal.version, 'a changed status is a change of the deal');
    assert.deepEqual((await tenant.api.get(`/v1/deals?status=won&stage_id=${stage.id}`)).body.data.map((d: { id: string }) => d.id), [deal.id]);

    assert.equal((await tenant.api.patch(`/v1/stages/${stage.id}`, { type: 'open' })).status, 200);
    const reopened = await getDeal(tenant.api, deal.id);
    assert.equal(reopened.status, 'open');
    assert.equal(reopened.closed_at, null);
  });

  it('renames a stage, and refuses a write with a stale If-Match', async () => {
    const pipeline = await threeStages(tenant.api);
    const stage = pipeline.stages[1];
    const renamed = await tenant.api.patch(`/v1/stages/${stage.id}`, { name: 'Demo' }, { 'if-match': `"${stage.version}"` });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.data.name, 'Demo');
    assert.equal(renamed.headers.get('etag'), `"${stage.version + 1}"`);
    const stale = await tenant.api.patch(`/v1/stages/${stage.id}`, { name: 'Late' }, { 'if-match': `"${stage.version}"` });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'precondition_failed');
    assert.equal((await tenant.api.get(`/v1/stages/${stage.id}`)).body.data.name, 'Demo');
  });

  it('reorders the stages when every stage is named exactly once', async () => {
    const pipeline = await threeStages(tenant.api);
    const [a, b, c] = pipeline.stages;
    const response = await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages/reorder`, { stage_ids: [c.id, a.id, b.id] });
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(names(response.body.data.stages), ['C', 'A', 'B']);
    assert.deepEqual(response.body.data.stages.map((s: { position: number }) => s.position), [0, 1, 2]);
    assert.deepEqual(names((await getPipeline(tenant.api, pipeline.id)).stages), ['C', 'A', 'B']);
    assert.equal((await tenant.api.get(`/v1/stages/${c.id}`)).body.data.position, 0);
    // A deal created with only the pipeline goes to its (new) first stage.
    assert.equal((await createDeal(tenant.api, { pipeline_id: pipeline.id })).stage_id, c.id);
  });

  it('refuses a reorder that leaves out, repeats or adds a stage, and keeps the order', async () => {
    const pipeline = await threeStages(tenant.api);
    const [a, b, c] = pipeline.stages.map((s: { id: string }) => s.id);
    const elsewhere = (await defaultPipeline(tenant.api)).stages[0].id;
    for (const stage_ids of [[c, a], [c, a, a], [c, a, b, elsewhere], [c, a, elsewhere], [c, a, 'stg_01M807GFFF8MEEXBKKKVK895SP'], []]) {
      const response = await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages/reorder`, { stage_ids });
      assertInvalid(response, 'stage_ids');
    }
    const unchanged = await getPipeline(tenant.api, pipeline.id);
    assert.deepEqual(names(unchanged.stages), ['A', 'B', 'C']);
    assert.equal(unchanged.version, pipeline.version);
  });

  it('deletes an empty stage without move_deals_to and renumbers the rest', async () => {
    const pipeline = await threeStages(tenant.api);
    const response = await tenant.api.delete(`/v1/stages/${pipeline.stages[0].id}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.data, { id: pipeline.stages[0].id, deleted: true });
    assertNotFound(await tenant.api.get(`/v1/stages/${pipeline.stages[0].id}`), 'deleted stage');
    const after = await getPipeline(tenant.api, pipeline.id);
    assert.deepEqual(shape(after.stages), [
      { name: 'B', probability: 40, type: 'open', position: 0 },
      { name: 'C', probability: 60, type: 'open', position: 1 },
    ]);
  });

  it('refuses to delete a stage that holds deals without move_deals_to', async () => {
    const pipeline = await threeStages(tenant.api);
    const deal = await createDeal(tenant.api, { stage_id: pipeline.stages[1].id });
    const response = await tenant.api.delete(`/v1/stages/${pipeline.stages[1].id}`);
    assertUnprocessable(response, 'move_deals_to');
    assert.equal((await tenant.api.get(`/v1/stages/${pipeline.stages[1].id}`)).status, 200);
    const still = await getDeal(tenant.api, deal.id);
    assert.equal(still.stage_id, pipeline.stages[1].id);
    assert.equal(still.version, deal.version);
  });

  it('deletes a stage with move_deals_to: its deals move there, closing if it is a won stage, each with a history row', async () => {
    const pipeline = await createPipeline(tenant.api, {
      stages: [
        { name: 'Open', probability: 50 },
        { name: 'Signed', probability: 100, type: 'won' },
      ],
    });
    const [open, signed] = pipeline.stages;
    const first = await createDeal(tenant.api, { stage_id: open.id });
    const second = await createDeal(tenant.api, { stage_id: open.id, value: { amount: 5000, currency: 'EUR' } });

    const response = await tenant.api.delete(`/v1/stages/${open.id}?move_deals_to=${signed.id}`);
    assert.equal(response.status, 200, response.text);
    assertNotFound(await tenant.api.get(`/v1/stages/${open.id}`), 'deleted stage');
    const after = await getPipeline(tenant.api, pipeline.id);
    assert.deepEqual(shape(after.stages), [{ name: 'Signed', probability: 100, type: 'won', position: 0 }]);

    for (const deal of [first, second]) {
      const moved = await getDeal(tenant.api, deal.id);
      assert.equal(moved.stage_id, signed.id);
      assert.equal(moved.status, 'won');
      assert.notEqual(moved.closed_at, null);
      assert.equal(moved.probability, 100);
      assert.equal(moved.version, deal.version + 1);
      const history = await tenant.api.get(`/v1/deals/${deal.id}/history`);
      assert.equal(history.status, 200, history.text);
      assert.deepEqual(
        history.body.data.map((h: { from_stage_id: string | null; to_stage_id: string }) => [h.from_stage_id, h.to_stage_id]),
        [[null, open.id], [open.id, signed.id]],
      );
      assert.equal(history.body.data[1].changed_by, tenant.ownerId);
    }
  });

  it('accepts only another stage of the same pipeline as move_deals_to', async () => {
    const pipeline = await threeStages(tenant.api);
    const source = pipeline.stages[0];
    const deal = await createDeal(tenant.api, { stage_id: source.id });
    const elsewhere = (await defaultPipeline(tenant.api)).stages[1].id;
    for (const target of [elsewhere, source.id, 'stg_01M807GFFF8MEEXBKKKVK895SP']) {
      assertUnprocessable(await tenant.api.delete(`/v1/stages/${source.id}?move_deals_to=${target}`), 'move_deals_to');
    }
    assert.equal((await getDeal(tenant.api, deal.id)).stage_id, source.id);
    assert.deepEqual(names((await getPipeline(tenant.api, pipeline.id)).stages), ['A', 'B', 'C']);
  });

  it('refuses to delete the last stage of a pipeline', async () => {
    const pipeline = await createPipeline(tenant.api, { stages: [{ name: 'Only', probability: 50 }] });
    assertUnprocessable(await tenant.api.delete(`/v1/stages/${pipeline.stages[0].id}`));
    assert.equal((await getPipeline(tenant.api, pipeline.id)).stages.length, 1);
    // A deal can still be created in it.
    assert.equal((await createDeal(tenant.api, { pipeline_id: pipeline.id })).stage_id, pipeline.stages[0].id);
  });
});

describe('isolation', () => {
  const missingPipeline = 'pip_01M807GFFF8MEEXBKKKVK895SP';
  const missingStage = 'stg_01M807GFFF8MEEXBKKKVK895SP';

  it("answers 404 for another workspace's pipeline, as for one that does not exist", async () => {
    const theirs = await defaultPipeline(other.api);
    for (const id of [theirs.id, missingPipeline]) {
      assertNotFound(await tenant.api.get(`/v1/pipelines/${id}`), `GET ${id}`);
      assertNotFound(await tenant.api.patch(`/v1/pipelines/${id}`, { name: 'Hijacked' }), `PATCH ${id}`);
      assertNotFound(await tenant.api.patch(`/v1/pipelines/${id}`, { is_default: true }), `PATCH is_default ${id}`);
      assertNotFound(await tenant.api.delete(`/v1/pipelines/${id}`), `DELETE ${id}`);
      assertNotFound(await tenant.api.post(`/v1/pipelines/${id}/stages`, { name: 'Injected', probability: 1 }), `POST stage ${id}`);
      assertNotFound(await tenant.api.post(`/v1/pipelines/${id}/stages/reorder`, { stage_ids: theirs.stages.map((s: { id: string }) => s.id).reverse() }), `reorder ${id}`);
    }
    const listed = await tenant.api.get('/v1/pipelines?limit=100');
    assert.ok(!listed.body.data.some((p: { id: string }) => p.id === theirs.id));
    assert.deepEqual(await getPipeline(other.api, theirs.id), theirs);
    // Their default is still theirs: ours was not changed either.
    assert.notEqual((await defaultPipeline(tenant.api)).id, theirs.id);
  });

  it("answers 404 for another workspace's stage, as for one that does not exist", async () => {
    const theirs = await defaultPipeline(other.api);
    const stage = theirs.stages[0];
    for (const id of [stage.id, missingStage]) {
      assertNotFound(await tenant.api.get(`/v1/stages/${id}`), `GET ${id}`);
      assertNotFound(await tenant.api.patch(`/v1/stages/${id}`, { name: 'Hijacked', type: 'won' }), `PATCH ${id}`);
      assertNotFound(await tenant.api.delete(`/v1/stages/${id}`), `DELETE ${id}`);
    }
    assert.deepEqual(await getPipeline(other.api, theirs.id), theirs);
  });

  it("refuses to place a deal in another workspace's pipeline or stage", async () => {
    const theirs = await defaultPipeline(other.api);
    const ours = await defaultPipeline(tenant.api);
    assertUnprocessable(await tenant.api.post('/v1/deals', { name: 'Cross', stage_id: theirs.stages[1].id }), 'stage_id');
    assertUnprocessable(await tenant.api.post('/v1/deals', { name: 'Cross', pipeline_id: theirs.id }), 'pipeline_id');
    assertUnprocessable(await tenant.api.post('/v1/deals', { name: 'Cross', pipeline_id: theirs.id, stage_id: theirs.stages[1].id }));

    const deal = await createDeal(tenant.api, { stage_id: ours.stages[0].id });
    assertUnprocessable(await tenant.api.patch(`/v1/deals/${deal.id}`, { stage_id: theirs.stages[1].id }), 'stage_id');
    assertUnprocessable(await tenant.api.patch(`/v1/deals/${deal.id}`, { pipeline_id: theirs.id, stage_id: theirs.stages[1].id }));
    assertUnprocessable(await tenant.api.patch(`/v1/deals/${deal.id}`, { pipeline_id: theirs.id }));
    assertUnprocessable(await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: theirs.stages[1].id }), 'stage_id');
    const still = await getDeal(tenant.api, deal.id);
    assert.equal(still.pipeline_id, ours.id);
    assert.equal(still.stage_id, ours.stages[0].id);
    assert.equal(still.version, deal.version);

    // Nothing landed on their side, and their pipeline cannot be deleted from here nor counts our deals.
    assert.equal((await other.api.get('/v1/deals')).body.meta.total, 0);
    assertUnprocessable(await tenant.api.delete(`/v1/stages/${ours.stages[0].id}?move_deals_to=${theirs.stages[0].id}`), 'move_deals_to');
    assert.equal((await getDeal(tenant.api, deal.id)).stage_id, ours.stages[0].id);
  });
});

describe('scopes', () => {
  it('lets a read_only key read pipelines and stages but change nothing', async () => {
    const { api } = await keyFor(server, tenant, { scope: 'read_only' });
    const pipeline = await threeStages(tenant.api);
    assert.equal((await api.get('/v1/pipelines')).status, 200);
    assert.equal((await api.get(`/v1/pipelines/${pipeline.id}`)).status, 200);
    assert.equal((await api.get(`/v1/stages/${pipeline.stages[0].id}`)).status, 200);

    assertScopeRefused(await api.post('/v1/pipelines', { name: 'Nope' }), 'pipelines:write');
    assertScopeRefused(await api.patch(`/v1/pipelines/${pipeline.id}`, { name: 'Nope' }), 'pipelines:write');
    assertScopeRefused(await api.delete(`/v1/pipelines/${pipeline.id}`), 'pipelines:write');
    assertScopeRefused(await api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Nope', probability: 1 }), 'pipelines:write');
    assertScopeRefused(await api.patch(`/v1/stages/${pipeline.stages[0].id}`, { probability: 1 }), 'pipelines:write');
    assertScopeRefused(await api.post(`/v1/pipelines/${pipeline.id}/stages/reorder`, { stage_ids: pipeline.stages.map((s: { id: string }) => s.id).reverse() }), 'pipelines:write');
    assertScopeRefused(await api.delete(`/v1/stages/${pipeline.stages[0].id}`), 'pipelines:write');
    assert.deepEqual(await getPipeline(tenant.api, pipeline.id), pipeline);
  });

  it('keeps pipelines closed to a custom key without a pipelines grant, and read-only with pipelines:read', async () => {
    const pipeline = await threeStages(tenant.api);
    const dealsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:read'] });
    assertScopeRefused(await dealsOnly.api.get('/v1/pipelines'), 'pipelines:read');
    assertScopeRefused(await dealsOnly.api.get(`/v1/stages/${pipeline.stages[0].id}`), 'pipelines:read');

    const reader = await keyFor(server, tenant, { scope: 'custom', grants: ['pipelines:read'] });
    assert.equal((await reader.api.get(`/v1/pipelines/${pipeline.id}`)).status, 200);
    assertScopeRefused(await reader.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Nope', probability: 1 }), 'pipelines:write');

    const writer = await keyFor(server, tenant, { scope: 'custom', grants: ['pipelines:write'] });
    assert.equal((await writer.api.get(`/v1/pipelines/${pipeline.id}`)).status, 200, 'write includes read');
    const added = await writer.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Added', probability: 1 });
    assert.equal(added.status, 201, added.text);
  });
});

describe('bad input', () => {
  it('refuses a probability outside 0..100 or not an integer', async () => {
    const pipeline = await threeStages(tenant.api);
    for (const probability of [101, -1, 12.5, '50']) {
      assertInvalid(await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Bad', probability }), 'probability');
      assertInvalid(await tenant.api.patch(`/v1/stages/${pipeline.stages[0].id}`, { probability }), 'probability');
    }
    assert.equal((await tenant.api.post('/v1/pipelines', { name: 'Bad', stages: [{ name: 'S', probability: 101 }] })).status, 400);
    const unchanged = await getPipeline(tenant.api, pipeline.id);
    assert.deepEqual(shape(unchanged.stages), shape(pipeline.stages));
  });

  it("refuses a stage type other than open, won or lost", async () => {
    const pipeline = await threeStages(tenant.api);
    assertInvalid(await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Bad', probability: 5, type: 'maybe' }), 'type');
    assertInvalid(await tenant.api.patch(`/v1/stages/${pipeline.stages[0].id}`, { type: 'maybe' }), 'type');
    assert.equal((await tenant.api.post('/v1/pipelines', { name: 'Bad', stages: [{ name: 'S', probability: 5, type: 'maybe' }] })).status, 400);
    assert.equal((await tenant.api.get(`/v1/stages/${pipeline.stages[0].id}`)).body.data.type, 'open');
  });

  it('refuses unknown fields, naming them', async () => {
    const pipeline = await threeStages(tenant.api);
    assertInvalid(await tenant.api.post('/v1/pipelines', { name: 'Bad', colour: 'blue' }), 'colour');
    assertInvalid(await tenant.api.patch(`/v1/pipelines/${pipeline.id}`, { stages: [] }), 'stages');
    assertInvalid(await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Bad', probability: 5, pipeline_id: pipeline.id }), 'pipeline_id');
    assertInvalid(await tenant.api.patch(`/v1/stages/${pipeline.stages[0].id}`, { position: 2 }), 'position');
    assertInvalid(await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages/reorder`, { stage_ids: [], force: true }), 'force');
  });

  it('needs a name for pipelines and stages, and at least one stage when stages are given', async () => {
    const pipeline = await threeStages(tenant.api);
    assertInvalid(await tenant.api.post('/v1/pipelines', {}), 'name');
    assertInvalid(await tenant.api.post('/v1/pipelines', { name: '   ' }), 'name');
    assertInvalid(await tenant.api.post('/v1/pipelines', { name: 'Empty', stages: [] }), 'stages');
    assertInvalid(await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { probability: 5 }), 'name');
    assertInvalid(await tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'No probability' }), 'probability');
    assertInvalid(await tenant.api.patch(`/v1/stages/${pipeline.stages[0].id}`, { name: '' }), 'name');
    const list = await tenant.api.get('/v1/pipelines?name=Empty');
    assert.equal(list.body.meta.total, 0);
  });
});
