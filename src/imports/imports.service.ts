/**
 * Import jobs as every door sees them (REST, the CLI through the SDK, the web
 * app): an upload becomes a queued job, read by the runner in the background;
 * its progress, its cancellation and its error report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify/sync';
import { requireAccess, type Actor } from '../domain/actor.js';
import { DomainError, invalidFields, notFound } from '../domain/errors.js';
import type { Transactor } from '../db/transactor.js';
import type { Clock } from '../platform/clock.js';
import { newId } from '../platform/ids.js';
import { safeCell } from '../reports/reports.csv.js';
import type { OnDuplicate } from './import-batch.js';
import type { ImportResource, ImportTarget } from './import-targets.js';
import type { ImportRepository, ImportRow } from './imports.repository.js';
import { columnNames, planColumns, REPORT_COLUMNS, type ColumnMapping } from './row-shape.js';
import { readCsvHeader, type ImportFormat } from './row-source.js';

export interface ImportRequest {
  resource: ImportResource;
  format: ImportFormat;
  onDuplicate: OnDuplicate;
  dryRun: boolean;
  mapping: ColumnMapping;
  fileName: string | null;
}

export class ImportService {
  /** Set at wiring: told when a job is queued. */
  queued: () => void = () => {};

  constructor(
    private readonly tx: Transactor,
    private readonly clock: Clock,
    private readonly imports: ImportRepository,
    readonly targets: Record<ImportResource, ImportTarget>,
    private readonly settings: { dir: string; maxBytes: number },
  ) {}

  fileOf = (job: Pick<ImportRow, 'id' | 'format'>): string => path.join(this.settings.dir, `${job.id}.${job.format}`);

  /** Stores the upload, checks its header, and queues the job. */
  async start(actor: Actor, request: ImportRequest, upload: Readable): Promise<ImportRow> {
    const target = this.targets[request.resource];
    requireAccess(actor, target.grant, 'write');
    const id = newId('import');
    const file = this.fileOf({ id, format: request.format });
    fs.mkdirSync(this.settings.dir, { recursive: true });
    let bytes = 0;
    let columns: string[] | null = null;
    const { maxBytes } = this.settings;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        done(bytes > maxBytes ? new DomainError('payload_too_large', `The file is larger than ${maxBytes} bytes (IMPORT_MAX_BYTES).`) : null, chunk);
      },
    });
    try {
      await pipeline(upload, counter, fs.createWriteStream(file));
      if (request.format === 'csv') columns = await this.checkHeader(target, file, request.mapping);
    } catch (error) {
      fs.rmSync(file, { force: true });
      throw error;
    }
    const now = this.clock.now();
    const job: ImportRow = {
      id,
      workspace_id: actor.workspaceId,
      resource: request.resource,
      format: request.format,
      status: 'queued',
      on_duplicate: request.onDuplicate,
      dry_run: request.dryRun ? 1 : 0,
      mapping: JSON.stringify(request.mapping),
      columns: columns === null ? null : JSON.stringify(columns),
      file_name: request.fileName,
      file_bytes: bytes,
      rows_read: 0,
      created: 0,
      updated: 0,
      unchanged: 0,
      skipped: 0,
      failed: 0,
      error: null,
      actor: JSON.stringify(actor),
      lease_until: null,
      started_at: null,
      finished_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.tx.write((db) => this.imports.insert(db, job));
    this.queued();
    return job;
  }

  /** Every column must name a field (or be mapped to one, or to null): else nothing is imported. */
  private async checkHeader(target: ImportTarget, file: string, mapping: ColumnMapping): Promise<string[]> {
    const headers = await readCsvHeader(file);
    if (headers.length === 0) throw invalidFields({ file: 'The file is empty: a CSV import needs a header row.' });
    const { unknown } = planColumns(target.schema, headers, mapping);
    if (unknown.length > 0) {
      throw new DomainError('validation_error', `These columns name no field of ${target.resource}: ${unknown.join(', ')}. Map them with map={"column":"field"} (null ignores one).`, {
        columns: unknown.map((c) => `Unknown column "${c}".`),
        allowed: columnNames(target.schema),
      });
    }
    return headers;
  }

  async get(actor: Actor, id: string): Promise<ImportRow> {
    const job = await this.imports.find(this.tx.db, actor.workspaceId, id);
    if (!job) throw notFound('import');
    requireAccess(actor, this.targets[job.resource as ImportResource].grant, 'read');
    return job;
  }

  /** The workspace's latest imports of the types this key may read. */
  async list(actor: Actor): Promise<ImportRow[]> {
    const jobs = await this.imports.listRecent(this.tx.db, actor.workspaceId, 100);
    return jobs.filter((job) => {
      try {
        requireAccess(actor, this.targets[job.resource as ImportResource].grant, 'read');
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Stops a queued or running job after its current batch (which is rolled back); what was committed stays. */
  async cancel(actor: Actor, id: string): Promise<ImportRow> {
    const job = await this.get(actor, id);
    requireAccess(actor, this.targets[job.resource as ImportResource].grant, 'write');
    await this.tx.write((db) => this.imports.finish(db, id, 'cancelled', null, this.clock.now()));
    return this.get(actor, id);
  }

  /** The rejected rows, in file order, as the file's own format with `_row` and `_error`: fix them and import this file. */
  async *errorReport(actor: Actor, id: string): AsyncGenerator<string> {
    const job = await this.get(actor, id);
    const csv = job.format === 'csv';
    // The report's own columns of a re-imported report are replaced by this one's.
    const columns = (JSON.parse(job.columns ?? '[]') as string[]).map((name) => ({ name, keep: !(REPORT_COLUMNS as readonly string[]).includes(name) }));
    if (csv) yield stringify([[REPORT_COLUMNS[0], ...columns.filter((c) => c.keep).map((c) => c.name), REPORT_COLUMNS[1]]]);
    for (let after = 0; ; ) {
      const rows = await this.imports.rejectedAfter(this.tx.db, id, after, 1000);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]?.row_number ?? after;
      if (csv) {
        yield stringify(rows.map((r) => [r.row_number, ...keptCells(columns, JSON.parse(r.row_data) as string[]).map(safeCell), safeCell(r.reason)]));
      } else {
        yield rows.map((r) => `${reportLine(r.row_data, r.row_number, r.reason)}\n`).join('');
      }
    }
  }
}

/** A row's cells under the report's columns (one cell per column, whatever the row had). */
function keptCells(columns: { keep: boolean }[], cells: string[]): string[] {
  return columns.flatMap((column, i) => (column.keep ? [cells[i] ?? ''] : []));
}

/** A JSON line with `_row` and `_error` added (or, for a line that was not JSON, those and its text). */
function reportLine(text: string, row: number, reason: string): string {
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return JSON.stringify({ ...value, _row: row, _error: reason });
  } catch {
    // Not JSON: the text goes in a field of its own.
  }
  return JSON.stringify({ _row: row, _line: text, _error: reason });
}
