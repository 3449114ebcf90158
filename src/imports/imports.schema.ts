/** The import operations' schemas. */
import { Type } from '@sinclair/typebox';
import { Nullable, StringEnum, Timestamp } from '../http/schemas.js';
import { IMPORT_RESOURCES } from './import-targets.js';

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export const ON_DUPLICATE = ['skip', 'update', 'fail'] as const;
export const IMPORT_FORMATS = ['csv', 'jsonl'] as const;

export const ImportQuery = Type.Object(
  {
    resource: StringEnum(IMPORT_RESOURCES, { description: 'What each row is.' }),
    format: Type.Optional(StringEnum(IMPORT_FORMATS, { description: 'csv (a header row, then one record per row) or jsonl (one create body per line). Default: from the Content-Type.' })),
    on_duplicate: Type.Optional(
      StringEnum(ON_DUPLICATE, {
        default: 'skip',
        description: "A row whose unique key (a contact's or lead's email, a company's domain, an activity's source + external_id) names an existing record: skip it (default), update the record with the row's fields, or fail the row.",
      }),
    ),
    dry_run: Type.Optional(StringEnum(['true', 'false'], { description: 'true: every row is checked by the same rules, then nothing is kept; the counts say what an import would do.' })),
    map: Type.Optional(Type.String({ description: 'JSON object: CSV column (or JSON key) → field, e.g. {"E-mail":"email","Notes":null}; null ignores the column. Unmapped columns are matched by name.' })),
    file_name: Type.Optional(Type.String({ maxLength: 255, description: 'The file name, for people reading the job.' })),
  },
  { additionalProperties: false },
);

export const ImportOut = Type.Object(
  {
    id: Type.String({ examples: ['imp_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    resource: StringEnum(IMPORT_RESOURCES),
    format: StringEnum(IMPORT_FORMATS),
    status: StringEnum(IMPORT_STATUSES, { description: 'queued → running → completed, failed (the file could not be read) or cancelled.' }),
    dry_run: Type.Boolean(),
    on_duplicate: StringEnum(ON_DUPLICATE),
    file_name: Nullable(Type.String()),
    file_bytes: Type.Integer(),
    rows_read: Type.Integer({ description: 'Rows processed so far (the checkpoint a resumed job continues after).' }),
    created: Type.Integer(),
    updated: Type.Integer(),
    unchanged: Type.Integer({ description: 'Rows that matched a record with nothing to change (the same row imported before).' }),
    skipped: Type.Integer({ description: 'Duplicates skipped (on_duplicate=skip).' }),
    failed: Type.Integer({ description: 'Rows refused; each is in the error report with its reason.' }),
    error: Nullable(Type.String({ description: 'Why the job failed as a whole.' })),
    error_report_url: Type.String({ description: 'The rejected rows as CSV (or JSON Lines) with a _error column: fix them and import the report again.' }),
    created_at: Timestamp,
    started_at: Nullable(Timestamp),
    finished_at: Nullable(Timestamp),
  },
  { $id: 'Import', title: 'Import' },
);
