import { toIso } from '../platform/clock.js';
import type { ImportRow } from './imports.repository.js';

const iso = (ms: number | null) => (ms === null ? null : toIso(ms));

export function presentImport(job: ImportRow) {
  return {
    id: job.id,
    resource: job.resource,
    format: job.format,
    status: job.status,
    dry_run: job.dry_run === 1,
    on_duplicate: job.on_duplicate,
    file_name: job.file_name,
    file_bytes: job.file_bytes,
    rows_read: job.rows_read,
    created: job.created,
    updated: job.updated,
    unchanged: job.unchanged,
    skipped: job.skipped,
    failed: job.failed,
    error: job.error,
    error_report_url: `/v1/imports/${job.id}/errors`,
    created_at: toIso(job.created_at),
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
  };
}
