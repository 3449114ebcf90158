/**
 * Imports (a CSV or JSON Lines file, imported by the server in the background)
 * and exports (every record a filter selects, streamed as CSV or JSON Lines).
 */
import type { Api } from '../core/api.js';
import type { RequestOptions } from '../core/options.js';
import type { DataOf, QueryOf } from '../core/operation-types.js';

export type ImportJob = DataOf<'imports.get'>;
export type ImportQuery = QueryOf<'imports.create'>;

export class Imports {
  constructor(private readonly api: Api) {}

  /**
   * Uploads the file and answers the queued job. `file` is a Blob (e.g.
   * `await fs.openAsBlob(path)`), a string or a ReadableStream. A retry sends
   * the file again, so a stream is never retried.
   */
  create(file: Blob | string | ReadableStream<Uint8Array>, query: ImportQuery, options: RequestOptions = {}): Promise<DataOf<'imports.create'>> {
    const format = query.format ?? (typeof Blob !== 'undefined' && file instanceof Blob && /json/.test(file.type) ? 'jsonl' : 'csv');
    const contentType = format === 'jsonl' ? 'application/x-ndjson' : 'text/csv';
    const retries = typeof ReadableStream !== 'undefined' && file instanceof ReadableStream ? { maxRetries: 0 } : {};
    return this.api.data('imports.create', { query: { ...query, format }, rawBody: { data: file, contentType } }, { ...retries, ...options });
  }

  get(id: string, options?: RequestOptions): Promise<ImportJob> {
    return this.api.data('imports.get', { path: { id } }, options);
  }

  /** The latest 100 imports. */
  list(options?: RequestOptions): Promise<DataOf<'imports.list'>> {
    return this.api.data('imports.list', {}, options);
  }

  /** Stops the job after its current batch (rolled back); what was committed stays. */
  cancel(id: string, options?: RequestOptions): Promise<ImportJob> {
    return this.api.data('imports.cancel', { path: { id } }, options);
  }

  /** The rejected rows with `_row` and `_error`, as the file's format (CSV or JSON Lines): fix them and import this text again. */
  errors(id: string, options?: RequestOptions): Promise<string> {
    return this.api.text('imports.errors', { path: { id } }, options);
  }

  /**
   * Polls until the job has ended, calling `onProgress` with each state read.
   * When `signal` fires, polling stops and the last state is returned (the job
   * goes on: cancel it to stop it).
   */
  async wait(id: string, options: RequestOptions & { intervalMs?: number; onProgress?: (job: ImportJob) => void } = {}): Promise<ImportJob> {
    const { intervalMs = 500, onProgress, signal, ...request } = options;
    for (;;) {
      const job = await this.get(id, request);
      onProgress?.(job);
      if ((job.status !== 'queued' && job.status !== 'running') || signal?.aborted) return job;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (signal?.aborted) return job;
    }
  }
}

export type ExportResource = 'contacts' | 'companies' | 'leads' | 'deals' | 'activities' | 'tasks';

export class Exports {
  constructor(private readonly api: Api) {}

  /**
   * Every record the filters select, oldest first, as a stream of bytes (CSV
   * or JSON Lines): `for await (const chunk of await client.exports.get("contacts"))`.
   */
  async get(resource: ExportResource, query: Record<string, string | number | boolean> & { format?: 'csv' | 'jsonl' } = {}, options?: RequestOptions): Promise<ReadableStream<Uint8Array>> {
    const response = await this.api.response('exports.get', { path: { resource }, query }, options);
    if (!response.body) throw new TypeError('The export answered without a body.');
    return response.body;
  }
}
