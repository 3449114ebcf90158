/**
 * Timelines of contacts, companies, deals and leads: the record's activities
 * (at occurred_at), tasks (at created_at) and a deal's stage changes, newest
 * first, paginated without skips or repeats, counted, refused for bad input,
 * hidden across workspaces, and showing a key only the kinds it may read.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertNotFound, assertScopeRefused } from './helpers/assertions.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

/** A contact whose timeline holds 4 activities and 3 tasks, with the expected order. */
let subject: { contact: any; activities: any[]; tasks: any[]; expected: string[] };
let theirs: { contact: any; company: any; deal: any; lead: any };

async function post(api: ApiClient, path: string, body: Record<string, unknown>): Promise<any> {
  const response = await api.post(path, body);
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

const log = (api: ApiClient, body: Record<string, unknown>) => post(api, '/v1/activities', { type: 'note', ...body });
const task = (api: ApiClient, body: Record<string, unknown>) => post(api, '/v1/tasks', { title: unique('Task '), ...body });

async function timeline(api: ApiClient, path: string): Promise<ApiResponse> {
  const response = await api.get(path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  return response;
}

/** Every entry of a timeline, page by page, checking each page's meta on the way. */
async function walkTimeline(api: ApiClient, path: string, limit: number): Promise<{ entries: any[]; pages: number; totals: number[] }> {
  const entries: any[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages < 100; pages++) {
    const page: ApiResponse = await timeline(api, `${path}?limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
    assert.ok(page.body.data.length <= limit);
    assert.equal(page.body.meta.limit, limit);
    totals.push(page.body.meta.total);
    entries.push(...page.body.data);
    if (!page.body.meta.has_more) {
      assert.equal(page.body.meta.next_cursor, null);
      return { entries, pages, totals };
    }
    assert.equal(page.body.data.length, limit, 'only the last page is short');
    cursor = page.body.meta.next_cursor;
  }
  throw new Error('timeline did not end');
}

const keys = (entries: { type: string; id: string }[]) => entries.map((e) => `${e.type}:${e.id}`);

before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
  const contact = await createContact(tenant.api);
  const bystander = await createContact(tenant.api);
  const api = tenant.api;
  // Tasks stand at their creation time (now); activities at occurred_at, some long before, one at the same instant as a task.
  const t1 = await task(api, { contact_id: contact.id });
  const t2 = await task(api, { contact_id: contact.id });
  const t3 = await task(api, { contact_id: contact.id });
  const a1 = await log(api, { contact_id: contact.id, occurred_at: '2020-01-01T00:00:00.000Z', subject: 'Oldest' });
  const a2 = await log(api, { contact_id: contact.id, occurred_at: '2021-06-01T12:00:00.000Z', subject: 'Old' });
  const a3 = await log(api, { contact_id: contact.id, occurred_at: '2022-03-03T03:03:03.003Z', subject: 'Less old' });
  // Same instant as t2: the id breaks the tie ("tsk_…" after "act_…", so t2 comes first, newest-first).
  const tie = await log(api, { contact_id: contact.id, occurred_at: t2.created_at, subject: 'Tied with a task' });
  // Records of someone else in the same workspace stay off this timeline.
  await log(api, { contact_id: bystander.id, occurred_at: '2023-01-01T00:00:00.000Z' });
  await task(api, { contact_id: bystander.id });
  subject = {
    contact,
    activities: [a1, a2, a3, tie],
    tasks: [t1, t2, t3],
    expected: [`task:${t3.id}`, `task:${t2.id}`, `activity:${tie.id}`, `task:${t1.id}`, `activity:${a3.id}`, `activity:${a2.id}`, `activity:${a1.id}`],
  };

  const theirContact = await createContact(other.api);
  theirs = {
    contact: theirContact,
    company: await createCompany(other.api),
    deal: await post(other.api, '/v1/deals', { name: 'Their deal' }),
    lead: await post(other.api, '/v1/leads', { first_name: 'Their', last_name: 'Lead' }),
  };
  await log(other.api, { contact_id: theirContact.id, subject: 'Their note' });
});
after(() => server.close());

describe('contents and order', () => {
  it("shows a contact's activities and tasks newest first, each with its record", async () => {
    const response = await timeline(tenant.api, `/v1/contacts/${subject.contact.id}/timeline`);
    assert.deepEqual(keys(response.body.data), subject.expected);
    assert.equal(response.body.meta.total, 7);
    assert.equal(response.body.meta.has_more, false);
    const byId = new Map(response.body.data.map((e: any) => [e.id, e]));
    for (const activity of subject.activities) {
      assert.deepEqual(byId.get(activity.id), { type: 'activity', id: activity.id, at: activity.occurred_at, activity });
    }
    for (const t of subject.tasks) {
      assert.deepEqual(byId.get(t.id), { type: 'task', id: t.id, at: t.created_at, task: t });
    }
  });

  it('walks the timeline two at a time without skipping or repeating an entry', async () => {
    const { entries, pages, totals } = await walkTimeline(tenant.api, `/v1/contacts/${subject.contact.id}/timeline`, 2);
    assert.deepEqual(keys(entries), subject.expected);
    assert.equal(pages, 4);
    assert.deepEqual(totals, [7, 7, 7, 7]);
    // Other page sizes give the same order.
    for (const limit of [1, 3, 7]) {
      assert.deepEqual(keys((await walkTimeline(tenant.api, `/v1/contacts/${subject.contact.id}/timeline`, limit)).entries), subject.expected, `limit ${limit}`);
    }
  });

  it('shows a change to a record on the timeline as it is now', async () => {
    const contact = await createContact(tenant.api);
    const t = await task(tenant.api, { contact_id: contact.id });
    const done = await tenant.api.post(`/v1/tasks/${t.id}/complete`);
    const entries = (await timeline(tenant.api, `/v1/contacts/${contact.id}/timeline`)).body.data;
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0].task, done.body.data);
    assert.equal(entries[0].at, t.created_at, 'a task stays at its creation time');
  });

  it("shows a deal's stage changes with its activities and tasks", async () => {
    const pipeline = (await tenant.api.get('/v1/pipelines')).body.data.find((p: { is_default: boolean }) => p.is_default);
    const deal = await post(tenant.api, '/v1/deals', { name: 'Timeline deal' });
    const moved = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: pipeline.stages[2].id });
    assert.equal(moved.status, 200, moved.text);
    const t = await task(tenant.api, { deal_id: deal.id });
    const a = await log(tenant.api, { deal_id: deal.id, type: 'meeting', occurred_at: '2020-05-05T05:05:05.005Z' });
    const history = (await tenant.api.get(`/v1/deals/${deal.id}/history`)).body.data;
    assert.equal(history.length, 2);

    const response = await timeline(tenant.api, `/v1/deals/${deal.id}/timeline`);
    assert.equal(response.body.meta.total, 4);
    assert.deepEqual(keys(response.body.data), [`task:${t.id}`, `stage_change:${history[1].id}`, `stage_change:${history[0].id}`, `activity:${a.id}`]);
    const [, move, start] = response.body.data;
    assert.deepEqual(move, { type: 'stage_change', id: history[1].id, at: history[1].changed_at, stage_change: history[1] });
    assert.equal(move.stage_change.from_stage_id, pipeline.stages[0].id);
    assert.equal(move.stage_change.to_stage_id, pipeline.stages[2].id);
    assert.equal(start.stage_change.from_stage_id, null);
    assert.equal(start.at, deal.created_at);
    const walked = await walkTimeline(tenant.api, `/v1/deals/${deal.id}/timeline`, 2);
    assert.deepEqual(keys(walked.entries), keys(response.body.data));
  });

  it("shows a company's and a lead's activities and tasks", async () => {
    const company = await createCompany(tenant.api);
    const lead = await post(tenant.api, '/v1/leads', { first_name: 'Tim', last_name: unique('Line') });
    const a = await log(tenant.api, { company_id: company.id, lead_id: lead.id, occurred_at: '2024-01-01T00:00:00.000Z' });
    const t = await task(tenant.api, { company_id: company.id });
    const t2 = await task(tenant.api, { lead_id: lead.id });
    const companyTimeline = await timeline(tenant.api, `/v1/companies/${company.id}/timeline`);
    assert.deepEqual(keys(companyTimeline.body.data), [`task:${t.id}`, `activity:${a.id}`]);
    assert.equal(companyTimeline.body.meta.total, 2);
    const leadTimeline = await timeline(tenant.api, `/v1/leads/${lead.id}/timeline`);
    assert.deepEqual(keys(leadTimeline.body.data), [`task:${t2.id}`, `activity:${a.id}`]);
    // An empty timeline is an empty page.
    const empty = await timeline(tenant.api, `/v1/companies/${(await createCompany(tenant.api)).id}/timeline`);
    assert.deepEqual(empty.body.data, []);
    assert.equal(empty.body.meta.total, 0);
    assert.equal(empty.body.meta.has_more, false);
  });
});

describe('bad input', () => {
  it('refuses a cursor it did not give out with 400 invalid_cursor', async () => {
    const path = `/v1/contacts/${subject.contact.id}/timeline`;
    const listCursor = (await tenant.api.get('/v1/contacts?limit=1')).body.meta.next_cursor;
    const otherSort = Buffer.from(JSON.stringify({ t: 'timeline', at: 'soon', id: 'x' })).toString('base64url');
    for (const cursor of ['garbage', 'eyJub3QiOiJqc29uIn0', listCursor, otherSort, '']) {
      const response = await tenant.api.get(`${path}?cursor=${encodeURIComponent(cursor)}`);
      assert.equal(response.status, 400, `${cursor}: ${response.text}`);
      assert.equal(response.body.error.code, 'invalid_cursor', `${cursor}: ${response.text}`);
    }
  });

  it('refuses a limit outside 1 to 100', async () => {
    for (const limit of ['0', '101', '-1', '2.5', 'ten']) {
      const response = await tenant.api.get(`/v1/contacts/${subject.contact.id}/timeline?limit=${limit}`);
      assert.equal(response.status, 400, `${limit}: ${response.text}`);
      assert.equal(response.body.error.code, 'validation_error', limit);
      assert.ok(response.body.error.details.limit, limit);
    }
    assert.equal((await timeline(tenant.api, `/v1/contacts/${subject.contact.id}/timeline?limit=100`)).body.data.length, 7);
  });

  it("answers 404 for a record that does not exist or is another workspace's", async () => {
    const cases: [string, string, string][] = [
      ['contacts', theirs.contact.id, 'con_01M807GFFF8MEEXBKKKVK895SP'],
      ['companies', theirs.company.id, 'cmp_01M807GFFF8MEEXBKKKVK895SP'],
      ['deals', theirs.deal.id, 'deal_01M807GFFF8MEEXBKKKVK895SP'],
      ['leads', theirs.lead.id, 'led_01M807GFFF8MEEXBKKKVK895SP'],
    ];
    for (const [path, foreign, missing] of cases) {
      const response = await tenant.api.get(`/v1/${path}/${foreign}/timeline`);
      assertNotFound(response, `${path} foreign`);
      assert.ok(!response.text.includes('Their note'));
      assertNotFound(await tenant.api.get(`/v1/${path}/${missing}/timeline`), `${path} missing`);
      // Their own timeline still answers them.
      assert.equal((await other.api.get(`/v1/${path}/${foreign}/timeline`)).status, 200);
    }
    // A contact's id on the companies path is no company either.
    assertNotFound(await tenant.api.get(`/v1/companies/${subject.contact.id}/timeline`), 'wrong kind');
  });
});

describe('scopes', () => {
  it('shows a key only the kinds of entries it may read', async () => {
    const path = `/v1/contacts/${subject.contact.id}/timeline`;
    const tasksOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read', 'tasks:read'] });
    const withTasks = await timeline(tasksOnly.api, path);
    assert.deepEqual(keys(withTasks.body.data), subject.expected.filter((k) => k.startsWith('task:')));
    assert.equal(withTasks.body.meta.total, 3);
    const walked = await walkTimeline(tasksOnly.api, path, 2);
    assert.deepEqual(keys(walked.entries), subject.expected.filter((k) => k.startsWith('task:')));

    const activitiesOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read', 'activities:write'] });
    const withActivities = await timeline(activitiesOnly.api, path);
    assert.deepEqual(keys(withActivities.body.data), subject.expected.filter((k) => k.startsWith('activity:')));
    assert.equal(withActivities.body.meta.total, 4);

    const contactsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read'] });
    const bare = await timeline(contactsOnly.api, path);
    assert.deepEqual(bare.body.data, []);
    assert.equal(bare.body.meta.total, 0);

    const readOnly = await keyFor(server, tenant, { scope: 'read_only' });
    assert.deepEqual(keys((await timeline(readOnly.api, path)).body.data), subject.expected);
  });

  it("refuses a key that may not read the record's kind", async () => {
    const key = await keyFor(server, tenant, { scope: 'custom', grants: ['activities:read', 'tasks:read', 'companies:read'] });
    assertScopeRefused(await key.api.get(`/v1/contacts/${subject.contact.id}/timeline`), 'contacts:read');
    assertScopeRefused(await key.api.get(`/v1/deals/deal_01M807GFFF8MEEXBKKKVK895SP/timeline`), 'deals:read');
    assertScopeRefused(await key.api.get(`/v1/leads/led_01M807GFFF8MEEXBKKKVK895SP/timeline`), 'leads:read');
  });
});
