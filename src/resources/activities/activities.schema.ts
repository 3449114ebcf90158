import { Type, type Static } from '@sinclair/typebox';
import { CustomFields, CustomFieldsOut, Nullable, StringEnum, Timestamp } from '../../http/schemas.js';
import { LinkFields, LinkFieldsOut } from '../shared/record-links.js';

export const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note', 'sms', 'other'] as const;
export const DIRECTIONS = ['inbound', 'outbound'] as const;

const fields = {
  subject: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  body: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  occurred_at: Type.Optional(Type.String({ format: 'date-time', description: 'When it happened; default now.' })),
  duration_seconds: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 31_536_000 }))),
  direction: Type.Optional(Nullable(StringEnum(DIRECTIONS))),
  outcome: Type.Optional(Nullable(Type.String({ maxLength: 200, examples: ['connected', 'voicemail', 'no_answer'] }))),
  logged_by: Type.Optional(Nullable(Type.String({ description: "A user of this workspace; default the key's user." }))),
  ...LinkFields,
  source: Type.Optional(Nullable(Type.String({ maxLength: 100, description: 'The system that logged it, e.g. "aircall".' }))),
  external_id: Type.Optional(Nullable(Type.String({ maxLength: 200, description: "The id in that system; with `source`, unique in the workspace: logging the same call twice answers 409 with the existing activity's id." }))),
  custom_fields: Type.Optional(Nullable(CustomFields)),
};

export const ActivityCreate = Type.Object({ type: StringEnum(ACTIVITY_TYPES), ...fields }, { additionalProperties: false, title: 'ActivityCreate' });
export type ActivityCreate = Static<typeof ActivityCreate>;

export const ActivityUpdate = Type.Object({ type: Type.Optional(StringEnum(ACTIVITY_TYPES)), ...fields }, { additionalProperties: false, title: 'ActivityUpdate' });
export type ActivityUpdate = Static<typeof ActivityUpdate>;

export const ActivityOut = Type.Object(
  {
    id: Type.String({ examples: ['act_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    type: StringEnum(ACTIVITY_TYPES),
    subject: Nullable(Type.String()),
    body: Nullable(Type.String()),
    occurred_at: Timestamp,
    duration_seconds: Nullable(Type.Integer()),
    direction: Nullable(StringEnum(DIRECTIONS)),
    outcome: Nullable(Type.String()),
    logged_by: Nullable(Type.String()),
    ...LinkFieldsOut,
    source: Nullable(Type.String()),
    external_id: Nullable(Type.String()),
    custom_fields: CustomFieldsOut,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Activity', title: 'Activity' },
);
