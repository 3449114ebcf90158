/**
 * One batch of an import, written in one transaction of the workspace with
 * its rejected rows and the job's counts and checkpoint: a crash loses the
 * whole batch or none of it, so a resumed job starts after the last committed
 * row and never writes one twice. A dry run does the same and rolls back.
 *
 * The batch is written as a whole where the type's service can create many
 * records at once: one look-up of the records its rows duplicate, one of the
 * fingerprints, then the new records created together (the service's rules,
 * one query per rule; multi-row inserts; the events in bulk). The outcome is
 * the one a row-by-row import would have: rows that depend on an earlier row
 * of the batch (they share an email, a domain, a fingerprint), updates, and
 * every row of a batch whose bulk write failed are then written one by one
 * in file order, each in a savepoint so a refused row leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../domain/actor.js';
import { DomainError } from '../domain/errors.js';
import { existingIds, recordExists } from '../db/records.js';
import type { Transactor, Executor } from '../db/transactor.js';
import type { ImportTarget } from './import-targets.js';
import type { BatchCounts, ImportRepository, RejectedRow } from './imports.repository.js';

export type OnDuplicate = 'skip' | 'update' | 'fail';

/** A row read and shaped: a body to write, or the reason it cannot be. */
export interface ShapedRow {
  number: number;
  body?: Record<string, unknown>;
  invalid?: string;
  /** The row as it was in the file, for the error report. */
  source: string;
}

export interface BatchJob {
  id: string;
  workspaceId: string;
  actor: Actor;
  target: ImportTarget;
  onDuplicate: OnDuplicate;
  dryRun: boolean;
}

class RollBack extends Error {}

/** The batch's counts, or undefined when the job was cancelled meanwhile (the batch was rolled back). */
/** What a batch adds up to, and its rejected rows for the error report. */
class Tally {
  readonly counts: BatchCounts;
  readonly rejected: RejectedRow[] = [];
  constructor(rowsRead: number) {
    this.counts = { rows_read: rowsRead, created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  }
  add(status: 'created' | 'updated' | 'unchanged' | 'skipped', n = 1): void {
    this.counts[status] += n;
  }
  reject(row: ShapedRow, reason: string): void {
    this.counts.failed++;
    this.rejected.push({ row_number: row.number, reason, row_data: row.source });
  }
}

/** The batch's counts, or undefined when the job was cancelled meanwhile (the batch was rolled back). */
export async function writeBatch(tx: Transactor, imports: ImportRepository, job: BatchJob, rows: ShapedRow[], now: () => number, leaseMs: number): Promise<BatchCounts | undefined> {
  const tally = new Tally(rows.length);
  const work = async (db: Executor, at: number): Promise<boolean> => {
    await writeRows(db, imports, job, rows, at, tally);
    if (job.dryRun) return true;
    // Rejected rows in file order: the one-by-one rows may have been judged after later ones.
    await imports.insertRejected(db, job.id, tally.rejected.sort((a, b) => a.row_number - b.row_number));
    return imports.advance(db, job.id, tally.counts, now(), now() + leaseMs);
  };
  if (job.dryRun) {
    // Every rule runs as for real; then nothing is kept but the counts and the report.
    await tx.writeIn(job.workspaceId, async (db, at) => {
      await work(db, at);
      throw new RollBack();
    }).catch((error: unknown) => {
      if (!(error instanceof RollBack)) throw error;
    });
    const running = await tx.write(async (db) => {
      await imports.insertRejected(db, job.id, tally.rejected.sort((a, b) => a.row_number - b.row_number));
      return imports.advance(db, job.id, tally.counts, now(), now() + leaseMs);
    });
    return running ? tally.counts : undefined;
  }
  try {
    return await tx.writeIn(job.workspaceId, async (db, at) => {
      if (!(await work(db, at))) throw new RollBack();
      return tally.counts;
    });
  } catch (error) {
    if (error instanceof RollBack) return undefined;
    throw error;
  }
}

/** A row to create with the rest of the batch. */
interface Planned {
  row: ShapedRow & { body: Record<string, unknown> };
  fingerprint: string;
}

async function writeRows(db: Executor, imports: ImportRepository, job: BatchJob, rows: ShapedRow[], at: number, tally: Tally): Promise<void> {
  const { target, actor } = job;
  const valid: Planned['row'][] = [];
  for (const row of rows) {
    if (row.body === undefined) tally.reject(row, row.invalid ?? 'The row is not valid.');
    else valid.push(row as Planned['row']);
  }
  const oneByOne: Planned['row'][] = [];
  if (!target.createMany) {
    oneByOne.push(...valid);
  } else {
    // A row that shares a unique value with an earlier row of the batch waits for it, and so does any row after it sharing one of its own.
    const claimed = new Set<string>();
    const planned: Planned[] = [];
    for (const row of valid) {
      const fingerprint = fingerprintOf(row.body);
      const claims = [...target.claimsOf(row.body), `fingerprint:${fingerprint}`];
      if (claims.some((c) => claimed.has(c))) oneByOne.push(row);
      else planned.push({ row, fingerprint });
      for (const c of claims) claimed.add(c);
    }
    const existing = await target.find(
      db,
      actor,
      planned.map((p) => p.row.body),
    );
    const unknown = planned.filter((_, i) => existing[i] === undefined);
    const fingerprinted = await imports.findFingerprints(
      db,
      actor.workspaceId,
      target.resource,
      unknown.map((p) => p.fingerprint),
    );
    const stillThere = await existingIds(db, target.resource, actor.workspaceId, [...fingerprinted.values()]);
    const toCreate: Planned[] = [];
    planned.forEach((p, i) => {
      const id = existing[i];
      if (id !== undefined) {
        const outcome = onDuplicate(job, id);
        if (outcome === 'one by one') oneByOne.push(p.row);
        else if (outcome.status === 'failed') tally.reject(p.row, outcome.reason);
        else tally.add(outcome.status);
        return;
      }
      const known = fingerprinted.get(p.fingerprint);
      if (known !== undefined && stillThere.has(known)) tally.add('unchanged');
      else toCreate.push(p);
    });
    const retried = await createTogether(db, imports, job, toCreate, at, tally, oneByOne);
    oneByOne.push(...retried);
  }
  oneByOne.sort((a, b) => a.number - b.number);
  for (const row of oneByOne) {
    await sql`savepoint import_row`.execute(db);
    try {
      const outcome = await writeRow(db, imports, job, row.body, at);
      if (outcome.status === 'failed') tally.reject(row, outcome.reason);
      else tally.add(outcome.status);
      await sql`release savepoint import_row`.execute(db);
    } catch (error) {
      await sql`rollback to savepoint import_row`.execute(db);
      await sql`release savepoint import_row`.execute(db);
      if (!(error instanceof DomainError)) throw error;
      tally.reject(row, describe(error));
    }
  }
}

/**
 * Creates the rows through the service's bulk create, in a savepoint: on an
 * error that is no row's fault (a constraint the rules did not foresee) the
 * whole bulk write is undone and the rows go one by one. Returns the rows to
 * write one by one: a row refused as a duplicate after a row that waits, whose
 * update may yet free the value, is judged in its turn.
 */
async function createTogether(db: Executor, imports: ImportRepository, job: BatchJob, toCreate: Planned[], at: number, tally: Tally, waiting: Planned['row'][]): Promise<Planned['row'][]> {
  const { target, actor } = job;
  if (toCreate.length === 0 || !target.createMany) return toCreate.map((p) => p.row);
  const firstWaiting = Math.min(...waiting.map((r) => r.number));
  await sql`savepoint import_batch`.execute(db);
  let results: ({ id: string } | DomainError)[];
  try {
    results = await target.createMany(
      db,
      actor,
      toCreate.map((p) => p.row.body),
      at,
    );
    const created = toCreate.flatMap((p, i) => {
      const result = results[i];
      return result instanceof DomainError || result === undefined ? [] : [{ fingerprint: p.fingerprint, recordId: result.id }];
    });
    await imports.saveFingerprints(db, actor.workspaceId, target.resource, created);
    await sql`release savepoint import_batch`.execute(db);
  } catch {
    await sql`rollback to savepoint import_batch`.execute(db);
    await sql`release savepoint import_batch`.execute(db);
    return toCreate.map((p) => p.row);
  }
  const retry: Planned['row'][] = [];
  toCreate.forEach((p, i) => {
    const result = results[i];
    if (!(result instanceof DomainError)) tally.add('created');
    else if (result.code === 'duplicate' && p.row.number > firstWaiting) retry.push(p.row);
    else tally.reject(p.row, describe(result));
  });
  return retry;
}

type RowOutcome = { status: 'created' | 'updated' | 'unchanged' | 'skipped' } | { status: 'failed'; reason: string };

/** What on_duplicate does with a row that duplicates `existing` by key; an update is written one by one. */
function onDuplicate(job: BatchJob, existing: string): RowOutcome | 'one by one' {
  switch (job.onDuplicate) {
    case 'skip':
      return { status: 'skipped' };
    case 'fail':
      return { status: 'failed', reason: `duplicate: a record with this ${job.target.keyName ?? 'key'} already exists (${existing}). Remove the row, or import with on_duplicate=update or skip.` };
    case 'update':
      return job.target.update ? 'one by one' : { status: 'skipped' };
  }
}

async function writeRow(db: Executor, imports: ImportRepository, job: BatchJob, body: Record<string, unknown>, at: number): Promise<RowOutcome> {
  const { target, actor } = job;
  // A row without the type's unique key is known again by its fingerprint.
  let [existing] = await target.find(db, actor, [body]);
  const fingerprint = existing === undefined ? fingerprintOf(body) : undefined;
  const byFingerprint = existing === undefined;
  if (fingerprint !== undefined) {
    const id = await imports.findFingerprint(db, actor.workspaceId, target.resource, fingerprint);
    if (id !== undefined && (await recordExists(db, target.resource, actor.workspaceId, id))) existing = id;
  }
  if (existing === undefined) {
    const created = await target.create(db, actor, body, at);
    if (fingerprint !== undefined) await imports.saveFingerprints(db, actor.workspaceId, target.resource, [{ fingerprint, recordId: created.id }]);
    return { status: 'created' };
  }
  // The same row imported before is no change, whatever on_duplicate says.
  if (byFingerprint) return { status: 'unchanged' };
  const outcome = onDuplicate(job, existing);
  if (outcome !== 'one by one') return outcome;
  const written = await (target.update as NonNullable<ImportTarget['update']>)(db, actor, existing, body, at);
  return { status: written.outcome };
}

/** The row's content, keys sorted, hashed: the same row always has the same fingerprint. */
function fingerprintOf(body: Record<string, unknown>): string {
  const canonical = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]))
      : Array.isArray(value)
        ? value.map(canonical)
        : value;
  return createHash('sha256').update(JSON.stringify(canonical(body))).digest('base64url');
}

/** A refusal as one line for the error report: the code, the message, the fields and the existing record. */
export function describe(error: DomainError): string {
  const details = error.details ?? {};
  const fields = Object.entries(details)
    .filter(([, v]) => Array.isArray(v))
    .map(([field, messages]) => `${field}: ${(messages as string[]).join(' ')}`);
  const existing = typeof details.existing_id === 'string' ? ` (existing: ${details.existing_id})` : '';
  return `${error.code}: ${error.message}${existing}${fields.length > 0 && !fields.every((f) => error.message.includes(f.split(': ')[1] ?? '')) ? ` [${fields.join('; ')}]` : ''}`;
}
