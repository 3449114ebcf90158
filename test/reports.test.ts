/**
 * Reports over a known data set, built through the API with a settable clock
 * (the server stamps created_at, closed_at and the stage history with it):
 * two owners, three weeks of deals won and lost, a deal in another pipeline,
 * two currencies, activities and tasks, and events on the week edge of
 * America/New_York (Sunday 23:30 there is Monday in UTC). Every figure below
 * is computed by hand from the timeline in `before`.
 *
 * March 2026: Mondays are the 2nd, 9th, 16th and 23rd; New York moves to
 * daylight saving time (UTC-4) on Sunday 8 March.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createTenant, createUser, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let now = Date.parse('2026-03-01T12:00:00.000Z');
const clock = { now: () => now };
const at = (iso: string) => {
  now = Date.parse(iso);
};

let server: TestServer;
let tenant: Tenant;
let api: ApiClient;
let ana: { id: string };
let ben: { id: string };
let stage: Record<'Q' | 'NA' | 'P' | 'NEG' | 'WON' | 'LOST', string>;
let otherPipeline: { id: string; stages: { id: string; type: string }[] };
const deal: Record<string, string> = {};

async function create(name: string, when: string, body: Record<string, unknown>): Promise<void> {
  at(when);
  const response = await api.post('/v1/deals', { name, ...body });
  assert.equal(response.status, 201, response.text);
  deal[name] = response.body.data.id;
}

async function move(name: string, when: string, stageId: string, lostReason?: string): Promise<void> {
  at(when);
  const response = await api.post(`/v1/deals/${deal[name]}/move`, { stage_id: stageId, ...(lostReason !== undefined && { lost_reason: lostReason }) });
  assert.equal(response.status, 200, response.text);
}

async function activity(body: Record<string, unknown>): Promise<void> {
  const response = await api.post('/v1/activities', body);
  assert.equal(response.status, 201, response.text);
}

async function report(path: string): Promise<any> {
  const response = await api.get(path);
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.success, true);
  return response.body.data;
}

const usd = (amount: number) => ({ USD: amount });
const eur = (amount: number) => ({ EUR: amount });

before(async () => {
  server = await startServer({}, { clock });
  tenant = await createTenant(server);
  api = tenant.api;
  ana = await createUser(api, { name: 'Ana Alvarez' });
  ben = await createUser(api, { name: 'Ben Brooks' });
  const pipelines = (await api.get('/v1/pipelines')).body.data;
  const sales = pipelines.find((p: any) => p.is_default);
  const [Q, NA, P, NEG, WON, LOST] = sales.stages.map((s: any) => s.id);
  stage = { Q, NA, P, NEG, WON, LOST };
  const second = await api.post('/v1/pipelines', { name: 'Partners' });
  assert.equal(second.status, 201, second.text);
  otherPipeline = second.body.data;

  // Week 1 (UTC Mon 2 – Sun 8 March)
  await create('D1', '2026-03-02T10:00:00.000Z', { owner_id: ana.id, value: { amount: 1_000_000, currency: 'USD' } });
  await create('D2', '2026-03-02T11:00:00.000Z', { owner_id: ben.id, value: { amount: 500_000, currency: 'EUR' }, probability: 40 });
  await create('D3', '2026-03-03T10:00:00.000Z', { owner_id: ana.id, value: { amount: 200_000, currency: 'USD' }, stage_id: stage.NA });
  await move('D1', '2026-03-04T10:00:00.000Z', stage.NA);
  await create('D4', '2026-03-05T10:00:00.000Z', { owner_id: ben.id, value: { amount: 300_000, currency: 'USD' }, stage_id: stage.P });
  at('2026-03-05T14:00:00.000Z');
  const benTask = await api.post('/v1/tasks', { title: 'Send the proposal', assignee_id: ben.id });
  assert.equal(benTask.status, 201, benTask.text);
  at('2026-03-05T15:00:00.000Z');
  assert.equal((await api.post(`/v1/tasks/${benTask.body.data.id}/complete`)).status, 200);
  await move('D3', '2026-03-06T10:00:00.000Z', stage.LOST, 'Price');
  // Activities carry their own occurred_at; logged_by defaults to the key's user (the workspace owner).
  at('2026-03-06T11:00:00.000Z');
  await activity({ type: 'call', occurred_at: '2026-02-27T12:00:00.000Z', logged_by: ana.id }); // before every period below
  await activity({ type: 'call', occurred_at: '2026-03-03T12:00:00.000Z', logged_by: ana.id });
  await activity({ type: 'call', occurred_at: '2026-03-04T12:00:00.000Z', logged_by: ana.id });
  await activity({ type: 'call', occurred_at: '2026-03-05T10:00:00.000Z' });
  // Sunday 8 March 23:00 in New York (after the switch to UTC-4) is Monday 9 March 03:00 UTC.
  await activity({ type: 'call', occurred_at: '2026-03-09T03:00:00.000Z', logged_by: ben.id });
  await activity({ type: 'email', occurred_at: '2026-03-10T09:00:00.000Z', logged_by: ana.id });
  await activity({ type: 'meeting', occurred_at: '2026-03-15T23:00:00.000Z', logged_by: ana.id });
  await activity({ type: 'note', occurred_at: '2026-03-17T10:00:00.000Z', logged_by: ben.id });

  // Week 2 (UTC Mon 9 – Sun 15 March)
  await create('D5', '2026-03-09T10:00:00.000Z', { owner_id: ana.id, value: { amount: 800_000, currency: 'USD' }, stage_id: stage.P });
  await move('D2', '2026-03-10T10:00:00.000Z', stage.P);
  await move('D1', '2026-03-11T10:00:00.000Z', stage.WON);
  await create('D6', '2026-03-12T10:00:00.000Z', { value: { amount: 100_005, currency: 'USD' } });
  await move('D4', '2026-03-13T10:00:00.000Z', stage.LOST, 'Timing');
  await move('D6', '2026-03-13T12:00:00.000Z', stage.NA);
  await move('D6', '2026-03-14T12:00:00.000Z', stage.Q);
  at('2026-03-15T20:00:00.000Z');
  const anaTask = await api.post('/v1/tasks', { title: 'Prepare the demo', assignee_id: ana.id });
  assert.equal(anaTask.status, 201, anaTask.text);
  const openTask = await api.post('/v1/tasks', { title: 'Never done', assignee_id: ana.id });
  assert.equal(openTask.status, 201, openTask.text);
  // Sunday 15 March 23:00 in New York: Monday 16 March 03:00 UTC.
  at('2026-03-16T03:00:00.000Z');
  assert.equal((await api.post(`/v1/tasks/${anaTask.body.data.id}/complete`)).status, 200);
  // Won on Sunday 15 March 23:30 in New York: Monday 16 March 03:30 UTC.
  await move('D5', '2026-03-16T03:30:00.000Z', stage.WON);

  // Week 3 (UTC Mon 16 – Sun 22 March)
  await create('D7', '2026-03-17T10:00:00.000Z', { owner_id: ben.id, value: { amount: 400_000, currency: 'EUR' }, stage_id: stage.NEG, expected_close_date: '2026-04-05' });
  await move('D2', '2026-03-18T10:00:00.000Z', stage.LOST, 'Price');
  await create('D12', '2026-03-18T12:00:00.000Z', { owner_id: ben.id, value: { amount: 70_000, currency: 'USD' } });
  await move('D12', '2026-03-18T13:00:00.000Z', stage.LOST, 'Timing');
  await create('D13', '2026-03-18T14:00:00.000Z', { owner_id: ben.id });
  await move('D13', '2026-03-18T15:00:00.000Z', stage.LOST, 'Price');
  await create('D9', '2026-03-19T10:00:00.000Z', { owner_id: ana.id, value: { amount: 600_000, currency: 'USD' }, stage_id: stage.P, probability: 20, expected_close_date: '2026-04-30' });
  await create('D10', '2026-03-19T11:00:00.000Z', { owner_id: ana.id, value: { amount: 50_000, currency: 'EUR' }, stage_id: stage.P, expected_close_date: '2026-05-10' });
  await create('D11', '2026-03-19T12:00:00.000Z', { owner_id: ben.id, expected_close_date: '2026-04-02' });
  await create('D14', '2026-03-19T13:00:00.000Z', { owner_id: ana.id, value: { amount: 10_000, currency: 'USD' } });
  await move('D14', '2026-03-19T14:00:00.000Z', stage.LOST);
  // Another pipeline's deals count in none of the default pipeline's reports.
  await create('D8', '2026-03-19T15:00:00.000Z', { owner_id: ana.id, value: { amount: 999_000, currency: 'USD' }, pipeline_id: otherPipeline.id, expected_close_date: '2026-04-10' });
  await create('D15', '2026-03-19T16:00:00.000Z', { owner_id: ana.id, value: { amount: 5_000, currency: 'USD' }, pipeline_id: otherPipeline.id });
  await move('D15', '2026-03-19T17:00:00.000Z', otherPipeline.stages.find((s) => s.type === 'lost')?.id as string, '=HYPERLINK("http://evil")');

  // Reports are read on Friday 20 March, 12:00 UTC.
  at('2026-03-20T12:00:00.000Z');
});
after(() => server.close());

/** A report row as [group…, count, total, weighted, age]. */
const pipelineRow = (r: any) => [r.stage_id, r.owner_id, r.open_deals, r.total_value, r.weighted_value, r.average_age_days];

describe('GET /v1/reports/pipeline', () => {
  it('groups open deals by stage, in stage order, with value per currency, weighted value and age, and a totals row', async () => {
    const data = await report('/v1/reports/pipeline');
    assert.deepEqual(data.group_by, ['stage']);
    assert.equal(data.pipeline.name, 'Sales');
    assert.equal(data.period, null);
    assert.equal(data.generated_at, '2026-03-20T12:00:00.000Z');
    // Qualification: D6 (100,005 USD at the stage's 10 %, 8 d 2 h old) and D11 (no value, 1 d old).
    // Proposal: D9 (600,000 USD at its own 20 %, 26 h) and D10 (50,000 EUR at the stage's 50 %, 25 h): age 25.5 h = 1.0625 d.
    // Negotiation: D7 (400,000 EUR at 75 %, 3 d 2 h).
    assert.deepEqual(
      data.rows.map((r: any) => [r.stage_name, r.open_deals, r.total_value, r.weighted_value, r.average_age_days]),
      [
        ['Qualification', 2, usd(100_005), usd(10_001), 4.5],
        ['Needs analysis', 0, {}, {}, null],
        ['Proposal', 2, { EUR: 50_000, USD: 600_000 }, { EUR: 25_000, USD: 120_000 }, 1.1],
        ['Negotiation', 1, eur(400_000), eur(300_000), 3.1],
      ],
    );
    assert.deepEqual(data.rows.map((r: any) => r.stage_id), [stage.Q, stage.NA, stage.P, stage.NEG]);
    // 194 h + 24 h + 26 h + 25 h + 74 h = 343 h over 5 deals = 2.858 d. Weighted USD: (10,000.5 + 120,000) rounded once.
    assert.deepEqual(data.totals, { open_deals: 5, total_value: { EUR: 450_000, USD: 700_005 }, weighted_value: { EUR: 325_000, USD: 130_001 }, average_age_days: 2.9 });
  });

  it('groups by owner (by name, deals without an owner last) and by stage and owner', async () => {
    const byOwner = await report('/v1/reports/pipeline?group_by=owner');
    assert.deepEqual(
      byOwner.rows.map((r: any) => [r.owner_name, ...pipelineRow(r).slice(1)]),
      [
        ['Ana Alvarez', ana.id, 2, { EUR: 50_000, USD: 600_000 }, { EUR: 25_000, USD: 120_000 }, 1.1],
        ['Ben Brooks', ben.id, 2, eur(400_000), eur(300_000), 2.0],
        [null, null, 1, usd(100_005), usd(10_001), 8.1],
      ],
    );
    assert.ok(!('stage_id' in byOwner.rows[0]), 'no stage columns when grouped by owner');
    const both = await report('/v1/reports/pipeline?group_by=stage,owner');
    assert.deepEqual(both.group_by, ['stage', 'owner']);
    assert.deepEqual(both.rows.map(pipelineRow), [
      [stage.Q, ben.id, 1, {}, {}, 1.0],
      [stage.Q, null, 1, usd(100_005), usd(10_001), 8.1],
      [stage.P, ana.id, 2, { EUR: 50_000, USD: 600_000 }, { EUR: 25_000, USD: 120_000 }, 1.1],
      [stage.NEG, ben.id, 1, eur(400_000), eur(300_000), 3.1],
    ]);
    assert.equal(both.totals.open_deals, 5);
  });

  it('takes owners (comma-separated, repeated or owner_id[in]) and a period of creation', async () => {
    for (const query of [`owner_id=${ana.id},${ben.id}`, `owner_id=${ana.id}&owner_id=${ben.id}`, `owner_id[in]=${ana.id},${ben.id}`]) {
      const data = await report(`/v1/reports/pipeline?${query}`);
      assert.deepEqual(data.owner_ids, [ana.id, ben.id], query);
      assert.deepEqual(data.totals, { open_deals: 4, total_value: { EUR: 450_000, USD: 600_000 }, weighted_value: { EUR: 325_000, USD: 120_000 }, average_age_days: 1.6 }, query);
    }
    // Created on 19 March (UTC): D9, D10, D11.
    const created = await report('/v1/reports/pipeline?from=2026-03-19&to=2026-03-19');
    assert.deepEqual(created.period, { from: '2026-03-19', to: '2026-03-19', timezone: 'UTC', start: '2026-03-19T00:00:00.000Z', end: '2026-03-20T00:00:00.000Z' });
    assert.equal(created.totals.open_deals, 3);
    // The other pipeline holds one open deal, D8.
    const other = await report(`/v1/reports/pipeline?pipeline_id=${otherPipeline.id}`);
    assert.deepEqual(other.totals, { open_deals: 1, total_value: usd(999_000), weighted_value: usd(99_900), average_age_days: 0.9 });
  });

  it('answers the same table as CSV for format=csv or Accept: text/csv', async () => {
    const expected = [
      'row_type,stage_id,stage_name,owner_id,owner_name,open_deals,total_value.EUR,total_value.USD,weighted_value.EUR,weighted_value.USD,average_age_days',
      `group,${stage.Q},Qualification,${ben.id},Ben Brooks,1,0,0,0,0,1`,
      `group,${stage.Q},Qualification,,,1,0,100005,0,10001,8.1`,
      `group,${stage.P},Proposal,${ana.id},Ana Alvarez,2,50000,600000,25000,120000,1.1`,
      `group,${stage.NEG},Negotiation,${ben.id},Ben Brooks,1,400000,0,300000,0,3.1`,
      'total,,,,,5,450000,700005,325000,130001,2.9',
      '',
    ].join('\r\n');
    for (const [path, headers] of [
      ['/v1/reports/pipeline?group_by=stage,owner&format=csv', {}],
      ['/v1/reports/pipeline?group_by=stage,owner', { accept: 'text/csv' }],
      ['/v1/reports/pipeline?group_by=stage,owner', { accept: 'application/json;q=0.5, text/csv' }],
    ] as const) {
      const response = await api.get(path, headers);
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(response.headers.get('content-disposition') ?? '', /attachment; filename="pipeline-report\.csv"/);
      assert.equal(response.text, expected, path);
    }
    // format=json wins over Accept; JSON stays the default.
    for (const [path, headers] of [
      ['/v1/reports/pipeline?format=json', { accept: 'text/csv' }],
      ['/v1/reports/pipeline', { accept: 'text/csv;q=0.4, application/json' }],
      ['/v1/reports/pipeline', { accept: '*/*' }],
    ] as const) {
      const response = await api.get(path, headers);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/, `${path} ${JSON.stringify(headers)}`);
      assert.equal(response.body.data.totals.open_deals, 5);
    }
  });
});

/** The sales row of an owner in an interval, by interval start. */
function salesRow(data: any, start: string, ownerId: string | null) {
  const row = data.rows.find((r: any) => r.interval_start === start && r.owner_id === ownerId);
  assert.ok(row, `no row for ${start} ${ownerId}`);
  return row;
}

const counts = (over: Partial<Record<'call' | 'email' | 'meeting' | 'note' | 'sms' | 'other', number>>) => {
  const all = { call: 0, email: 0, meeting: 0, note: 0, sms: 0, other: 0, ...over };
  return { ...all, total: Object.values(all).reduce((a, b) => a + b, 0) };
};

describe('GET /v1/reports/sales', () => {
  it('gives, per ISO week and owner, deals created, won and lost with values, reasons, win rate, days to close, activities and tasks (UTC)', async () => {
    const data = await report('/v1/reports/sales?from=2026-03-02&to=2026-03-22&interval=week');
    assert.equal(data.interval, 'week');
    // Owners: those with any figure in the period, by name; the workspace owner (Olive) logged a call; D6 has no owner.
    const owners = [...new Set(data.rows.map((r: any) => r.owner_name))];
    assert.deepEqual(owners, ['Ana Alvarez', 'Ben Brooks', 'Olive Owner', null]);
    assert.deepEqual([...new Set(data.rows.map((r: any) => `${r.interval_start}..${r.interval_end}`))], ['2026-03-02..2026-03-08', '2026-03-09..2026-03-15', '2026-03-16..2026-03-22']);
    assert.equal(data.rows.length, 12, 'every owner in every week, zeros included');

    const figures = (r: any) => [r.deals_created, r.deals_won, r.won_value, r.deals_lost, r.lost_value, r.top_lost_reasons, r.win_rate, r.average_days_to_close, r.activities, r.tasks_completed];
    // Week 1: Ana created D1, D3 and lost D3 (Price); Ben created D2, D4 and completed a task.
    assert.deepEqual(figures(salesRow(data, '2026-03-02', ana.id)), [2, 0, {}, 1, usd(200_000), [{ reason: 'Price', count: 1 }], 0, null, counts({ call: 2 }), 0]);
    assert.deepEqual(figures(salesRow(data, '2026-03-02', ben.id)), [2, 0, {}, 0, {}, [], null, null, counts({}), 1]);
    const olive = data.rows.find((r: any) => r.interval_start === '2026-03-02' && r.owner_name === 'Olive Owner');
    assert.deepEqual(figures(olive), [0, 0, {}, 0, {}, [], null, null, counts({ call: 1 }), 0]);
    // Week 2: Ana created D5, won D1 (9 days after creating it); Ben lost D4 (Timing); D6 was created without an owner.
    // Ben's call at Monday 03:00 UTC is in this week in UTC; Ana's meeting on Sunday 23:00 UTC too.
    assert.deepEqual(figures(salesRow(data, '2026-03-09', ana.id)), [1, 1, usd(1_000_000), 0, {}, [], 100, 9, counts({ email: 1, meeting: 1 }), 0]);
    assert.deepEqual(figures(salesRow(data, '2026-03-09', ben.id)), [0, 0, {}, 1, usd(300_000), [{ reason: 'Timing', count: 1 }], 0, null, counts({ call: 1 }), 0]);
    assert.deepEqual(figures(salesRow(data, '2026-03-09', null)), [1, 0, {}, 0, {}, [], null, null, counts({}), 0]);
    // Week 3: Ana created D9, D10, D14; won D5 at Monday 03:30 UTC (6 d 17.5 h after creating it); lost D14 without a reason;
    // completed her task at Monday 03:00 UTC. Ben created D7, D11, D12, D13 and lost D2 (500,000 EUR), D12 (70,000 USD), D13 (no value).
    assert.deepEqual(figures(salesRow(data, '2026-03-16', ana.id)), [3, 1, usd(800_000), 1, usd(10_000), [{ reason: null, count: 1 }], 50, 6.7, counts({}), 1]);
    assert.deepEqual(figures(salesRow(data, '2026-03-16', ben.id)), [
      4,
      0,
      {},
      3,
      { EUR: 500_000, USD: 70_000 },
      [
        { reason: 'Price', count: 2 },
        { reason: 'Timing', count: 1 },
      ],
      0,
      null,
      counts({ note: 1 }),
      0,
    ]);
    // Totals per week, all owners.
    assert.deepEqual(
      data.totals.map((t: any) => [t.interval_start, t.deals_created, t.deals_won, t.won_value, t.deals_lost, t.lost_value, t.win_rate, t.average_days_to_close, t.activities.total, t.tasks_completed]),
      [
        ['2026-03-02', 4, 0, {}, 1, usd(200_000), 0, null, 3, 1],
        ['2026-03-09', 2, 1, usd(1_000_000), 1, usd(300_000), 50, 9, 3, 0],
        ['2026-03-16', 7, 1, usd(800_000), 4, { EUR: 500_000, USD: 80_000 }, 20, 6.7, 1, 1],
      ],
    );
  });

  it('cuts weeks in the time zone given: Sunday 23:30 in New York is that week, though Monday in UTC', async () => {
    const data = await report('/v1/reports/sales?from=2026-03-02&to=2026-03-22&interval=week&timezone=America/New_York');
    assert.deepEqual(data.period, { from: '2026-03-02', to: '2026-03-22', timezone: 'America/New_York', start: '2026-03-02T05:00:00.000Z', end: '2026-03-23T04:00:00.000Z' });
    // D5's win (Sunday 23:30 EDT) and Ana's task (Sunday 23:00 EDT) fall in the week of 9 March here.
    const anaWeek2 = salesRow(data, '2026-03-09', ana.id);
    assert.deepEqual([anaWeek2.deals_won, anaWeek2.won_value, anaWeek2.win_rate, anaWeek2.average_days_to_close, anaWeek2.tasks_completed], [2, usd(1_800_000), 100, 7.9, 1]);
    const anaWeek3 = salesRow(data, '2026-03-16', ana.id);
    assert.deepEqual([anaWeek3.deals_won, anaWeek3.deals_lost, anaWeek3.win_rate, anaWeek3.tasks_completed], [0, 1, 0, 0]);
    // Ben's call at Sunday 8 March 23:00 EDT is in the first week; Ana's meeting (Sunday 15 March 19:00 EDT) stays in the second.
    assert.deepEqual(salesRow(data, '2026-03-02', ben.id).activities, counts({ call: 1 }));
    assert.deepEqual(salesRow(data, '2026-03-09', ben.id).activities, counts({}));
    assert.deepEqual(salesRow(data, '2026-03-09', ana.id).activities, counts({ email: 1, meeting: 1 }));
  });

  it('names periods relative to today in the time zone, and cuts months', async () => {
    // Friday 20 March: last week is 9–15 March in both zones, but New York's ends at Monday 04:00 UTC, after D5's win.
    const utc = await report(`/v1/reports/sales?period=last_week&owner_id=${ana.id}`);
    assert.deepEqual([utc.period.from, utc.period.to, utc.rows.length, utc.rows[0].deals_won], ['2026-03-09', '2026-03-15', 1, 1]);
    const newYork = await report(`/v1/reports/sales?period=last_week&owner_id=${ana.id}&timezone=America/New_York`);
    assert.deepEqual([newYork.period.from, newYork.period.start, newYork.rows[0].deals_won], ['2026-03-09', '2026-03-09T04:00:00.000Z', 2]);
    // Default: this month, by week, the first and last weeks cut at the month's edges.
    const month = await report(`/v1/reports/sales?owner_id=${ben.id}`);
    assert.deepEqual(month.period, { from: '2026-03-01', to: '2026-03-31', timezone: 'UTC', start: '2026-03-01T00:00:00.000Z', end: '2026-04-01T00:00:00.000Z' });
    assert.deepEqual(
      month.rows.map((r: any) => [r.interval_start, r.interval_end]),
      [
        ['2026-03-01', '2026-03-01'],
        ['2026-03-02', '2026-03-08'],
        ['2026-03-09', '2026-03-15'],
        ['2026-03-16', '2026-03-22'],
        ['2026-03-23', '2026-03-29'],
        ['2026-03-30', '2026-03-31'],
      ],
    );
    const byMonth = await report('/v1/reports/sales?period=this_quarter&interval=month');
    assert.deepEqual(byMonth.totals.map((t: any) => [t.interval_start, t.interval_end, t.deals_created, t.deals_won, t.deals_lost]), [
      ['2026-01-01', '2026-01-31', 0, 0, 0],
      ['2026-02-01', '2026-02-28', 0, 0, 0],
      ['2026-03-01', '2026-03-31', 13, 2, 6],
    ]);
    // Monday 16 March 03:45 UTC is still Sunday in New York: this week there began on 9 March.
    now = Date.parse('2026-03-16T03:45:00.000Z');
    try {
      assert.equal((await report('/v1/reports/sales?period=this_week')).period.from, '2026-03-16');
      assert.equal((await report('/v1/reports/sales?period=this_week&timezone=America/New_York')).period.from, '2026-03-09');
    } finally {
      at('2026-03-20T12:00:00.000Z');
    }
  });

  it('answers CSV with a column per currency and activity type, and defuses formulas', async () => {
    const response = await api.get(`/v1/reports/sales?from=2026-03-16&to=2026-03-22&owner_id=${ben.id}&format=csv`);
    assert.equal(response.status, 200, response.text);
    const lines = response.text.trimEnd().split('\r\n');
    assert.deepEqual(lines, [
      'row_type,interval_start,interval_end,owner_id,owner_name,deals_created,deals_won,won_value.EUR,won_value.USD,deals_lost,lost_value.EUR,lost_value.USD,top_lost_reasons,win_rate,average_days_to_close,activities.call,activities.email,activities.meeting,activities.note,activities.sms,activities.other,activities.total,tasks_completed',
      `group,2026-03-16,2026-03-22,${ben.id},Ben Brooks,4,0,0,0,3,500000,70000,Price: 2; Timing: 1,0,,0,0,0,1,0,0,1,0`,
      'total,2026-03-16,2026-03-22,,,4,0,0,0,3,500000,70000,Price: 2; Timing: 1,0,,0,0,0,1,0,0,1,0',
    ]);
    // A lost reason that a spreadsheet would run as a formula is quoted as text.
    const other = await api.get(`/v1/reports/sales?pipeline_id=${otherPipeline.id}&from=2026-03-16&to=2026-03-22&format=csv`);
    assert.match(other.text, /,"'=HYPERLINK\(""http:\/\/evil""\): 1",/);
  });
});

describe('GET /v1/reports/conversion', () => {
  const conversionRow = (r: any) => [r.stage_name, r.entered, r.created, r.exits, r.advanced, r.won, r.lost, r.moved_back, r.conversion_rate, r.median_days_in_stage];

  it('counts entries and exits per stage from the history, with conversion rate and median time in stage', async () => {
    const data = await report('/v1/reports/conversion?from=2026-03-02&to=2026-03-22');
    assert.deepEqual(data.rows.map(conversionRow), [
      // Entered: D1, D2, D6, D12, D13, D11, D14 created here, D6 back from Needs analysis. Left: D1, D2, D6 forward (48 h, 191 h, 26 h);
      // D12, D13, D14 to Lost (1 h each). Median of 1, 1, 1, 26, 48, 191 h: (1 + 26) / 2 h = 0.56 d.
      ['Qualification', 8, 7, 6, 3, 0, 3, 0, 50, 0.6],
      // D3 created here, D1 and D6 moved in. D1 won (168 h), D3 lost (72 h), D6 back (24 h): median 72 h.
      ['Needs analysis', 3, 1, 3, 1, 1, 1, 1, 33.3, 3],
      // D4, D5, D9, D10 created here, D2 moved in. D4 lost (8 d), D5 won (6 d 17.5 h), D2 lost (8 d).
      ['Proposal', 5, 4, 3, 1, 1, 2, 0, 33.3, 8],
      ['Negotiation', 1, 1, 0, 0, 0, 0, 0, null, null],
      ['Won', 2, 0, 0, null, null, null, null, null, null],
      ['Lost', 6, 0, 0, null, null, null, null, null, null],
    ]);
    assert.deepEqual(data.rows.map((r: any) => r.stage_type), ['open', 'open', 'open', 'open', 'won', 'lost']);
  });

  it('reads the period in the time zone and filters by owner', async () => {
    // To 15 March: D5's win at Monday 03:30 UTC is outside in UTC, inside in New York.
    const proposal = (data: any) => conversionRow(data.rows[2]);
    // Proposal entered by D4 and D5 (created) and D2; left by D4 (lost, 8 d) and, in New York's period only, D5 (won, 6 d 17.5 h).
    assert.deepEqual(proposal(await report('/v1/reports/conversion?from=2026-03-02&to=2026-03-15')), ['Proposal', 3, 2, 1, 0, 0, 1, 0, 0, 8]);
    assert.deepEqual(proposal(await report('/v1/reports/conversion?from=2026-03-02&to=2026-03-15&timezone=America/New_York')), ['Proposal', 3, 2, 2, 1, 1, 1, 0, 50, 7.4]);
    // Ana's deals: D1 and D14 entered Qualification; D1 moved on (48 h), D14 was lost (1 h).
    const anas = await report(`/v1/reports/conversion?from=2026-03-02&to=2026-03-22&owner_id=${ana.id}`);
    assert.deepEqual(conversionRow(anas.rows[0]), ['Qualification', 2, 2, 2, 1, 0, 1, 0, 50, 1]);
  });
});

describe('GET /v1/reports/forecast', () => {
  const forecastRow = (r: any) => [r.interval_start, r.interval_end, r.owner_id, r.open_deals, r.total_value, r.weighted_value];

  it('groups open deals by expected close month and owner, those without a date last', async () => {
    const data = await report('/v1/reports/forecast');
    assert.equal(data.interval, 'month');
    assert.deepEqual(data.rows.map(forecastRow), [
      ['2026-04-01', '2026-04-30', ana.id, 1, usd(600_000), usd(120_000)],
      ['2026-04-01', '2026-04-30', ben.id, 2, eur(400_000), eur(300_000)],
      ['2026-04-01', '2026-04-30', null, 0, {}, {}],
      ['2026-05-01', '2026-05-31', ana.id, 1, eur(50_000), eur(25_000)],
      ['2026-05-01', '2026-05-31', ben.id, 0, {}, {}],
      ['2026-05-01', '2026-05-31', null, 0, {}, {}],
      [null, null, ana.id, 0, {}, {}],
      [null, null, ben.id, 0, {}, {}],
      [null, null, null, 1, usd(100_005), usd(10_001)],
    ]);
    assert.deepEqual(
      data.totals.map((t: any) => [t.interval_start, t.open_deals, t.total_value, t.weighted_value]),
      [
        ['2026-04-01', 3, { EUR: 400_000, USD: 600_000 }, { EUR: 300_000, USD: 120_000 }],
        ['2026-05-01', 1, eur(50_000), eur(25_000)],
        [null, 1, usd(100_005), usd(10_001)],
      ],
    );
  });

  it('groups by quarter and limits expected close dates to a period', async () => {
    const quarter = await report(`/v1/reports/forecast?interval=quarter&owner_id=${ana.id}`);
    assert.deepEqual(quarter.rows.map(forecastRow), [['2026-04-01', '2026-06-30', ana.id, 2, { EUR: 50_000, USD: 600_000 }, { EUR: 25_000, USD: 120_000 }]]);
    // 1–15 April: D11 (2 April) and D7 (5 April); D9 (30 April) is outside.
    const firstHalf = await report('/v1/reports/forecast?from=2026-04-01&to=2026-04-15');
    assert.deepEqual(firstHalf.rows.map(forecastRow), [['2026-04-01', '2026-04-15', ben.id, 2, eur(400_000), eur(300_000)]]);
    // This month (March) nothing is expected to close; the interval is listed empty.
    const march = await report('/v1/reports/forecast?period=this_month');
    assert.deepEqual(march.rows, []);
    assert.deepEqual(march.totals.map((t: any) => [t.interval_start, t.interval_end, t.open_deals]), [['2026-03-01', '2026-03-31', 0]]);
  });

  it('answers CSV with total and weighted value per currency', async () => {
    const response = await api.get('/v1/reports/forecast?from=2026-04-01&to=2026-05-31', { accept: 'text/csv' });
    assert.equal(response.status, 200, response.text);
    assert.equal(
      response.text,
      [
        'row_type,interval_start,interval_end,owner_id,owner_name,open_deals,total_value.EUR,total_value.USD,weighted_value.EUR,weighted_value.USD',
        `group,2026-04-01,2026-04-30,${ana.id},Ana Alvarez,1,0,600000,0,120000`,
        `group,2026-04-01,2026-04-30,${ben.id},Ben Brooks,2,400000,0,300000,0`,
        `group,2026-05-01,2026-05-31,${ana.id},Ana Alvarez,1,50000,0,25000,0`,
        `group,2026-05-01,2026-05-31,${ben.id},Ben Brooks,0,0,0,0,0`,
        'total,2026-04-01,2026-04-30,,,3,400000,600000,300000,120000',
        'total,2026-05-01,2026-05-31,,,1,50000,0,25000,0',
        '',
      ].join('\r\n'),
    );
  });
});
