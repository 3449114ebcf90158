/**
 * Every resource and action of the SDK against a real server: each call
 * round-trips and what it wrote is read back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Trellis, { InvalidCredentialsError, LinkUsedError, NotFoundError, OPERATIONS } from '@trellis/sdk';
import { OPERATOR_TOKEN, startServer, type TestServer } from '../../../test/helpers/server.js';
import { unique } from '../../../test/helpers/factories.js';
import { sdkTenant } from './helpers/setup.js';

let server: TestServer;
let client: Trellis;

before(async () => {
  server = await startServer({ TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1', WEBHOOK_WORKER: 'false' });
  ({ client } = await sdkTenant(server));
});
after(() => server.close());

const camel = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

test('every REST operation the server documents has an SDK method named after its operationId', () => {
  const missing = Object.keys(OPERATIONS).filter((id) => {
    const target = id.split('.').reduce<unknown>((object, part) => (object as Record<string, unknown> | undefined)?.[camel(part)], client);
    return typeof target !== 'function';
  });
  assert.deepEqual(missing, []);
});

describe('records', () => {
  test('contacts: create, get, update, list, upsert, bulk, merge, timeline, delete', async () => {
    const email = `${unique('ana-')}@example.com`;
    const contact = await client.contacts.create({ first_name: 'Ana', last_name: 'Lopez', email });
    assert.match(contact.id, /^con_/);
    assert.equal((await client.contacts.get(contact.id)).email, email);
    const updated = await client.contacts.update(contact.id, { title: 'CFO' }, { ifMatch: contact.version });
    assert.equal(updated.title, 'CFO');
    assert.equal(updated.version, contact.version + 1);
    const page = await client.contacts.list({ email });
    assert.deepEqual(page.data.map((c) => c.id), [contact.id]);
    assert.equal(page.meta.total, 1);

    const upserted = await client.contacts.upsert({ email, last_name: 'López' });
    assert.equal(upserted.id, contact.id);
    assert.equal(upserted.last_name, 'López');
    const bulk = await client.contacts.bulk({ mode: 'create', records: [{ first_name: 'Bo', email: `${unique('bo-')}@example.com` }, { first_name: 'Dup', email }] });
    assert.equal(bulk.created, 1);
    assert.equal(bulk.failed, 1);
    assert.equal(bulk.results[1]?.error?.code, 'duplicate');

    const duplicateId = bulk.results[0]?.id as string;
    const merged = await client.contacts.merge(contact.id, { duplicate_id: duplicateId });
    assert.equal(merged.emails.length, 2);
    await assert.rejects(client.contacts.get(duplicateId), NotFoundError);

    await client.activities.create({ type: 'call', subject: 'Intro call', contact_id: contact.id });
    const timeline = await client.contacts.timeline(contact.id);
    assert.equal(timeline.data[0]?.type, 'activity');

    assert.deepEqual(await client.contacts.delete(contact.id), { id: contact.id, deleted: true });
    await assert.rejects(client.contacts.get(contact.id), NotFoundError);
  });

  test('companies: CRUD, upsert by domain, bulk, merge, its contacts, timeline', async () => {
    const domain = `${unique('acme-')}.com`;
    const company = await client.companies.create({ name: 'Acme', domain });
    assert.equal((await client.companies.get(company.id)).domain, domain);
    assert.equal((await client.companies.update(company.id, { industry: 'Tools' })).industry, 'Tools');
    assert.equal((await client.companies.upsert({ name: 'Acme Inc', domain: `https://www.${domain}/` })).id, company.id);
    const bulk = await client.companies.bulk({ records: [{ name: 'Other', domain: `${unique('o-')}.com` }] });
    assert.equal(bulk.created, 1);
    const other = await client.companies.merge(company.id, { duplicate_id: bulk.results[0]?.id as string });
    assert.equal(other.id, company.id);
    const contact = await client.contacts.create({ first_name: 'Cy', company_id: company.id });
    const contacts = await client.companies.contacts.list(company.id);
    assert.deepEqual(contacts.data.map((c) => c.id), [contact.id]);
    assert.equal((await client.companies.timeline(company.id)).meta.total, 0);
    assert.equal((await client.companies.list({ domain })).data[0]?.id, company.id);
    assert.equal((await client.companies.delete(company.id)).deleted, true);
  });

  test('leads: CRUD, upsert, bulk, convert, timeline', async () => {
    const email = `${unique('lead-')}@example.com`;
    const lead = await client.leads.create({ first_name: 'Lea', last_name: 'Stone', email, company_name: 'Stone Ltd' });
    assert.equal((await client.leads.get(lead.id)).status, 'new');
    assert.equal((await client.leads.update(lead.id, { status: 'contacted' })).status, 'contacted');
    assert.equal((await client.leads.upsert({ first_name: 'Lea', last_name: 'Stone', email, phone: '+1 555 0100' })).id, lead.id);
    assert.equal((await client.leads.bulk({ records: [{ first_name: 'B', last_name: 'C', email: `${unique('b-')}@example.com` }] })).created, 1);
    assert.equal((await client.leads.timeline(lead.id)).meta.total, 0);
    const conversion = await client.leads.convert(lead.id, { deal: { name: 'Stone deal' } });
    assert.equal(conversion.lead.status, 'converted');
    assert.equal(conversion.deal?.name, 'Stone deal');
    assert.equal((await client.leads.list({ status: 'converted' })).data[0]?.id, lead.id);
    assert.equal((await client.leads.delete(lead.id)).deleted, true);
  });

  test('deals: CRUD, move, history, timeline', async () => {
    const pipeline = (await client.pipelines.list()).data.find((p) => p.is_default);
    assert.ok(pipeline);
    const deal = await client.deals.create({ name: 'Big one', value: { amount: 1_250_000, currency: 'USD' } });
    assert.equal(deal.stage_id, pipeline.stages[0]?.id);
    assert.equal((await client.deals.get(deal.id)).name, 'Big one');
    assert.equal((await client.deals.update(deal.id, { probability: 40 })).probability, 40);
    const won = pipeline.stages.find((s) => s.type === 'won');
    const moved = await client.deals.move(deal.id, { stage_id: won?.id as string });
    assert.equal(moved.status, 'won');
    const history = await client.deals.history(deal.id).toArray();
    assert.deepEqual(history.map((h) => h.to_stage_id), [pipeline.stages[0]?.id, won?.id]);
    assert.equal((await client.deals.timeline(deal.id)).data[0]?.type, 'stage_change');
    assert.equal((await client.deals.list({ status: 'won' })).data[0]?.id, deal.id);
    assert.equal((await client.deals.delete(deal.id)).deleted, true);
  });

  test('activities and tasks: CRUD, complete', async () => {
    const activity = await client.activities.create({ type: 'meeting', subject: 'Demo' });
    assert.equal((await client.activities.get(activity.id)).subject, 'Demo');
    assert.equal((await client.activities.update(activity.id, { outcome: 'went well' })).outcome, 'went well');
    assert.ok((await client.activities.list({ type: 'meeting' })).data.some((a) => a.id === activity.id));
    assert.equal((await client.activities.delete(activity.id)).deleted, true);

    const task = await client.tasks.create({ title: 'Send proposal', priority: 'high' });
    assert.equal((await client.tasks.get(task.id)).status, 'open');
    assert.equal((await client.tasks.update(task.id, { description: 'PDF' })).description, 'PDF');
    assert.equal((await client.tasks.complete(task.id)).status, 'completed');
    assert.equal((await client.tasks.list({ status: 'completed' })).data[0]?.id, task.id);
    assert.equal((await client.tasks.delete(task.id)).deleted, true);
  });
});

describe('set-up', () => {
  test('pipelines and stages: CRUD, add, reorder, update and delete a stage', async () => {
    const pipeline = await client.pipelines.create({ name: 'Renewals', stages: [{ name: 'Open', probability: 20 }, { name: 'Signed', probability: 100, type: 'won' }] });
    assert.equal((await client.pipelines.get(pipeline.id)).stages.length, 2);
    assert.equal((await client.pipelines.update(pipeline.id, { name: 'Renewals 2027' })).name, 'Renewals 2027');
    const review = (await client.pipelines.stages.create(pipeline.id, { name: 'Review', probability: 50, position: 1 })).id;
    const withStage = await client.pipelines.get(pipeline.id);
    const ids = withStage.stages.map((s) => s.id);
    assert.equal(withStage.stages[1]?.id, review);
    const reordered = await client.pipelines.stages.reorder(pipeline.id, { stage_ids: [...ids].reverse() });
    assert.deepEqual(reordered.stages.map((s) => s.id), [...ids].reverse());
    assert.equal((await client.stages.get(review)).name, 'Review');
    assert.equal((await client.stages.update(review, { probability: 60 })).probability, 60);
    await client.stages.delete(review);
    await assert.rejects(client.stages.get(review), NotFoundError);
    assert.ok((await client.pipelines.list()).data.some((p) => p.id === pipeline.id));
    assert.equal((await client.pipelines.delete(pipeline.id)).deleted, true);
  });

  test('tags, users and API keys', async () => {
    const tag = await client.tags.create({ name: unique('vip-'), color: '#ff0000' });
    assert.equal((await client.tags.update(tag.id, { color: '#00ff00' })).color, '#00ff00');
    assert.equal((await client.tags.get(tag.id)).id, tag.id);
    assert.ok((await client.tags.list()).data.some((t) => t.id === tag.id));
    assert.equal((await client.tags.delete(tag.id)).deleted, true);

    const user = await client.users.create({ email: `${unique('u-')}@example.com`, name: 'Uma' });
    assert.equal((await client.users.update(user.id, { role: 'admin' })).role, 'admin');
    assert.equal((await client.users.get(user.id)).name, 'Uma');
    assert.ok((await client.users.list()).data.some((u) => u.id === user.id));

    const key = await client.apiKeys.create({ name: 'reader', scope: 'read_only', user_id: user.id });
    const reader = new Trellis({ apiKey: key.secret, baseUrl: server.url });
    assert.equal((await reader.me.get()).api_key?.scope, 'read_only');
    assert.equal((await client.apiKeys.get(key.id)).name, 'reader');
    assert.ok((await client.apiKeys.list()).data.some((k) => k.id === key.id));
    assert.equal((await client.apiKeys.revoke(key.id)).revoked, true);
    assert.equal((await client.users.delete(user.id)).deleted, true);
  });

  test('invitations, password links, sign-in, rotation and ownership', async () => {
    const email = `${unique('ivy-')}@example.com`;
    const invitation = await client.invitations.create({ email, role: 'admin' });
    assert.ok((await client.invitations.list()).some((i) => i.id === invitation.id));
    const link = await client.auth.links.get(invitation.token);
    assert.deepEqual([link.kind, link.email, link.role], ['invitation', email, 'admin']);
    const session = await client.auth.links.accept(invitation.token, { name: 'Ivy', password: 'a long password' });
    assert.equal(session.user.email, email);
    assert.match(session.csrf_token, /^[\w-]{20,}$/);
    await assert.rejects(client.auth.links.accept(invitation.token, { name: 'Ivy', password: 'a long password' }), LinkUsedError);
    const withdrawn = await client.invitations.create({ email: `${unique('gone-')}@example.com`, role: 'member' });
    assert.equal((await client.invitations.revoke(withdrawn.id)).deleted, true);

    assert.equal((await client.auth.signIn({ email, password: 'a long password' })).user.id, session.user.id);
    await assert.rejects(client.auth.signIn({ email, password: 'not the password' }), InvalidCredentialsError);
    const reset = await client.users.passwordLink(session.user.id);
    assert.equal((await client.auth.links.get(reset.token)).kind, 'password_reset');
    assert.ok(Array.isArray(await client.auth.sessions.list()));

    const key = await client.apiKeys.create({ name: 'to rotate', scope: 'read_only' });
    const rotated = await client.apiKeys.rotate(key.id, { overlap_seconds: 60 });
    assert.equal(rotated.replaces.id, key.id);
    assert.equal(rotated.scope, 'read_only');

    const operator = new Trellis({ apiKey: OPERATOR_TOKEN, baseUrl: server.url });
    const created = await operator.workspaces.create({ name: 'Handover', owner: { email: `${unique('o-')}@example.com`, name: 'Olga' } });
    const owner = new Trellis({ apiKey: created.api_key.secret, baseUrl: server.url });
    const heir = await owner.users.create({ email: `${unique('h-')}@example.com`, name: 'Hal' });
    const handed = await owner.workspace.transferOwnership({ user_id: heir.id });
    assert.deepEqual([handed.owner.role, handed.previous_owner.role], ['owner', 'admin']);
  });

  test('the operator creates a workspace whose owner key works at once', async () => {
    const operator = new Trellis({ apiKey: OPERATOR_TOKEN, baseUrl: server.url });
    const created = await operator.workspaces.create({ name: 'Acme Sales', plan: 'professional', owner: { email: `${unique('ana-')}@example.com`, name: 'Ana' } });
    const owner = new Trellis({ apiKey: created.api_key.secret, baseUrl: server.url });
    assert.equal((await owner.me.get()).workspace.id, created.workspace.id);
    assert.equal(owner.lastRateLimit?.limit, 300);
  });

  test('workspace, me and sandboxes', async () => {
    const name = unique('Renamed ');
    assert.equal((await client.workspace.update({ name })).name, name);
    assert.equal((await client.workspace.get()).name, name);
    const me = await client.me.get();
    assert.equal(me.workspace.name, name);
    const { sandbox, api_key } = await client.sandboxes.create({ name: 'Try-out', sample_data: true });
    const inSandbox = new Trellis({ apiKey: api_key.secret, baseUrl: server.url });
    assert.equal((await inSandbox.contacts.list()).meta.total, 5);
    assert.equal((await client.sandboxes.get(sandbox.id)).name, 'Try-out');
    assert.deepEqual((await client.sandboxes.list()).data.map((s) => s.id), [sandbox.id]);
    await client.sandboxes.delete(sandbox.id);
    await assert.rejects(client.sandboxes.get(sandbox.id), NotFoundError);
  });
});

describe('events, webhooks, search, reports', () => {
  test('events list and get', async () => {
    const contact = await client.contacts.create({ first_name: 'Eve', email: `${unique('eve-')}@example.com` });
    const events = await client.events.list({ record_id: contact.id }).toArray();
    assert.deepEqual(events.map((e) => e.type), ['contact.created']);
    assert.equal(((await client.events.get(events[0]?.id as string)).data as { object: { id: string } }).object.id, contact.id);
  });

  test('webhook endpoints: CRUD, rotate, test, deliveries, retry', async () => {
    const endpoint = await client.webhookEndpoints.create({ url: 'http://127.0.0.1:9/hooks', events: ['contact.created'] });
    assert.match(endpoint.secret as string, /^whsec_/);
    assert.equal((await client.webhookEndpoints.get(endpoint.id)).url, 'http://127.0.0.1:9/hooks');
    assert.equal((await client.webhookEndpoints.update(endpoint.id, { description: 'CRM sync' })).description, 'CRM sync');
    const rotated = await client.webhookEndpoints.rotateSecret(endpoint.id);
    assert.notEqual(rotated.secret, endpoint.secret);
    const ping = await client.webhookEndpoints.test(endpoint.id);
    assert.equal(ping.type, 'ping');
    const deliveries = await client.webhookEndpoints.deliveries(endpoint.id).toArray();
    assert.deepEqual(deliveries.map((d) => d.event_type), ['ping']);
    const retried = await client.webhookDeliveries.retry(deliveries[0]?.id as string);
    assert.equal(retried.id, deliveries[0]?.id);
    assert.ok((await client.webhookEndpoints.list()).data.some((e) => e.id === endpoint.id));
    assert.equal((await client.webhookEndpoints.delete(endpoint.id)).deleted, true);
  });

  test('search: universal, by email, by phone', async () => {
    const email = `${unique('zed-')}@example.com`;
    const contact = await client.contacts.create({ first_name: 'Zedekiah', last_name: 'Quill', email, phone: '+1 555 010 2030' });
    assert.deepEqual((await client.search({ q: 'zedek qui' })).data.map((r) => r.id), [contact.id]);
    assert.deepEqual((await client.search.byEmail({ email: email.toUpperCase() })).data.map((r) => r.id), [contact.id]);
    assert.ok((await client.search.byPhone({ phone: '5550102030' })).data.some((r) => r.id === contact.id));
  });

  test('reports as JSON and as CSV', async () => {
    await client.deals.create({ name: 'Report me', value: { amount: 500, currency: 'EUR' } });
    const report = await client.reports.pipeline({ group_by: 'stage' });
    assert.ok(report.rows.length > 0);
    assert.equal(report.totals.total_value.EUR !== undefined, true);
    assert.ok((await client.reports.sales({ period: 'this_month' })).rows !== undefined);
    assert.ok((await client.reports.conversion()).rows.length > 0);
    assert.ok((await client.reports.forecast({ interval: 'month' })).rows !== undefined);
    const csv = await client.reports.csv('pipeline', { group_by: 'stage' });
    assert.match(csv.split('\r\n')[0] ?? '', /^row_type,stage_id,stage_name/);
  });
});
