/** Imports for tests: upload a file and wait for its job to end. */
import assert from 'node:assert/strict';
import type { ApiClient } from './client.js';

/** Uploads a file and waits for its job to end. */
export async function importFile(api: ApiClient, query: string, body: string, contentType = 'text/csv'): Promise<any> {
  const started = await api.request('POST', `/v1/imports?${query}`, body, { 'content-type': contentType });
  assert.equal(started.status, 202, started.text);
  return waitForImport(api, started.body.data.id);
}

export async function waitForImport(api: ApiClient, id: string): Promise<any> {
  // Time-bound rather than count-bound: a busy machine (or PostgreSQL) may take minutes over a few thousand rows.
  for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
    const job = (await api.get(`/v1/imports/${id}`)).body.data;
    if (!['queued', 'running'].includes(job.status)) return job;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`import ${id} did not end`);
}

