/**
 * Runs import jobs in the background, one at a time per instance: a job is
 * claimed with a lease (renewed by every batch), read from its checkpoint,
 * written batch by batch, and ended with an `import.completed` or
 * `import.failed` event. After a crash the lease runs out and the job resumes
 * where its last committed batch ended; after a clean stop, at once.
 */
import fs from 'node:fs';
import type { FastifyBaseLogger } from 'fastify';
import type { Actor } from '../domain/actor.js';
import { DomainError } from '../domain/errors.js';
import type { Transactor } from '../db/transactor.js';
import type { EventLog } from '../events/event-log.js';
import { validationDetails, type AjvError } from '../http/error-handler.js';
import { createRequestValidator } from '../http/validation.js';
import type { Clock } from '../platform/clock.js';
import { writeBatch, type BatchJob, type OnDuplicate, type ShapedRow } from './import-batch.js';
import type { ImportResource, ImportTarget } from './import-targets.js';
import { presentImport } from './imports.presenter.js';
import type { ImportRepository, ImportRow } from './imports.repository.js';
import { planColumns, shapeCsvRow, shapeJsonRow, type ColumnMapping, type ColumnPlan } from './row-shape.js';
import { readCsvHeader, readRows, type ImportFormat } from './row-source.js';

/**
 * Rows per transaction: enough that a commit (an fsync) is rare, few enough to
 * hold the write lock briefly and to keep memory low (a batch's objects live
 * long enough to reach V8's old space: 5,000 rows took the server's RSS from
 * about 300 to 450 MB, with no gain in speed measurable on the busy 2-core machine).
 */
export const BATCH_ROWS = 2000;
const LEASE_MS = 30_000;
/** How often an idle runner looks for jobs whose instance died (their lease ran out). */
const POLL_MS = 5_000;

type Validator = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

export class ImportRunner {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly validators = new Map<ImportResource, Validator>();
  private readonly ajv = createRequestValidator();

  constructor(
    private readonly tx: Transactor,
    private readonly clock: Clock,
    private readonly imports: ImportRepository,
    private readonly targets: Record<ImportResource, ImportTarget>,
    private readonly events: EventLog,
    private readonly fileOf: (job: ImportRow) => string,
    private readonly log: FastifyBaseLogger,
  ) {}

  /** Looks for work now, and from time to time for jobs another instance left behind. */
  start(): void {
    this.nudge();
    this.timer = setInterval(() => this.nudge(), POLL_MS);
    this.timer.unref();
  }

  /** Looks for work now (after an upload, or at start). */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error: unknown) => this.log.error({ err: error }, 'import runner failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.nudge();
        }
      });
  }

  /** Stops after the current batch and lets go of the job, so the next start resumes it at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      // A job whose file is elsewhere was uploaded to another instance: that one runs it.
      const job = (await this.imports.runnable(this.tx.db, now)).find((j) => fs.existsSync(this.fileOf(j)));
      if (!job || this.stopped) return;
      if (!(await this.tx.write((db) => this.imports.claim(db, job.id, now, now + LEASE_MS)))) continue;
      await this.run(job);
    }
  }

  private async run(job: ImportRow): Promise<void> {
    const actor = JSON.parse(job.actor) as Actor;
    const target = this.targets[job.resource as ImportResource];
    const batchJob: BatchJob = { id: job.id, workspaceId: job.workspace_id, actor, target, onDuplicate: job.on_duplicate as OnDuplicate, dryRun: job.dry_run === 1 };
    const file = this.fileOf(job);
    try {
      const mapping = JSON.parse(job.mapping) as ColumnMapping;
      const plan = job.format === 'csv' ? planColumns(target.schema, await readCsvHeader(file), mapping) : undefined;
      let batch: ShapedRow[] = [];
      for await (const row of readRows(file, job.format as ImportFormat, job.rows_read)) {
        batch.push(this.shape(target, plan, mapping, row));
        if (batch.length < BATCH_ROWS) continue;
        if (!(await this.write(batchJob, batch))) return this.discard(job);
        batch = [];
        // A stopping server lets go of the job after a whole batch; the next start resumes it.
        if (this.stopped) return await this.release(job.id);
      }
      if (batch.length > 0 && !(await this.write(batchJob, batch))) return this.discard(job);
      await this.finish(job, actor, 'completed', null);
    } catch (error) {
      if (this.stopped && !(error instanceof DomainError)) return await this.release(job.id);
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn({ err: error, import_id: job.id }, 'import failed');
      await this.finish(job, actor, 'failed', `The file could not be read: ${message}`);
    }
  }

  /** false when the job was cancelled (the batch was rolled back). */
  private async write(job: BatchJob, batch: ShapedRow[]): Promise<boolean> {
    return (await writeBatch(this.tx, this.imports, job, batch, () => this.clock.now(), LEASE_MS)) !== undefined;
  }

  private shape(target: ImportTarget, plan: ColumnPlan | undefined, mapping: ColumnMapping, row: Awaited<ReturnType<ReturnType<typeof readRows>['next']>>['value'] & object): ShapedRow {
    let body: Record<string, unknown>;
    let source: string;
    if ('cells' in row) {
      source = JSON.stringify(row.cells);
      if (plan && row.cells.length > plan.targets.length) return { number: row.number, source, invalid: `validation_error: The row has ${row.cells.length} cells; the header has ${plan.targets.length} columns.` };
      body = shapeCsvRow(target.schema, plan as ColumnPlan, row.cells);
    } else {
      source = row.text;
      if (row.json === null || typeof row.json !== 'object' || Array.isArray(row.json)) return { number: row.number, source, invalid: 'invalid_json: The line is not a JSON object.' };
      body = shapeJsonRow(row.json as Record<string, unknown>, mapping);
    }
    const validate = this.validator(target);
    if (validate(body)) return { number: row.number, source, body };
    const details = validationDetails(validate.errors ?? [], 'body');
    return { number: row.number, source, invalid: `validation_error: ${Object.entries(details).map(([field, messages]) => `${field}: ${messages.join(' ')}`).join('; ')}` };
  }

  private validator(target: ImportTarget): Validator {
    let validate = this.validators.get(target.resource);
    if (!validate) {
      validate = this.ajv.compile(target.schema) as Validator;
      this.validators.set(target.resource, validate);
    }
    return validate;
  }

  /** A cancelled job's file is not needed any more. */
  private discard(job: ImportRow): void {
    fs.rmSync(this.fileOf(job), { force: true });
  }

  private async release(id: string): Promise<void> {
    await this.tx.write((db) => db.updateTable('imports').set({ lease_until: null }).where('id', '=', id).execute());
  }

  private async finish(job: ImportRow, actor: Actor, status: 'completed' | 'failed', error: string | null): Promise<void> {
    await this.tx.writeIn(job.workspace_id, async (db, at) => {
      if (!(await this.imports.finish(db, job.id, status, error, at))) return;
      const ended = await this.imports.findAny(db, job.id);
      if (ended) await this.events.record(db, actor, job.workspace_id, at, status === 'completed' ? 'import.completed' : 'import.failed', presentImport(ended));
    });
    fs.rmSync(this.fileOf(job), { force: true });
  }
}
