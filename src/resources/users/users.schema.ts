import { Type, type Static } from '@sinclair/typebox';
import { USER_ROLES } from '../../domain/actor.js';
import { StringEnum, Timestamp } from '../../http/schemas.js';

const Email = Type.String({ format: 'email', maxLength: 254 });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Role = StringEnum(USER_ROLES, { description: 'owner: everything, including owners; admin: manages users and keys; member: works with records.' });

export const UserCreate = Type.Object({ email: Email, name: Name, role: Type.Optional(Role) }, { additionalProperties: false, title: 'UserCreate' });
export type UserCreate = Static<typeof UserCreate>;

export const UserUpdate = Type.Object(
  { email: Type.Optional(Email), name: Type.Optional(Name), role: Type.Optional(Role) },
  { additionalProperties: false, title: 'UserUpdate' },
);
export type UserUpdate = Static<typeof UserUpdate>;

export const UserOut = Type.Object(
  {
    id: Type.String({ examples: ['usr_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    email: Type.String(),
    name: Type.String(),
    role: StringEnum(USER_ROLES),
    created_at: Timestamp,
    updated_at: Timestamp,
    version: Type.Integer(),
  },
  { $id: 'User', title: 'User' },
);
