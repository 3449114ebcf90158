import { Type, type Static } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../../http/schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S', description: 'Unique in the workspace, regardless of case.' });
const Color = Nullable(Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'A hex colour like #3366ff.' }));

export const TagCreate = Type.Object({ name: Name, color: Type.Optional(Color) }, { additionalProperties: false, title: 'TagCreate' });
export type TagCreate = Static<typeof TagCreate>;

export const TagUpdate = Type.Object({ name: Type.Optional(Name), color: Type.Optional(Color) }, { additionalProperties: false, title: 'TagUpdate' });
export type TagUpdate = Static<typeof TagUpdate>;

export const TagOut = Type.Object(
  {
    id: Type.String({ examples: ['tag_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    name: Type.String(),
    color: Nullable(Type.String()),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Tag', title: 'Tag' },
);

/** How a tagged record shows its tags. */
export const TagRefOut = Type.Object({ id: Type.String(), name: Type.String(), color: Nullable(Type.String()) }, { $id: 'TagRef', title: 'TagRef' });

/** The write side on a taggable record: the whole set of tags it carries. */
export const TagIds = Type.Array(Type.String(), { maxItems: 50, uniqueItems: true, description: 'The tags the record carries (replaces the set). Each must be a tag of this workspace.' });
