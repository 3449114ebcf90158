/**
 * The seeds' use cases end to end over HTTP: a lead arrives from a web form, is
 * worked (a call logged by the phone system, a follow-up task done), converted
 * into a contact, a company and a deal, and the deal is moved to won by
 * repeated calls from external triggers. History and timelines show exactly that.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, keyFor, type Tenant } from './helpers/factories.js';
import type { ApiClient } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

describe('from web-form lead to won deal', () => {
  it('walks the sales pipeline end to end', async () => {
    // Each integration has its own least-privileged key.
    const webForm = await keyFor(server, tenant, { scope: 'custom', grants: ['leads:write'] });
    const phoneSystem = await keyFor(server, tenant, { scope: 'custom', grants: ['activities:write'] });
    const contractTrigger = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:write', 'pipelines:read'] });
    const rep: ApiClient = tenant.api;

    // 1. A lead arrives from the web form; a resubmission is refused, not duplicated.
    const form = { first_name: 'Ada', last_name: 'Lovelace', email: 'ada@analytical-engines.com', company_name: 'Analytical Engines', website: 'https://www.analytical-engines.com', source: 'website', city: 'London' };
    const arrived = await webForm.api.post('/v1/leads', form);
    assert.equal(arrived.status, 201, arrived.text);
    const lead = arrived.body.data;
    assert.equal(lead.status, 'new');
    const again = await webForm.api.post('/v1/leads', form);
    assert.equal(again.status, 409);
    assert.equal(again.body.error.details.existing_id, lead.id);
    // The form's key may not read or touch anything else.
    assert.equal((await webForm.api.get('/v1/contacts')).status, 403);

    // 2. The lead is worked: the phone system logs a call (twice, as retries do), a task is done.
    const call = { type: 'call', direction: 'outbound', subject: 'Discovery call', duration_seconds: 540, outcome: 'connected', lead_id: lead.id, source: 'aircall', external_id: 'call-1001', occurred_at: '2026-11-02T10:00:00.000Z' };
    const logged = await phoneSystem.api.post('/v1/activities', call);
    assert.equal(logged.status, 201, logged.text);
    const retried = await phoneSystem.api.post('/v1/activities', call);
    assert.equal(retried.status, 409);
    assert.equal(retried.body.error.details.existing_id, logged.body.data.id);
    const task = await rep.post('/v1/tasks', { title: 'Send proposal', lead_id: lead.id, due_at: '2026-11-05T17:00:00.000Z', priority: 'high' });
    assert.equal(task.status, 201, task.text);
    const done = await rep.post(`/v1/tasks/${task.body.data.id}/complete`);
    assert.equal(done.body.data.status, 'completed');
    assert.equal((await rep.patch(`/v1/leads/${lead.id}`, { status: 'qualified' })).body.data.status, 'qualified');

    // 3. Conversion makes a contact, a company and a deal, once.
    const converted = await rep.post(`/v1/leads/${lead.id}/convert`, { deal: { name: 'Engine licence', value: { amount: 4_800_000, currency: 'GBP' } } });
    assert.equal(converted.status, 200, converted.text);
    const { contact, company, deal } = converted.body.data;
    assert.equal(converted.body.data.lead.status, 'converted');
    assert.equal(contact.email, 'ada@analytical-engines.com');
    assert.equal(contact.company_id, company.id);
    assert.equal(company.domain, 'analytical-engines.com');
    assert.deepEqual(deal.contact_ids, [contact.id]);
    assert.equal(deal.company_id, company.id);
    assert.deepEqual(deal.value, { amount: 4_800_000, currency: 'GBP' });
    const reconverted = await rep.post(`/v1/leads/${lead.id}/convert`, { deal: { name: 'Another' } });
    assert.equal(reconverted.body.data.deal.id, deal.id);
    assert.equal((await rep.get('/v1/deals')).body.meta.total, 1);
    assert.equal((await rep.get('/v1/contacts')).body.meta.total, 1);

    // 4. External triggers move the deal; each fires more than once.
    const pipeline = (await contractTrigger.api.get(`/v1/pipelines/${deal.pipeline_id}`)).body.data;
    const stage = (name: string) => pipeline.stages.find((s: { name: string }) => s.name === name).id;
    for (const [name, times] of [['Proposal', 2], ['Negotiation', 3], ['Won', 2]] as const) {
      for (let i = 0; i < times; i++) {
        const moved = await contractTrigger.api.post(`/v1/deals/${deal.id}/move`, { stage_id: stage(name) });
        assert.equal(moved.status, 200, moved.text);
      }
    }
    const won = (await rep.get(`/v1/deals/${deal.id}`)).body.data;
    assert.equal(won.status, 'won');
    assert.ok(won.closed_at);
    assert.equal(won.probability, 100);

    // 5. History and timelines show exactly what happened.
    const history = (await rep.get(`/v1/deals/${deal.id}/history`)).body.data;
    assert.deepEqual(
      history.map((h: { from_stage_id: string | null; to_stage_id: string }) => [h.from_stage_id, h.to_stage_id]),
      [
        [null, stage('Qualification')],
        [stage('Qualification'), stage('Proposal')],
        [stage('Proposal'), stage('Negotiation')],
        [stage('Negotiation'), stage('Won')],
      ],
    );
    const leadTimeline = (await rep.get(`/v1/leads/${lead.id}/timeline`)).body;
    assert.deepEqual(leadTimeline.data.map((e: { type: string; id: string }) => [e.type, e.id]).sort(), [
      ['activity', logged.body.data.id],
      ['task', task.body.data.id],
    ].sort());
    const dealTimeline = (await rep.get(`/v1/deals/${deal.id}/timeline`)).body;
    assert.equal(dealTimeline.meta.total, 4);
    assert.deepEqual(dealTimeline.data.map((e: { type: string }) => e.type), ['stage_change', 'stage_change', 'stage_change', 'stage_change']);
    assert.equal(dealTimeline.data[0].stage_change.to_stage_id, stage('Won'), 'newest first');
  });
});
