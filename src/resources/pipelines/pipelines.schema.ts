/** Pipelines and their stages. */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, Timestamp } from '../../http/schemas.js';

export const STAGE_TYPES = ['open', 'won', 'lost'] as const;
export type StageType = (typeof STAGE_TYPES)[number];

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Probability = Type.Integer({ minimum: 0, maximum: 100, description: 'Per cent; a deal in the stage is weighted by it unless it sets its own.' });
const StageType = StringEnum(STAGE_TYPES, { description: 'open: in progress; won / lost: a deal moved here is closed with that status.' });

export const StageCreate = Type.Object(
  {
    name: Name,
    probability: Probability,
    type: Type.Optional(StageType),
    position: Type.Optional(Type.Integer({ minimum: 0, description: 'Where to insert it (0 is first); default last.' })),
  },
  { additionalProperties: false, title: 'StageCreate' },
);
export type StageCreate = Static<typeof StageCreate>;

export const StageUpdate = Type.Object(
  { name: Type.Optional(Name), probability: Type.Optional(Probability), type: Type.Optional(StageType) },
  { additionalProperties: false, title: 'StageUpdate' },
);
export type StageUpdate = Static<typeof StageUpdate>;

export const StageOut = Type.Object(
  {
    id: Type.String({ examples: ['stg_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    pipeline_id: Type.String(),
    name: Type.String(),
    position: Type.Integer(),
    probability: Type.Integer(),
    type: StringEnum(STAGE_TYPES),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Stage', title: 'Stage' },
);

export const PipelineCreate = Type.Object(
  {
    name: Name,
    is_default: Type.Optional(Type.Boolean({ description: 'New deals without a pipeline go to the default one.' })),
    stages: Type.Optional(Type.Array(Type.Omit(StageCreate, ['position']), { minItems: 1, maxItems: 50, description: 'In order. Default: the standard sales stages.' })),
  },
  { additionalProperties: false, title: 'PipelineCreate' },
);
export type PipelineCreate = Static<typeof PipelineCreate>;

export const PipelineUpdate = Type.Object(
  { name: Type.Optional(Name), is_default: Type.Optional(Type.Literal(true, { description: 'Make this the default pipeline.' })) },
  { additionalProperties: false, title: 'PipelineUpdate' },
);
export type PipelineUpdate = Static<typeof PipelineUpdate>;

export const PipelineOut = Type.Object(
  {
    id: Type.String({ examples: ['pip_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    name: Type.String(),
    is_default: Type.Boolean(),
    stages: Type.Array(Type.Ref('Stage'), { description: 'In pipeline order.' }),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Pipeline', title: 'Pipeline' },
);

export const StageReorder = Type.Object(
  { stage_ids: Type.Array(Type.String(), { minItems: 1, maxItems: 50, description: "Every stage of the pipeline, in the new order." }) },
  { additionalProperties: false, title: 'StageReorder' },
);
export type StageReorder = Static<typeof StageReorder>;

export const StageDeleteQuery = Type.Object({
  move_deals_to: Type.Optional(Type.String({ description: 'A stage of the same pipeline that receives the deals of the deleted stage. Required when it holds deals.' })),
});

/** What a new workspace's "Sales" pipeline holds. */
export const DEFAULT_STAGES: readonly { name: string; probability: number; type: StageType }[] = [
  { name: 'Qualification', probability: 10, type: 'open' },
  { name: 'Needs analysis', probability: 25, type: 'open' },
  { name: 'Proposal', probability: 50, type: 'open' },
  { name: 'Negotiation', probability: 75, type: 'open' },
  { name: 'Won', probability: 100, type: 'won' },
  { name: 'Lost', probability: 0, type: 'lost' },
];
