/**
 * A client generated from the served OpenAPI document, as a TypeScript user
 * builds one: openapi-typescript turns /v1/openapi.json into types, a small
 * openapi-fetch client uses a filter operator (`updated_at[gte]`,
 * `email[in]`) and a numeric `limit`, `tsc --strict` type-checks it (and
 * refuses `limit: "10"`), and then it runs against the server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { createContact, createTenant, unique, type Tenant } from './helpers/factories.js';
import { startServer, type TestServer } from './helpers/server.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let server: TestServer;
let tenant: Tenant;
let dir: string;

before(async () => {
  server = await startServer();
  tenant = await createTenant(server);
  // Inside node_modules/.cache so `openapi-fetch` resolves as it does for a project that installed it.
  fs.mkdirSync(path.join(root, 'node_modules/.cache'), { recursive: true });
  dir = fs.mkdtempSync(path.join(root, 'node_modules/.cache/trellis-typed-client-'));
});
after(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const CLIENT = `
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

export async function contactsChangedSince(baseUrl: string, key: string, since: string, emails: string[]): Promise<{ emails: (string | null)[]; limit: number }> {
  const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${key}\` } });
  const { data, error } = await client.GET('/v1/contacts', {
    params: { query: { 'updated_at[gte]': since, 'email[in]': emails.join(','), 'title[exists]': true, sort: '-created_at', limit: 2 } },
  });
  if (error !== undefined) throw new Error(error.error.message);
  return { emails: data.data.map((contact) => contact.email), limit: data.meta.limit };
}

export async function refusedLimit(baseUrl: string, key: string): Promise<string> {
  const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${key}\` } });
  // @ts-expect-error limit is a number, not the text of one
  const { error } = await client.GET('/v1/contacts', { params: { query: { limit: 'ten' } } });
  return error?.error.code ?? 'none';
}
`;

interface TypedClient {
  contactsChangedSince(baseUrl: string, key: string, since: string, emails: string[]): Promise<{ emails: (string | null)[]; limit: number }>;
  refusedLimit(baseUrl: string, key: string): Promise<string>;
}

const TSCONFIG = {
  compilerOptions: { strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2023', 'DOM'], types: [], skipLibCheck: false },
  files: ['client.ts', 'schema.d.ts'],
};

describe('a client generated from the OpenAPI document', () => {
  it('type-checks under tsc --strict with a filter operator and a numeric limit, and runs', async () => {
    const document = (await server.anonymous.get('/v1/openapi.json')).body;
    fs.writeFileSync(path.join(dir, 'schema.d.ts'), astToString(await openapiTS(document)));
    fs.writeFileSync(path.join(dir, 'client.ts'), CLIENT);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));

    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const checked = await promisify(execFile)(process.execPath, [tsc, '-p', dir], { cwd: dir }).then(
      () => ({ ok: true, output: '' }),
      (failure: { stdout: string; stderr: string }) => ({ ok: false, output: `${failure.stdout}${failure.stderr}` }),
    );
    assert.ok(checked.ok, `tsc --strict refused the typed client:\n${checked.output}`);

    const since = new Date().toISOString();
    // One after another: the answer is sorted by created_at, so the contacts must be created in the order of the array (in parallel, PostgreSQL may commit them in any order).
    const titled = [];
    for (let i = 0; i < 3; i++) titled.push(await createContact(tenant.api, { email: `${unique('typed-')}@example.com`, title: 'Buyer' }));
    const untitled = await createContact(tenant.api, { email: `${unique('typed-')}@example.com` });
    const client = (await import(pathToFileURL(path.join(dir, 'client.ts')).href)) as TypedClient;
    const answer = await client.contactsChangedSince(server.url, tenant.key, since, [...titled, untitled].map((c) => c.email));
    assert.deepEqual(answer, { emails: [titled[2].email, titled[1].email], limit: 2 });
    assert.equal(await client.refusedLimit(server.url, tenant.key), 'validation_error');
  });
});
