/**
 * On PostgreSQL each data statement is a named prepared statement per
 * connection (src/db/postgres-statements.ts). What a user could notice: the
 * same answers, and a running instance that keeps answering while another
 * instance's migration adds columns under it (a rolling upgrade), including
 * the reads that select every column, which a prepared statement would refuse
 * ("cached plan must not change result type").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createTenant, unique, type Tenant } from './helpers/factories.js';
import { importFile } from './helpers/imports.js';
import { startServer, type TestServer } from './helpers/server.js';

const onPostgres = /^postgres/.test(process.env.DATABASE_URL ?? '');

describe('prepared statements on PostgreSQL', { skip: onPostgres ? false : 'runs on PostgreSQL only (DATABASE_URL=postgres://…)' }, () => {
  let server: TestServer;
  let tenant: Tenant;
  let admin: pg.Client;
  before(async () => {
    server = await startServer();
    tenant = await createTenant(server);
    admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await server?.close();
  });

  const schema = () => (server.config.database.kind === 'postgres' ? server.config.database.schema : 'public');

  it('keeps answering while another instance adds columns to the tables it reads', async () => {
    const email = `${unique('prep-')}@example.com`;
    const created = await tenant.api.post('/v1/contacts', { first_name: 'Pia', last_name: 'Prepared', email });
    assert.equal(created.status, 201, created.text);
    const job = await importFile(tenant.api, 'resource=companies', `name,domain\nPrepared Ltd,${unique('prep')}.example\n`);
    assert.equal(job.status, 'completed', JSON.stringify(job));
    // Each read more than once, so every connection it ran on has prepared it.
    for (let i = 0; i < 12; i++) {
      assert.equal((await tenant.api.get(`/v1/contacts/${created.body.data.id}`)).status, 200);
      assert.equal((await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`)).body.data.length, 1);
      assert.equal((await tenant.api.get(`/v1/imports/${job.id}`)).status, 200);
    }

    // Another instance's migration, as a rolling upgrade would run it.
    await admin.query(`alter table "${schema()}".contacts add column upgrade_note text`);
    await admin.query(`alter table "${schema()}".imports add column upgrade_note text`);

    for (let i = 0; i < 12; i++) {
      const read = await tenant.api.get(`/v1/contacts/${created.body.data.id}`);
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body.data.email, email);
      const listed = await tenant.api.get(`/v1/contacts?email=${encodeURIComponent(email)}`);
      assert.equal(listed.status, 200, listed.text);
      assert.deepEqual(listed.body.data.map((c: { id: string }) => c.id), [created.body.data.id]);
      const imported = await tenant.api.get(`/v1/imports/${job.id}`);
      assert.equal(imported.status, 200, imported.text);
      assert.equal(imported.body.data.status, 'completed');
    }
    const updated = await tenant.api.patch(`/v1/contacts/${created.body.data.id}`, { title: 'Upgraded' });
    assert.equal(updated.status, 200, updated.text);
    const another = await tenant.api.post('/v1/contacts', { first_name: 'Ned', email: `${unique('prep-')}@example.com` });
    assert.equal(another.status, 201, another.text);
  });
});
