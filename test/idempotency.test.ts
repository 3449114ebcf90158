import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertInvalid, total } from './helpers/assertions.js';
import type { ApiClient, ApiResponse } from './helpers/client.js';
import { createTenant, keyFor, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
});
after(() => server.close());

const newContact = () => ({ first_name: 'Ida', last_name: 'Empotent', email: `${unique('ida-')}@example.com` });

const postWithKey = (api: ApiClient, path: string, body: unknown, key: string) => api.post(path, body, { 'idempotency-key': key });

const contactsWithEmail = (api: ApiClient, email: string) => total(api, `/v1/contacts?email=${encodeURIComponent(email)}`);

function assertReplayOf(replay: ApiResponse, original: ApiResponse): void {
  assert.equal(replay.status, original.status, replay.text);
  assert.equal(replay.headers.get('idempotent-replayed'), 'true');
  assert.equal(replay.text, original.text, 'the stored body, byte for byte');
  assert.match(replay.headers.get('content-type') ?? '', /^application\/json/);
}

describe('Idempotency-Key on POST', () => {
  it('replays the first response for the same key and body, and creates the record once', async () => {
    const body = newContact();
    const key = unique('create-contact-');
    const first = await postWithKey(tenant.api, '/v1/contacts', body, key);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers.get('idempotent-replayed'), null, 'a first answer is no replay');

    const again = await postWithKey(tenant.api, '/v1/contacts', body, key);
    assertReplayOf(again, first);
    assert.equal(again.body.data.id, first.body.data.id);
    assert.equal(await contactsWithEmail(tenant.api, body.email), 1);
  });

  it('treats the same body with its keys in another order as the same request', async () => {
    const body = newContact();
    const key = unique('order-');
    const first = await postWithKey(tenant.api, '/v1/contacts', body, key);
    assert.equal(first.status, 201, first.text);
    const reordered = { email: body.email, last_name: body.last_name, first_name: body.first_name };
    assertReplayOf(await postWithKey(tenant.api, '/v1/contacts', reordered, key), first);
  });

  it('answers 409 idempotency_conflict for the same key with another body or path, and writes nothing', async () => {
    const key = unique('reused-');
    const first = await postWithKey(tenant.api, '/v1/contacts', newContact(), key);
    assert.equal(first.status, 201, first.text);

    const other = newContact();
    const otherBody = await postWithKey(tenant.api, '/v1/contacts', other, key);
    assert.equal(otherBody.status, 409, otherBody.text);
    assert.equal(otherBody.body.error.code, 'idempotency_conflict');
    assert.equal(otherBody.headers.get('idempotent-replayed'), null);
    assert.equal(await contactsWithEmail(tenant.api, other.email), 0);

    const otherPath = await postWithKey(tenant.api, '/v1/companies', { name: unique('Acme ') }, key);
    assert.equal(otherPath.status, 409, otherPath.text);
    assert.equal(otherPath.body.error.code, 'idempotency_conflict');
  });

  it('keeps keys apart per workspace: the same key in another workspace runs its own request', async () => {
    const other = await createTenant(server);
    const key = unique('shared-');
    const body = newContact();
    const mine = await postWithKey(tenant.api, '/v1/contacts', body, key);
    const theirs = await postWithKey(other.api, '/v1/contacts', body, key);
    assert.equal(mine.status, 201, mine.text);
    assert.equal(theirs.status, 201, theirs.text);
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    assert.notEqual(theirs.body.data.id, mine.body.data.id);
    assert.equal(await contactsWithEmail(other.api, body.email), 1);
  });

  it("does not replay one API key's response to another key of the workspace", async () => {
    const colleague = await keyFor(server, tenant, { scope: 'full' });
    const key = unique('per-key-');
    const body = newContact();
    const first = await postWithKey(tenant.api, '/v1/contacts', body, key);
    assert.equal(first.status, 201, first.text);
    const response = await postWithKey(colleague.api, '/v1/contacts', body, key);
    assert.equal(response.status, 409, response.text);
    assert.equal(response.body.error.code, 'idempotency_conflict');
  });

  it('stores a refused request too: a validation error and a broken rule replay as they were', async () => {
    const invalidKey = unique('invalid-');
    const invalid = await postWithKey(tenant.api, '/v1/contacts', { first_name: 42 }, invalidKey);
    assertInvalid(invalid, 'first_name');
    assertReplayOf(await postWithKey(tenant.api, '/v1/contacts', { first_name: 42 }, invalidKey), invalid);

    const unprocessableKey = unique('unprocessable-');
    const body = { ...newContact(), company_id: 'cmp_01M807GFFF8MEEXBKKKVK895SP' };
    const refused = await postWithKey(tenant.api, '/v1/contacts', body, unprocessableKey);
    assert.equal(refused.status, 422, refused.text);
    assertReplayOf(await postWithKey(tenant.api, '/v1/contacts', body, unprocessableKey), refused);
  });

  it('writes once when 10 requests with the same key arrive at once: one runs, the rest replay it or get 409 conflict', async () => {
    const body = newContact();
    const key = unique('race-');
    const responses = await Promise.all(Array.from({ length: 10 }, () => postWithKey(tenant.api, '/v1/contacts', body, key)));
    const ran = responses.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
    assert.equal(ran.length, 1, responses.map((r) => `${r.status} ${r.headers.get('idempotent-replayed')}`).join(', '));
    const winner = ran[0] as ApiResponse;
    for (const response of responses) {
      if (response === winner) continue;
      if (response.status === 409) {
        assert.equal(response.body.error.code, 'conflict', response.text);
        assert.match(response.body.error.message, /still being processed/);
      } else {
        assertReplayOf(response, winner);
      }
    }
    assert.equal(await contactsWithEmail(tenant.api, body.email), 1);

    // Once the first has answered, a retry gets its response.
    assertReplayOf(await postWithKey(tenant.api, '/v1/contacts', body, key), winner);
  });

  it('refuses an Idempotency-Key that is empty, longer than 255 characters or not printable ASCII, writing nothing', async () => {
    for (const key of ['', 'k'.repeat(256), 'clé-1']) {
      const body = newContact();
      const response = await postWithKey(tenant.api, '/v1/contacts', body, key);
      assertInvalid(response, 'Idempotency-Key');
      assert.equal(await contactsWithEmail(tenant.api, body.email), 0);
    }
    const longest = await postWithKey(tenant.api, '/v1/contacts', newContact(), 'k'.repeat(255));
    assert.equal(longest.status, 201, longest.text);
  });

  it('leaves a POST without the header as it was: a repeat is a new request', async () => {
    const body = newContact();
    const first = await tenant.api.post('/v1/contacts', body);
    assert.equal(first.status, 201, first.text);
    const second = await tenant.api.post('/v1/contacts', body);
    assert.equal(second.status, 409, second.text);
    assert.equal(second.body.error.code, 'duplicate');
    assert.equal(second.headers.get('idempotent-replayed'), null);
  });

  it('covers POSTs other than create, such as completing a task', async () => {
    const task = await tenant.api.post('/v1/tasks', { title: unique('Call back ') });
    assert.equal(task.status, 201, task.text);
    const key = unique('complete-');
    const completed = await tenant.api.post(`/v1/tasks/${task.body.data.id}/complete`, undefined, { 'idempotency-key': key });
    assert.equal(completed.status, 200, completed.text);
    // No body and an empty object are the same request here.
    assertReplayOf(await postWithKey(tenant.api, `/v1/tasks/${task.body.data.id}/complete`, {}, key), completed);
  });

  it('documents the header on POST operations in the OpenAPI document', async () => {
    const document = (await server.anonymous.get('/v1/openapi.json')).body;
    const create = document.paths['/v1/contacts'].post;
    const header = (create.parameters ?? []).find((p: { in: string; name: string }) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key');
    assert.ok(header, 'contacts.create documents Idempotency-Key');
    assert.equal(header.required, false);
  });
});

describe('Idempotency-Key after 24 hours', () => {
  let later: TestServer;
  let offset = 0;

  before(async () => {
    later = await startServer({}, { clock: { now: () => Date.now() + offset } });
  });
  after(() => later.close());

  it('forgets a key after 24 hours: it may then be used for another request', async () => {
    const owner = await createTenant(later);
    const key = unique('daily-');
    const first = await postWithKey(owner.api, '/v1/contacts', newContact(), key);
    assert.equal(first.status, 201, first.text);

    offset = 24 * 60 * 60 * 1000 - 60_000;
    const stillKept = await postWithKey(owner.api, '/v1/contacts', newContact(), key);
    assert.equal(stillKept.body.error?.code, 'idempotency_conflict', stillKept.text);

    offset = 24 * 60 * 60 * 1000 + 1;
    const body = newContact();
    const afterADay = await postWithKey(owner.api, '/v1/contacts', body, key);
    assert.equal(afterADay.status, 201, afterADay.text);
    assert.equal(afterADay.headers.get('idempotent-replayed'), null);
    assertReplayOf(await postWithKey(owner.api, '/v1/contacts', body, key), afterADay);
  });
});
