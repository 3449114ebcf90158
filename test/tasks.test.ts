/**
 * Tasks: required title, defaults and enums, due times, completing (once, and
 * reopening), the overdue list, filters, assignees and links within the
 * workspace, what deleting the assignee does, isolation and scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids, total } from './helpers/assertions.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
let theirs: { user: any; contact: any; task: any };

async function createTask(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/tasks', { title: unique('Task '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function getTask(api: ApiClient, id: string): Promise<any> {
  const response = await api.get(`/v1/tasks/${id}`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

async function complete(api: ApiClient, id: string): Promise<ApiResponse> {
  const response = await api.post(`/v1/tasks/${id}/complete`);
  assert.equal(response.status, 200, response.text);
  return response;
}


function assertInvalidFilter(response: ApiResponse, what: string): void {
  assert.equal(response.status, 400, `${what}: ${response.text}`);
  assert.equal(response.body.error.code, 'invalid_filter', `${what}: ${response.text}`);
}

before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
  const contact = await createContact(other.api);
  theirs = { user: await createUser(other.api), contact, task: await createTask(other.api, { title: 'Their task', contact_id: contact.id }) };
});
after(() => server.close());

describe('creating tasks', () => {
  it('requires a title that is not blank', async () => {
    const description = unique('untitled ');
    assertInvalid(await tenant.api.post('/v1/tasks', { description }), 'title');
    assertInvalid(await tenant.api.post('/v1/tasks', { title: '   ', description }), 'title');
    assertInvalid(await tenant.api.post('/v1/tasks', { title: '', description }), 'title');
    assert.equal(await total(tenant.api, `/v1/tasks?q=${encodeURIComponent(description)}`), 0);
  });

  it('starts open with normal priority, and keeps the due time and fields given', async () => {
    const response = await tenant.api.post('/v1/tasks', { title: '  Send proposal ', description: 'With pricing' });
    assert.equal(response.status, 201, response.text);
    const task = response.body.data;
    assert.match(task.id, /^tsk_/);
    assert.equal(task.title, 'Send proposal');
    assert.equal(task.priority, 'normal');
    assert.equal(task.status, 'open');
    assert.equal(task.completed_at, null);
    assert.equal(task.due_at, null);
    assert.equal(task.assignee_id, null);
    assert.equal(task.version, 1);
    assert.equal(response.headers.get('etag'), '"1"');
    assert.deepEqual(await getTask(tenant.api, task.id), task);

    const due = await createTask(tenant.api, { due_at: '2026-11-05T18:00:00+01:00', priority: 'high' });
    assert.equal(due.due_at, '2026-11-05T17:00:00.000Z');
    assert.equal(due.priority, 'high');
    const cleared = await tenant.api.patch(`/v1/tasks/${due.id}`, { due_at: null, priority: 'low' });
    assert.equal(cleared.body.data.due_at, null);
    assert.equal(cleared.body.data.priority, 'low');
  });

  it('refuses an unknown priority or status and a due time that is no date-time', async () => {
    const title = unique('Bad task ');
    assertInvalid(await tenant.api.post('/v1/tasks', { title, priority: 'urgent' }), 'priority');
    assertInvalid(await tenant.api.post('/v1/tasks', { title, status: 'done' }), 'status');
    assertInvalid(await tenant.api.post('/v1/tasks', { title, due_at: 'tomorrow' }), 'due_at');
    assertInvalid(await tenant.api.post('/v1/tasks', { title, due_at: '2026-02-30T10:00:00Z' }), 'due_at');
    assertInvalid(await tenant.api.post('/v1/tasks', { title, completed_at: '2026-01-01T00:00:00Z' }), 'completed_at');
    assert.equal(await total(tenant.api, `/v1/tasks?title=${encodeURIComponent(title)}`), 0);
    const task = await createTask(tenant.api);
    assertInvalid(await tenant.api.patch(`/v1/tasks/${task.id}`, { priority: 'HIGH' }), 'priority');
    assertInvalid(await tenant.api.patch(`/v1/tasks/${task.id}`, { status: 'closed' }), 'status');
    assert.deepEqual(await getTask(tenant.api, task.id), task);
  });
});

describe('completing', () => {
  it('completes a task with /complete, and completing it again changes nothing', async () => {
    const task = await createTask(tenant.api);
    const first = await complete(tenant.api, task.id);
    const done = first.body.data;
    assert.equal(done.status, 'completed');
    assert.match(done.completed_at, ISO);
    assert.equal(done.version, task.version + 1);
    assert.equal(first.headers.get('etag'), `"${done.version}"`);
    for (let i = 0; i < 2; i++) {
      const again = await complete(tenant.api, task.id);
      assert.equal(again.body.data.version, done.version);
      assert.equal(again.body.data.completed_at, done.completed_at);
      assert.equal(again.body.data.updated_at, done.updated_at);
    }
    assert.deepEqual(await getTask(tenant.api, task.id), done);
    assertNotFound(await tenant.api.post('/v1/tasks/tsk_01M807GFFF8MEEXBKKKVK895SP/complete'), 'complete missing');
  });

  it('clears completed_at when PATCHed back to open, and sets it when PATCHed to completed', async () => {
    const task = await createTask(tenant.api);
    const done = (await complete(tenant.api, task.id)).body.data;
    const reopened = await tenant.api.patch(`/v1/tasks/${task.id}`, { status: 'open' });
    assert.equal(reopened.status, 200, reopened.text);
    assert.equal(reopened.body.data.status, 'open');
    assert.equal(reopened.body.data.completed_at, null);
    assert.equal(reopened.body.data.version, done.version + 1);

    const completed = await tenant.api.patch(`/v1/tasks/${task.id}`, { status: 'completed' });
    assert.equal(completed.body.data.status, 'completed');
    assert.match(completed.body.data.completed_at, ISO);
    assert.ok(completed.body.data.completed_at >= done.completed_at);
    // Saying completed again keeps the first completion time and the version.
    const repeated = await tenant.api.patch(`/v1/tasks/${task.id}`, { status: 'completed', title: task.title });
    assert.equal(repeated.body.data.completed_at, completed.body.data.completed_at);
    assert.equal(repeated.body.data.version, completed.body.data.version);

    const createdDone = await createTask(tenant.api, { status: 'completed' });
    assert.match(createdDone.completed_at, ISO);
  });

  it('writes only with a matching If-Match', async () => {
    const task = await createTask(tenant.api);
    const stale = await tenant.api.patch(`/v1/tasks/${task.id}`, { title: 'Renamed' }, { 'if-match': '"3"' });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.details.current_version, 1);
    assert.deepEqual(await getTask(tenant.api, task.id), task);
    const ok = await tenant.api.patch(`/v1/tasks/${task.id}`, { title: 'Renamed' }, { 'if-match': '"1"' });
    assert.equal(ok.status, 200, ok.text);
    assert.equal((await tenant.api.delete(`/v1/tasks/${task.id}`, { 'if-match': '"1"' })).status, 412);
    assert.equal((await tenant.api.delete(`/v1/tasks/${task.id}`, { 'if-match': '"2"' })).status, 200);
    assertNotFound(await tenant.api.get(`/v1/tasks/${task.id}`), 'deleted task');
  });
});

describe('overdue', () => {
  let o: Tenant;
  let t: Record<'past' | 'future' | 'donePast' | 'undated' | 'hourAgo', any>;

  before(async () => {
    o = await createTenant(server);
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    t = {
      past: await createTask(o.api, { title: 'Past', due_at: '2020-01-01T00:00:00.000Z' }),
      future: await createTask(o.api, { title: 'Future', due_at: '2999-01-01T00:00:00.000Z' }),
      donePast: await createTask(o.api, { title: 'Done past', due_at: '2021-06-01T00:00:00.000Z' }),
      undated: await createTask(o.api, { title: 'Undated' }),
      hourAgo: await createTask(o.api, { title: 'Hour ago', due_at: hourAgo }),
    };
    await complete(o.api, t.donePast.id);
  });

  it('lists exactly the open tasks whose due time has passed', async () => {
    const response = await o.api.get('/v1/tasks?overdue=true');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(ids(response.body.data), [t.past.id, t.hourAgo.id]);
    assert.equal(response.body.meta.total, 2);
    // Completing one takes it off the list; reopening puts it back.
    await complete(o.api, t.past.id);
    assert.deepEqual(ids((await o.api.get('/v1/tasks?overdue=true')).body.data), [t.hourAgo.id]);
    assert.equal((await o.api.patch(`/v1/tasks/${t.past.id}`, { status: 'open' })).status, 200);
    assert.deepEqual(ids((await o.api.get('/v1/tasks?overdue=true&sort=due_at')).body.data), [t.past.id, t.hourAgo.id]);
  });

  it('combines with other filters, but not with status or a due_at[lt] of its own', async () => {
    assert.deepEqual(ids((await o.api.get('/v1/tasks?overdue=true&title=Past')).body.data), [t.past.id]);
    for (const query of ['overdue=false', 'overdue=yes', 'overdue=', 'overdue=true&status=open', 'overdue=true&status=completed', 'overdue=true&due_at[lt]=2030-01-01']) {
      assertInvalidFilter(await o.api.get(`/v1/tasks?${query}`), query);
    }
  });
});

describe('filters', () => {
  let f: Tenant;
  let k: any[];
  let u1: any, c1: any, co1: any, d1: any, l1: any;

  before(async () => {
    f = await createTenant(server);
    u1 = await createUser(f.api);
    c1 = await createContact(f.api);
    co1 = await createCompany(f.api);
    d1 = (await f.api.post('/v1/deals', { name: 'Filter deal' })).body.data;
    l1 = (await f.api.post('/v1/leads', { first_name: 'Fil', last_name: 'Ter' })).body.data;
    k = [
      await createTask(f.api, { title: 'Call Alice', assignee_id: u1.id, due_at: '2026-05-01T10:00:00.000Z', priority: 'high', contact_id: c1.id }),
      await createTask(f.api, { title: 'Email Bob', due_at: '2026-06-01T10:00:00.000Z', company_id: co1.id, description: 'About the renewal' }),
      await createTask(f.api, { title: 'Prepare demo', assignee_id: u1.id, priority: 'low', deal_id: d1.id, lead_id: l1.id }),
    ];
    await complete(f.api, k[1].id);
  });

  const expect = async (query: string, expected: number[]) => {
    const response = await f.api.get(`/v1/tasks?${query}`);
    assert.equal(response.status, 200, `${query}: ${response.text}`);
    assert.deepEqual(ids(response.body.data), expected.map((i) => k[i].id), query);
    assert.equal(response.body.meta.total, expected.length, query);
  };

  it('filters by assignee, due time, priority and status', async () => {
    await expect(`assignee_id=${u1.id}`, [0, 2]);
    await expect('assignee_id[exists]=false', [1]);
    await expect('due_at[lte]=2026-05-01T10:00:00.000Z', [0]);
    await expect('due_at[lte]=2026-12-31', [0, 1]);
    await expect('due_at[exists]=false', [2]);
    await expect('priority=high', [0]);
    await expect('priority[in]=normal,low', [1, 2]);
    await expect('status=completed', [1]);
    await expect('status=open', [0, 2]);
    await expect(`status=open&assignee_id=${u1.id}&due_at[exists]=true`, [0]);
    await expect('completed_at[exists]=true', [1]);
  });

  it('filters by linked record and searches title and description', async () => {
    await expect(`contact_id=${c1.id}`, [0]);
    await expect(`company_id=${co1.id}`, [1]);
    await expect(`deal_id=${d1.id}`, [2]);
    await expect(`lead_id=${l1.id}`, [2]);
    await expect('q=renewal', [1]);
    await expect('q=demo', [2]);
  });

  it('refuses unknown fields and wrong values', async () => {
    for (const query of ['priority=urgent', 'status=done', 'due_at[lte]=next-week', 'owner_id=usr_x', 'assignee_id[gt]=usr']) {
      assertInvalidFilter(await f.api.get(`/v1/tasks?${query}`), query);
    }
  });
});

describe('assignees and links', () => {
  it('assigns a user of the workspace and refuses one of another with 422', async () => {
    const user = await createUser(tenant.api);
    const task = await createTask(tenant.api, { assignee_id: user.id });
    assert.equal(task.assignee_id, user.id);
    const title = unique('Cross assignee ');
    for (const userId of [theirs.user.id, other.ownerId, 'usr_01M807GFFF8MEEXBKKKVK895SP']) {
      assertUnprocessable(await tenant.api.post('/v1/tasks', { title, assignee_id: userId }), 'assignee_id');
      assertUnprocessable(await tenant.api.patch(`/v1/tasks/${task.id}`, { assignee_id: userId }), 'assignee_id');
    }
    assertUnprocessable(await tenant.api.post('/v1/tasks', { title, contact_id: theirs.contact.id }), 'contact_id');
    assert.equal(await total(tenant.api, `/v1/tasks?title=${encodeURIComponent(title)}`), 0);
    assert.deepEqual(await getTask(tenant.api, task.id), task);
  });

  it('keeps the task unassigned when its assignee is deleted', async () => {
    const user = await createUser(tenant.api);
    const task = await createTask(tenant.api, { assignee_id: user.id });
    assert.equal((await tenant.api.delete(`/v1/users/${user.id}`)).status, 200);
    const after = await getTask(tenant.api, task.id);
    assert.equal(after.assignee_id, null);
    assert.equal(after.status, 'open');
    assert.equal(after.version, task.version + 1);
    assert.ok(after.updated_at > task.updated_at);
  });

  it('keeps the task unlinked when its contact is deleted', async () => {
    const contact = await createContact(tenant.api);
    const task = await createTask(tenant.api, { contact_id: contact.id });
    assert.equal((await tenant.api.delete(`/v1/contacts/${contact.id}`)).status, 200);
    const after = await getTask(tenant.api, task.id);
    assert.equal(after.contact_id, null);
    assert.equal(after.version, task.version + 1);
  });
});

describe('isolation', () => {
  const missing = 'tsk_01M807GFFF8MEEXBKKKVK895SP';

  it("answers 404 for another workspace's task on get, update, complete and delete", async () => {
    for (const [what, request] of [
      ['GET', (x: string) => tenant.api.get(`/v1/tasks/${x}`)],
      ['PATCH', (x: string) => tenant.api.patch(`/v1/tasks/${x}`, { title: 'Hijacked' })],
      ['complete', (x: string) => tenant.api.post(`/v1/tasks/${x}/complete`)],
      ['DELETE', (x: string) => tenant.api.delete(`/v1/tasks/${x}`)],
    ] as const) {
      const foreign = await request(theirs.task.id);
      assertNotFound(foreign, what);
      assert.deepEqual(foreign.body.error, (await request(missing)).body.error, what);
    }
    assert.deepEqual(await getTask(other.api, theirs.task.id), theirs.task);
    assert.equal(await total(tenant.api, `/v1/tasks?title=${encodeURIComponent('Their task')}`), 0);
    assert.equal(await total(tenant.api, `/v1/tasks?contact_id=${theirs.contact.id}`), 0);
  });
});

describe('scopes', () => {
  it('lets a read_only key read tasks but not write or complete them', async () => {
    const task = await createTask(tenant.api);
    const key = await keyFor(server, tenant, { scope: 'read_only' });
    assert.equal((await key.api.get(`/v1/tasks/${task.id}`)).status, 200);
    assertScopeRefused(await key.api.post('/v1/tasks', { title: 'No' }), 'tasks:write');
    assertScopeRefused(await key.api.patch(`/v1/tasks/${task.id}`, { title: 'No' }), 'tasks:write');
    assertScopeRefused(await key.api.post(`/v1/tasks/${task.id}/complete`), 'tasks:write');
    assertScopeRefused(await key.api.delete(`/v1/tasks/${task.id}`), 'tasks:write');
    assert.deepEqual(await getTask(tenant.api, task.id), task);
  });

  it('lets a tasks:write key work tasks only, and a key without tasks not read them', async () => {
    const writer = await keyFor(server, tenant, { scope: 'custom', grants: ['tasks:write'] });
    const created = await writer.api.post('/v1/tasks', { title: 'Scoped' });
    assert.equal(created.status, 201, created.text);
    assert.equal((await writer.api.post(`/v1/tasks/${created.body.data.id}/complete`)).status, 200);
    assertScopeRefused(await writer.api.get('/v1/activities'), 'activities:read');
    const contactsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:read'] });
    assertScopeRefused(await contactsOnly.api.get('/v1/tasks'), 'tasks:read');
    assertScopeRefused(await contactsOnly.api.get(`/v1/tasks/${created.body.data.id}`), 'tasks:read');
  });
});
