/** The `trellis` command: operator tasks on the database, doctor, calls through the SDK, import and export, exit statuses. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { trellis } from './helpers/cli.js';
import { createTenant, unique, type Tenant } from './helpers/factories.js';
import { Browser } from './helpers/session.js';
import { startServer, testEnv, type TestServer } from './helpers/server.js';

let server: TestServer;
let tenant: Tenant;
let dbEnv: Record<string, string | undefined>;
let dir: string;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-cli-'));
  // The operator commands use the server's own database, as an admin on the same machine would.
  const { env } = testEnv();
  dbEnv = { DATABASE_URL: server.config.database.kind === 'sqlite' ? server.config.database.file : env.DATABASE_URL, DATABASE_SCHEMA: server.config.database.kind === 'postgres' ? server.config.database.schema : undefined };
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const remote = () => ({ TRELLIS_URL: server.url, TRELLIS_API_KEY: tenant.key });

describe('operator commands (on the database)', () => {
  it('creates a workspace whose key works on the server, lists it, and issues, lists and revokes keys', async () => {
    const name = unique('CLI workspace ');
    const created = await trellis(['--json', 'workspaces', 'create', '--name', name, '--owner-email', `${unique('o')}@example.com`], dbEnv);
    assert.equal(created.code, 0, created.stderr);
    const { workspace, api_key } = JSON.parse(created.stdout);
    assert.equal((await server.client(api_key.secret).get('/v1/me')).status, 200);

    const listed = await trellis(['workspaces', 'list'], dbEnv);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, new RegExp(`${workspace.id}\\s+${name}`));

    const issued = await trellis(['--json', 'keys', 'create', '--workspace', workspace.id, '--scope', 'custom', '--grant', 'contacts:read', '--name', 'reader'], dbEnv);
    assert.equal(issued.code, 0, issued.stderr);
    const key = JSON.parse(issued.stdout);
    assert.deepEqual(key.grants, ['contacts:read']);
    const api = server.client(key.secret);
    assert.equal((await api.get('/v1/contacts')).status, 200);
    assert.equal((await api.get('/v1/deals')).status, 403);

    const keys = JSON.parse((await trellis(['--json', 'keys', 'list', '--workspace', workspace.id], dbEnv)).stdout);
    assert.deepEqual(keys.map((k: { name: string }) => k.name).sort(), ['Owner key', 'reader']);
    assert.ok(keys.every((k: Record<string, unknown>) => !('secret' in k)));

    assert.equal((await trellis(['keys', 'revoke', key.id, '--workspace', workspace.id], dbEnv)).code, 0);
    assert.equal((await api.get('/v1/contacts')).status, 401);
  });

  it("prints a one-time link that sets a user's password, and the user signs in with it", async () => {
    const printed = await trellis(['--json', 'users', 'set-password-link', tenant.ownerEmail.toUpperCase()], dbEnv);
    assert.equal(printed.code, 0, printed.stderr);
    const link = JSON.parse(printed.stdout);
    assert.equal(link.user_id, tenant.ownerId);
    const token = (link.url as string).split('/accept/')[1] as string;
    const browser = new Browser(server.url);
    assert.equal((await browser.accept(token, { password: 'set from the cli' })).status, 200);
    assert.equal((await new Browser(server.url).signIn(tenant.ownerEmail, 'set from the cli')).status, 200);
    const unknown = await trellis(['users', 'set-password-link', 'nobody@example.com'], dbEnv);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /not_found/);
  });

  it('refuses a bad command line with status 2, an unknown workspace with 3, and a bad configuration with 78', async () => {
    assert.equal((await trellis(['keys', 'create'], dbEnv)).code, 2);
    assert.equal((await trellis(['no-such-command'], dbEnv)).code, 2);
    const unknown = await trellis(['keys', 'list', '--workspace', 'wsp_nope'], dbEnv);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /not_found/);
    const bad = await trellis(['workspaces', 'list'], { ...dbEnv, PORT: 'eighty' });
    assert.equal(bad.code, 78);
    assert.match(bad.stderr, /PORT must be/);
  });

  it('doctor reports a healthy instance, and names what is wrong with how to fix it', async () => {
    const healthy = await trellis(['--json', 'doctor'], { ...dbEnv, IMPORT_DIR: path.join(dir, 'imports'), REDIS_URL: process.env.REDIS_URL });
    assert.equal(healthy.code, 0, healthy.stdout + healthy.stderr);
    const checks = JSON.parse(healthy.stdout) as { check: string; status: string }[];
    assert.ok(checks.some((c) => c.check === 'database' && c.status === 'ok'));
    const broken = await trellis(['doctor'], { ...dbEnv, REDIS_URL: 'redis://127.0.0.1:1' });
    assert.equal(broken.code, 6);
    assert.match(broken.stdout, /✗ redis: cannot reach it.*\n\s+fix: check REDIS_URL/);
  });
});

describe('server commands (through the SDK, with a key)', () => {
  it('api calls any operation and prints its JSON; a refusal exits 3 with the error', async () => {
    const email = `${unique('api-')}@example.com`;
    const created = await trellis(['api', 'POST', '/v1/contacts', '-d', JSON.stringify({ first_name: 'Api', email })], remote());
    assert.equal(created.code, 0, created.stderr);
    const id = JSON.parse(created.stdout).data.id;
    const found = await trellis(['api', 'GET', '/v1/contacts', '-q', `email=${email}`], remote());
    assert.equal(JSON.parse(found.stdout).data[0].id, id);
    const duplicate = await trellis(['api', 'POST', '/v1/contacts', '-d', JSON.stringify({ email })], remote());
    assert.equal(duplicate.code, 3);
    assert.match(duplicate.stderr, new RegExp(`409 duplicate[\\s\\S]*${id}`));
    assert.equal((await trellis(['api', 'GET', '/v1/widgets'], remote())).code, 2);
    assert.equal((await trellis(['api', 'GET', '/v1/contacts'], { ...remote(), TRELLIS_URL: 'http://127.0.0.1:1' })).code, 4);
  });

  it('imports a file with a refused row (exit 5, the report written), then exports what it imported', async () => {
    const file = path.join(dir, 'people.csv');
    const mark = unique('Cli');
    fs.writeFileSync(file, `First name,Last name,E-mail\n${mark},One,${mark}1@example.com\n${mark},Two,broken\n${mark},Three,${mark}3@example.com\n`);
    const map = path.join(dir, 'map.json');
    fs.writeFileSync(map, JSON.stringify({ 'E-mail': 'email' }));
    const imported = await trellis(['--json', 'import', 'contacts', file, '--map', map], remote());
    assert.equal(imported.code, 5, imported.stderr);
    const job = JSON.parse(imported.stdout);
    assert.deepEqual([job.status, job.created, job.failed], ['completed', 2, 1]);
    assert.match(fs.readFileSync(job.error_report_file, 'utf8'), /^_row,First name,Last name,E-mail,_error\r?\n2,.*broken.*email/);

    const again = await trellis(['import', 'contacts', file, '--map', map], remote());
    assert.match(again.stdout, /0 created, 0 updated, 0 unchanged, 2 skipped, 1 refused/);

    const out = path.join(dir, 'out.csv');
    const exported = await trellis(['export', 'contacts', '--filter', `first_name=${mark}`, '-o', out], remote());
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /Exported 2 contacts/);
    assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 3);
  });

  it('Ctrl-C during an import cancels the job and says how far it got; the rows imported stay', async () => {
    const file = path.join(dir, 'big.csv');
    const mark = unique('Stop');
    fs.writeFileSync(file, ['first_name,email', ...Array.from({ length: 40_000 }, (_, i) => `${mark},${mark.toLowerCase()}${i}@stop.example`)].join('\n'));
    let interrupt: ((signal: NodeJS.Signals) => void) | undefined;
    let sent = false;
    const watcher = setInterval(() => {
      if (!sent && interrupt && progressSeen()) {
        sent = true;
        interrupt('SIGINT');
      }
    }, 100);
    let stderr = '';
    const progressSeen = () => /Importing: [\d,]+ of 40,000 rows/.test(stderr);
    const run = trellis(['import', 'contacts', file], remote(), { onSpawn: (kill) => (interrupt = kill), onStderr: (text) => (stderr += text) });
    const result = await run.finally(() => clearInterval(watcher));
    assert.equal(result.code, 130, result.stdout + result.stderr);
    assert.match(result.stdout, /stopped after [\d,]+ rows: \d+ created/);
    assert.match(result.stdout, /run the same command again/);
    const jobs = (await tenant.api.get('/v1/imports')).body.data.filter((j: { file_name: string }) => j.file_name === 'big.csv');
    assert.equal(jobs[0].status, 'cancelled');
    const kept = (await tenant.api.get(`/v1/contacts?limit=1&first_name=${mark}`)).body.meta.total;
    assert.equal(kept, jobs[0].created);
    assert.ok(kept < 40_000);
  });
});
