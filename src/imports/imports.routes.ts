/**
 * POST /v1/imports (the file is the body: text/csv or application/x-ndjson),
 * GET /v1/imports[/{id}], POST /v1/imports/{id}/cancel and
 * GET /v1/imports/{id}/errors (the error report, streamed).
 */
import { Readable, type Readable as ReadableStream } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalidFields } from '../domain/errors.js';
import { actorOf } from '../http/auth.js';
import { item } from '../http/envelope.js';
import { commonErrors, IdParams, ItemEnvelope } from '../http/schemas.js';
import { presentImport } from './imports.presenter.js';
import { ImportQuery } from './imports.schema.js';
import type { ImportService } from './imports.service.js';
import type { ColumnMapping } from './row-shape.js';
import type { ImportFormat } from './row-source.js';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];
const JSONL_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'];

export function importRoutes(app: FastifyInstance, imports: ImportService): void {
  // The file streams to disk as it arrives: these body types are handed over unread, for this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser([...CSV_TYPES, ...JSONL_TYPES, 'application/octet-stream'], (_request, payload, done) => done(null, payload));
    scope.post('/v1/imports', {
      config: { idempotency: false },
      schema: {
        operationId: 'imports.create',
        tags: ['Imports'],
        summary: 'Import a CSV or JSON Lines file',
        description:
          'The body is the file (Content-Type text/csv or application/x-ndjson), streamed to disk and imported in the background: 202 with the job, then GET /v1/imports/{id} for progress. Every row passes the rules of POST /v1/{resource} (validation, dedup, references, events, the search index); rows are written in large transactions, each row alone (a refused row is in the error report and stops nothing). Importing the same file again writes nothing twice. Needs `<resource>:write`. Idempotency-Key is not used here: a repeated upload is a new job whose rows are found as duplicates.',
        querystring: ImportQuery,
        response: { 202: ItemEnvelope(Type.Ref('Import')), ...commonErrors(413) },
      },
      handler: async (request, reply) => {
        const query = request.query as Static<typeof ImportQuery>;
        const format = query.format ?? formatOf(request.headers['content-type']);
        const body = request.body as ReadableStream | undefined;
        const job = await imports.start(
          actorOf(request),
          {
            resource: query.resource,
            format,
            onDuplicate: query.on_duplicate ?? 'skip',
            dryRun: query.dry_run === 'true',
            mapping: parseMapping(query.map),
            fileName: query.file_name ?? null,
          },
          body ?? Readable.from([]),
        );
        reply.status(202).header('location', `/v1/imports/${job.id}`);
        return item(request, presentImport(job));
      },
    });
  });

  app.get('/v1/imports', {
    schema: {
      operationId: 'imports.list',
      tags: ['Imports'],
      summary: 'The latest 100 imports',
      response: { 200: ItemEnvelope(Type.Array(Type.Ref('Import'))), ...commonErrors() },
    },
    handler: async (request) => item(request, (await imports.list(actorOf(request))).map(presentImport)),
  });

  app.get('/v1/imports/:id', {
    schema: {
      operationId: 'imports.get',
      tags: ['Imports'],
      summary: 'An import and its progress',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('Import')), ...commonErrors(404) },
    },
    handler: async (request) => item(request, presentImport(await imports.get(actorOf(request), (request.params as { id: string }).id))),
  });

  app.post('/v1/imports/:id/cancel', {
    config: { optionalBody: true },
    schema: {
      operationId: 'imports.cancel',
      tags: ['Imports'],
      summary: 'Stop an import',
      description: 'The batch being written is rolled back; what was committed before stays (the counts say how much). A job that has ended is left as it is.',
      params: IdParams,
      response: { 200: ItemEnvelope(Type.Ref('Import')), ...commonErrors(404) },
    },
    handler: async (request) => item(request, presentImport(await imports.cancel(actorOf(request), (request.params as { id: string }).id))),
  });

  app.get('/v1/imports/:id/errors', {
    schema: {
      operationId: 'imports.errors',
      tags: ['Imports'],
      summary: 'The rejected rows, with the reason for each',
      description:
        'For a CSV import, CSV: `_row` (the row number in the file, from 1 after the header), the file\'s columns, `_error`. For JSON Lines, each rejected line with `_row` and `_error` added. Fix the rows and import this file again: `_row` and `_error` are ignored. Text that a spreadsheet would run as a formula is prefixed with \'.',
      params: IdParams,
      response: { 200: Type.String({ description: 'text/csv or application/x-ndjson' }), ...commonErrors(404) },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const job = await imports.get(actorOf(request), id);
      const lines = imports.errorReport(actorOf(request), id);
      reply.header('content-type', job.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${id}-errors.${job.format}"`);
      return reply.send(Readable.from(lines));
    },
  });
}

function formatOf(contentType: string | undefined): ImportFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (JSONL_TYPES.includes(type)) return 'jsonl';
  if (CSV_TYPES.includes(type)) return 'csv';
  throw invalidFields({ format: 'Say format=csv or format=jsonl, or send the file as text/csv or application/x-ndjson.' });
}

function parseMapping(text: string | undefined): ColumnMapping {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidFields({ map: 'map must be a JSON object of column → field (or null).' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => v === null || typeof v === 'string')) {
    throw invalidFields({ map: 'map must be a JSON object of column → field (or null).' });
  }
  return value as ColumnMapping;
}
