import { Type, type Static } from '@sinclair/typebox';
import { PLANS } from '../../domain/rate-limits.js';
import { Nullable, StringEnum, Timestamp } from '../../http/schemas.js';

const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

export const WorkspaceOut = Type.Object(
  {
    id: Type.String({ examples: ['wsp_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    name: Type.String(),
    plan: Nullable(StringEnum(PLANS, { description: "Sets the keys' default rate limit; none means the instance default." })),
    parent_workspace_id: Nullable(Type.String({ description: 'Set on a sandbox: the workspace it was made from.' })),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'Workspace', title: 'Workspace' },
);

export const WorkspaceUpdate = Type.Object({ name: Type.Optional(Name) }, { additionalProperties: false, title: 'WorkspaceUpdate' });
export type WorkspaceUpdate = Static<typeof WorkspaceUpdate>;

export const WorkspaceCreate = Type.Object(
  {
    name: Name,
    plan: Type.Optional(Nullable(StringEnum(PLANS))),
    owner: Type.Object(
      { email: Type.String({ format: 'email', maxLength: 254 }), name: Name },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, title: 'WorkspaceCreate' },
);
export type WorkspaceCreate = Static<typeof WorkspaceCreate>;
