import { Type, type Static } from '@sinclair/typebox';
import { CustomFields, CustomFieldsOut, Nullable, StringEnum, Timestamp } from '../../http/schemas.js';
import { LinkFields, LinkFieldsOut } from '../shared/record-links.js';

export const TASK_PRIORITIES = ['low', 'normal', 'high'] as const;
export const TASK_STATUSES = ['open', 'completed'] as const;

const Title = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });
const fields = {
  description: Type.Optional(Nullable(Type.String({ maxLength: 100_000 }))),
  due_at: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
  priority: Type.Optional(StringEnum(TASK_PRIORITIES, { description: 'Default normal.' })),
  assignee_id: Type.Optional(Nullable(Type.String({ description: 'A user of this workspace.' }))),
  status: Type.Optional(StringEnum(TASK_STATUSES, { description: 'completed sets completed_at; open clears it.' })),
  ...LinkFields,
  custom_fields: Type.Optional(Nullable(CustomFields)),
};

export const TaskCreate = Type.Object({ title: Title, ...fields }, { additionalProperties: false, title: 'TaskCreate' });
export type TaskCreate = Static<typeof TaskCreate>;

export const TaskUpdate = Type.Object({ title: Type.Optional(Title), ...fields }, { additionalProperties: false, title: 'TaskUpdate' });
export type TaskUpdate = Static<typeof TaskUpdate>;

export const TaskOut = Type.Object(
  {
    id: Type.String({ examples: ['tsk_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    title: Type.String(),
    description: Nullable(Type.String()),
    due_at: Nullable(Timestamp),
    priority: StringEnum(TASK_PRIORITIES),
    assignee_id: Nullable(Type.String()),
    status: StringEnum(TASK_STATUSES),
    completed_at: Nullable(Timestamp),
    ...LinkFieldsOut,
    custom_fields: CustomFieldsOut,
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Task', title: 'Task' },
);
