/**
 * What the sales workspace in the browser asks of the API: conditional deal
 * moves (a stale board card gets 412, never overwrites), `id[in]` and `me`
 * in lists, the pipeline report filtered as the board is (owner, tag, text),
 * merge previews, the live event stream a board follows, board columns paged
 * per stage, and search as you type. Real HTTP, real database.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createContact, createDeal, createTenant, createUser, keyFor, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertScopeRefused, ids } from './helpers/assertions.js';
import { signedIn } from './helpers/session.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;
let stages: { id: string; name: string; type: string }[];

async function defaultPipeline(api: ApiClient): Promise<any> {
  const response = await api.get('/v1/pipelines');
  assert.equal(response.status, 200, response.text);
  return response.body.data.find((p: { is_default: boolean }) => p.is_default);
}

async function createTag(api: ApiClient): Promise<any> {
  const response = await api.post('/v1/tags', { name: unique('tag-') });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function eventsOf(api: ApiClient, query: string): Promise<any[]> {
  const response = await api.get(`/v1/events?${query}&limit=100`);
  assert.equal(response.status, 200, response.text);
  return response.body.data;
}

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  other = await createTenant(server);
  const pipeline = await defaultPipeline(tenant.api);
  stages = pipeline.stages;
});

after(async () => {
  await server?.close();
});

describe('moving a deal with If-Match', () => {
  it('moves when the card is current, and answers 412 with the current version when it is stale, changing nothing', async () => {
    const [first, second, third] = stages.filter((s) => s.type === 'open') as [any, any, any];
    const deal = await createDeal(tenant.api, { stage_id: first.id });

    const moved = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: second.id }, { 'if-match': `"${deal.version}"` });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.data.stage_id, second.id);
    assert.equal(moved.headers.get('etag'), `"${deal.version + 1}"`);

    // A second board still shows the card at its first version.
    const stale = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: third.id }, { 'if-match': `"${deal.version}"` });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'precondition_failed');
    assert.equal(stale.body.error.details.current_version, deal.version + 1);

    // Even a "move" to the stage the deal is now in is refused when stale: the mover has not seen the change.
    const staleNoop = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: second.id }, { 'if-match': `"${deal.version}"` });
    assert.equal(staleNoop.status, 412, staleNoop.text);

    const current = await tenant.api.get(`/v1/deals/${deal.id}`);
    assert.equal(current.body.data.stage_id, second.id, 'the stale move changed nothing');
    const history = await tenant.api.get(`/v1/deals/${deal.id}/history`);
    assert.deepEqual(
      history.body.data.map((h: any) => h.to_stage_id),
      [first.id, second.id],
    );
    const changes = await eventsOf(tenant.api, `record_id=${deal.id}&type=deal.stage_changed`);
    assert.equal(changes.length, 1, 'one deal.stage_changed event, for the move that happened');
  });

  it('moves without If-Match as before, so triggers that do not send it keep working', async () => {
    const [first, second] = stages.filter((s) => s.type === 'open') as [any, any];
    const deal = await createDeal(tenant.api, { stage_id: first.id });
    const moved = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: second.id });
    assert.equal(moved.status, 200, moved.text);
  });

  it('marks a deal lost with its reason under If-Match', async () => {
    const lost = stages.find((s) => s.type === 'lost') as any;
    const deal = await createDeal(tenant.api);
    const moved = await tenant.api.post(`/v1/deals/${deal.id}/move`, { stage_id: lost.id, lost_reason: 'Went with a competitor' }, { 'if-match': `"${deal.version}"` });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.data.status, 'lost');
    assert.equal(moved.body.data.lost_reason, 'Went with a competitor');
  });
});

describe('lists: id[in] and me', () => {
  it('id[in] reads exactly the records named, and never another workspace\'s', async () => {
    const mine = [await createContact(tenant.api), await createContact(tenant.api), await createContact(tenant.api)];
    const theirs = await createContact(other.api);
    const response = await tenant.api.get(`/v1/contacts?id[in]=${mine[0].id},${mine[2].id},${theirs.id}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(ids(response.body.data).sort(), [mine[0].id, mine[2].id].sort());
    assert.equal(response.body.meta.total, 2);

    const deals = [await createDeal(tenant.api), await createDeal(tenant.api)];
    const dealPage = await tenant.api.get(`/v1/deals?id[in]=${deals.map((d) => d.id).join(',')}`);
    assert.deepEqual(ids(dealPage.body.data).sort(), ids(deals).sort());
  });

  it('id[in] with more than 100 ids is a clear 400', async () => {
    const many = Array.from({ length: 101 }, (_, i) => `con_${i}`).join(',');
    const response = await tenant.api.get(`/v1/contacts?id[in]=${many}`);
    assert.equal(response.status, 400, response.text);
    assert.equal(response.body.error.code, 'invalid_filter');
  });

  it('owner_id=me and assignee_id=me are the user the key belongs to ("my deals", "my tasks")', async () => {
    const rep = await createUser(tenant.api, { role: 'member' });
    const repKey = await keyFor(server, tenant, { user_id: rep.id, scope: 'full' });
    const minePlain = await createDeal(tenant.api, { owner_id: rep.id });
    await createDeal(tenant.api, { owner_id: tenant.ownerId });
    const myDeals = await repKey.api.get('/v1/deals?owner_id=me');
    assert.equal(myDeals.status, 200, myDeals.text);
    assert.deepEqual(ids(myDeals.body.data), [minePlain.id]);

    const now = Date.now();
    const day = 86_400_000;
    const task = async (title: string, dueAt: number | null, assignee = rep.id) => {
      const response = await tenant.api.post('/v1/tasks', { title, assignee_id: assignee, due_at: dueAt === null ? null : new Date(dueAt).toISOString() });
      assert.equal(response.status, 201, response.text);
      return response.body.data;
    };
    const overdue = await task('Call back', now - 2 * day);
    const today = await task('Send proposal', now + 60_000);
    const upcoming = await task('Renewal check', now + 5 * day);
    await task('Someone else', now + 60_000, tenant.ownerId);

    const startOfTomorrow = new Date(now + day).toISOString().slice(0, 10);
    const mine = await repKey.api.get('/v1/tasks?assignee_id=me&status=open&sort=due_at');
    assert.deepEqual(ids(mine.body.data), [overdue.id, today.id, upcoming.id]);
    const late = await repKey.api.get('/v1/tasks?assignee_id=me&overdue=true');
    assert.deepEqual(ids(late.body.data), [overdue.id]);
    const dueSoon = await repKey.api.get(`/v1/tasks?assignee_id=me&status=open&due_at[gte]=${new Date(now).toISOString()}&due_at[lt]=${startOfTomorrow}T00:00:00.000Z`);
    assert.ok(ids(dueSoon.body.data).includes(today.id));
    assert.ok(!ids(dueSoon.body.data).includes(upcoming.id));
    const later = await repKey.api.get(`/v1/tasks?assignee_id=me&status=open&due_at[gte]=${startOfTomorrow}`);
    assert.ok(ids(later.body.data).includes(upcoming.id));
  });
});

describe('the board: columns paged per stage, totals per currency, filtered as the cards are', () => {
  it('pages a stage\'s deals with a cursor and totals them per currency, never summing currencies', async () => {
    const workspace = await createTenant(server);
    const pipeline = await defaultPipeline(workspace.api);
    const stage = pipeline.stages[0];
    const made: any[] = [];
    for (let i = 0; i < 5; i++) made.push(await createDeal(workspace.api, { stage_id: stage.id, value: { amount: 1000 * (i + 1), currency: i % 2 === 0 ? 'USD' : 'EUR' } }));
    const column = await walk(workspace.api, `/v1/deals?stage_id=${stage.id}&status=open&limit=2&sort=-created_at`);
    assert.deepEqual(ids(column), ids(made).reverse());

    const report = await workspace.api.get('/v1/reports/pipeline');
    assert.equal(report.status, 200, report.text);
    const row = report.body.data.rows.find((r: any) => r.stage_id === stage.id);
    assert.equal(row.open_deals, 5);
    assert.deepEqual(row.total_value, { EUR: 2000 + 4000, USD: 1000 + 3000 + 5000 });
  });

  it('filters the pipeline report by owner (me), tag and text exactly as the deal list filters the cards', async () => {
    const workspace = await createTenant(server);
    const pipeline = await defaultPipeline(workspace.api);
    const [first, second] = pipeline.stages;
    const rep = await createUser(workspace.api, { role: 'member' });
    const repKey = await keyFor(server, workspace, { user_id: rep.id, scope: 'full' });
    const hot = await createTag(workspace.api);
    await createDeal(workspace.api, { name: 'Orbit renewal', stage_id: first.id, owner_id: rep.id, tag_ids: [hot.id], value: { amount: 500, currency: 'USD' } });
    await createDeal(workspace.api, { name: 'Orbit expansion', stage_id: second.id, owner_id: rep.id, value: { amount: 700, currency: 'GBP' } });
    await createDeal(workspace.api, { name: 'Nebula pilot', stage_id: first.id, owner_id: rep.id, tag_ids: [hot.id], value: { amount: 900, currency: 'USD' } });
    await createDeal(workspace.api, { name: 'Orbit for the owner', stage_id: first.id, owner_id: workspace.ownerId, tag_ids: [hot.id], value: { amount: 11, currency: 'USD' } });

    for (const filter of [`owner_id=me`, `owner_id=me&tag=${hot.id}`, `owner_id=me&q=orbit`, `tag=${hot.id}&q=orbit`]) {
      const report = await repKey.api.get(`/v1/reports/pipeline?${filter}`);
      assert.equal(report.status, 200, `${filter}: ${report.text}`);
      const cards = await walk(repKey.api, `/v1/deals?pipeline_id=${pipeline.id}&status=open&${filter}&limit=100`);
      for (const stage of [first, second]) {
        const inStage = cards.filter((d) => d.stage_id === stage.id);
        const expected: Record<string, number> = {};
        for (const d of inStage) expected[d.value.currency] = (expected[d.value.currency] ?? 0) + d.value.amount;
        const row = report.body.data.rows.find((r: any) => r.stage_id === stage.id);
        assert.equal(row.open_deals, inStage.length, `${filter}, ${stage.name}: count`);
        assert.deepEqual(row.total_value, expected, `${filter}, ${stage.name}: totals`);
      }
    }
    const filtered = await repKey.api.get(`/v1/reports/pipeline?owner_id=me&tag=${hot.id}&q=orbit`);
    assert.equal(filtered.body.data.totals.open_deals, 1);
    assert.deepEqual(filtered.body.data.totals.total_value, { USD: 500 });
  });

  it('refuses an unknown report filter with 400 and a tag of another workspace matches nothing', async () => {
    const theirTag = await createTag(other.api);
    const response = await tenant.api.get(`/v1/reports/pipeline?tag=${theirTag.id}`);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.data.totals.open_deals, 0);
    const bad = await tenant.api.get('/v1/reports/pipeline?colour=red');
    assert.equal(bad.status, 400, bad.text);
  });
});

describe('merge with dry_run', () => {
  it('previews what survives without changing anything, then the merge makes exactly that', async () => {
    const company = await tenant.api.post('/v1/companies', { name: unique('Merge Co '), domain: `${unique('m')}.com` });
    const survivor = await createContact(tenant.api, { first_name: 'Ada', last_name: 'Lovelace', phone: null, title: null });
    const duplicate = await createContact(tenant.api, { first_name: 'Ada', last_name: 'L.', title: 'CTO', phone: '+44 20 7946 0958', company_id: company.body.data.id });
    const deal = await createDeal(tenant.api, { contact_ids: [duplicate.id] });

    const preview = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id, dry_run: true });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.headers.get('etag'), null, 'a preview has no version to write against');
    const shown = preview.body.data;
    assert.equal(shown.id, survivor.id);
    assert.equal(shown.last_name, 'Lovelace', 'the survivor keeps its values');
    assert.equal(shown.title, 'CTO', 'and takes what it lacks from the duplicate');
    assert.deepEqual(shown.emails.map((e: any) => e.email).sort(), [survivor.email, duplicate.email].sort());

    // Nothing was written: the duplicate is there, the survivor unchanged, no event.
    assert.equal((await tenant.api.get(`/v1/contacts/${duplicate.id}`)).status, 200);
    const unchanged = await tenant.api.get(`/v1/contacts/${survivor.id}`);
    assert.equal(unchanged.body.data.version, survivor.version);
    assert.equal(unchanged.body.data.title, null);
    assert.deepEqual(await eventsOf(tenant.api, `record_id=${survivor.id}&type=contact.merged`), []);
    assert.deepEqual((await tenant.api.get(`/v1/deals/${deal.id}`)).body.data.contact_ids, [duplicate.id]);

    const merged = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id }, { 'if-match': `"${survivor.version}"` });
    assert.equal(merged.status, 200, merged.text);
    const { updated_at: _a, ...made } = merged.body.data;
    const { updated_at: _b, ...previewed } = shown;
    assert.deepEqual(made, previewed, 'the merge made what the preview showed');
    assert.equal((await tenant.api.get(`/v1/contacts/${duplicate.id}`)).status, 404);
    assert.deepEqual((await tenant.api.get(`/v1/deals/${deal.id}`)).body.data.contact_ids, [survivor.id]);
  });

  it('a dry run gives the same errors as the merge: a stale If-Match, a missing duplicate, a company of another workspace', async () => {
    const survivor = await createContact(tenant.api);
    const duplicate = await createContact(tenant.api);
    const stale = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id, dry_run: true }, { 'if-match': '"99"' });
    assert.equal(stale.status, 412, stale.text);
    const missing = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: 'con_nope', dry_run: true });
    assert.equal(missing.status, 404, missing.text);
    const theirs = await other.api.post('/v1/companies', { name: unique('Theirs '), domain: `${unique('t')}.com` });
    const mine = await tenant.api.post('/v1/companies', { name: unique('Mine '), domain: `${unique('n')}.com` });
    const cross = await tenant.api.post(`/v1/companies/${mine.body.data.id}/merge`, { duplicate_id: theirs.body.data.id, dry_run: true });
    assert.equal(cross.status, 404, cross.text);
    const wrongType = await tenant.api.post(`/v1/contacts/${survivor.id}/merge`, { duplicate_id: duplicate.id, dry_run: 'yes' });
    assert.equal(wrongType.status, 400, wrongType.text);
  });

  it('previews a company merge too', async () => {
    const a = await tenant.api.post('/v1/companies', { name: unique('Alpha '), domain: `${unique('a')}.com` });
    const b = await tenant.api.post('/v1/companies', { name: unique('Beta '), domain: `${unique('b')}.com`, industry: 'Software' });
    const preview = await tenant.api.post(`/v1/companies/${a.body.data.id}/merge`, { duplicate_id: b.body.data.id, dry_run: true });
    assert.equal(preview.status, 200, preview.text);
    assert.equal(preview.body.data.name, a.body.data.name);
    assert.equal((await tenant.api.get(`/v1/companies/${b.body.data.id}`)).status, 200);
  });
});

/** Reads a server-sent event stream: messages as they come, as `{ id, event, data }`. */
class EventStreamReader {
  readonly messages: { id?: string; event: string; data: any }[] = [];
  private buffer = '';
  private readonly controller = new AbortController();
  private waiters: (() => void)[] = [];
  status = 0;
  headers: Headers | undefined;
  done: Promise<void> = Promise.resolve();

  static async open(url: string, headers: Record<string, string>): Promise<EventStreamReader> {
    const reader = new EventStreamReader();
    const response = await fetch(url, { headers, signal: reader.controller.signal });
    reader.status = response.status;
    reader.headers = response.headers;
    if (response.ok && response.body) reader.done = reader.pump(response.body);
    else reader.buffer = await response.text();
    return reader;
  }

  get errorBody(): any {
    return JSON.parse(this.buffer);
  }

  private async pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of body) {
        this.buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = this.buffer.indexOf('\n\n')) >= 0) {
          const block = this.buffer.slice(0, end);
          this.buffer = this.buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields[line.slice(0, colon)] = line.slice(colon + 1).trimStart();
          }
          if (fields.data !== undefined) this.messages.push({ id: fields.id, event: fields.event ?? 'message', data: JSON.parse(fields.data) });
          for (const wake of this.waiters.splice(0)) wake();
        }
      }
    } catch {
      // Aborted by close().
    }
  }

  /** Waits (up to 20 s) until a message satisfies `test`. */
  async waitFor(test: (message: { id?: string; event: string; data: any }) => boolean): Promise<{ id?: string; event: string; data: any }> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = this.messages.find(test);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such message; got ${JSON.stringify(this.messages.map((m) => [m.event, m.data?.type]))}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  close(): void {
    this.controller.abort();
  }
}

describe('GET /v1/events/stream', () => {
  it('delivers a move made by another client to an open stream, with the event id, as it happens', async () => {
    const [first, second] = stages.filter((s) => s.type === 'open') as [any, any];
    const deal = await createDeal(tenant.api, { stage_id: first.id });
    const stream = await EventStreamReader.open(`${server.url}/v1/events/stream?type[starts_with]=deal.`, { authorization: `Bearer ${tenant.key}` });
    try {
      assert.equal(stream.status, 200);
      assert.match(stream.headers?.get('content-type') ?? '', /^text\/event-stream/);
      // Another client (an integration with its own key) moves the deal.
      const integration = await keyFor(server, tenant, { scope: 'full' });
      const moved = await integration.api.post(`/v1/deals/${deal.id}/move`, { stage_id: second.id });
      assert.equal(moved.status, 200, moved.text);
      const message = await stream.waitFor((m) => m.data.type === 'deal.stage_changed' && m.data.data.object.id === deal.id);
      assert.equal(message.data.data.object.stage_id, second.id);
      assert.equal(message.data.data.object.version, moved.body.data.version);
      assert.match(message.id ?? '', /^evt_/);
      assert.equal(message.data.id, message.id);
      // The filter holds: no contact events on a deal stream.
      await createContact(tenant.api);
      await createDeal(tenant.api);
      await stream.waitFor((m) => m.data.type === 'deal.created');
      assert.ok(stream.messages.every((m) => m.data.type.startsWith('deal.')));
    } finally {
      stream.close();
    }
  });

  it('resumes after Last-Event-ID without gaps or repeats, and starts from now without it', async () => {
    const first = await createDeal(tenant.api, { name: 'Resume one' });
    const events = await eventsOf(tenant.api, `record_id=${first.id}`);
    const lastSeen = events[events.length - 1].id;
    const missed = [await createDeal(tenant.api, { name: 'Resume two' }), await createDeal(tenant.api, { name: 'Resume three' })];

    const resumed = await EventStreamReader.open(`${server.url}/v1/events/stream?type=deal.created`, { authorization: `Bearer ${tenant.key}`, 'last-event-id': lastSeen });
    const fresh = await EventStreamReader.open(`${server.url}/v1/events/stream?type=deal.created`, { authorization: `Bearer ${tenant.key}` });
    try {
      const later = await createDeal(tenant.api, { name: 'Resume four' });
      await resumed.waitFor((m) => m.data.data.object.id === later.id);
      await fresh.waitFor((m) => m.data.data.object.id === later.id);
      assert.deepEqual(
        resumed.messages.map((m) => m.data.data.object.id),
        [...ids(missed), later.id],
      );
      assert.deepEqual(
        fresh.messages.map((m) => m.data.data.object.id),
        [later.id],
      );
    } finally {
      resumed.close();
      fresh.close();
    }
  });

  it('says reset when the event to resume after is unknown, then streams from now', async () => {
    const stream = await EventStreamReader.open(`${server.url}/v1/events/stream?after=evt_01AAAAAAAAAAAAAAAAAAAAAAAA`, { authorization: `Bearer ${tenant.key}` });
    try {
      assert.equal(stream.status, 200);
      const reset = await stream.waitFor((m) => m.event === 'reset');
      assert.match(reset.data.reason, /reload/);
    } finally {
      stream.close();
    }
  });

  it('shows a workspace only its own events', async () => {
    const stream = await EventStreamReader.open(`${server.url}/v1/events/stream`, { authorization: `Bearer ${other.key}` });
    try {
      await createDeal(tenant.api, { name: 'Not theirs' });
      const theirs = await createDeal(other.api, { name: 'Theirs' });
      await stream.waitFor((m) => m.data.data?.object?.id === theirs.id);
      assert.ok(stream.messages.every((m) => m.data.workspace_id === other.workspaceId));
    } finally {
      stream.close();
    }
  });

  it('works with the web app\'s session cookie (a member\'s), as EventSource sends it', async () => {
    const member = await createUser(tenant.api, { role: 'member' });
    const browser = await signedIn(server, tenant.api, member.id);
    const stream = await EventStreamReader.open(`${server.url}/v1/events/stream?type=deal.created`, { cookie: `trellis_session=${browser.cookie}` });
    try {
      assert.equal(stream.status, 200);
      const created = await createDeal(tenant.api, { name: 'Seen by the session' });
      await stream.waitFor((m) => m.data.data.object.id === created.id);
    } finally {
      stream.close();
    }
    const signedOut = await EventStreamReader.open(`${server.url}/v1/events/stream`, { cookie: 'trellis_session=not-a-session' });
    assert.equal(signedOut.status, 401);
  });

  it('stops sending once its key is revoked or its session signed out, without waiting for the reconnect', async () => {
    const integration = await keyFor(server, tenant, { scope: 'full' });
    const byKey = await EventStreamReader.open(`${server.url}/v1/events/stream?type=deal.created`, { authorization: `Bearer ${integration.secret}` });
    const member = await createUser(tenant.api, { role: 'member' });
    const browser = await signedIn(server, tenant.api, member.id);
    const bySession = await EventStreamReader.open(`${server.url}/v1/events/stream?type=deal.created`, { cookie: `trellis_session=${browser.cookie}` });
    try {
      const before = await createDeal(tenant.api, { name: 'Before the revocation' });
      await byKey.waitFor((m) => m.data.data?.object?.id === before.id);
      await bySession.waitFor((m) => m.data.data?.object?.id === before.id);

      assert.equal((await tenant.api.delete(`/v1/api-keys/${integration.id}`)).status, 200);
      const signOut = await browser.post('/v1/auth/sign-out');
      assert.equal(signOut.status, 200, signOut.text);
      await byKey.waitFor((m) => m.event === 'unauthorized');
      await bySession.waitFor((m) => m.event === 'unauthorized');

      const after = await createDeal(tenant.api, { name: 'After the revocation' });
      // The live streams of the tenant's own key see it; the ended ones never do.
      const witness = await EventStreamReader.open(`${server.url}/v1/events/stream?type=deal.created&after=${encodeURIComponent(byKey.messages[0]?.id ?? '')}`, { authorization: `Bearer ${tenant.key}` });
      try {
        await witness.waitFor((m) => m.data.data?.object?.id === after.id);
      } finally {
        witness.close();
      }
      for (const ended of [byKey, bySession]) assert.ok(ended.messages.every((m) => m.data.data?.object?.id !== after.id));
    } finally {
      byKey.close();
      bySession.close();
    }
  });

  it('refuses a missing key (401), a key without events:read (403) and a bad filter (400), in the envelope', async () => {
    const anonymous = await EventStreamReader.open(`${server.url}/v1/events/stream`, {});
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.errorBody.error.code, 'unauthorized');
    const dealsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['deals:read'] });
    const refused = await dealsOnly.api.get('/v1/events/stream');
    assertScopeRefused(refused, 'events:read');
    const bad = await tenant.api.get('/v1/events/stream?colour=red');
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'invalid_filter');
  });
});

describe('search as you type', () => {
  it('finds a contact by a prefix of its name and by a prefix of any of its emails', async () => {
    const token = unique('zq').slice(0, 9);
    const contact = await createContact(tenant.api, {
      first_name: `Quinn${token}`,
      last_name: 'Hargreaves',
      email: undefined,
      emails: [{ email: `q.${token}@work.example.com` }, { email: `${token}home@mail.example.org`, label: 'home' }],
    });
    for (const q of [`quinn${token.slice(0, 3)}`, `Quinn${token} harg`, `q.${token.slice(0, 4)}`, `${token}ho`]) {
      const response = await tenant.api.get(`/v1/search?q=${encodeURIComponent(q)}&types=contact&limit=10`);
      assert.equal(response.status, 200, response.text);
      assert.ok(ids(response.body.data).includes(contact.id), `"${q}" finds the contact`);
    }
    const theirs = await other.api.get(`/v1/search?q=quinn${token}`);
    assert.deepEqual(theirs.body.data, [], 'never another workspace\'s contact');
  });
});
