/** An import job survives a crash: the restarted server resumes it after the last committed batch and writes no row twice. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ApiClient } from './helpers/client.js';
import { startServerProcess, type ServerProcess } from './helpers/process.js';
import { testEnv } from './helpers/server.js';

const KEY = `trl_live_${'r'.repeat(40)}`;
const ROWS = 12_000;
const { env, cleanup } = testEnv({ TRELLIS_BOOTSTRAP_KEY: KEY });
const running: ServerProcess[] = [];
after(async () => {
  for (const server of running) server.child.kill('SIGKILL');
  await Promise.all(running.map((s) => s.exited));
  await cleanup();
});

async function start(): Promise<ApiClient> {
  const server = await startServerProcess(env, 180_000);
  running.push(server);
  return new ApiClient(server.url, { authorization: `Bearer ${KEY}` });
}

describe('import across a crash', () => {
  it('resumes a job killed mid-way: every row once, none twice', async () => {
    let api = await start();
    const csv = ['first_name,email', ...Array.from({ length: ROWS }, (_, i) => `Row${i},row${i}@restart.example`)].join('\n');
    const started = await api.request('POST', '/v1/imports?resource=contacts', csv, { 'content-type': 'text/csv' });
    assert.equal(started.status, 202, started.text);
    const id = started.body.data.id;
    let job: any;
    for (let i = 0; i < 2000; i++) {
      job = (await api.get(`/v1/imports/${id}`)).body.data;
      if (job.rows_read >= 1000) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(job.rows_read >= 1000 && job.rows_read < ROWS, `killed mid-way (at ${job.rows_read} rows)`);
    const first = running[0] as ServerProcess;
    first.child.kill('SIGKILL');
    await first.exited;

    // The dead instance's lease (30 s) runs out, then the restarted one resumes the job.
    api = await start();
    for (let i = 0; i < 1200; i++) {
      job = (await api.get(`/v1/imports/${id}`)).body.data;
      if (job.status !== 'running' && job.status !== 'queued') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(job.status, 'completed', JSON.stringify(job));
    assert.deepEqual([job.rows_read, job.created, job.skipped, job.failed], [ROWS, ROWS, 0, 0], 'a row written twice would have been counted as a skipped duplicate');
    assert.equal((await api.get('/v1/contacts?limit=1&q=restart.example')).body.meta.total, ROWS);
    const events = await api.get('/v1/events?type=import.completed');
    assert.equal(events.body.data.filter((e: any) => e.data.object.id === id).length, 1);
  });
});
