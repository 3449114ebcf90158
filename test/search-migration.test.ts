/**
 * The search migration on a database that already holds records: a database
 * migrated only as far as the migrations before search, filled with rows (as an
 * older Trellis wrote them), then opened by the current app. Every existing
 * contact, company, lead and deal must be searchable at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect, type Migration } from 'kysely';
import { CurrentSchemaPostgresDialect } from '../src/db/postgres-introspector.js';
import pg from 'pg';
import { buildApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import * as foundation from '../src/db/migrations/20261121T2330_foundation.js';
import * as pipeline from '../src/db/migrations/20261122T0000_pipeline.js';
import * as events from '../src/db/migrations/20261122T1200_events.js';
import { generateApiKey, hashSecret, keyPrefix } from '../src/platform/secrets.js';
import { ApiClient } from './helpers/client.js';
import { ids } from './helpers/assertions.js';
import { testEnv } from './helpers/server.js';

const BEFORE_SEARCH: Record<string, Migration> = {
  '20261121T2330_foundation': foundation,
  '20261122T0000_pipeline': pipeline,
  '20261122T1200_events': events,
};

const environment = testEnv();
const config = loadConfig(environment.env);
const secret = generateApiKey();
let app: App;
let api: ApiClient;

/** The database as it was before the search migration: its tables, no search objects. */
async function openOld(): Promise<{ db: Kysely<any>; schema: string | undefined }> {
  const database = config.database;
  if (database.kind === 'sqlite') return { db: new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(database.file) }) }), schema: undefined };
  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  await admin.query(`create schema if not exists "${database.schema}"`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: database.url, max: 2, options: `-c search_path="${database.schema}"` });
  return { db: new Kysely<any>({ dialect: new CurrentSchemaPostgresDialect({ pool }) }), schema: database.schema };
}

before(async () => {
  const { db, schema } = await openOld();
  try {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => BEFORE_SEARCH }, ...(schema !== undefined && { migrationTableSchema: schema }) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
    const at = Date.now() - 60_000;
    const stamps = { created_at: at, updated_at: at, version: 1 };
    const address = { address_street: null, address_city: null, address_state: null, address_postal_code: null, address_country: null };
    await db.insertInto('workspaces').values({ id: 'wsp_old', name: 'Old', plan: null, change_clock: at, ...stamps }).execute();
    await db.insertInto('users').values({ id: 'usr_old', workspace_id: 'wsp_old', email: 'owner@old.example', name: 'Owner', role: 'owner', ...stamps }).execute();
    await db
      .insertInto('api_keys')
      .values({ id: 'key_old', workspace_id: 'wsp_old', user_id: 'usr_old', name: 'old key', prefix: keyPrefix(secret), secret_hash: hashSecret(secret), scope: 'full', grants: '[]', ...stamps })
      .execute();
    await db
      .insertInto('companies')
      .values({ id: 'cmp_old', workspace_id: 'wsp_old', name: 'Quillfeather Ltd', domain: 'quillfeather.example', phone: '+44 20 7946 0123', custom_fields: '{}', ...address, ...stamps })
      .execute();
    const emails = [
      { email: 'ines@quillfeather.example', label: 'work' },
      { email: 'ines.private@mail.example', label: 'home' },
    ];
    await db
      .insertInto('contacts')
      .values({
        id: 'con_old',
        workspace_id: 'wsp_old',
        first_name: 'Inès',
        last_name: 'Quillfeather',
        email: emails[0]?.email,
        emails: JSON.stringify(emails),
        phone: '020 7946 0123',
        phones: JSON.stringify([{ phone: '020 7946 0123', label: null }]),
        status: 'active',
        company_id: 'cmp_old',
        custom_fields: '{}',
        ...address,
        ...stamps,
      })
      .execute();
    await db
      .insertInto('contact_emails')
      .values(emails.map((e, position) => ({ workspace_id: 'wsp_old', email: e.email, contact_id: 'con_old', label: e.label, position })))
      .execute();
    await db
      .insertInto('leads')
      .values({ id: 'led_old', workspace_id: 'wsp_old', first_name: 'Ola', last_name: 'Quillfeather', name_key: 'ola|quillfeather|', email: 'ola@lead.example', status: 'new', custom_fields: '{}', ...stamps })
      .execute();
    await db.insertInto('pipelines').values({ id: 'pip_old', workspace_id: 'wsp_old', name: 'Sales', is_default: 1, ...stamps }).execute();
    await db.insertInto('stages').values({ id: 'stg_old', workspace_id: 'wsp_old', pipeline_id: 'pip_old', name: 'New', position: 0, probability: 10, type: 'open', ...stamps }).execute();
    await db
      .insertInto('deals')
      .values({ id: 'deal_old', workspace_id: 'wsp_old', name: 'Quillfeather renewal', pipeline_id: 'pip_old', stage_id: 'stg_old', status: 'open', custom_fields: '{}', stage_entered_at: at, ...stamps })
      .execute();
    const tables = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(db);
    assert.equal(Number(tables.rows[0]?.n), 3);
  } finally {
    await db.destroy();
  }
  // The current app: migrates (search fills its index from the rows above), then serves.
  app = await buildApp(config);
  const url = await app.app.listen({ host: '127.0.0.1', port: 0 });
  api = new ApiClient(url, { authorization: `Bearer ${secret}` });
});

after(async () => {
  await app?.app.close();
  await environment.cleanup();
});

describe('the search migration', () => {
  it('indexes the records that were there before it', async () => {
    const response = await api.get('/v1/search?q=quillf');
    assert.equal(response.status, 200, response.text);
    assert.deepEqual(ids(response.body.data).sort(), ['cmp_old', 'con_old', 'deal_old', 'led_old']);
    const contact = response.body.data.find((h: { id: string }) => h.id === 'con_old');
    assert.deepEqual(contact, { type: 'contact', id: 'con_old', title: 'Inès Quillfeather', subtitle: 'ines@quillfeather.example', score: 2, matched: ['name', 'email'] });
    const deal = response.body.data.find((h: { id: string }) => h.id === 'deal_old');
    assert.equal(deal.title, 'Quillfeather renewal');
  });

  it('finds old rows by a secondary email, by phone and by accent-free name', async () => {
    const byEmail = await api.get('/v1/search/by-email?email=INES.PRIVATE@mail.example');
    assert.deepEqual(ids(byEmail.body.data), ['con_old'], byEmail.text);
    const byPhone = await api.get(`/v1/search/by-phone?phone=${encodeURIComponent('+44 20 7946 0123')}`);
    assert.deepEqual(ids(byPhone.body.data), ['cmp_old', 'con_old'], byPhone.text);
    const byName = await api.get('/v1/search?q=ines%20quill');
    assert.deepEqual(ids(byName.body.data), ['con_old'], byName.text);
  });

  it('keeps the old rows in step from then on', async () => {
    const renamed = await api.patch('/v1/contacts/con_old', { last_name: 'Inkwell' });
    assert.equal(renamed.status, 200, renamed.text);
    const response = await api.get('/v1/search?q=ines');
    assert.deepEqual(ids(response.body.data), ['con_old'], response.text);
    assert.equal(response.body.data[0].title, 'Inès Inkwell');
    // The old name is gone from the index; the address at quillfeather.example still matches.
    const old = await api.get('/v1/search?q=quillfeather&types=contact');
    assert.deepEqual(
      old.body.data.map((h: { id: string; score: number; matched: string[] }) => [h.id, h.score, h.matched]),
      [['con_old', 1, ['email']]],
      old.text,
    );
  });
});
