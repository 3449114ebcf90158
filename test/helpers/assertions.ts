/** Assertions on error answers and lists that many test files make alike. */
import assert from 'node:assert/strict';
import type { ApiClient, ApiResponse } from './client.js';

export function assertInvalid(response: ApiResponse, field: string): void {
  assert.equal(response.status, 400, response.text);
  assert.equal(response.body.error.code, 'validation_error', response.text);
  assert.ok(response.body.error.details?.[field], `details.${field}: ${response.text}`);
}

export function assertUnprocessable(response: ApiResponse, field?: string): void {
  assert.equal(response.status, 422, response.text);
  assert.equal(response.body.error.code, 'unprocessable', response.text);
  if (field !== undefined) assert.ok(response.body.error.details?.[field], `details.${field}: ${response.text}`);
}

export function assertNotFound(response: ApiResponse, what: string): void {
  assert.equal(response.status, 404, `${what}: ${response.text}`);
  assert.equal(response.body.error.code, 'not_found', `${what}: ${response.text}`);
}

export function assertScopeRefused(response: ApiResponse, required: string): void {
  assert.equal(response.status, 403, response.text);
  assert.equal(response.body.error.code, 'insufficient_scope', response.text);
  assert.equal(response.body.error.details.required, required, response.text);
}

export function assertDuplicate(response: ApiResponse, existingId: string): void {
  assert.equal(response.status, 409, response.text);
  assert.equal(response.body.error.code, 'duplicate', response.text);
  assert.equal(response.body.error.details.existing_id, existingId, response.text);
}

/** meta.total of a list. */
export async function total(api: ApiClient, path: string): Promise<number> {
  const response = await api.get(path);
  assert.equal(response.status, 200, response.text);
  return response.body.meta.total;
}

export const ids = (records: { id: string }[]): string[] => records.map((r) => r.id);
