/** Reports: scopes, tenant isolation, parameter errors (never a 500) and the OpenAPI document. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { assertInvalid, assertScopeRefused, assertUnprocessable } from './helpers/assertions.js';
import { createTenant, createUser, keyFor, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

const REPORTS = ['pipeline', 'sales', 'conversion', 'forecast'] as const;
// A Wednesday, so "this week" holds everything made here whenever the suite runs.
const clock = { now: () => Date.parse('2026-06-10T12:00:00.000Z') };

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
let rep: { id: string };
let pipelineId: string;

before(async () => {
  server = await startServer({}, { clock });
  tenant = await createTenant(server);
  other = await createTenant(server);
  rep = await createUser(tenant.api, { name: 'Rita Rep' });
  pipelineId = (await tenant.api.get('/v1/pipelines')).body.data[0].id;
  const created = await tenant.api.post('/v1/deals', { name: 'Big one', owner_id: rep.id, value: { amount: 250_000, currency: 'USD' }, expected_close_date: '2030-01-15' });
  assert.equal(created.status, 201, created.text);
  assert.equal((await tenant.api.post('/v1/activities', { type: 'call', logged_by: rep.id })).status, 201);
  const task = await tenant.api.post('/v1/tasks', { title: 'Call back', assignee_id: rep.id });
  assert.equal((await tenant.api.post(`/v1/tasks/${task.body.data.id}/complete`)).status, 200);
});
after(() => server.close());

describe('report scopes', () => {
  it('needs deals:read', async () => {
    assert.equal((await server.anonymous.get('/v1/reports/pipeline')).status, 401);
    const { api } = await keyFor(server, tenant, { scope: 'custom', grants: ['activities:read', 'tasks:read', 'users:read', 'pipelines:read'] });
    for (const report of REPORTS) assertScopeRefused(await api.get(`/v1/reports/${report}`), 'deals:read');
  });

  it('shows stage and owner names, activities and tasks only to keys that may read them', async () => {
    const { api: dealsOnly } = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:read'] });
    const pipeline = (await dealsOnly.get('/v1/reports/pipeline?group_by=stage,owner')).body.data;
    assert.equal(pipeline.pipeline.name, null);
    assert.deepEqual(pipeline.rows.map((r: any) => [r.stage_name, r.owner_id, r.owner_name, r.open_deals]), [[null, rep.id, null, 1]]);
    const sales = (await dealsOnly.get('/v1/reports/sales?period=this_week')).body.data;
    const row = sales.rows.find((r: any) => r.owner_id === rep.id);
    assert.deepEqual([row.deals_created, row.activities, row.tasks_completed, row.owner_name], [1, null, null, null]);

    for (const scope of [{ scope: 'read_only' }, { scope: 'custom', grants: ['deals:read', 'activities:read', 'tasks:read', 'users:read', 'pipelines:read'] }]) {
      const { api } = await keyFor(server, tenant, scope);
      const full = (await api.get('/v1/reports/sales?period=this_week')).body.data;
      const repRow = full.rows.find((r: any) => r.owner_id === rep.id);
      assert.deepEqual([repRow.owner_name, repRow.activities.call, repRow.tasks_completed, full.pipeline.name], ['Rita Rep', 1, 1, 'Sales'], JSON.stringify(scope));
    }
  });
});

describe('report isolation', () => {
  it("shows only the key's workspace, and treats another workspace's pipeline or user as unknown", async () => {
    const mine = (await tenant.api.get('/v1/reports/pipeline')).body.data;
    assert.equal(mine.totals.open_deals, 1);
    const theirs = (await other.api.get('/v1/reports/pipeline')).body.data;
    assert.equal(theirs.totals.open_deals, 0);
    assert.deepEqual((await other.api.get('/v1/reports/forecast')).body.data.rows, []);
    for (const report of REPORTS) {
      assertUnprocessable(await other.api.get(`/v1/reports/${report}?pipeline_id=${pipelineId}`), 'pipeline_id');
      assertUnprocessable(await other.api.get(`/v1/reports/${report}?owner_id=${rep.id}`), 'owner_id');
    }
  });
});

describe('report parameters', () => {
  it('refuses bad parameters with 400 or 422 in the envelope, also when CSV is asked for', async () => {
    const cases: [string, string][] = [
      ['pipeline?timezone=Mars/Olympus', 'timezone'],
      ['sales?timezone=%2B02:00', 'timezone'],
      ['sales?timezone=', 'timezone'],
      ['sales?from=2026-03-10&to=2026-03-01', 'from'],
      ['sales?from=2026-02-30', 'from'],
      ['sales?from=yesterday', 'from'],
      ['sales?to=2026-03-01', 'from'],
      ['sales?period=last_week&from=2026-03-01', 'period'],
      ['sales?period=yesterday', 'period'],
      ['sales?interval=day', 'interval'],
      ['sales?from=2000-01-01&to=2026-01-01&interval=week', 'interval'],
      ['forecast?interval=week', 'interval'],
      ['pipeline?group_by=stage,stage', 'group_by'],
      ['pipeline?group_by=pipeline', 'group_by'],
      ['pipeline?owner_id=usr_a,,usr_b', 'owner_id'],
      ['pipeline?owner_id=', 'owner_id'],
      ['pipeline?format=xlsx', 'format'],
      ['conversion?group_by=stage', 'group_by'],
      ['forecast?limit=10', 'limit'],
    ];
    for (const [path, field] of cases) {
      for (const headers of [{}, { accept: 'text/csv' }] as Record<string, string>[]) {
        const response = await tenant.api.get(`/v1/reports/${path}`, headers);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/, path);
        if (response.body?.error?.code === 'validation_error' && !response.body.error.details?.[field]) assert.fail(`${path}: details lack ${field}: ${response.text}`);
        assertInvalid(response, field);
      }
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => `usr_${i}`).join(',');
    assertInvalid(await tenant.api.get(`/v1/reports/pipeline?owner_id=${tooMany}`), 'owner_id');
    assertUnprocessable(await tenant.api.get('/v1/reports/sales?pipeline_id=pip_nope'), 'pipeline_id');
    assertUnprocessable(await tenant.api.get(`/v1/reports/sales?owner_id=${rep.id},usr_nope`), 'owner_id');
  });
});

describe('report sums', () => {
  it('do not overflow on the largest amounts a deal may have', async () => {
    const big = await createTenant(server);
    const owner = await createUser(big.api, { name: 'Max Money' });
    // 11 × 9e15 × 100 % = 9.9e18 in hundredths: past 2^63, where SQLite's integer sum() raises an error.
    for (let i = 0; i < 11; i++) {
      const response = await big.api.post('/v1/deals', { name: `Huge ${i}`, owner_id: owner.id, probability: 100, value: { amount: 9_000_000_000_000_000, currency: 'USD' }, expected_close_date: '2026-07-01' });
      assert.equal(response.status, 201, response.text);
    }
    const pipeline = await big.api.get('/v1/reports/pipeline');
    assert.equal(pipeline.status, 200, pipeline.text);
    assert.equal(pipeline.body.data.totals.total_value.USD, 99_000_000_000_000_000);
    assert.equal(pipeline.body.data.totals.weighted_value.USD, 99_000_000_000_000_000);
    for (const report of REPORTS) assert.equal((await big.api.get(`/v1/reports/${report}?period=this_month`)).status, 200, report);
  });
});

describe('reports in the OpenAPI document', () => {
  it('documents the four reports with their parameters, JSON and CSV answers, and stays valid', async () => {
    const document = (await server.anonymous.get('/v1/openapi.json')).body;
    const result = await new Validator().validate(document);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    for (const report of REPORTS) {
      const op = document.paths[`/v1/reports/${report}`]?.get;
      assert.ok(op, `GET /v1/reports/${report}`);
      assert.equal(op.operationId, `reports.${report}`);
      const params = op.parameters.map((p: { name: string }) => p.name);
      for (const name of ['pipeline_id', 'owner_id', 'period', 'from', 'to', 'timezone', 'format']) assert.ok(params.includes(name), `${report} lacks ${name}`);
      assert.ok(op.responses['200'].content['application/json'], `${report}: JSON answer`);
      assert.ok(op.responses['200'].content['text/csv'], `${report}: CSV answer`);
      for (const status of ['400', '401', '403', '422']) assert.ok(op.responses[status], `${report} lacks ${status}`);
    }
  });
});
