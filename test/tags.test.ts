/**
 * Tags: CRUD, names unique per workspace regardless of case, colours, tags on
 * contacts, companies and deals (tag_ids in, tags out, `tag=` filter), what
 * renaming and deleting a tag does to the records carrying it, isolation and
 * scopes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from './helpers/client.js';
import { createCompany, createContact, createTenant, keyFor, unique, walk, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';
import { assertDuplicate, assertInvalid, assertNotFound, assertScopeRefused, assertUnprocessable, ids } from './helpers/assertions.js';

let server: TestServer;
let tenant: Tenant;
let other: Tenant;

before(async () => {
  server = await startServer();
  [tenant, other] = await Promise.all([createTenant(server), createTenant(server)]);
});
after(() => server.close());

async function createTag(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/tags', { name: unique('tag-'), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function createDeal(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/deals', { name: unique('Deal '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

async function read(api: ApiClient, path: string): Promise<any> {
  const response = await api.get(path);
  assert.equal(response.status, 200, `${path}: ${response.text}`);
  return response.body.data;
}

const ref = (tag: { id: string; name: string; color: string | null }) => ({ id: tag.id, name: tag.name, color: tag.color });
const byName = (tags: { name: string }[]) => [...tags].sort((a, b) => a.name.localeCompare(b.name));

/** One contact, one company and one deal, each carrying `tagIds`. */
async function taggedRecords(api: ApiClient, tagIds: string[]) {
  return {
    contact: await createContact(api, { tag_ids: tagIds }),
    company: await createCompany(api, { tag_ids: tagIds }),
    deal: await createDeal(api, { tag_ids: tagIds }),
  };
}

const paths = (records: { contact: any; company: any; deal: any }) => ({
  contact: `/v1/contacts/${records.contact.id}`,
  company: `/v1/companies/${records.company.id}`,
  deal: `/v1/deals/${records.deal.id}`,
});

describe('managing tags', () => {
  it('creates a tag with a tidied name and answers 201 with an ETag', async () => {
    const name = unique('Hot');
    const response = await tenant.api.post('/v1/tags', { name: `  ${name}   lead `, color: '#3366ff' });
    assert.equal(response.status, 201, response.text);
    const tag = response.body.data;
    assert.match(tag.id, /^tag_/);
    assert.equal(tag.name, `${name} lead`);
    assert.equal(tag.color, '#3366ff');
    assert.equal(tag.version, 1);
    assert.equal(response.headers.get('etag'), '"1"');
    assert.deepEqual(await read(tenant.api, `/v1/tags/${tag.id}`), tag);
    assert.deepEqual(ids(await read(tenant.api, `/v1/tags?name=${encodeURIComponent(tag.name)}`)), [tag.id]);
    assert.equal((await createTag(tenant.api)).color, null, 'colour is optional');
  });

  it('renames and recolours a tag, moving its version on, and clears the colour with null', async () => {
    const tag = await createTag(tenant.api, { color: '#112233' });
    const renamed = await tenant.api.patch(`/v1/tags/${tag.id}`, { name: `${tag.name}-v2`, color: '#ABCDEF' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.data.name, `${tag.name}-v2`);
    assert.equal(renamed.body.data.color, '#ABCDEF');
    assert.equal(renamed.body.data.version, 2);
    const cleared = await tenant.api.patch(`/v1/tags/${tag.id}`, { color: null });
    assert.equal(cleared.body.data.color, null);
    assert.equal(cleared.body.data.name, `${tag.name}-v2`);
  });

  it('writes only when If-Match names the current version', async () => {
    const tag = await createTag(tenant.api);
    const stale = await tenant.api.patch(`/v1/tags/${tag.id}`, { name: 'stale' }, { 'if-match': '"5"' });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'precondition_failed');
    assert.equal((await tenant.api.delete(`/v1/tags/${tag.id}`, { 'if-match': '"5"' })).status, 412);
    assert.deepEqual(await read(tenant.api, `/v1/tags/${tag.id}`), tag);
  });

  it('deletes a tag, and its name is free again', async () => {
    const tag = await createTag(tenant.api);
    const response = await tenant.api.delete(`/v1/tags/${tag.id}`);
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(response.body.data, { id: tag.id, deleted: true });
    assertNotFound(await tenant.api.get(`/v1/tags/${tag.id}`), 'GET deleted');
    assertNotFound(await tenant.api.delete(`/v1/tags/${tag.id}`), 'DELETE twice');
    assertNotFound(await tenant.api.patch(`/v1/tags/${tag.id}`, { name: 'back' }), 'PATCH deleted');
    await createTag(tenant.api, { name: tag.name.toUpperCase() });
  });

  it('refuses bad names and unknown fields', async () => {
    assertInvalid(await tenant.api.post('/v1/tags', {}), 'name');
    assertInvalid(await tenant.api.post('/v1/tags', { name: '' }), 'name');
    assertInvalid(await tenant.api.post('/v1/tags', { name: '   ' }), 'name');
    assertInvalid(await tenant.api.post('/v1/tags', { name: 'x'.repeat(101) }), 'name');
    assertInvalid(await tenant.api.post('/v1/tags', { name: 42 }), 'name');
    assertInvalid(await tenant.api.post('/v1/tags', { name: 'ok', colour: '#ffffff' }), 'colour');
    const tag = await createTag(tenant.api);
    assertInvalid(await tenant.api.patch(`/v1/tags/${tag.id}`, { name: '' }), 'name');
  });
});

describe('unique names', () => {
  it('refuses a name that exists in any case or spacing, with 409 naming the existing tag', async () => {
    const base = unique('vip');
    const tag = await createTag(tenant.api, { name: `${base} client` });
    for (const name of [`${base} client`, `${base.toUpperCase()} CLIENT`, ` ${base}   Client `]) {
      assertDuplicate(await tenant.api.post('/v1/tags', { name }), tag.id);
    }
    assert.equal((await tenant.api.get(`/v1/tags?q=${encodeURIComponent(base)}`)).body.meta.total, 1);
  });

  it("refuses a rename onto another tag's name, but lets a tag change its own case", async () => {
    const first = await createTag(tenant.api, { name: unique('alpha') });
    const second = await createTag(tenant.api, { name: unique('beta') });
    assertDuplicate(await tenant.api.patch(`/v1/tags/${second.id}`, { name: first.name.toUpperCase() }), first.id);
    assert.equal((await read(tenant.api, `/v1/tags/${second.id}`)).name, second.name);
    const recased = await tenant.api.patch(`/v1/tags/${first.id}`, { name: first.name.toUpperCase() });
    assert.equal(recased.status, 200, recased.text);
    assert.equal(recased.body.data.name, first.name.toUpperCase());
  });

  it('creates exactly one tag when 20 clients send the same name at once', async () => {
    const name = unique('race');
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => tenant.api.post('/v1/tags', { name: i % 2 === 0 ? name : name.toUpperCase() })));
    const created = responses.filter((r) => r.status === 201);
    assert.equal(created.length, 1, responses.map((r) => r.status).join(','));
    const winner = created[0]?.body.data.id;
    for (const r of responses.filter((r) => r.status !== 201)) assertDuplicate(r, winner);
  });

  it('keeps names unique per workspace, not across workspaces', async () => {
    const name = unique('shared');
    const mine = await createTag(tenant.api, { name });
    const theirs = await createTag(other.api, { name });
    assert.notEqual(mine.id, theirs.id);
    assertDuplicate(await other.api.post('/v1/tags', { name: name.toUpperCase() }), theirs.id);
  });
});

describe('colours', () => {
  it("accepts '#rrggbb' only", async () => {
    for (const color of ['#3366ff', '#ABCdef', '#000000']) await createTag(tenant.api, { color });
    const tag = await createTag(tenant.api, { color: '#123456' });
    for (const color of ['red', '#fff', '3366ff', '#3366fg', '#3366ff0', ' #3366ff', '', 123]) {
      assertInvalid(await tenant.api.post('/v1/tags', { name: unique('bad'), color }), 'color');
      assertInvalid(await tenant.api.patch(`/v1/tags/${tag.id}`, { color }), 'color');
    }
    assert.equal((await read(tenant.api, `/v1/tags/${tag.id}`)).color, '#123456');
  });
});

describe('tags on records', () => {
  it('shows the tags given by tag_ids on contacts, companies, leads and deals, in reads and lists, ordered by name', async () => {
    const hot = await createTag(tenant.api, { name: unique('a-hot'), color: '#ff0000' });
    const cold = await createTag(tenant.api, { name: unique('b-cold') });
    const records = await taggedRecords(tenant.api, [cold.id, hot.id]);
    const expected = byName([ref(hot), ref(cold)]);
    for (const [type, record] of Object.entries(records)) {
      assert.deepEqual(byName(record.tags), expected, `${type} on create`);
      assert.equal(record.tag_ids, undefined, `${type} shows tags, not tag_ids`);
    }
    for (const [type, path] of Object.entries(paths(records))) {
      assert.deepEqual(byName((await read(tenant.api, path)).tags), expected, `${type} on GET`);
    }
    const lead = await tenant.api.post('/v1/leads', { first_name: unique('Tagged'), last_name: 'Lead', tag_ids: [cold.id, hot.id] });
    assert.equal(lead.status, 201, lead.text);
    for (const path of [...Object.values(paths(records)), `/v1/leads/${lead.body.data.id}`]) {
      const list = path.slice(0, path.lastIndexOf('/'));
      const listed = await read(tenant.api, `${list}?tag=${hot.id}`);
      assert.equal(listed.length, 1, list);
      assert.deepEqual(listed[0].tags, expected, `${list} list, by name`);
      assert.deepEqual(listed[0], await read(tenant.api, path), `${list}: a list row is the record as GET shows it`);
    }
  });

  it('replaces the set of tags with tag_ids on update, leaves it alone without, and empties it with []', async () => {
    const [a, b] = [await createTag(tenant.api), await createTag(tenant.api)];
    const records = await taggedRecords(tenant.api, [a.id]);
    for (const [type, path] of Object.entries(paths(records))) {
      const swapped = await tenant.api.patch(path, { tag_ids: [b.id] });
      assert.equal(swapped.status, 200, `${type}: ${swapped.text}`);
      assert.deepEqual(swapped.body.data.tags, [ref(b)], type);
      assert.ok(swapped.body.data.version > 1, type);
      const untouched = await tenant.api.patch(path, { custom_fields: { note: 'x' } });
      assert.deepEqual(untouched.body.data.tags, [ref(b)], `${type} keeps its tags`);
      const emptied = await tenant.api.patch(path, { tag_ids: [] });
      assert.deepEqual(emptied.body.data.tags, [], type);
      assert.deepEqual((await read(tenant.api, path)).tags, [], type);
    }
  });

  it('refuses a repeated tag id in tag_ids', async () => {
    const tag = await createTag(tenant.api);
    assert.equal((await tenant.api.post('/v1/contacts', { first_name: 'Twice', tag_ids: [tag.id, tag.id] })).status, 400);
    assert.equal((await tenant.api.post('/v1/deals', { name: 'Twice', tag_ids: [tag.id, tag.id] })).status, 400);
  });

  it('refuses tag ids that are not tags of the workspace with 422 on tag_ids', async () => {
    const mine = await createTag(tenant.api);
    const theirs = await createTag(other.api);
    const first = unique('Tagless');
    for (const tagIds of [[theirs.id], [mine.id, theirs.id], ['tag_01M807GFFF8MEEXBKKKVK895SP'], ['nonsense']]) {
      assertUnprocessable(await tenant.api.post('/v1/contacts', { first_name: first, tag_ids: tagIds }), 'tag_ids');
      assertUnprocessable(await tenant.api.post('/v1/companies', { name: first, tag_ids: tagIds }), 'tag_ids');
      assertUnprocessable(await tenant.api.post('/v1/deals', { name: first, tag_ids: tagIds }), 'tag_ids');
    }
    assert.equal((await tenant.api.get(`/v1/contacts?first_name=${first}`)).body.meta.total, 0);
    assert.equal((await tenant.api.get(`/v1/companies?name=${first}`)).body.meta.total, 0);
    assert.equal((await tenant.api.get(`/v1/deals?name=${first}`)).body.meta.total, 0);

    const records = await taggedRecords(tenant.api, [mine.id]);
    for (const [type, path] of Object.entries(paths(records))) {
      assertUnprocessable(await tenant.api.patch(path, { tag_ids: [theirs.id] }), 'tag_ids');
      const unchanged = await read(tenant.api, path);
      assert.deepEqual(unchanged.tags, [ref(mine)], type);
      assert.equal(unchanged.version, 1, type);
    }
    // Their tag is on nothing of ours.
    for (const path of ['/v1/contacts', '/v1/companies', '/v1/deals']) {
      assert.equal((await other.api.get(`${path}?tag=${theirs.id}`)).body.meta.total, 0, path);
    }
  });
});

describe('the tag filter', () => {
  it('lists only the contacts, companies and deals carrying the tag', async () => {
    const [red, blue] = [await createTag(tenant.api), await createTag(tenant.api)];
    const both = await taggedRecords(tenant.api, [red.id, blue.id]);
    const onlyRed = await taggedRecords(tenant.api, [red.id]);
    const onlyBlue = await taggedRecords(tenant.api, [blue.id]);
    await taggedRecords(tenant.api, []);
    for (const type of ['contact', 'company', 'deal'] as const) {
      const path = { contact: '/v1/contacts', company: '/v1/companies', deal: '/v1/deals' }[type];
      assert.deepEqual(ids(await walk(tenant.api, `${path}?tag=${red.id}&limit=1`)), [both[type].id, onlyRed[type].id], `${path} red`);
      assert.deepEqual(ids(await walk(tenant.api, `${path}?tag=${blue.id}`)), [both[type].id, onlyBlue[type].id], `${path} blue`);
      assert.deepEqual(ids(await read(tenant.api, `${path}?tag=tag_01M807GFFF8MEEXBKKKVK895SP`)), [], `${path} unknown tag`);
    }
  });

  it('does not confuse a tag on one kind of record with the same id on another kind', async () => {
    const tag = await createTag(tenant.api);
    const contact = await createContact(tenant.api, { tag_ids: [tag.id] });
    assert.deepEqual(ids(await read(tenant.api, `/v1/contacts?tag=${tag.id}`)), [contact.id]);
    assert.deepEqual(await read(tenant.api, `/v1/companies?tag=${tag.id}`), []);
    assert.deepEqual(await read(tenant.api, `/v1/deals?tag=${tag.id}`), []);
  });
});

describe('renaming and deleting tags', () => {
  it('moves on the version of every record carrying a renamed tag, which then shows the new name', async () => {
    const tag = await createTag(tenant.api, { color: '#010203' });
    const records = await taggedRecords(tenant.api, [tag.id]);
    const bystander = await createContact(tenant.api);
    const since = (await read(tenant.api, paths(records).deal)).updated_at;

    const renamed = await tenant.api.patch(`/v1/tags/${tag.id}`, { name: `${tag.name}-renamed` });
    assert.equal(renamed.status, 200, renamed.text);
    for (const [type, path] of Object.entries(paths(records))) {
      const after = await read(tenant.api, path);
      assert.deepEqual(after.tags, [{ id: tag.id, name: `${tag.name}-renamed`, color: '#010203' }], type);
      assert.equal(after.version, 2, type);
      assert.ok(after.updated_at > records[type as keyof typeof records].updated_at, type);
    }
    assert.equal((await read(tenant.api, `/v1/contacts/${bystander.id}`)).version, 1);
    // A syncing client asking for changes since then sees the deal.
    const changed = await read(tenant.api, `/v1/deals?updated_at[gt]=${encodeURIComponent(since)}`);
    assert.ok(ids(changed).includes(records.deal.id));

    const recoloured = await tenant.api.patch(`/v1/tags/${tag.id}`, { color: '#0000ff' });
    assert.equal(recoloured.status, 200, recoloured.text);
    for (const [type, path] of Object.entries(paths(records))) {
      const after = await read(tenant.api, path);
      assert.equal(after.tags[0].color, '#0000ff', type);
      assert.equal(after.version, 3, type);
    }
  });

  it('takes a deleted tag off every record, moving their version on, and keeps their other tags', async () => {
    const [gone, kept] = [await createTag(tenant.api, { name: unique('a-gone') }), await createTag(tenant.api, { name: unique('b-kept') })];
    const records = await taggedRecords(tenant.api, [gone.id, kept.id]);
    assert.equal((await tenant.api.delete(`/v1/tags/${gone.id}`)).status, 200);
    for (const [type, path] of Object.entries(paths(records))) {
      const after = await read(tenant.api, path);
      assert.deepEqual(after.tags, [ref(kept)], type);
      assert.equal(after.version, 2, type);
    }
    for (const path of ['/v1/contacts', '/v1/companies', '/v1/deals']) {
      assert.deepEqual(await read(tenant.api, `${path}?tag=${gone.id}`), [], path);
      assert.equal((await read(tenant.api, `${path}?tag=${kept.id}`)).length, 1, path);
    }
    // The records stay usable: the deleted tag is not lurking in their tag set.
    const patched = await tenant.api.patch(paths(records).contact, { tag_ids: [kept.id] });
    assert.equal(patched.status, 200, patched.text);
    assertUnprocessable(await tenant.api.patch(paths(records).deal, { tag_ids: [gone.id] }), 'tag_ids');
  });

  it('lets a tagged record be deleted, and the tag lives on', async () => {
    const tag = await createTag(tenant.api);
    const records = await taggedRecords(tenant.api, [tag.id]);
    for (const path of Object.values(paths(records))) assert.equal((await tenant.api.delete(path)).status, 200, path);
    assert.equal((await tenant.api.get(`/v1/tags/${tag.id}`)).status, 200);
    for (const path of ['/v1/contacts', '/v1/companies', '/v1/deals']) {
      assert.deepEqual(await read(tenant.api, `${path}?tag=${tag.id}`), [], path);
    }
    assert.equal((await tenant.api.delete(`/v1/tags/${tag.id}`)).status, 200);
  });
});

describe('isolation', () => {
  const missing = 'tag_01M807GFFF8MEEXBKKKVK895SP';

  it("answers 404 for another workspace's tag, as for one that does not exist, and changes nothing there", async () => {
    const theirs = await createTag(other.api, { color: '#abcdef' });
    const theirContact = await createContact(other.api, { tag_ids: [theirs.id] });
    for (const id of [theirs.id, missing]) {
      assertNotFound(await tenant.api.get(`/v1/tags/${id}`), `GET ${id}`);
      assertNotFound(await tenant.api.patch(`/v1/tags/${id}`, { name: 'hijacked' }), `PATCH ${id}`);
      assertNotFound(await tenant.api.delete(`/v1/tags/${id}`), `DELETE ${id}`);
    }
    const foreign = await tenant.api.get(`/v1/tags/${theirs.id}`);
    const absent = await tenant.api.get(`/v1/tags/${missing}`);
    assert.equal(foreign.body.error.message, absent.body.error.message);
    assert.deepEqual(await read(other.api, `/v1/tags/${theirs.id}`), theirs);
    const contact = await read(other.api, `/v1/contacts/${theirContact.id}`);
    assert.deepEqual(contact.tags, [ref(theirs)]);
    assert.equal(contact.version, 1);
  });

  it("never lists another workspace's tags", async () => {
    const theirs = await createTag(other.api, { name: unique('secret') });
    const listed = ids(await walk(tenant.api, '/v1/tags?limit=100'));
    assert.ok(listed.length > 0);
    assert.ok(!listed.includes(theirs.id));
    for (const query of [`name=${encodeURIComponent(theirs.name)}`, `q=${encodeURIComponent(theirs.name)}`]) {
      assert.deepEqual(await read(tenant.api, `/v1/tags?${query}`), [], query);
    }
    // Its name is free here, and taking it does not point at theirs.
    const mine = await createTag(tenant.api, { name: theirs.name });
    assert.notEqual(mine.id, theirs.id);
  });
});

describe('scopes', () => {
  it('lets a read_only key read tags but not change them', async () => {
    const tag = await createTag(tenant.api);
    const { api } = await keyFor(server, tenant, { scope: 'read_only' });
    assert.equal((await api.get('/v1/tags')).status, 200);
    assert.equal((await api.get(`/v1/tags/${tag.id}`)).status, 200);
    assertScopeRefused(await api.post('/v1/tags', { name: unique('nope') }), 'tags:write');
    assertScopeRefused(await api.patch(`/v1/tags/${tag.id}`, { name: 'nope' }), 'tags:write');
    assertScopeRefused(await api.delete(`/v1/tags/${tag.id}`), 'tags:write');
    assert.deepEqual(await read(tenant.api, `/v1/tags/${tag.id}`), tag);
  });

  it('needs tags:read to read and tags:write to write tags with a custom key', async () => {
    const tag = await createTag(tenant.api);
    const contactsOnly = await keyFor(server, tenant, { scope: 'custom', grants: ['contacts:write'] });
    assertScopeRefused(await contactsOnly.api.get('/v1/tags'), 'tags:read');
    assertScopeRefused(await contactsOnly.api.get(`/v1/tags/${tag.id}`), 'tags:read');

    const reader = await keyFor(server, tenant, { scope: 'custom', grants: ['tags:read'] });
    assert.equal((await reader.api.get(`/v1/tags/${tag.id}`)).status, 200);
    assertScopeRefused(await reader.api.post('/v1/tags', { name: unique('nope') }), 'tags:write');
    assertScopeRefused(await reader.api.delete(`/v1/tags/${tag.id}`), 'tags:write');

    const writer = await keyFor(server, tenant, { scope: 'custom', grants: ['tags:write'] });
    const created = await writer.api.post('/v1/tags', { name: unique('by-writer') });
    assert.equal(created.status, 201, created.text);
    assert.equal((await writer.api.get('/v1/tags')).status, 200, 'write includes read');
    assertScopeRefused(await writer.api.get('/v1/contacts'), 'contacts:read');
  });
});
