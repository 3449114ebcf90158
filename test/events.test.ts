/**
 * The change log: every committed change writes exactly one event of its type
 * (two for a deal that moves into a won or lost stage), in the transaction of
 * the change, so a write that fails leaves none; the event's shape; GET
 * /v1/events with its filters, order and cursor; GET /v1/events/{id};
 * isolation and scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createCompany, createContact, createTenant, createUser, keyFor, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertDuplicate, assertNotFound, assertScopeRefused, assertUnprocessable, ids, total } from './helpers/assertions.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EVENT_ID = /^evt_[0-9A-HJKMNP-TV-Z]{26}$/;

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

before(async () => {
  server = await startServer({ WEBHOOK_POLL_INTERVAL_MS: '50' });
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
});
after(() => server.close());

/** Sends a write and insists that it succeeded. */
async function ok(response: Promise<ApiResponse>): Promise<ApiResponse> {
  const r = await response;
  assert.ok(r.status >= 200 && r.status < 300, `${r.status}: ${r.text}`);
  return r;
}

/** Every event about one record, oldest first. */
const eventsOf = (api: ApiClient, recordId: string): Promise<any[]> => walk(api, `/v1/events?record_id=${encodeURIComponent(recordId)}&limit=100`);
const types = (events: { type: string }[]): string[] => events.map((e) => e.type);

/** What every event carries: its id, type, time, workspace, the record after, who made the change and in which request. */
function assertEvent(event: any, expected: { type: string; object: unknown; response: ApiResponse; actor?: { user_id: string; key_id: string }; workspaceId?: string }): void {
  const what = `${expected.type}: ${JSON.stringify(event)}`;
  assert.match(event.id, EVENT_ID, what);
  assert.equal(event.type, expected.type, what);
  assert.match(event.created_at, ISO, what);
  assert.equal(event.workspace_id, expected.workspaceId ?? tenant.workspaceId, what);
  assert.deepEqual(event.data.object, expected.object, what);
  assert.equal(event.request_id, expected.response.body.meta.request_id, what);
  assert.match(event.request_id, /^req_/, what);
  assert.deepEqual(event.actor, expected.actor ?? { user_id: tenant.ownerId, key_id: tenant.keyId }, what);
}

describe('the event of every change', () => {
  it('writes contact.created, contact.updated with only the changed attributes, and contact.deleted with the record as it was', async () => {
    const created = await ok(tenant.api.post('/v1/contacts', { first_name: 'Eve', last_name: 'Vent', email: `${unique('eve-')}@example.com`, title: 'CEO' }));
    const contact = created.body.data;
    const updated = await ok(tenant.api.patch(`/v1/contacts/${contact.id}`, { title: 'CFO' }));
    const deleted = await ok(tenant.api.delete(`/v1/contacts/${contact.id}`));

    const events = await eventsOf(tenant.api, contact.id);
    assert.deepEqual(types(events), ['contact.created', 'contact.updated', 'contact.deleted']);
    const [onCreate, onUpdate, onDelete] = events;
    assertEvent(onCreate, { type: 'contact.created', object: contact, response: created });
    assert.equal(onCreate.created_at, contact.created_at, 'the event is stamped with the time of its change');
    assert.equal(onCreate.data.previous_attributes, undefined);

    assertEvent(onUpdate, { type: 'contact.updated', object: updated.body.data, response: updated });
    assert.equal(onUpdate.created_at, updated.body.data.updated_at);
    assert.deepEqual(onUpdate.data.previous_attributes, { title: 'CEO', updated_at: contact.updated_at, version: 1 });

    assertEvent(onDelete, { type: 'contact.deleted', object: updated.body.data, response: deleted });
    assert.equal(onDelete.data.previous_attributes, undefined);
    // Event ids grow with time: the log reads in the order things happened.
    assert.deepEqual(ids(events), ids(events).slice().sort());
  });

  it('writes company.created, company.updated and company.deleted', async () => {
    const created = await ok(tenant.api.post('/v1/companies', { name: unique('Evented '), domain: `${unique('ev-')}.com` }));
    const company = created.body.data;
    const updated = await ok(tenant.api.patch(`/v1/companies/${company.id}`, { industry: 'Software' }));
    const deleted = await ok(tenant.api.delete(`/v1/companies/${company.id}`));
    const events = await eventsOf(tenant.api, company.id);
    assert.deepEqual(types(events), ['company.created', 'company.updated', 'company.deleted']);
    assertEvent(events[0], { type: 'company.created', object: company, response: created });
    assertEvent(events[1], { type: 'company.updated', object: updated.body.data, response: updated });
    assert.deepEqual(events[1].data.previous_attributes, { industry: company.industry, updated_at: company.updated_at, version: 1 });
    assertEvent(events[2], { type: 'company.deleted', object: updated.body.data, response: deleted });
  });

  it('writes lead.created, lead.updated, lead.deleted, and lead.converted with the records the conversion made, each with its own event', async () => {
    const created = await ok(tenant.api.post('/v1/leads', { first_name: 'Lena', last_name: unique('Lead'), email: `${unique('lena-')}@example.com`, company_name: unique('Leadco ') }));
    const lead = created.body.data;
    const updated = await ok(tenant.api.patch(`/v1/leads/${lead.id}`, { phone: '+4712345678' }));
    const converted = await ok(tenant.api.post(`/v1/leads/${lead.id}/convert`, { deal: { name: unique('From lead ') } }));
    const { contact, company, deal } = converted.body.data;

    const events = await eventsOf(tenant.api, lead.id);
    assert.deepEqual(types(events), ['lead.created', 'lead.updated', 'lead.converted']);
    assertEvent(events[0], { type: 'lead.created', object: lead, response: created });
    assertEvent(events[1], { type: 'lead.updated', object: updated.body.data, response: updated });
    assert.equal(events[1].data.previous_attributes.phone, null);
    assertEvent(events[2], { type: 'lead.converted', object: converted.body.data.lead, response: converted });
    assert.equal(events[2].data.previous_attributes.status, lead.status);
    assert.equal(events[2].data.contact_id, contact.id);
    assert.equal(events[2].data.company_id, company.id);
    assert.equal(events[2].data.deal_id, deal.id);
    // The records the conversion created have their own events, from the same request.
    for (const [record, type] of [[contact, 'contact.created'], [company, 'company.created'], [deal, 'deal.created']] as const) {
      const made = await eventsOf(tenant.api, record.id);
      assert.deepEqual(types(made), [type], type);
      assert.equal(made[0].request_id, converted.body.meta.request_id, type);
      assert.equal(made[0].data.object.id, record.id, type);
    }
    // Converting again changes nothing and writes nothing.
    await ok(tenant.api.post(`/v1/leads/${lead.id}/convert`));
    assert.equal((await eventsOf(tenant.api, lead.id)).length, 3);

    const second = (await ok(tenant.api.post('/v1/leads', { first_name: 'Gone', last_name: unique('Lead') }))).body.data;
    const deleted = await ok(tenant.api.delete(`/v1/leads/${second.id}`));
    const gone = await eventsOf(tenant.api, second.id);
    assert.deepEqual(types(gone), ['lead.created', 'lead.deleted']);
    assertEvent(gone[1], { type: 'lead.deleted', object: second, response: deleted });
  });

  it('writes deal.created, deal.updated, deal.stage_changed, deal.won and deal.lost beside the move, and deal.deleted', async () => {
    const pipeline = (await tenant.api.get('/v1/pipelines')).body.data.find((p: { is_default: boolean }) => p.is_default);
    const [qualification, , proposal, , won, lost] = pipeline.stages;
    const created = await ok(tenant.api.post('/v1/deals', { name: unique('Evented deal '), value: { amount: 1000, currency: 'USD' } }));
    const deal = created.body.data;
    const renamed = await ok(tenant.api.patch(`/v1/deals/${deal.id}`, { name: 'Renamed deal' }));
    const moved = await ok(tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: proposal.id }));
    // Repeating a move is not a change: no event.
    await ok(tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: proposal.id }));
    const closed = await ok(tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: won.id }));
    const deleted = await ok(tenant.api.delete(`/v1/deals/${deal.id}`));

    const events = await eventsOf(tenant.api, deal.id);
    assert.deepEqual(types(events), ['deal.created', 'deal.updated', 'deal.stage_changed', 'deal.stage_changed', 'deal.won', 'deal.deleted']);
    const [onCreate, onRename, onMove, onCloseMove, onWon, onDelete] = events;
    assertEvent(onCreate, { type: 'deal.created', object: deal, response: created });
    assertEvent(onRename, { type: 'deal.updated', object: renamed.body.data, response: renamed });
    assert.equal(onRename.data.previous_attributes.name, deal.name);
    assert.equal(onRename.data.previous_attributes.stage_id, undefined);
    assertEvent(onMove, { type: 'deal.stage_changed', object: moved.body.data, response: moved });
    assert.equal(onMove.data.previous_attributes.stage_id, qualification.id);
    assert.equal(onMove.data.previous_attributes.name, undefined);
    assertEvent(onCloseMove, { type: 'deal.stage_changed', object: closed.body.data, response: closed });
    assertEvent(onWon, { type: 'deal.won', object: closed.body.data, response: closed });
    assert.equal(onWon.data.previous_attributes.status, 'open');
    assert.equal(onWon.data.previous_attributes.stage_id, proposal.id);
    assertEvent(onDelete, { type: 'deal.deleted', object: closed.body.data, response: deleted });

    const loser = (await ok(tenant.api.post('/v1/deals', { name: unique('Lost deal ') }))).body.data;
    const lostMove = await ok(tenant.api.post(`/v1/deals/${loser.id}/move`, { stage_id: lost.id, lost_reason: 'No budget' }));
    const lostEvents = await eventsOf(tenant.api, loser.id);
    assert.deepEqual(types(lostEvents), ['deal.created', 'deal.stage_changed', 'deal.lost']);
    assertEvent(lostEvents[2], { type: 'deal.lost', object: lostMove.body.data, response: lostMove });
    assert.equal(lostEvents[2].data.object.lost_reason, 'No budget');
  });

  it('writes activity.created, activity.updated and activity.deleted', async () => {
    const created = await ok(tenant.api.post('/v1/activities', { type: 'note', subject: unique('Noted ') }));
    const activity = created.body.data;
    const updated = await ok(tenant.api.patch(`/v1/activities/${activity.id}`, { subject: 'Changed subject' }));
    const deleted = await ok(tenant.api.delete(`/v1/activities/${activity.id}`));
    const events = await eventsOf(tenant.api, activity.id);
    assert.deepEqual(types(events), ['activity.created', 'activity.updated', 'activity.deleted']);
    assertEvent(events[0], { type: 'activity.created', object: activity, response: created });
    assertEvent(events[1], { type: 'activity.updated', object: updated.body.data, response: updated });
    assert.equal(events[1].data.previous_attributes.subject, activity.subject);
    assertEvent(events[2], { type: 'activity.deleted', object: updated.body.data, response: deleted });
  });

  it('writes task.created, task.updated, task.completed (by /complete or by PATCH status) and task.deleted', async () => {
    const created = await ok(tenant.api.post('/v1/tasks', { title: unique('Call back ') }));
    const task = created.body.data;
    const updated = await ok(tenant.api.patch(`/v1/tasks/${task.id}`, { title: 'Call back tomorrow' }));
    const completed = await ok(tenant.api.post(`/v1/tasks/${task.id}/complete`));
    // Completing a completed task changes nothing: no event.
    await ok(tenant.api.post(`/v1/tasks/${task.id}/complete`));
    const deleted = await ok(tenant.api.delete(`/v1/tasks/${task.id}`));
    const events = await eventsOf(tenant.api, task.id);
    assert.deepEqual(types(events), ['task.created', 'task.updated', 'task.completed', 'task.deleted']);
    assertEvent(events[0], { type: 'task.created', object: task, response: created });
    assertEvent(events[1], { type: 'task.updated', object: updated.body.data, response: updated });
    assertEvent(events[2], { type: 'task.completed', object: completed.body.data, response: completed });
    assert.equal(events[2].data.previous_attributes.status, 'open');
    assert.equal(events[2].data.previous_attributes.completed_at, null);
    assertEvent(events[3], { type: 'task.deleted', object: completed.body.data, response: deleted });

    const other = (await ok(tenant.api.post('/v1/tasks', { title: unique('Patch me ') }))).body.data;
    const patched = await ok(tenant.api.patch(`/v1/tasks/${other.id}`, { status: 'completed' }));
    const byPatch = await eventsOf(tenant.api, other.id);
    assert.deepEqual(types(byPatch), ['task.created', 'task.completed']);
    assertEvent(byPatch[1], { type: 'task.completed', object: patched.body.data, response: patched });
  });

  it('writes pipeline.created, pipeline.updated (also for a change to its stages) and pipeline.deleted', async () => {
    const created = await ok(tenant.api.post('/v1/pipelines', { name: unique('Evented pipeline '), stages: [{ name: 'One', probability: 10 }] }));
    const pipeline = created.body.data;
    const renamed = await ok(tenant.api.patch(`/v1/pipelines/${pipeline.id}`, { name: 'Renamed pipeline' }));
    await ok(tenant.api.post(`/v1/pipelines/${pipeline.id}/stages`, { name: 'Two', probability: 50 }));
    const after = (await tenant.api.get(`/v1/pipelines/${pipeline.id}`)).body.data;
    const deleted = await ok(tenant.api.delete(`/v1/pipelines/${pipeline.id}`));
    const events = await eventsOf(tenant.api, pipeline.id);
    assert.deepEqual(types(events), ['pipeline.created', 'pipeline.updated', 'pipeline.updated', 'pipeline.deleted']);
    assertEvent(events[0], { type: 'pipeline.created', object: pipeline, response: created });
    assertEvent(events[1], { type: 'pipeline.updated', object: renamed.body.data, response: renamed });
    assert.equal(events[1].data.previous_attributes.name, pipeline.name);
    assert.deepEqual(events[2].data.object, after);
    assert.deepEqual(events[2].data.previous_attributes.stages, renamed.body.data.stages);
    assertEvent(events[3], { type: 'pipeline.deleted', object: after, response: deleted });
  });

  it('writes tag.created, tag.updated and tag.deleted', async () => {
    const created = await ok(tenant.api.post('/v1/tags', { name: unique('evented-') }));
    const tag = created.body.data;
    const updated = await ok(tenant.api.patch(`/v1/tags/${tag.id}`, { name: unique('renamed-') }));
    const deleted = await ok(tenant.api.delete(`/v1/tags/${tag.id}`));
    const events = await eventsOf(tenant.api, tag.id);
    assert.deepEqual(types(events), ['tag.created', 'tag.updated', 'tag.deleted']);
    assertEvent(events[0], { type: 'tag.created', object: tag, response: created });
    assertEvent(events[1], { type: 'tag.updated', object: updated.body.data, response: updated });
    assert.deepEqual(events[1].data.previous_attributes, { name: tag.name, updated_at: tag.updated_at, version: 1 });
    assertEvent(events[2], { type: 'tag.deleted', object: updated.body.data, response: deleted });
  });

  it('names the user and key that made the change, and the request', async () => {
    const user = await createUser(tenant.api, { role: 'member' });
    const key = await keyFor(server, tenant, { scope: 'full', user_id: user.id });
    const requestId = unique('sync-run-');
    const created = await ok(key.api.post('/v1/contacts', { first_name: 'By', last_name: 'Integration' }, { 'x-request-id': requestId }));
    const [event] = await eventsOf(tenant.api, created.body.data.id);
    assert.equal(event.request_id, requestId, 'the X-Request-Id the client sent');
    assert.deepEqual(event.actor, { user_id: user.id, key_id: key.id });
    assert.deepEqual(event.data.object, created.body.data);
  });

  it('writes a deal.updated naming the cause for a deal that a company deletion unlinks (its version moves on)', async () => {
    const company = await createCompany(tenant.api);
    const deal = (await ok(tenant.api.post('/v1/deals', { name: unique('Linked '), company_id: company.id }))).body.data;
    const deleted = await ok(tenant.api.delete(`/v1/companies/${company.id}`));
    const after = (await tenant.api.get(`/v1/deals/${deal.id}`)).body.data;
    assert.equal(after.version, deal.version + 1);
    const events = await eventsOf(tenant.api, deal.id);
    assert.deepEqual(types(events), ['deal.created', 'deal.updated']);
    assertEvent(events[1], { type: 'deal.updated', object: after, response: deleted });
    assert.deepEqual(events[1].data.cause, { type: 'company.deleted', id: company.id });
  });
});

describe('a write that fails leaves no event', () => {
  let t: Tenant;
  let pipeline: any;
  let otherPipeline: any;

  before(async () => {
    t = await createTenant(server);
    pipeline = (await t.api.get('/v1/pipelines')).body.data.find((p: { is_default: boolean }) => p.is_default);
    otherPipeline = (await ok(t.api.post('/v1/pipelines', { name: 'Second', stages: [{ name: 'Elsewhere', probability: 20 }] }))).body.data;
  });

  /** Runs `failing` and checks that the workspace's event log did not grow. */
  async function leavesNoEvent(failing: () => Promise<void>): Promise<void> {
    const before = await walk(t.api, '/v1/events?limit=100');
    await failing();
    const after = await walk(t.api, '/v1/events?limit=100');
    assert.deepEqual(ids(after), ids(before), `events appeared: ${JSON.stringify(after.slice(before.length).map((e) => e.type))}`);
  }

  it('writes nothing for a duplicate email (409), and exactly one event for each contact that was created', async () => {
    const first = await createContact(t.api);
    const second = await createContact(t.api);
    await leavesNoEvent(async () => {
      assertDuplicate(await t.api.post('/v1/contacts', { first_name: 'Copy', email: first.email }), first.id);
      assertDuplicate(await t.api.patch(`/v1/contacts/${second.id}`, { email: first.email }), first.id);
    });
    assert.deepEqual(types(await eventsOf(t.api, first.id)), ['contact.created']);
    assert.deepEqual(types(await eventsOf(t.api, second.id)), ['contact.created']);
  });

  it('writes nothing for a PATCH naming an unknown tag (422), nor for a stale If-Match (412)', async () => {
    const contact = await createContact(t.api);
    await leavesNoEvent(async () => {
      assertUnprocessable(await t.api.patch(`/v1/contacts/${contact.id}`, { title: 'Tagged', tag_ids: ['tag_01M807GFFF8MEEXBKKKVK895SP'] }), 'tag_ids');
      const stale = await t.api.patch(`/v1/contacts/${contact.id}`, { title: 'Stale' }, { 'if-match': '"9"' });
      assert.equal(stale.status, 412, stale.text);
    });
    assert.equal((await t.api.get(`/v1/contacts/${contact.id}`)).body.data.version, 1);
    await ok(t.api.patch(`/v1/contacts/${contact.id}`, { title: 'Fine' }));
    assert.deepEqual(types(await eventsOf(t.api, contact.id)), ['contact.created', 'contact.updated']);
  });

  it("writes nothing for a move to another pipeline's stage (422), and one event per real move", async () => {
    const deal = (await ok(t.api.post('/v1/deals', { name: unique('Stuck ') }))).body.data;
    await leavesNoEvent(async () => {
      assertUnprocessable(await t.api.post(`/v1/deals/${deal.id}/move`, { stage_id: otherPipeline.stages[0].id }), 'stage_id');
      assertUnprocessable(await t.api.patch(`/v1/deals/${deal.id}`, { name: 'Half done', stage_id: otherPipeline.stages[0].id }), 'stage_id');
    });
    await ok(t.api.post(`/v1/deals/${deal.id}/move`, { stage_id: pipeline.stages[1].id }));
    assert.deepEqual(types(await eventsOf(t.api, deal.id)), ['deal.created', 'deal.stage_changed']);
  });

  it('rolls back the events of the records a lead conversion had already made when its deal is refused', async () => {
    const email = `${unique('conv-')}@example.com`;
    const companyName = unique('Convco ');
    const lead = (await ok(t.api.post('/v1/leads', { first_name: 'Cora', last_name: 'Convert', email, company_name: companyName }))).body.data;
    await leavesNoEvent(async () => {
      // The company and the contact are created (with their events) before the deal's stage is found wanting.
      assertUnprocessable(await t.api.post(`/v1/leads/${lead.id}/convert`, { deal: { stage_id: 'stg_01M807GFFF8MEEXBKKKVK895SP' } }), 'stage_id');
      assertUnprocessable(await t.api.post(`/v1/leads/${lead.id}/convert`, { deal: { pipeline_id: pipeline.id, stage_id: otherPipeline.stages[0].id } }), 'stage_id');
    });
    assert.equal((await t.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`)).body.meta.total, 0);
    assert.equal((await t.api.get(`/v1/companies?name=${encodeURIComponent(companyName)}`)).body.meta.total, 0);
    assert.equal((await t.api.get(`/v1/leads/${lead.id}`)).body.data.status, lead.status);

    const converted = await ok(t.api.post(`/v1/leads/${lead.id}/convert`, { deal: {} }));
    const { contact, company, deal } = converted.body.data;
    const made = await walk(t.api, `/v1/events?created_at[gte]=${encodeURIComponent(converted.body.data.lead.updated_at)}&limit=100`);
    assert.deepEqual(types(made).sort(), ['company.created', 'contact.created', 'deal.created', 'lead.converted']);
    assert.deepEqual(made.map((e) => e.data.object.id).sort(), [company.id, contact.id, deal.id, lead.id].sort());
  });

  it('writes exactly one contact.created when 10 clients create the same email at once', async () => {
    const email = `${unique('race-')}@example.com`;
    const before = await total(t.api, '/v1/events');
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => t.api.post('/v1/contacts', { first_name: `Racer ${i}`, email })));
    const created = responses.filter((r) => r.status === 201);
    assert.equal(created.length, 1, responses.map((r) => r.status).join(','));
    assert.equal(await total(t.api, '/v1/events'), before + 1);
    const [event] = await eventsOf(t.api, created[0]?.body.data.id);
    assert.equal(event.type, 'contact.created');
    assert.equal(event.request_id, created[0]?.body.meta.request_id);
  });
});

describe('listing events', () => {
  let t: Tenant;
  /** The events of the changes made in before(), in order. */
  let made: any[];

  before(async () => {
    t = await createTenant(server);
    const contact = await createContact(t.api);
    await ok(t.api.patch(`/v1/contacts/${contact.id}`, { title: 'One' }));
    const company = await createCompany(t.api);
    const deal = (await ok(t.api.post('/v1/deals', { name: 'Listed deal' }))).body.data;
    const pipeline = (await t.api.get('/v1/pipelines')).body.data[0];
    await ok(t.api.post(`/v1/deals/${deal.id}/move`, { stage_id: pipeline.stages[4].id }));
    await ok(t.api.patch(`/v1/contacts/${contact.id}`, { title: 'Two' }));
    await ok(t.api.delete(`/v1/companies/${company.id}`));
    made = await walk(t.api, '/v1/events?limit=100');
  });

  it('lists the workspace\'s events oldest first, in the order the changes happened', () => {
    assert.deepEqual(types(made), ['contact.created', 'contact.updated', 'company.created', 'deal.created', 'deal.stage_changed', 'deal.won', 'contact.updated', 'company.deleted']);
    const times = made.map((e) => e.created_at);
    assert.deepEqual(times, times.slice().sort());
    for (const event of made) assert.equal(event.workspace_id, t.workspaceId);
  });

  it('pages through the events with a cursor, each exactly once', async () => {
    const first = await t.api.get('/v1/events?limit=3');
    assert.equal(first.status, 200, first.text);
    assert.equal(first.body.meta.has_more, true);
    assert.equal(first.body.meta.total, made.length);
    assert.deepEqual(ids(first.body.data), ids(made).slice(0, 3));
    assert.deepEqual(ids(await walk(t.api, '/v1/events?limit=3')), ids(made));
    assert.deepEqual(ids(await walk(t.api, '/v1/events?limit=1')), ids(made));
  });

  it('filters by type, by type prefix and by record', async () => {
    const updates = await walk(t.api, '/v1/events?type=contact.updated');
    assert.deepEqual(ids(updates), ids(made.filter((e) => e.type === 'contact.updated')));
    assert.equal(updates.length, 2);
    const deals = await walk(t.api, `/v1/events?type[starts_with]=${encodeURIComponent('deal.')}`);
    assert.deepEqual(types(deals), ['deal.created', 'deal.stage_changed', 'deal.won']);
    const contactId = made[0].data.object.id;
    assert.deepEqual(ids(await walk(t.api, `/v1/events?record_id=${contactId}`)), ids(made.filter((e) => e.data.object.id === contactId)));
    const both = await walk(t.api, `/v1/events?record_id=${contactId}&type=contact.created`);
    assert.deepEqual(ids(both), [made[0].id]);
    assert.equal((await t.api.get('/v1/events?type=tag.created')).body.meta.total, 0);
  });

  it('filters by a created_at range', async () => {
    const from = made[2].created_at;
    const to = made[made.length - 1].created_at;
    const inRange = await walk(t.api, `/v1/events?created_at[gte]=${encodeURIComponent(from)}&created_at[lt]=${encodeURIComponent(to)}`);
    assert.deepEqual(ids(inRange), ids(made.filter((e) => e.created_at >= from && e.created_at < to)));
    assert.ok(inRange.length >= 1 && inRange.length < made.length);
    const later = await walk(t.api, `/v1/events?created_at[gt]=${encodeURIComponent(to)}`);
    assert.deepEqual(later, []);
  });

  it('refuses a filter it does not understand with 400', async () => {
    for (const query of ['created_at[gte]=yesterday', 'colour=red', 'type[between]=a']) {
      const response = await t.api.get(`/v1/events?${query}`);
      assert.equal(response.status, 400, `${query}: ${response.text}`);
      assert.equal(response.body.error.code, 'invalid_filter', query);
    }
  });

  it('gets one event by id, as listed', async () => {
    for (const event of made) {
      const response = await t.api.get(`/v1/events/${event.id}`);
      assert.equal(response.status, 200, response.text);
      assert.deepEqual(response.body.data, event);
    }
    assertNotFound(await t.api.get('/v1/events/evt_01M807GFFF8MEEXBKKKVK895SP'), 'missing event');
    assertNotFound(await t.api.get('/v1/events/nonsense'), 'malformed event id');
  });
});

describe('isolation and scopes', () => {
  it("answers 404 for another workspace's event and never lists it, whatever the filter", async () => {
    const theirs = await createContact(other.api);
    const [event] = await eventsOf(other.api, theirs.id);
    assert.ok(event);
    const foreign = await tenant.api.get(`/v1/events/${event.id}`);
    const missing = await tenant.api.get('/v1/events/evt_01M807GFFF8MEEXBKKKVK895SP');
    assertNotFound(foreign, 'their event');
    assert.equal(foreign.body.error.message, missing.body.error.message);
    const mine = await walk(tenant.api, '/v1/events?limit=100');
    assert.ok(mine.length > 0);
    assert.ok(!ids(mine).includes(event.id));
    for (const e of mine) assert.equal(e.workspace_id, tenant.workspaceId);
    for (const query of [`record_id=${theirs.id}`, 'type=contact.created', `created_at[gte]=${encodeURIComponent(event.created_at)}`]) {
      const response = await tenant.api.get(`/v1/events?${query}`);
      assert.equal(response.status, 200, response.text);
      assert.ok(!ids(response.body.data).includes(event.id), query);
    }
    assert.equal((await tenant.api.get(`/v1/events?record_id=${theirs.id}`)).body.meta.total, 0);
  });

  it('lets a read_only key and an events:read key read events, and refuses keys without events:read', async () => {
    const contact = await createContact(tenant.api);
    const [event] = await eventsOf(tenant.api, contact.id);
    for (const body of [{ scope: 'read_only' }, { scope: 'custom', grants: ['events:read'] }]) {
      const { api } = await keyFor(server, tenant, body);
      const listed = await api.get(`/v1/events?record_id=${contact.id}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(ids(listed.body.data), [event.id]);
      assert.equal((await api.get(`/v1/events/${event.id}`)).status, 200);
    }
    for (const grants of [['contacts:write'], ['webhooks:write']]) {
      const { api } = await keyFor(server, tenant, { scope: 'custom', grants });
      assertScopeRefused(await api.get('/v1/events'), 'events:read');
      assertScopeRefused(await api.get(`/v1/events/${event.id}`), 'events:read');
    }
  });
});
