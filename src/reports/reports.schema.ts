/** The reports' query parameters and answers, for validation, serialization and the OpenAPI document. */
import { Type, type TProperties } from '@sinclair/typebox';
import { Nullable, StringEnum, Timestamp } from '../http/schemas.js';
import { ACTIVITY_TYPES } from '../resources/activities/activities.schema.js';
import { PERIODS } from './periods.js';
import { GROUP_BY } from './reports.service.js';

const Day = (description: string) => Type.String({ format: 'date', description });

/** Parameters every report takes. */
const common: TProperties = {
  pipeline_id: Type.Optional(Type.String({ maxLength: 100, description: 'The pipeline; default the workspace\'s default pipeline. Unknown: 422.' })),
  owner_id: Type.Optional(
    Type.Union([Type.String({ maxLength: 5000 }), Type.Array(Type.String({ maxLength: 5000 }), { maxItems: 100 })], {
      description: 'Only these owners (user ids): comma-separated (`owner_id=usr_a,usr_b`) or repeated, up to 100; `me` is the user making the request. Unknown users: 422.',
    }),
  ),
  'owner_id[in]': Type.Optional(Type.String({ maxLength: 5000, description: 'The same as owner_id, in the list filter form.' })),
  period: Type.Optional(StringEnum(PERIODS, { description: 'A period relative to today in `timezone`; weeks start on Monday (ISO). Not with from/to.' })),
  from: Type.Optional(Day('First day of the period (inclusive), YYYY-MM-DD in `timezone`.')),
  to: Type.Optional(Day('Last day of the period (inclusive), YYYY-MM-DD in `timezone`; default today.')),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone name for periods and intervals, e.g. Europe/Berlin; default UTC.' })),
  format: Type.Optional(StringEnum(['json', 'csv'] as const, { description: 'csv: the same table as text/csv with a header row (also chosen by `Accept: text/csv`).' })),
};

/** Open-deal reports select deals as the deal list does. */
const dealFilters: TProperties = {
  tag: Type.Optional(Type.String({ maxLength: 100, description: 'Only deals carrying this tag (a tag id), as GET /v1/deals?tag= selects them.' })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Only deals whose name or description contains every word, as GET /v1/deals?q= selects them.' })),
};

export const PipelineReportQuery = Type.Object(
  { ...common, ...dealFilters, group_by: Type.Optional(StringEnum(GROUP_BY, { description: 'Rows per stage (default), per owner, or per stage and owner.' })) },
  { additionalProperties: false },
);
export const SalesReportQuery = Type.Object(
  { ...common, interval: Type.Optional(StringEnum(['week', 'month', 'quarter'] as const, { description: 'Rows per ISO week (default), month or quarter.' })) },
  { additionalProperties: false },
);
export const ConversionReportQuery = Type.Object(common, { additionalProperties: false });
export const ForecastReportQuery = Type.Object(
  { ...common, ...dealFilters, interval: Type.Optional(StringEnum(['month', 'quarter'] as const, { description: 'Rows per expected close month (default) or quarter.' })) },
  { additionalProperties: false },
);

export interface RawReportQuery {
  pipeline_id?: string;
  owner_id?: string | string[];
  'owner_id[in]'?: string;
  period?: string;
  from?: string;
  to?: string;
  timezone?: string;
  format?: 'json' | 'csv';
  group_by?: string;
  interval?: string;
  tag?: string;
  q?: string;
}

const Money = Type.Record(Type.String({ pattern: '^[A-Z]{3}$' }), Type.Integer(), {
  description: 'Amounts in minor units per currency, e.g. {"USD": 1250000, "EUR": 90000}; never summed across currencies. Deals without a value count in no currency.',
});

const header = {
  report: Type.String(),
  pipeline: Type.Object({ id: Type.String(), name: Nullable(Type.String({ description: 'null unless the key may read pipelines.' })) }),
  owner_ids: Nullable(Type.Array(Type.String(), { description: 'The owners asked for; null for all.' })),
  period: Nullable(
    Type.Object({
      from: Type.String({ description: 'First day, local date.' }),
      to: Type.String({ description: 'Last day (inclusive), local date.' }),
      timezone: Type.String(),
      start: { ...Timestamp, description: 'The first instant of the period, UTC.' },
      end: { ...Timestamp, description: 'The instant after the period (exclusive), UTC.' },
    }),
  ),
  timezone: Type.String(),
  generated_at: Timestamp,
};

const ownerColumns = {
  owner_id: Nullable(Type.String({ description: 'null: deals (activities, tasks) without an owner.' })),
  owner_name: Nullable(Type.String({ description: 'null unless the key may read users.' })),
};

const pipelineFigures = {
  open_deals: Type.Integer(),
  total_value: Money,
  weighted_value: { ...Money, description: "Σ value × probability (the deal's own, else its stage's) / 100, per currency, rounded to the minor unit." },
  average_age_days: Nullable(Type.Number({ description: 'Mean days since the deals were created; null without deals.' })),
};

export const PipelineReportOut = Type.Object({
  ...header,
  group_by: Type.Array(StringEnum(['stage', 'owner'] as const)),
  rows: Type.Array(
    Type.Object({
      stage_id: Type.Optional(Nullable(Type.String())),
      stage_name: Type.Optional(Nullable(Type.String())),
      owner_id: Type.Optional(ownerColumns.owner_id),
      owner_name: Type.Optional(ownerColumns.owner_name),
      ...pipelineFigures,
    }),
  ),
  totals: Type.Object(pipelineFigures),
});

const span = {
  interval_start: Type.String({ description: 'First day of the interval (clipped to the period), local date.' }),
  interval_end: Type.String({ description: 'Last day of the interval (inclusive), local date.' }),
};

const activityCounts = Type.Object(Object.fromEntries([...ACTIVITY_TYPES, 'total'].map((t) => [t, Type.Integer()])), {
  description: 'Activities logged (logged_by) in the interval, by type; null unless the key may read activities.',
});

const salesFigures = {
  deals_created: Type.Integer(),
  deals_won: Type.Integer({ description: 'Deals now won whose closed_at is in the interval.' }),
  won_value: Money,
  deals_lost: Type.Integer(),
  lost_value: Money,
  top_lost_reasons: Type.Array(Type.Object({ reason: Nullable(Type.String({ description: 'null: no reason given.' })), count: Type.Integer() }), { description: 'Up to 3, most frequent first.' }),
  win_rate: Nullable(Type.Number({ description: 'Per cent: won / (won + lost); null when none closed.' })),
  average_days_to_close: Nullable(Type.Number({ description: 'Mean days from creation to closing, of the deals won.' })),
  activities: Nullable(activityCounts),
  tasks_completed: Nullable(Type.Integer({ description: 'Tasks completed in the interval by their assignee; null unless the key may read tasks.' })),
};

export const SalesReportOut = Type.Object({
  ...header,
  interval: Type.String(),
  rows: Type.Array(Type.Object({ ...span, ...ownerColumns, ...salesFigures })),
  totals: Type.Array(Type.Object({ ...span, ...salesFigures }), { description: 'One per interval, all owners.' }),
});

export const ConversionReportOut = Type.Object({
  ...header,
  rows: Type.Array(
    Type.Object({
      stage_id: Type.String(),
      stage_name: Nullable(Type.String()),
      stage_type: StringEnum(['open', 'won', 'lost'] as const),
      entered: Type.Integer({ description: 'Times deals entered the stage in the period: created in it or moved to it.' }),
      created: Type.Integer({ description: 'Of those, deals created in the stage.' }),
      exits: Type.Integer({ description: 'Times deals left the stage in the period (to another stage of the pipeline). For a won or lost stage: deals reopened.' }),
      advanced: Nullable(Type.Integer({ description: 'Exits to a later stage that is not lost (a won stage included). null for won and lost stages.' })),
      won: Nullable(Type.Integer({ description: 'Exits straight to a won stage.' })),
      lost: Nullable(Type.Integer({ description: 'Exits to a lost stage.' })),
      moved_back: Nullable(Type.Integer({ description: 'Exits to an earlier stage.' })),
      conversion_rate: Nullable(Type.Number({ description: 'Per cent: advanced / exits; null without exits.' })),
      median_days_in_stage: Nullable(Type.Number({ description: 'Median time in the stage, in days, of the stays that ended in the period (the exits).' })),
    }),
  ),
});

const forecastFigures = { open_deals: Type.Integer(), total_value: Money, weighted_value: pipelineFigures.weighted_value };
const closeSpan = {
  interval_start: Nullable(Type.String({ description: 'First day of the expected close month or quarter; null for deals without expected_close_date.' })),
  interval_end: Nullable(Type.String()),
};

export const ForecastReportOut = Type.Object({
  ...header,
  interval: Type.String(),
  rows: Type.Array(Type.Object({ ...closeSpan, ...ownerColumns, ...forecastFigures })),
  totals: Type.Array(Type.Object({ ...closeSpan, ...forecastFigures }), { description: 'One per interval, all owners.' }),
});
