/** The MCP server, with the MCP SDK's own client, over Streamable HTTP (/mcp) and stdio (`trellis mcp`). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createContact, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
const clients: Client[] = [];

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

async function overHttp(key: string): Promise<Client> {
  const client = new Client({ name: 'trellis-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  clients.push(client);
  return client;
}

async function overStdio(key: string): Promise<Client> {
  const client = new Client({ name: 'trellis-test', version: '1.0.0' });
  const root = path.resolve(import.meta.dirname, '..');
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: ['--import', 'tsx', path.join(root, 'src/cli/main.ts'), 'mcp'], cwd: root, env: { ...process.env, TRELLIS_URL: server.url, TRELLIS_API_KEY: key } as Record<string, string>, stderr: 'pipe' }),
  );
  clients.push(client);
  return client;
}

/** A tool's answer: its parsed JSON, or a thrown error with the tool's message. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[] };
  const text = result.content[0]?.text ?? '';
  if (result.isError) throw new Error(text);
  return JSON.parse(text);
}

const names = async (client: Client) => (await client.listTools()).tools.map((t) => t.name);

describe('MCP over Streamable HTTP', () => {
  it('lists tools by the key\'s scope: read-only sees only read tools, destructive tools need full access or mcp:destructive', async () => {
    const full = await names(await overHttp(tenant.key));
    assert.ok(full.includes('delete_contact') && full.includes('create_deal') && full.includes('search'));

    const reader = await overHttp((await keyFor(server, tenant, { scope: 'read_only' })).secret);
    const readTools = (await reader.listTools()).tools;
    assert.ok(readTools.length > 5);
    assert.ok(readTools.every((t) => t.annotations?.readOnlyHint === true && t.annotations.destructiveHint === false), 'a read-only key sees only read tools');
    assert.ok(!readTools.some((t) => t.name === 'create_contact'));

    const safeWrite = await names(await overHttp((await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write'] })).secret));
    assert.ok(safeWrite.includes('create_contact') && safeWrite.includes('list_contacts'));
    assert.ok(!safeWrite.includes('delete_contact') && !safeWrite.includes('merge_contacts') && !safeWrite.includes('create_deal'));

    const destructive = await names(await overHttp((await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write', 'mcp:destructive'] })).secret));
    assert.ok(destructive.includes('delete_contact') && !destructive.includes('delete_deal'));
  });

  it('describes tools for a model: JSON-Schema input from the API, annotations, idempotency_key on writes', async () => {
    const tools = (await (await overHttp(tenant.key)).listTools()).tools;
    const create = tools.find((t) => t.name === 'create_contact');
    assert.ok(create);
    assert.match(create.description ?? '', /upsert_contact/);
    assert.equal(create.inputSchema.type, 'object');
    assert.ok('email' in (create.inputSchema.properties ?? {}) && 'idempotency_key' in (create.inputSchema.properties ?? {}));
    assert.deepEqual(create.annotations, { title: 'Create a contact', readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false });
    const get = tools.find((t) => t.name === 'get_contact');
    assert.deepEqual(get?.inputSchema.required, ['id']);
    assert.equal(tools.find((t) => t.name === 'delete_deal')?.annotations?.destructiveHint, true);
  });

  it('runs a lead to a won deal, every change in the event log under the agent\'s key', async () => {
    const agentKey = await keyFor(server, tenant, { scope: 'custom', grants: ['leads:write', 'deals:write', 'contacts:write', 'companies:write', 'pipelines:read', 'activities:write', 'tasks:write', 'events:read'] });
    const agent = await overHttp(agentKey.secret);
    const email = `${unique('lead-')}@globex.example`;
    const lead = await call(agent, 'create_lead', { first_name: 'Hank', last_name: 'Scorpio', email, company_name: 'Globex', idempotency_key: unique('k') });
    await call(agent, 'update_lead', { id: lead.id, status: 'qualified' });
    const converted = await call(agent, 'convert_lead', { id: lead.id, deal: { name: 'Globex rollout', value: { amount: 50000, currency: 'USD' } } });
    const dealId = converted.deal.id;
    const pipelines = await call(agent, 'list_pipelines');
    const won = pipelines.data[0].stages.find((s: { type: string }) => s.type === 'won');
    const moved = await call(agent, 'move_deal', { id: dealId, stage_id: won.id });
    assert.equal(moved.status, 'won');
    await call(agent, 'log_activity', { type: 'call', subject: 'Signed', deal_id: dealId });
    const task = await call(agent, 'create_task', { title: 'Kick-off', deal_id: dealId });
    assert.equal((await call(agent, 'complete_task', { id: task.id })).status, 'completed');

    const events = await call(agent, 'recent_events', { limit: '100' });
    const mine = events.data.filter((e: { actor: { key_id: string } }) => e.actor.key_id === agentKey.id).map((e: { type: string }) => e.type);
    for (const type of ['lead.created', 'lead.updated', 'lead.converted', 'deal.won', 'activity.created', 'task.completed']) assert.ok(mine.includes(type), `${type} under the agent's key`);
  });

  it('refuses a destructive tool to a safe-write key, saying what grant it needs, and deletes nothing', async () => {
    const contact = await createContact(tenant.api);
    const agent = await overHttp((await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write'] })).secret);
    await assert.rejects(call(agent, 'delete_contact', { id: contact.id }), /mcp:destructive/);
    assert.equal((await tenant.api.get(`/v1/contacts/${contact.id}`)).status, 200);
  });

  it('writes once per idempotency key, and its errors say how to fix the call', async () => {
    const agent = await overHttp(tenant.key);
    const email = `${unique('idem-')}@example.com`;
    const key = unique('idem');
    const first = await call(agent, 'create_contact', { first_name: 'Ida', email, idempotency_key: key });
    const again = await call(agent, 'create_contact', { first_name: 'Ida', email, idempotency_key: key });
    assert.equal(again.id, first.id);
    await assert.rejects(call(agent, 'create_contact', { first_name: 'Ida', email }), new RegExp(`${first.id}.*(update|upsert)`, 's'));
    await assert.rejects(call(agent, 'create_contact', { first_name: 'Ida', email: 'not-an-email' }), /Fix these fields: email/);
    await assert.rejects(call(agent, 'get_contact', { id: 'con_nope' }), /find the right id/);
  });

  it('answers 401 without a key and never shows another workspace\'s records', async () => {
    const response = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(response.status, 401);
    const contact = await createContact(tenant.api);
    const other = await createTenant(server);
    await assert.rejects(call(await overHttp(other.key), 'get_contact', { id: contact.id }), /not_found/);
  });
});

describe('MCP over stdio (trellis mcp)', () => {
  it('lists the key\'s tools and runs them through the SDK against the server', async () => {
    const reader = await overStdio((await keyFor(server, tenant, { scope: 'read_only' })).secret);
    const tools = (await reader.listTools()).tools;
    assert.ok(tools.length > 5 && tools.every((t) => t.annotations?.readOnlyHint === true));
    const mark = unique('Stdio');
    await createContact(tenant.api, { first_name: mark });
    const found = await call(reader, 'list_contacts', { first_name: mark });
    assert.equal(found.data.length, 1);

    const writer = await overStdio(tenant.key);
    const created = await call(writer, 'create_company', { name: `${mark} Inc`, idempotency_key: unique('k') });
    assert.match(created.id, /^cmp_/);
    await assert.rejects(call(writer, 'get_company', { id: 'cmp_nope' }), /not_found/);
  });
});
