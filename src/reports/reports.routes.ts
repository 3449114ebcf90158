/**
 * GET /v1/reports/{pipeline,sales,conversion,forecast}: the envelope by
 * default, or the same table as CSV (`format=csv` or `Accept: text/csv`).
 * A CSV answer is a string sent with its own content type, so Fastify's JSON
 * serializer for the 200 schema never sees it; errors stay JSON envelopes.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { invalidFields } from '../domain/errors.js';
import { actorOf } from '../http/auth.js';
import { item } from '../http/envelope.js';
import { commonErrors, ItemEnvelope } from '../http/schemas.js';
import { ACTIVITY_TYPES } from '../resources/activities/activities.schema.js';
import { parseListQuery } from '../list/list-query.js';
import { dealListSpec } from '../resources/deals/deals.list.js';
import type { IntervalUnit } from './periods.js';
import { reportCsv, type CsvColumn } from './reports.csv.js';
import {
  ConversionReportOut,
  ConversionReportQuery,
  ForecastReportOut,
  ForecastReportQuery,
  PipelineReportOut,
  PipelineReportQuery,
  SalesReportOut,
  SalesReportQuery,
  type RawReportQuery,
} from './reports.schema.js';
import type { GroupBy, ReportQuery, ReportService } from './reports.service.js';

const MAX_OWNERS = 100;

/** The common parameters as the service takes them; `me` (the requesting user) may stand in owner_id. */
export function reportQuery(raw: RawReportQuery, me?: string): ReportQuery {
  const given = [raw.owner_id, raw['owner_id[in]']].flat().filter((v): v is string => v !== undefined);
  let ownerIds: string[] | undefined;
  if (given.length > 0) {
    ownerIds = [...new Set(given.flatMap((v) => v.split(',')).map((v) => (v.trim() === 'me' && me !== undefined ? me : v.trim())))];
    if (ownerIds.some((id) => id === '')) throw invalidFields({ owner_id: 'owner_id must list user ids separated by commas, without empty entries.' });
    if (ownerIds.length > MAX_OWNERS) throw invalidFields({ owner_id: `owner_id takes at most ${MAX_OWNERS} users.` });
  }
  // tag and q select deals as the deal list does (one rule), so a filtered board's column totals match its cards.
  const dealParams = Object.fromEntries(Object.entries({ tag: raw.tag, q: raw.q }).filter(([, v]) => v !== undefined));
  const dealFilter = Object.keys(dealParams).length > 0 ? parseListQuery(dealListSpec, dealParams) : undefined;
  return { pipelineId: raw.pipeline_id, ownerIds, period: raw.period, from: raw.from, to: raw.to, timezone: raw.timezone, dealFilter };
}

/** CSV when `format=csv`, or when Accept prefers text/csv to JSON (format=json wins over Accept). */
export function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'csv';
  if (!accept) return false;
  let csv = { q: 0, at: Infinity };
  let json = { q: 0, at: Infinity };
  accept.split(',').forEach((part, at) => {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) return;
    const mediaType = type.trim();
    if ((mediaType === 'text/csv' || mediaType === 'text/*') && q > csv.q) csv = { q, at };
    if ((mediaType === 'application/json' || mediaType === 'application/*' || mediaType === '*/*') && q > json.q) json = { q, at };
  });
  return csv.q > 0 && (csv.q > json.q || (csv.q === json.q && csv.at < json.at));
}

function answer(request: FastifyRequest, reply: FastifyReply, name: string, report: { rows: object[]; totals?: object | object[] }, columns: CsvColumn[]) {
  const raw = request.query as RawReportQuery;
  if (!wantsCsv(raw.format, request.headers.accept)) return item(request, report);
  const totals = report.totals === undefined ? [] : Array.isArray(report.totals) ? report.totals : [report.totals];
  reply.header('content-type', 'text/csv; charset=utf-8');
  reply.header('content-disposition', `attachment; filename="${name}-report.csv"`);
  return reply.send(reportCsv(columns, report.rows as Record<string, unknown>[], totals as Record<string, unknown>[]));
}

const responses = (out: TSchema) => ({
  200: {
    description: 'The report, in the envelope; or, for format=csv or Accept: text/csv, the same table as CSV.',
    content: {
      'application/json': { schema: ItemEnvelope(out) },
      'text/csv': { schema: Type.String({ description: 'A header row, then one line per row (row_type group), then the totals (row_type total).' }) },
    },
  },
  ...commonErrors(422),
});

const SCOPES = 'Needs deals:read. Stage names need pipelines:read and owner names users:read (else null).';

export function reportRoutes(app: FastifyInstance, reports: ReportService): void {
  app.get('/v1/reports/pipeline', {
    schema: {
      operationId: 'reports.pipeline',
      tags: ['Reports'],
      summary: 'Open pipeline by stage and/or owner',
      description: `Open deals now, per stage (in the pipeline's order) and/or owner: count, total and weighted value per currency, average age in days; and a totals row. With a period, only deals created in it. ${SCOPES}`,
      querystring: PipelineReportQuery,
      response: responses(PipelineReportOut),
    },
    handler: async (request, reply) => {
      const raw = request.query as RawReportQuery;
      const report = await reports.pipeline(actorOf(request), { ...reportQuery(raw, actorOf(request).userId), groupBy: raw.group_by as GroupBy | undefined });
      const keys = [...(report.group_by.includes('stage') ? ['stage_id', 'stage_name'] : []), ...(report.group_by.includes('owner') ? ['owner_id', 'owner_name'] : [])];
      return answer(request, reply, 'pipeline', report, [...keys, 'open_deals', { money: 'total_value' }, { money: 'weighted_value' }, 'average_age_days']);
    },
  });

  app.get('/v1/reports/sales', {
    schema: {
      operationId: 'reports.sales',
      tags: ['Reports'],
      summary: 'Sales per interval and owner',
      description: `Per week (month, quarter) of the period and owner: deals created, won and lost (count, value per currency), top lost reasons, win rate, average days to close, activities logged by type, tasks completed; and totals per interval. Default period: this_month. ${SCOPES} Activities need activities:read and tasks tasks:read (else null).`,
      querystring: SalesReportQuery,
      response: responses(SalesReportOut),
    },
    handler: async (request, reply) => {
      const raw = request.query as RawReportQuery;
      const report = await reports.sales(actorOf(request), { ...reportQuery(raw, actorOf(request).userId), interval: raw.interval as IntervalUnit | undefined });
      return answer(request, reply, 'sales', report, [
        'interval_start',
        'interval_end',
        'owner_id',
        'owner_name',
        'deals_created',
        'deals_won',
        { money: 'won_value' },
        'deals_lost',
        { money: 'lost_value' },
        'top_lost_reasons',
        'win_rate',
        'average_days_to_close',
        { spread: 'activities', keys: [...ACTIVITY_TYPES, 'total'] },
        'tasks_completed',
      ]);
    },
  });

  app.get('/v1/reports/conversion', {
    schema: {
      operationId: 'reports.conversion',
      tags: ['Reports'],
      summary: 'Stage conversion and time in stage',
      description: `Per stage, from the stage history in the period: how often deals entered it and left it, where they went on leaving (a later stage, won, lost, back), the conversion rate (exits forward / exits), and the median time in the stage over those exits. Default period: this_month. ${SCOPES}`,
      querystring: ConversionReportQuery,
      response: responses(ConversionReportOut),
    },
    handler: async (request, reply) => {
      const report = await reports.conversion(actorOf(request), reportQuery(request.query as RawReportQuery, actorOf(request).userId));
      return answer(request, reply, 'conversion', report, ['stage_id', 'stage_name', 'stage_type', 'entered', 'created', 'exits', 'advanced', 'won', 'lost', 'moved_back', 'conversion_rate', 'median_days_in_stage']);
    },
  });

  app.get('/v1/reports/forecast', {
    schema: {
      operationId: 'reports.forecast',
      tags: ['Reports'],
      summary: 'Forecast by expected close month and owner',
      description: `Open deals by expected close month (or quarter) and owner: count, total and weighted value per currency; and totals per interval. A period limits expected_close_date to its days; without one, every open deal counts, those without a date last. ${SCOPES}`,
      querystring: ForecastReportQuery,
      response: responses(ForecastReportOut),
    },
    handler: async (request, reply) => {
      const raw = request.query as RawReportQuery;
      const report = await reports.forecast(actorOf(request), { ...reportQuery(raw, actorOf(request).userId), interval: raw.interval as 'month' | 'quarter' | undefined });
      return answer(request, reply, 'forecast', report, ['interval_start', 'interval_end', 'owner_id', 'owner_name', 'open_deals', { money: 'total_value' }, { money: 'weighted_value' }]);
    },
  });
}
