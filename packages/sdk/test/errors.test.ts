/** Error answers become typed errors carrying status, code, request id and their details. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Trellis, {
  APIError,
  AuthenticationError,
  DuplicateError,
  ERROR_CLASSES,
  InsufficientScopeError,
  InvalidFilterError,
  NotFoundError,
  PreconditionFailedError,
  TrellisError,
  UnprocessableError,
  ValidationError,
} from '@trellis/sdk';
import { ERROR_CATALOGUE } from '../../../src/domain/errors.js';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { keyFor, unique } from '../../../test/helpers/factories.js';
import { sdkTenant } from './helpers/setup.js';

let server: TestServer;
let client: Trellis;
let setup: Awaited<ReturnType<typeof sdkTenant>>;

before(async () => {
  server = await startServer();
  setup = await sdkTenant(server);
  client = setup.client;
});
after(() => server.close());

/** The error a call rejects with. */
async function failure(call: Promise<unknown>): Promise<APIError> {
  const error = await call.then(
    () => assert.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof APIError, String(error));
  assert.ok(error instanceof TrellisError);
  return error;
}

test('there is an error class for every code of the error catalogue (docs/errors.md)', () => {
  assert.deepEqual(Object.keys(ERROR_CLASSES).sort(), Object.keys(ERROR_CATALOGUE).sort());
});

test('a duplicate is a DuplicateError naming the existing record, with status, code and request id', async () => {
  const email = `${unique('dup-')}@example.com`;
  const first = await client.contacts.create({ first_name: 'One', email });
  const error = await failure(client.contacts.create({ first_name: 'Two', email }));
  assert.ok(error instanceof DuplicateError);
  assert.equal(error.status, 409);
  assert.equal(error.code, 'duplicate');
  assert.equal(error.existingId, first.id);
  assert.equal(error.field, 'email');
  assert.match(error.requestId ?? '', /^req_/);
});

test('a stale ifMatch is a PreconditionFailedError carrying the current version, and nothing is written', async () => {
  const contact = await client.contacts.create({ first_name: 'Version', email: `${unique('v-')}@example.com` });
  const changed = await client.contacts.update(contact.id, { title: 'CEO' }, { ifMatch: contact.version });
  const error = await failure(client.contacts.update(contact.id, { title: 'Intern' }, { ifMatch: contact.version }));
  assert.ok(error instanceof PreconditionFailedError);
  assert.equal(error.status, 412);
  assert.equal(error.currentVersion, changed.version);
  assert.equal((await client.contacts.get(contact.id)).title, 'CEO');
  await failure(client.contacts.delete(contact.id, { ifMatch: contact.version }));
  assert.equal((await client.contacts.delete(contact.id, { ifMatch: changed.version })).deleted, true);
});

test('validation, reference, filter, not-found, scope and key errors each have their class', async () => {
  const invalid = await failure(client.contacts.create({ first_name: 'X', status: 'gone' as 'active' }));
  assert.ok(invalid instanceof ValidationError);
  assert.deepEqual(Object.keys(invalid.fields), ['status']);

  assert.ok((await failure(client.contacts.create({ first_name: 'X', company_id: 'cmp_nope' }))) instanceof UnprocessableError);
  assert.ok((await failure(client.contacts.list({ 'nope[gte]': 1 } as Parameters<typeof client.contacts.list>[0]))) instanceof InvalidFilterError);
  const missing = await failure(client.deals.get('deal_missing'));
  assert.ok(missing instanceof NotFoundError);
  assert.equal(missing.status, 404);

  const reader = await keyFor(server, setup.tenant, { scope: 'read_only' });
  const scoped = await failure(new Trellis({ apiKey: reader.secret, baseUrl: server.url }).tags.create({ name: 'no' }));
  assert.ok(scoped instanceof InsufficientScopeError);
  assert.equal(scoped.required, 'tags:write');

  const unknownKey = await failure(new Trellis({ apiKey: 'trl_live_nope', baseUrl: server.url }).me.get());
  assert.ok(unknownKey instanceof AuthenticationError);
  assert.equal(unknownKey.status, 401);
});

test('headers from the client hook and the call reach the server (the request id comes back on errors)', async () => {
  let calls = 0;
  const hooked = new Trellis({
    apiKey: setup.tenant.key,
    baseUrl: server.url,
    headers: async () => ({ 'X-Request-Id': `hook-${++calls}` }),
  });
  const error = await failure(hooked.contacts.get('con_missing'));
  assert.equal(error.requestId, 'hook-1');
  const overridden = await failure(hooked.contacts.get('con_missing', { headers: { 'x-request-id': 'per-call' } }));
  assert.equal(overridden.requestId, 'per-call');
});

test('lastRateLimit reports the key\'s budget from the last answer', async () => {
  assert.equal(new Trellis({ apiKey: 'x', baseUrl: server.url }).lastRateLimit, undefined);
  await client.me.get();
  const first = client.lastRateLimit;
  await client.me.get();
  assert.equal(client.lastRateLimit?.limit, first?.limit);
  assert.equal(client.lastRateLimit?.remaining, (first?.remaining ?? 0) - 1);
  assert.ok(client.lastRateLimit?.reset instanceof Date);
});
