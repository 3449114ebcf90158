/**
 * Knock-on events: records that a deletion unlinks, a merge points at the
 * survivor, or a tag change retags get a `<type>.updated` event of their own,
 * in the same transaction, naming the cause; a record that already has an
 * event in that transaction gets no second one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCompany, createContact, createTenant, createUser, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

interface EventBody {
  id: string;
  type: string;
  created_at: string;
  data: { object: any; cause?: { type: string; id: string }; previous_attributes?: Record<string, unknown> };
}

/** The events at the time of the latest event of `type` for `recordId`: that transaction's events. */
async function eventsOfTransaction(type: string, recordId: string): Promise<EventBody[]> {
  const cause = (await tenant.api.get(`/v1/events?type=${type}&record_id=${recordId}`)).body.data as EventBody[];
  assert.equal(cause.length, 1, `one ${type} event for ${recordId}`);
  const at = cause[0]?.created_at as string;
  const response = await tenant.api.get(`/v1/events?created_at=${encodeURIComponent(at)}&limit=100`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

const summary = (events: EventBody[]) => events.map((e) => `${e.type} ${e.data.object.id}`).sort();

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(async () => server.close());

describe('knock-on events', () => {
  it('announces every record a company deletion unlinks, with the record after and the cause', async () => {
    const company = await createCompany(tenant.api);
    const ada = await createContact(tenant.api, { company_id: company.id });
    const bob = await createContact(tenant.api, { company_id: company.id });
    const deal = (await tenant.api.post('/v1/deals', { name: 'Unlinked deal', company_id: company.id })).body.data;
    const activity = (await tenant.api.post('/v1/activities', { type: 'call', company_id: company.id })).body.data;
    const task = (await tenant.api.post('/v1/tasks', { title: 'Follow up', company_id: company.id })).body.data;
    const bystander = await createContact(tenant.api);

    assert.equal((await tenant.api.delete(`/v1/companies/${company.id}`)).status, 200);
    const events = await eventsOfTransaction('company.deleted', company.id);
    assert.deepEqual(
      summary(events),
      [`activity.updated ${activity.id}`, `company.deleted ${company.id}`, `contact.updated ${ada.id}`, `contact.updated ${bob.id}`, `deal.updated ${deal.id}`, `task.updated ${task.id}`].sort(),
    );
    for (const event of events.filter((e) => e.type !== 'company.deleted')) {
      assert.deepEqual(event.data.cause, { type: 'company.deleted', id: company.id }, event.type);
      assert.equal(event.data.object.company_id, null, `${event.type} shows the record after`);
    }
    const contactEvent = events.find((e) => e.data.object.id === ada.id);
    assert.equal(contactEvent?.data.object.version, 2);
    assert.ok(!events.some((e) => e.data.object.id === bystander.id));
  });

  it("announces the records a merge moves to the survivor, and the survivor only once", async () => {
    const survivor = await createContact(tenant.api);
    const duplicate = await createContact(tenant.api);
    const deal = (await tenant.api.post('/v1/deals', { name: 'Moved deal', contact_ids: [duplicate.id] })).body.data;
    const activity = (await tenant.api.post('/v1/activities', { type: 'email', contact_id: duplicate.id })).body.data;

    const merged = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id });
    assert.equal(merged.status, 200, merged.text);
    const events = await eventsOfTransaction('contact.merged', survivor.id);
    assert.deepEqual(summary(events), [`activity.updated ${activity.id}`, `contact.merged ${survivor.id}`, `deal.updated ${deal.id}`].sort());
    const dealEvent = events.find((e) => e.type === 'deal.updated');
    assert.deepEqual(dealEvent?.data.object.contact_ids, [survivor.id]);
    assert.deepEqual(dealEvent?.data.cause, { type: 'contact.merged', id: survivor.id });
  });

  it('announces the records that show a renamed tag, and those a deleted tag is taken off', async () => {
    const tag = (await tenant.api.post('/v1/tags', { name: 'Hot lead' })).body.data;
    const contact = await createContact(tenant.api, { tag_ids: [tag.id] });
    const company = await createCompany(tenant.api, { tag_ids: [tag.id] });

    assert.equal((await tenant.api.patch(`/v1/tags/${tag.id}`, { name: 'Warm lead' })).status, 200);
    const renamed = await eventsOfTransaction('tag.updated', tag.id);
    assert.deepEqual(summary(renamed), [`company.updated ${company.id}`, `contact.updated ${contact.id}`, `tag.updated ${tag.id}`].sort());
    assert.deepEqual(
      renamed.find((e) => e.type === 'contact.updated')?.data.object.tags.map((t: { name: string }) => t.name),
      ['Warm lead'],
    );

    assert.equal((await tenant.api.delete(`/v1/tags/${tag.id}`)).status, 200);
    const removed = await eventsOfTransaction('tag.deleted', tag.id);
    assert.deepEqual(summary(removed), [`company.updated ${company.id}`, `contact.updated ${contact.id}`, `tag.deleted ${tag.id}`].sort());
    assert.deepEqual(removed.find((e) => e.type === 'contact.updated')?.data.object.tags, []);
  });

  it("announces the records a deleted user owned or was assigned", async () => {
    const user = await createUser(tenant.api, { role: 'member' });
    const contact = await createContact(tenant.api, { owner_id: user.id });
    const task = (await tenant.api.post('/v1/tasks', { title: 'Theirs', assignee_id: user.id })).body.data;
    assert.equal((await tenant.api.delete(`/v1/users/${user.id}`)).status, 200);

    const ownerless = (await tenant.api.get(`/v1/events?record_id=${contact.id}&type=contact.updated`)).body.data as EventBody[];
    assert.equal(ownerless.length, 1);
    assert.equal(ownerless[0]?.data.object.owner_id, null);
    assert.deepEqual(ownerless[0]?.data.cause, { type: 'user.deleted', id: user.id });
    const unassigned = (await tenant.api.get(`/v1/events?record_id=${task.id}&type=task.updated`)).body.data as EventBody[];
    assert.equal(unassigned.length, 1);
    assert.equal(unassigned[0]?.data.object.assignee_id, null);
  });
});
