/**
 * The SDK calls the web app's sales workspace makes: following events as they
 * happen, conditional deal moves, merge previews, `me` in lists.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type Trellis from '@trellis/sdk';
import { PreconditionFailedError, type Event } from '@trellis/sdk';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { sdkTenant } from './helpers/setup.js';

let server: TestServer;
let client: Trellis;

before(async () => {
  server = await startServer({ WEBHOOK_WORKER: 'false' });
  ({ client } = await sdkTenant(server));
});
after(() => server.close());

test('events.stream yields a deal move made by another client, and stops when aborted', async () => {
  const pipeline = (await client.pipelines.list()).data.find((p) => p.is_default);
  const [first, second] = pipeline?.stages ?? [];
  assert.ok(first && second);
  const deal = await client.deals.create({ name: 'Streamed deal', stage_id: first.id });

  const controller = new AbortController();
  const seen: Event[] = [];
  const following = (async () => {
    for await (const event of client.events.stream({ 'type[starts_with]': 'deal.' }, { signal: controller.signal })) {
      seen.push(event);
      if (event.type === 'deal.stage_changed') controller.abort();
    }
  })();
  // The stream starts from now: give it a moment to connect before moving the deal.
  await new Promise((resolve) => setTimeout(resolve, 500));
  await client.deals.move(deal.id, { stage_id: second.id }, { ifMatch: deal.version });
  await following;
  const moved = seen.find((e) => e.type === 'deal.stage_changed');
  assert.equal((moved?.data.object as { id: string }).id, deal.id);
});

test('deals.move with a stale ifMatch throws PreconditionFailedError and changes nothing', async () => {
  const pipeline = (await client.pipelines.list()).data.find((p) => p.is_default);
  const [first, second, third] = pipeline?.stages ?? [];
  assert.ok(first && second && third);
  const deal = await client.deals.create({ name: 'Conflicted deal', stage_id: first.id });
  await client.deals.move(deal.id, { stage_id: second.id });
  await assert.rejects(client.deals.move(deal.id, { stage_id: third.id }, { ifMatch: deal.version }), PreconditionFailedError);
  assert.equal((await client.deals.get(deal.id)).stage_id, second.id);
});

test('contacts.merge with dry_run previews the survivor and writes nothing', async () => {
  const survivor = await client.contacts.create({ first_name: 'Ivy', email: `ivy-${Date.now()}@example.com` });
  const duplicate = await client.contacts.create({ first_name: 'Ivy', title: 'COO', email: `ivy2-${Date.now()}@example.com` });
  const preview = await client.contacts.merge(survivor.id, { duplicate_id: duplicate.id, dry_run: true });
  assert.equal(preview.title, 'COO');
  assert.equal((await client.contacts.get(duplicate.id)).id, duplicate.id);
  assert.equal((await client.contacts.get(survivor.id)).title, null);
});

test('owner_id=me lists the deals of the key\'s user', async () => {
  const me = await client.me.get();
  const mine = await client.deals.create({ name: 'My deal', owner_id: me.user.id });
  const page = await client.deals.list({ owner_id: 'me', 'id[in]': mine.id });
  assert.deepEqual(page.data.map((d) => d.id), [mine.id]);
});
