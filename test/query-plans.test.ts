/**
 * The filters integrations use most (email, phone, external id, tag, owner,
 * stage) are index look-ups on a database filled through the API, whatever the
 * planner's statistics say: the test asks the database (EXPLAIN QUERY PLAN on
 * SQLite, EXPLAIN on PostgreSQL) how it runs the exact statements a list page
 * runs, page and count, and checks that the records' table is reached through
 * the expected index, never scanned.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type RawBuilder } from 'kysely';
import pg from 'pg';
import { boundedCountQuery, listStatements } from '../src/db/list-rows.js';
import { postgresCapabilities, sqliteCapabilities } from '../src/db/capabilities.js';
import { parseListQuery } from '../src/list/list-query.js';
import type { ListSpec } from '../src/list/list-spec.js';
import { activityListSpec } from '../src/resources/activities/activities.list.js';
import { contactListSpec } from '../src/resources/contacts/contacts.list.js';
import { dealListSpec } from '../src/resources/deals/deals.list.js';
import { createTenant, createUser, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let db: Kysely<any>;
let explain: (query: RawBuilder<unknown>) => Promise<string>;
const sqlite = !/^postgres/.test(process.env.DATABASE_URL ?? '');
const capabilities = sqlite ? sqliteCapabilities : postgresCapabilities;
const CONTACTS = 600;
let fixture: { email: string; phone: string; ownerId: string; tagId: string; stageId: string; externalId: string };

async function ok(response: Promise<{ status: number; text: string; body: any }>, status = 201): Promise<any> {
  const answer = await response;
  assert.equal(answer.status, status, answer.text);
  return answer.body.data;
}

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  const api = tenant.api;
  const owners = [await createUser(api), await createUser(api), await createUser(api)];
  const tags = [await ok(api.post('/v1/tags', { name: unique('tag-') })), await ok(api.post('/v1/tags', { name: unique('tag-') }))];
  const run = unique('p');
  for (let start = 0; start < CONTACTS; start += 100) {
    const records = Array.from({ length: 100 }, (_, j) => {
      const i = start + j;
      return {
        first_name: `Plan${i}`,
        email: `${run}.${i}@example.com`,
        phone: `+1 555 ${String(1_000_000 + i).slice(1)}`,
        owner_id: owners[i % owners.length].id,
        tag_ids: [tags[i % 2].id],
      };
    });
    const answer = await ok(api.post('/v1/contacts/bulk', { records }), 200);
    assert.equal(answer.created, 100);
  }
  const pipelines = await ok(api.get('/v1/pipelines'), 200);
  const stages = pipelines[0].stages;
  for (let i = 0; i < 60; i++) await ok(api.post('/v1/deals', { name: `Plan deal ${i}`, stage_id: stages[i % 4].id, owner_id: owners[i % 3].id }));
  for (let i = 0; i < 60; i++) await ok(api.post('/v1/activities', { type: 'call', source: 'aircall', external_id: `${run}-${i}` }));
  fixture = { email: `${run}.42@example.com`, phone: `+1 555 ${String(1_000_042).slice(1)}`, ownerId: owners[1].id, tagId: tags[0].id, stageId: stages[1].id, externalId: `${run}-7` };

  const database = server.config.database;
  if (database.kind === 'sqlite') {
    const raw = new BetterSqlite3(database.file, { readonly: true });
    db = new Kysely<any>({ dialect: new SqliteDialect({ database: raw }) });
    explain = async (query) => {
      const { sql, parameters } = query.compile(db);
      const rows = raw.prepare(`explain query plan ${sql}`).all(...(parameters as unknown[])) as { detail: string }[];
      return rows.map((r) => r.detail).join('\n');
    };
  } else {
    const pool = new pg.Pool({ connectionString: database.url, max: 1, options: `-c search_path="${database.schema}"` });
    db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
    // PostgreSQL plans from the statistics its autovacuum keeps (within a minute of this many
    // writes; the test does not wait). At a test's size a sequential scan of a few pages is
    // what it should choose, so scans are priced out here: what the test checks is that the
    // statement is one the intended index serves. On SQLite nothing is adjusted.
    pool.on('connect', (client) => void client.query('set enable_seqscan = off'));
    for (const table of ['contacts', 'contact_emails', 'record_tags', 'deals', 'activities']) await pool.query(`analyze ${table}`);
    explain = async (query) => {
      const { sql, parameters } = query.compile(db);
      const { rows } = await pool.query(`explain ${sql}`, parameters as unknown[]);
      return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    };
  }
});
after(async () => {
  await db?.destroy();
  await server.close();
});

const COLUMNS = ['id', 'created_at'];

async function plans(spec: ListSpec, filters: Record<string, string>): Promise<{ page: string; count: string }> {
  const query = parseListQuery(spec, filters);
  const { rowsQuery, filtered } = listStatements(capabilities, spec, tenant.workspaceId, query, COLUMNS);
  return { page: await explain(rowsQuery), count: await explain(boundedCountQuery(spec, filtered)) };
}

/** Every line that reaches `table`, in either database's words. */
function access(plan: string, table: string): string[] {
  return plan.split('\n').filter((line) => (sqlite ? new RegExp(`\\b(SCAN|SEARCH) ${table}\\b`).test(line) : new RegExp(`\\bon ${table}\\b`).test(line)));
}

function assertLookUp(plan: string, table: string, index: RegExp): void {
  const lines = access(plan, table);
  assert.ok(lines.length > 0, `${table} is read:\n${plan}`);
  for (const line of lines) {
    if (sqlite) assert.match(line, /^SEARCH /, `${table} is searched through an index, never scanned:\n${plan}`);
    else assert.doesNotMatch(line, /Seq Scan/, `${table} is read through an index, never scanned:\n${plan}`);
  }
  // SQLite names the index on the table's line; PostgreSQL on it or on the bitmap index scan under it.
  assert.ok(sqlite ? lines.some((line) => index.test(line)) : index.test(plan), `${table} is reached through ${index}:\n${plan}`);
}

describe('hot filters are index look-ups', () => {
  it('contacts by email: the address key, then each contact by id', async () => {
    for (const plan of Object.values(await plans(contactListSpec, { email: fixture.email }))) {
      assertLookUp(plan, 'contact_emails', sqlite ? /\(workspace_id=\? AND email=\?\)/ : /contact_emails_pk/);
      assertLookUp(plan, 'contacts', sqlite ? /sqlite_autoindex_contacts_1 \(id=\?\)/ : /contacts_pkey/);
    }
    // An address names at most one contact: SQLite neither collects the ids nor sorts the page.
    if (sqlite) assert.doesNotMatch((await plans(contactListSpec, { email: fixture.email })).page, /LIST SUBQUERY|TEMP B-TREE/);
  });

  it('a page writes its size into the SQL: SQLite re-prepares a statement whose LIMIT is bound, on every run', () => {
    const query = parseListQuery(contactListSpec, { email: fixture.email, limit: '10' });
    const { sql, parameters } = listStatements(capabilities, contactListSpec, tenant.workspaceId, query, COLUMNS).rowsQuery.compile(db);
    assert.match(sql, / limit 11$/);
    assert.deepEqual(parameters, [tenant.workspaceId, tenant.workspaceId, fixture.email]);
  });

  it('contacts by phone and by owner', async () => {
    for (const plan of Object.values(await plans(contactListSpec, { phone: fixture.phone }))) assertLookUp(plan, 'contacts', /contacts_workspace_phone/);
    // PostgreSQL may prefer the older single-column owner index; either is a look-up by owner.
    for (const plan of Object.values(await plans(contactListSpec, { owner_id: fixture.ownerId }))) assertLookUp(plan, 'contacts', sqlite ? /contacts_workspace_owner/ : /contacts_(workspace_)?owner/);
  });

  it('contacts by tag: the tag index, then each contact by id', async () => {
    for (const plan of Object.values(await plans(contactListSpec, { tag: fixture.tagId }))) {
      // PostgreSQL may instead walk the workspace's contacts and probe each one's tag by the
      // record_tags key, when its statistics say half the contacts carry the tag: index look-ups too.
      assertLookUp(plan, 'record_tags', sqlite ? /record_tags_tag/ : /record_tags_(tag|pk)/);
      assertLookUp(plan, 'contacts', sqlite ? /sqlite_autoindex_contacts_1 \(id=\?\)/ : /contacts_(pkey|workspace_\w+)/);
    }
  });

  it('deals by stage and by owner', async () => {
    for (const plan of Object.values(await plans(dealListSpec, { stage_id: fixture.stageId }))) assertLookUp(plan, 'deals', /deals_workspace_stage/);
    for (const plan of Object.values(await plans(dealListSpec, { owner_id: fixture.ownerId }))) assertLookUp(plan, 'deals', sqlite ? /deals_workspace_owner/ : /deals_(workspace_)?owner/);
  });

  it('activities by external id', async () => {
    for (const plan of Object.values(await plans(activityListSpec, { external_id: fixture.externalId }))) assertLookUp(plan, 'activities', /activities_workspace_external/);
  });

  it('answers each of these filters through the API with the records the look-up finds', async () => {
    const found = async (path: string) => (await ok(tenant.api.get(path), 200)).map((r: { id: string }) => r.id);
    assert.equal((await found(`/v1/contacts?email=${encodeURIComponent(fixture.email)}`)).length, 1);
    assert.equal((await found(`/v1/contacts?phone=${encodeURIComponent(fixture.phone)}`)).length, 1);
    const owned = await tenant.api.get(`/v1/contacts?owner_id=${fixture.ownerId}`);
    assert.equal(owned.body.meta.total, CONTACTS / 3);
    const tagged = await tenant.api.get(`/v1/contacts?tag=${fixture.tagId}`);
    assert.equal(tagged.body.meta.total, CONTACTS / 2);
    assert.equal((await found(`/v1/activities?external_id=${fixture.externalId}`)).length, 1);
    const staged = await tenant.api.get(`/v1/deals?stage_id=${fixture.stageId}`);
    assert.equal(staged.body.meta.total, 15);
  });
});
