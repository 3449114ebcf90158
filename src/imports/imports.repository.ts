/** Import jobs, their rejected rows and the fingerprints of imported rows. */
import { sql } from 'kysely';
import { chunks, IN_LIST_MAX } from '../db/bulk.js';
import type { ImportTable } from '../db/schema.js';
import type { Executor } from '../db/transactor.js';

export type ImportRow = ImportTable;

/** What one batch adds to a job's counts. */
export type BatchCounts = Pick<ImportTable, 'rows_read' | 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed'>;

export interface RejectedRow {
  row_number: number;
  reason: string;
  row_data: string;
}

const numeric = (row: ImportRow): ImportRow => ({
  ...row,
  file_bytes: Number(row.file_bytes),
  started_at: row.started_at === null ? null : Number(row.started_at),
  finished_at: row.finished_at === null ? null : Number(row.finished_at),
  lease_until: row.lease_until === null ? null : Number(row.lease_until),
  created_at: Number(row.created_at),
  updated_at: Number(row.updated_at),
});

export class ImportRepository {
  async insert(db: Executor, job: ImportRow): Promise<void> {
    await db.insertInto('imports').values(job).execute();
  }

  async find(db: Executor, workspaceId: string, id: string): Promise<ImportRow | undefined> {
    const row = await db.selectFrom('imports').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    return row && numeric(row);
  }

  async findAny(db: Executor, id: string): Promise<ImportRow | undefined> {
    const row = await db.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
    return row && numeric(row);
  }

  async listRecent(db: Executor, workspaceId: string, limit: number): Promise<ImportRow[]> {
    const rows = await db.selectFrom('imports').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(numeric);
  }

  /** Jobs still to run or to resume whose lease (if any) has run out. */
  async runnable(db: Executor, now: number): Promise<ImportRow[]> {
    const rows = await db
      .selectFrom('imports')
      .selectAll()
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('created_at')
      .execute();
    return rows.map(numeric);
  }

  /** Running jobs whose lease ran out: their instance stopped and none has resumed them (`trellis doctor`). */
  async countStalled(db: Executor, now: number): Promise<number> {
    const row = await db.selectFrom('imports').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'running').where('lease_until', '<', now).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Takes the job for this instance until `until`; false when another instance holds it. */
  async claim(db: Executor, id: string, now: number, until: number): Promise<boolean> {
    const result = await db
      .updateTable('imports')
      .set({ status: 'running', lease_until: until, started_at: sql`coalesce(started_at, ${now})`, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /**
   * Adds a batch's counts and moves the checkpoint, in the batch's own
   * transaction, while the job is still running: false when it was cancelled.
   */
  async advance(db: Executor, id: string, counts: BatchCounts, now: number, leaseUntil: number): Promise<boolean> {
    const result = await db
      .updateTable('imports')
      .set((eb) => ({
        rows_read: eb('rows_read', '+', counts.rows_read),
        created: eb('created', '+', counts.created),
        updated: eb('updated', '+', counts.updated),
        unchanged: eb('unchanged', '+', counts.unchanged),
        skipped: eb('skipped', '+', counts.skipped),
        failed: eb('failed', '+', counts.failed),
        lease_until: leaseUntil,
        updated_at: now,
      }))
      .where('id', '=', id)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertRejected(db: Executor, importId: string, rows: RejectedRow[]): Promise<void> {
    // A few hundred rows per statement keeps under every driver's parameter limit.
    for (let i = 0; i < rows.length; i += 200) {
      await db
        .insertInto('import_errors')
        .values(rows.slice(i, i + 200).map((r) => ({ import_id: importId, ...r })))
        .execute();
    }
  }

  /** The rejected rows in file order, a page at a time (the error report streams). */
  async rejectedAfter(db: Executor, importId: string, afterRow: number, limit: number): Promise<RejectedRow[]> {
    return db
      .selectFrom('import_errors')
      .select(['row_number', 'reason', 'row_data'])
      .where('import_id', '=', importId)
      .where('row_number', '>', afterRow)
      .orderBy('row_number')
      .limit(limit)
      .execute();
  }

  /** Ends the job (completed, failed or cancelled) unless it has ended already. */
  async finish(db: Executor, id: string, status: string, error: string | null, now: number): Promise<boolean> {
    const result = await db
      .updateTable('imports')
      .set({ status, error, finished_at: now, lease_until: null, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async findFingerprint(db: Executor, workspaceId: string, resource: string, fingerprint: string): Promise<string | undefined> {
    return (await this.findFingerprints(db, workspaceId, resource, [fingerprint])).get(fingerprint);
  }

  /** The records imported before from rows with these fingerprints, by fingerprint. */
  async findFingerprints(db: Executor, workspaceId: string, resource: string, fingerprints: string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const piece of chunks([...new Set(fingerprints)], IN_LIST_MAX)) {
      const rows = await db
        .selectFrom('import_fingerprints')
        .select(['fingerprint', 'record_id'])
        .where('workspace_id', '=', workspaceId)
        .where('resource', '=', resource)
        .where('fingerprint', 'in', piece)
        .execute();
      for (const row of rows) found.set(row.fingerprint, row.record_id);
    }
    return found;
  }

  /** Remembers which record each row (by fingerprint) became; a fingerprint seen again points at the newer record. */
  async saveFingerprints(db: Executor, workspaceId: string, resource: string, records: { fingerprint: string; recordId: string }[]): Promise<void> {
    for (const piece of chunks(records, 500)) {
      await db
        .insertInto('import_fingerprints')
        .values(piece.map((r) => ({ workspace_id: workspaceId, resource, fingerprint: r.fingerprint, record_id: r.recordId })))
        .onConflict((oc) => oc.columns(['workspace_id', 'resource', 'fingerprint']).doUpdateSet({ record_id: (eb) => eb.ref('excluded.record_id') }))
        .execute();
    }
  }
}
