import { Type, type Static } from '@sinclair/typebox';
import { USER_ROLES } from '../domain/actor.js';
import { Nullable, StringEnum, Timestamp } from '../http/schemas.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';
import { LINK_KINDS } from './links.repository.js';

const Email = Type.String({ format: 'email', maxLength: 254, examples: ['ada@example.com'] });
/** Length is checked by the password rules (auth/passwords.ts), so a short or long one is named in the field's error. */
const Password = (description: string) => Type.String({ maxLength: 1000, description: `${description} ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.` });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Role = StringEnum(USER_ROLES);

export const SignIn = Type.Object(
  {
    email: Email,
    password: Type.String({ maxLength: 1000 }),
    workspace_id: Type.Optional(Type.String({ maxLength: 100, description: 'Only when the email has a password in several workspaces: which one.' })),
  },
  { additionalProperties: false, title: 'SignIn' },
);
export type SignIn = Static<typeof SignIn>;

export const PasswordChange = Type.Object(
  { current_password: Type.String({ maxLength: 1000 }), new_password: Password('The new password.') },
  { additionalProperties: false, title: 'PasswordChange' },
);
export type PasswordChange = Static<typeof PasswordChange>;

export const ProfileUpdate = Type.Object({ name: Type.Optional(Name) }, { additionalProperties: false, title: 'ProfileUpdate' });
export type ProfileUpdate = Static<typeof ProfileUpdate>;

export const LinkAccept = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', description: "The person's name: required for an invitation, optional otherwise (it renames the user)." })),
    password: Password('The password to set.'),
  },
  { additionalProperties: false, title: 'LinkAccept' },
);
export type LinkAccept = Static<typeof LinkAccept>;

export const InvitationCreate = Type.Object({ email: Email, role: Role }, { additionalProperties: false, title: 'InvitationCreate' });
export type InvitationCreate = Static<typeof InvitationCreate>;

export const OwnershipTransfer = Type.Object(
  { user_id: Type.String({ maxLength: 100, description: 'The user who becomes owner; the current owner becomes an admin.' }) },
  { additionalProperties: false, title: 'OwnershipTransfer' },
);
export type OwnershipTransfer = Static<typeof OwnershipTransfer>;

export const TokenParams = Type.Object({ token: Type.String({ maxLength: 200, description: 'The token from the link (`/accept/<token>`).' }) });

export const SessionOut = Type.Object(
  {
    id: Type.String({ examples: ['ses_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
    user: Type.Object({ id: Type.String(), email: Type.String(), name: Type.String(), role: Role }),
    workspace: Type.Object({ id: Type.String(), name: Type.String() }),
    csrf_token: Type.String({ description: 'Send it as the X-CSRF-Token header on every request that changes something.' }),
    created_at: Timestamp,
    expires_at: Timestamp,
  },
  { $id: 'Session', title: 'Session' },
);

export const SessionListItemOut = Type.Object(
  {
    id: Type.String(),
    created_at: Timestamp,
    last_used_at: Timestamp,
    expires_at: Timestamp,
    user_agent: Nullable(Type.String()),
    ip: Nullable(Type.String()),
    current: Type.Boolean({ description: 'The session this request came with.' }),
  },
  { $id: 'SessionSummary', title: 'SessionSummary' },
);

export const LinkInfoOut = Type.Object(
  {
    kind: StringEnum(LINK_KINDS),
    email: Type.String(),
    role: Nullable(Role),
    workspace: Type.Object({ name: Type.String() }),
    expires_at: Timestamp,
  },
  { title: 'LinkInfo' },
);

const invitationFields = {
  id: Type.String({ examples: ['lnk_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
  email: Type.String(),
  role: Role,
  created_at: Timestamp,
  expires_at: Timestamp,
  expired: Type.Boolean(),
};
export const InvitationOut = Type.Object(invitationFields, { $id: 'Invitation', title: 'Invitation' });
export const NewInvitationOut = Type.Object(
  {
    ...invitationFields,
    url: Type.String({ description: 'The link to hand to the person: shown only in this response.' }),
    token: Type.String({ description: "The link's token (the end of url), for accepting it through the API." }),
  },
  { $id: 'NewInvitation', title: 'NewInvitation' },
);

export const PasswordLinkOut = Type.Object(
  {
    user_id: Type.String(),
    url: Type.String({ description: 'The link to hand to the user: shown only in this response.' }),
    token: Type.String(),
    expires_at: Timestamp,
  },
  { title: 'PasswordLink' },
);
