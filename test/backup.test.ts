/** `trellis backup` while the server writes, then `trellis restore`: every record acknowledged before the backup began is there, and nothing half-written. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { trellis } from './helpers/cli.js';
import { createTenant, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

const sqlite = !/^postgres/.test(process.env.DATABASE_URL ?? '');
let server: TestServer;
let tenant: Tenant;
let dir: string;

before(async () => {
  server = await startServer(sqlite ? {} : { DATABASE_URL: undefined });
  tenant = await createTenant(server);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-backup-'));
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup and restore (SQLite)', { skip: sqlite ? false : 'backup and restore are SQLite commands; PostgreSQL uses pg_dump (docs/deployment.md)' }, () => {
  it('backs up consistently under write load, and the restored database serves every record the backup holds', async () => {
    const database = (server.config.database as { file: string }).file;
    const acknowledged: { id: string; at: number }[] = [];
    let writing = true;
    const writers = Array.from({ length: 4 }, async () => {
      while (writing) {
        const response = await tenant.api.post('/v1/contacts', { first_name: unique('Load'), email: `${unique('load-')}@example.com` });
        assert.equal(response.status, 201, response.text);
        acknowledged.push({ id: response.body.data.id, at: Date.now() });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const file = path.join(dir, 'backup.db');
    const startedAt = Date.now();
    const before = acknowledged.length;
    const backup = await trellis(['--json', 'backup', file], { DATABASE_URL: database });
    writing = false;
    await Promise.all(writers);
    assert.equal(backup.code, 0, backup.stderr);
    assert.ok(acknowledged.length > before, 'writes went on during the backup');

    const copy = new BetterSqlite3(file, { readonly: true });
    const present = new Set((copy.prepare('select id from contacts').all() as { id: string }[]).map((r) => r.id));
    assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
    const orphanEmails = copy.prepare('select count(*) as n from contact_emails where contact_id not in (select id from contacts)').get() as { n: number };
    copy.close();
    assert.equal(orphanEmails.n, 0);
    for (const { id, at } of acknowledged) if (at < startedAt) assert.ok(present.has(id), `${id}, acknowledged before the backup began, is in it`);
    // A snapshot: the records it holds are those committed before some moment, with no gap.
    const holds = acknowledged.map((a) => present.has(a.id));
    const firstMissing = holds.indexOf(false);
    if (firstMissing >= 0) assert.ok(holds.slice(firstMissing + 4).every((h) => !h), 'no record after the first missing one (4 writers may finish out of order)');

    const restoredFile = path.join(dir, 'restored', 'trellis.db');
    const fresh = await trellis(["restore", file], { DATABASE_URL: path.join(dir, "nothing-here", "x.db") });
    assert.equal(fresh.code, 0, fresh.stderr);
    const restore = await trellis(['restore', file, '--yes'], { DATABASE_URL: restoredFile });
    assert.equal(restore.code, 0, restore.stderr);
    const restored = await startServer({ DATABASE_URL: restoredFile });
    try {
      const api = restored.client(tenant.key);
      const listed = await api.get('/v1/contacts?limit=1');
      assert.equal(listed.status, 200);
      assert.equal(listed.body.meta.total, present.size);
      const last = [...acknowledged].reverse().find((a) => present.has(a.id));
      assert.equal((await api.get(`/v1/contacts/${last?.id}`)).status, 200);
    } finally {
      await restored.close();
    }
  });

  it('refuses to overwrite a backup or a database without being told, and a file that is not a Trellis backup', async () => {
    const database = (server.config.database as { file: string }).file;
    const file = path.join(dir, 'exists.db');
    fs.writeFileSync(file, 'x');
    assert.equal((await trellis(['backup', file], { DATABASE_URL: database })).code, 2);
    const notBackup = await trellis(['restore', file, '--yes'], { DATABASE_URL: path.join(dir, 'target.db') });
    assert.equal(notBackup.code, 3);
    assert.match(notBackup.stderr, /not a SQLite database|damaged|not a Trellis database/);
    const live = await trellis(['restore', path.join(dir, 'backup.db')], { DATABASE_URL: database });
    assert.equal(live.code, 2);
    assert.match(live.stderr, /Stop the server/);
  });
});
