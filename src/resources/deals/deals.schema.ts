/** The deal operations' schemas. */
import { Type, type Static } from '@sinclair/typebox';
import { CustomFields, CustomFieldsOut, Description, Nullable, StringEnum, Timestamp } from '../../http/schemas.js';
import { STAGE_TYPES } from '../pipelines/pipelines.schema.js';
import { TagIds } from '../tags/tags.schema.js';

export const DEAL_STATUSES = STAGE_TYPES;

export const Money = Type.Object(
  {
    amount: Type.Integer({ minimum: 0, maximum: 9_000_000_000_000_000, description: 'In minor units: 1250000 is 12,500.00.' }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. USD.' }),
  },
  { additionalProperties: false, title: 'Money' },
);

const fields = {
  value: Type.Optional(Nullable(Money)),
  pipeline_id: Type.Optional(Type.String({ description: 'Default: the stage\'s pipeline, else the default pipeline.' })),
  stage_id: Type.Optional(Type.String({ description: 'Default: the first stage of the pipeline. Changing it moves the deal (see POST /v1/deals/{id}/move).' })),
  probability: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 100, description: "Per cent; null: the stage's probability." }))),
  owner_id: Type.Optional(Nullable(Type.String())),
  company_id: Type.Optional(Nullable(Type.String())),
  contact_ids: Type.Optional(Type.Array(Type.String(), { maxItems: 50, uniqueItems: true, description: 'The contacts on the deal (replaces the list).' })),
  expected_close_date: Type.Optional(Nullable(Type.String({ format: 'date', description: 'YYYY-MM-DD' }))),
  lost_reason: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  source: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  description: Type.Optional(Nullable(Description)),
  tag_ids: Type.Optional(TagIds),
  custom_fields: Type.Optional(Nullable(CustomFields)),
};

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

export const DealCreate = Type.Object({ name: Name, ...fields }, { additionalProperties: false, title: 'DealCreate' });
export type DealCreate = Static<typeof DealCreate>;

export const DealUpdate = Type.Object({ name: Type.Optional(Name), ...fields }, { additionalProperties: false, title: 'DealUpdate' });
export type DealUpdate = Static<typeof DealUpdate>;

export const DealMove = Type.Object(
  {
    stage_id: Type.String({ description: 'A stage of the deal\'s pipeline.' }),
    lost_reason: Type.Optional(Type.String({ maxLength: 500, description: 'Kept when the stage is a lost stage.' })),
  },
  { additionalProperties: false, title: 'DealMove' },
);
export type DealMove = Static<typeof DealMove>;

export const DealOut = Type.Object(
  {
    id: Type.String({ examples: ['deal_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    name: Type.String(),
    value: Nullable(Type.Object({ amount: Type.Integer(), currency: Type.String() })),
    pipeline_id: Type.String(),
    stage_id: Type.String(),
    status: StringEnum(DEAL_STATUSES, { description: "Follows the stage's type." }),
    probability: Type.Integer({ description: "The deal's own, else its stage's." }),
    owner_id: Nullable(Type.String()),
    company_id: Nullable(Type.String()),
    contact_ids: Type.Array(Type.String()),
    expected_close_date: Nullable(Type.String()),
    closed_at: Nullable(Timestamp),
    lost_reason: Nullable(Type.String()),
    source: Nullable(Type.String()),
    description: Nullable(Type.String()),
    tags: Type.Array(Type.Ref('TagRef')),
    custom_fields: CustomFieldsOut,
    stage_entered_at: Timestamp,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Deal', title: 'Deal' },
);

export const StageChangeOut = Type.Object(
  {
    id: Type.String({ examples: ['chg_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    deal_id: Type.String(),
    from_stage_id: Nullable(Type.String({ description: 'null for the stage the deal was created in.' })),
    to_stage_id: Type.String(),
    changed_at: Timestamp,
    changed_by: Nullable(Type.String({ description: 'The user whose key made the move.' })),
    time_in_previous_stage_seconds: Nullable(Type.Integer()),
  },
  { $id: 'StageChange', title: 'StageChange' },
);
