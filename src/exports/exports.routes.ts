/**
 * GET /v1/exports/{resource}: every record of a type that the list's filters
 * select, streamed as CSV or JSON Lines a page at a time (constant memory at
 * any size). Filters are those of GET /v1/{resource}; the order is creation.
 */
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { invalidFields } from '../domain/errors.js';
import { actorOf } from '../http/auth.js';
import { commonErrors, StringEnum } from '../http/schemas.js';
import { parseListQuery } from '../list/list-query.js';
import type { Services } from '../services.js';
import { csvHeader, csvLines, csvColumns } from './export-csv.js';
import { EXPORT_RESOURCES, exportSources, type ExportResource } from './export-sources.js';

/** Rows read per query: large enough that the per-query cost vanishes, small enough to stay constant in memory (5,000 took the RSS up by 150 MB). */
const PAGE_ROWS = 2000;

export function exportRoutes(app: FastifyInstance, services: Services): void {
  const sources = exportSources(services);
  app.get('/v1/exports/:resource', {
    schema: {
      operationId: 'exports.get',
      tags: ['Exports'],
      summary: 'Export records as CSV or JSON Lines',
      description:
        'Streams every record the filters select (the filters of GET /v1/{resource}, e.g. `status=active`, `updated_at[gte]=…`), oldest first. CSV has one column per field (objects as `address.city`, lists as JSON, text a spreadsheet would run as a formula prefixed with \'), and imports back with POST /v1/imports. Needs `<resource>:read`.',
      params: Type.Object({ resource: StringEnum(EXPORT_RESOURCES) }),
      querystring: Type.Object({ format: Type.Optional(StringEnum(['csv', 'jsonl'], { default: 'csv' })) }, { additionalProperties: true }),
      response: { 200: Type.String({ description: 'text/csv or application/x-ndjson' }), ...commonErrors() },
    },
    handler: async (request, reply) => {
      const { resource } = request.params as { resource: ExportResource };
      const { format = 'csv', sort, cursor, limit, ...filters } = request.query as Record<string, string>;
      if (sort !== undefined || cursor !== undefined || limit !== undefined) throw invalidFields({ sort: 'An export has no sort, cursor or limit: it is every record, oldest first.' });
      const source = sources[resource];
      const actor = actorOf(request);
      const query = { ...parseListQuery(source.spec, filters), limit: PAGE_ROWS, countTotal: false as const, longRead: true as const };
      // The first page is read before answering, so a refused key or a bad filter is an error status, not a broken file.
      const first = await source.page(actor, query);
      const columns = csvColumns(source.out);
      async function* body(): AsyncGenerator<string> {
        if (format === 'csv') yield csvHeader(columns);
        for (let page = first; ; ) {
          yield format === 'csv' ? csvLines(columns, page.rows) : page.rows.map((row) => `${JSON.stringify(row)}\n`).join('');
          const last = page.rows[page.rows.length - 1];
          if (!page.hasMore || last === undefined) return;
          page = await source.page(actor, { ...query, cursor: { values: [Date.parse(last.created_at)], id: last.id } });
        }
      }
      reply.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="${resource}.${format}"`);
      return reply.send(Readable.from(body()));
    },
  });
}
