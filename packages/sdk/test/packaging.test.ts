/**
 * The built package as users load it, in child processes: the seed's
 * three-line example with Trellis's names, by `require` (CommonJS) and by
 * `import` (ES modules), against a real server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { startServer, type TestServer } from '../../../test/helpers/server.js';
import { createContact, createTenant, type Tenant } from '../../../test/helpers/factories.js';

const run = promisify(execFile);
const repository = path.resolve(import.meta.dirname, '../../..');
let server: TestServer;
let tenant: Tenant;
let activeIds: string[];

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  activeIds = [(await createContact(tenant.api)).id, (await createContact(tenant.api)).id];
  await createContact(tenant.api, { status: 'archived' });
});
after(() => server.close());

/** Runs a script with node from the repository root, so `@trellis/sdk` resolves as in a user's project. */
async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, {
    cwd: repository,
    env: { PATH: process.env.PATH, TRELLIS_API_KEY: tenant.key, TRELLIS_BASE_URL: server.url },
  });
  return stdout;
}

const printIds = 'console.log(JSON.stringify(contacts.data.map((c) => c.id)));';

test("the seed's three lines work with require('@trellis/sdk')", async () => {
  const script = `
    const Trellis = require('@trellis/sdk');
    (async () => {
      const client = new Trellis({ apiKey: process.env.TRELLIS_API_KEY, baseUrl: process.env.TRELLIS_BASE_URL });
      const contacts = await client.contacts.list({ status: 'active', limit: 50 });
      ${printIds}
    })();`;
  assert.deepEqual(JSON.parse(await node(['-e', script])), activeIds);
});

test("the seed's three lines work with import (default and named), the key and URL taken from the environment", async () => {
  for (const importLine of ["import Trellis from '@trellis/sdk';", "import { Trellis } from '@trellis/sdk';"]) {
    const script = `${importLine}
      const client = new Trellis();
      const contacts = await client.contacts.list({ status: 'active', limit: 50 });
      ${printIds}`;
    assert.deepEqual(JSON.parse(await node(['--input-type=module', '-e', script])), activeIds);
  }
});

test('CommonJS exposes the named exports on the class: errors are classes to catch', async () => {
  const script = `
    const { Trellis, NotFoundError, default: Default } = require('@trellis/sdk');
    (async () => {
      const client = new Default();
      try { await client.contacts.get('con_missing'); } catch (error) {
        console.log(JSON.stringify({ same: Trellis === Default, notFound: error instanceof NotFoundError, status: error.status }));
      }
    })();`;
  assert.deepEqual(JSON.parse(await node(['-e', script])), { same: true, notFound: true, status: 404 });
});
