/**
 * Fuzzing driven by the OpenAPI document (GET /v1/openapi.json): every
 * operation gets requests with wrong types, missing and extra fields, huge and
 * deep values, NUL and lone surrogates, prototype-named keys and parameters,
 * forged cursors, out-of-range numbers and hostile headers (fast-check, see
 * helpers/fuzz-*.ts). Each answer must be below 500 and, when an error, in the
 * door's error shape with a catalogue code of its status; no answer may hold
 * U+FFFD (none is ever sent, so one would be text altered on the way in).
 * Afterwards the server is healthy and another tenant's records are unchanged.
 *
 * A fixed seed and a few runs per operation in `npm test`; `npm run fuzz`
 * runs FUZZ_RUNS (default 150) per operation with a new seed, printed so a
 * failure can be replayed with FUZZ_SEED.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CATALOGUE, type ErrorCode } from '../src/domain/errors.js';
import { createCompany, createContact, createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { operationsOf, requestsFor, RPC_DOOR, type FuzzContext, type FuzzRequest, type Operation } from './helpers/fuzz-requests.js';
import type { Schema } from './helpers/fuzz-values.js';
import { OPERATOR_TOKEN, startServer, type TestServer } from './helpers/server.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const SEED = Number(process.env.FUZZ_SEED ?? (process.env.FUZZ_RUNS ? Date.now() % 2 ** 31 : 20_261_210));

let server: TestServer;
let tenant: Tenant;
let bystander: Tenant;
let bystanderRecords: { path: string; text: string }[];
let context: FuzzContext;
let operations: Operation[];
const statuses = new Map<number, number>();

async function seed(): Promise<Record<string, string[]>> {
  const api = tenant.api;
  const post = async (path: string, body: unknown): Promise<string> => {
    const response = await api.post(path, body);
    assert.ok(response.status < 300, `${path}: ${response.text}`);
    return response.body.data.id as string;
  };
  const pipeline = (await api.get('/v1/pipelines')).body.data[0];
  const endpoint = await post('/v1/webhook-endpoints', { url: 'http://127.0.0.1:9/hook', events: ['*'] });
  await api.post(`/v1/webhook-endpoints/${endpoint}/test`);
  const deliveries = (await api.get(`/v1/webhook-endpoints/${endpoint}/deliveries`)).body.data;
  return {
    '/v1/contacts': [(await createContact(api)).id, (await createContact(api)).id],
    '/v1/companies': [(await createCompany(api)).id, (await createCompany(api)).id],
    '/v1/deals': [await post('/v1/deals', { name: 'Fuzz deal' })],
    '/v1/leads': [await post('/v1/leads', { first_name: 'Fuzz', last_name: 'Lead' })],
    '/v1/activities': [await post('/v1/activities', { type: 'note', subject: 'Fuzz' })],
    '/v1/tasks': [await post('/v1/tasks', { title: 'Fuzz task' })],
    '/v1/tags': [await post('/v1/tags', { name: unique('fuzz-') })],
    '/v1/pipelines': [pipeline.id],
    '/v1/stages': pipeline.stages.map((s: { id: string }) => s.id),
    '/v1/users': [await post('/v1/users', { email: `${unique('fuzz-')}@example.com`, name: 'Fuzz User' })],
    '/v1/api-keys': [(await keyFor(server, tenant, { scope: 'read_only' })).id],
    '/v1/events': (await api.get('/v1/events?limit=3')).body.data.map((e: { id: string }) => e.id),
    '/v1/webhook-endpoints': [endpoint],
    '/v1/webhook-deliveries': deliveries.map((d: { id: string }) => d.id),
    '/v1/sandboxes': [(await api.post('/v1/sandboxes', { name: 'Fuzz sandbox' })).body.data.sandbox.id],
  };
}

before(async () => {
  // No webhook worker: no delivery is ever attempted, wherever an endpoint points.
  server = await startServer({ WEBHOOK_WORKER: 'false', TRELLIS_WEBHOOK_ALLOW_PRIVATE: '127.0.0.1' });
  tenant = await createTenant(server);
  bystander = await createTenant(server);
  const contact = await createContact(bystander.api, { first_name: 'Zoë 😀', custom_fields: { note: 'ünïcödé', nested: { list: [1, 'two'] } } });
  const company = await createCompany(bystander.api, { name: 'Bystander Ltd' });
  bystanderRecords = [];
  for (const path of [`/v1/contacts/${contact.id}`, `/v1/companies/${company.id}`]) bystanderRecords.push({ path, text: JSON.stringify((await bystander.api.get(path)).body.data) });

  const doc = (await server.anonymous.get('/v1/openapi.json')).body as Schema;
  operations = operationsOf(doc).filter((op) => !op.path.startsWith('/docs'));
  const ids = await seed();
  const methods = (await server.anonymous.get('/v1/rpc/methods')).body.services as Record<string, { parameters: { name: string; type: string }[] }>;
  context = {
    resolve: (ref) => {
      const name = ref.split('/').pop() ?? '';
      return (doc.components?.schemas ?? {})[name] as Schema | undefined;
    },
    operations,
    idsFor: (path) => Object.entries(ids).find(([prefix]) => path.startsWith(`${prefix}/`))?.[1] ?? [],
    allIds: Object.values(ids).flat(),
    key: tenant.key,
    email: tenant.ownerEmail,
    operatorToken: OPERATOR_TOKEN,
    rpcMethods: Object.entries(methods).map(([name, m]) => ({ name, parameters: m.parameters })),
  };
});
after(() => server.close());

const catalogued = (code: unknown, status: number) => typeof code === 'string' && code in ERROR_CATALOGUE && ERROR_CATALOGUE[code as ErrorCode].status === status;

async function firstChunk(response: Response): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

/** Sends the request and checks the answer; throws (with the request) when it breaks a rule. */
async function probe(request: FuzzRequest, op: Operation): Promise<void> {
  const response = await fetch(`${server.url}${request.url}`, { method: request.method, headers: request.headers, ...(request.body !== undefined && { body: request.body }) });
  const status = response.status;
  // An accepted event stream stays open for minutes (GET /v1/events/stream): its first message is the answer.
  const streaming = status === 200 && response.headers.get('content-type')?.startsWith('text/event-stream');
  const text = streaming ? await firstChunk(response) : await response.text();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);

  const where = `→ ${status} ${text.slice(0, 500)}`;
  assert.ok(status < 500, `5xx: ${where}`);
  assert.ok(!text.includes('\ufffd') && !/\\ufffd/i.test(text), `U+FFFD in the answer: ${where}`);
  if (status < 400 || request.method === 'HEAD' || text === '') return;
  const body = JSON.parse(text) as Record<string, any>;
  // 431 comes from the HTTP parser, before any door is chosen: always the REST envelope.
  if (RPC_DOOR.includes(op.path) && status !== 431) {
    const answers = Array.isArray(body) ? body : [body];
    for (const answer of answers) assert.ok(answer.jsonrpc === '2.0' && typeof answer.error?.code === 'number' && typeof answer.error.message === 'string', `not a JSON-RPC error: ${where}`);
  } else if (op.path === '/api/v1/leads' && status !== 431) {
    assert.ok(typeof body.error === 'string' && body.code in ERROR_CATALOGUE && typeof body.requestId === 'string', `not a SnapCRM error: ${where}`);
  } else {
    assert.equal(body.success, false, `not the envelope: ${where}`);
    assert.ok(catalogued(body.error?.code, status), `code not in the catalogue with status ${status}: ${where}`);
    assert.equal(typeof body.error.message, 'string', where);
    assert.equal(typeof body.meta?.request_id, 'string', where);
  }
}

describe(`fuzz: every operation of the OpenAPI document (seed ${SEED}, ${RUNS} runs each)`, () => {
  it('covers the whole document', () => {
    assert.ok(operations.length >= 100, `${operations.length} operations`);
  });

  it('answers every hostile request below 500, in the error shape of its door', { timeout: 60 * 60_000 }, async (t) => {
    for (const [index, op] of operations.entries()) {
      await t.test(`${op.method} ${op.path}`, async () => {
        await fc.assert(
          fc.asyncProperty(requestsFor(op, context), (request) => probe(request, op)),
          { seed: SEED + index, numRuns: RUNS, endOnFailure: true, includeErrorInReport: true },
        );
      });
    }
    t.diagnostic(`answers by status: ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
  });

  it('is healthy afterwards, and another tenant lost nothing', async () => {
    assert.equal((await server.anonymous.get('/healthz')).status, 200);
    assert.equal((await server.anonymous.get('/readyz')).status, 200);
    const name = `After fuzz ${unique()} 😀`;
    const created = await createContact(bystander.api, { first_name: name });
    assert.equal((await bystander.api.get(`/v1/contacts/${created.id}`)).body.data.first_name, name);
    for (const record of bystanderRecords) assert.equal(JSON.stringify((await bystander.api.get(record.path)).body.data), record.text, record.path);
  });
});
