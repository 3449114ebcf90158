/** Factories that build whole tenants through the public API, so tests never share rows. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ApiClient } from './client.js';
import type { TestServer } from './server.js';

export interface Tenant {
  workspaceId: string;
  ownerId: string;
  ownerEmail: string;
  key: string;
  keyId: string;
  /** The owner's full-access client. */
  api: ApiClient;
}

export const unique = (prefix = 'x'): string => `${prefix}${randomBytes(5).toString('hex')}`;

export async function createTenant(server: TestServer, options: { plan?: string; name?: string } = {}): Promise<Tenant> {
  const ownerEmail = `${unique('owner-')}@example.com`;
  const response = await server.operator.post('/v1/workspaces', {
    name: options.name ?? unique('Workspace '),
    ...(options.plan !== undefined && { plan: options.plan }),
    owner: { email: ownerEmail, name: 'Olive Owner' },
  });
  assert.equal(response.status, 201, response.text);
  const { workspace, owner, api_key } = response.body.data;
  return { workspaceId: workspace.id, ownerId: owner.id, ownerEmail, key: api_key.secret, keyId: api_key.id, api: server.client(api_key.secret) };
}

/** Issues a key for the tenant's owner (or `user_id`) and returns a client using it. */
export async function keyFor(server: TestServer, tenant: Tenant, body: Record<string, unknown>): Promise<{ id: string; secret: string; api: ApiClient }> {
  const response = await tenant.api.post('/v1/api-keys', { name: unique('key '), ...body });
  assert.equal(response.status, 201, response.text);
  return { id: response.body.data.id, secret: response.body.data.secret, api: server.client(response.body.data.secret) };
}

export async function createContact(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/contacts', { first_name: 'Jane', last_name: 'Smith', email: `${unique('jane-')}@example.com`, ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

export async function createCompany(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/companies', { name: unique('Acme '), domain: `${unique('acme-')}.com`, ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

export async function createDeal(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/deals', { name: unique('Deal '), ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

export async function createUser(api: ApiClient, body: Record<string, unknown> = {}): Promise<any> {
  const response = await api.post('/v1/users', { email: `${unique('user-')}@example.com`, name: 'Uma User', ...body });
  assert.equal(response.status, 201, response.text);
  return response.body.data;
}

/** Walks a list to its end with `cursor`, returning every record in order. */
export async function walk(api: ApiClient, path: string, between?: (page: number) => Promise<void>): Promise<any[]> {
  const records: any[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10_000; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const response: { status: number; text: string; body: any } = await api.get(cursor === null ? path : `${path}${separator}cursor=${encodeURIComponent(cursor)}`);
    assert.equal(response.status, 200, response.text);
    records.push(...response.body.data);
    if (!response.body.meta.has_more) return records;
    cursor = response.body.meta.next_cursor;
    if (between) await between(page);
  }
  throw new Error('list did not end');
}
