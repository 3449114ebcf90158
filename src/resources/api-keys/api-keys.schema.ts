import { Type, type Static } from '@sinclair/typebox';
import { GRANT_PATTERN, KEY_SCOPES } from '../../domain/actor.js';
import { Nullable, StringEnum, Timestamp } from '../../http/schemas.js';

export const ApiKeyCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S', examples: ['Zapier connection'] }),
    scope: StringEnum(KEY_SCOPES, { description: 'full: everything; read_only: every read; custom: the listed grants.' }),
    grants: Type.Optional(
      Type.Array(Type.String({ pattern: GRANT_PATTERN }), {
        maxItems: 50,
        description: 'With scope custom: `<resource>:read` or `<resource>:write` (write includes read).',
        examples: [['contacts:read', 'companies:write']],
      }),
    ),
    expires_at: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'When the key stops working.' }))),
    rate_limit_per_minute: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100_000, description: "Overrides the plan's limit for this key." }))),
    user_id: Type.Optional(Type.String({ description: "The key's user; defaults to the caller's." })),
  },
  { additionalProperties: false, title: 'ApiKeyCreate' },
);
export type ApiKeyCreate = Static<typeof ApiKeyCreate>;

export const ApiKeyRotate = Type.Object(
  {
    overlap_seconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 86_400, default: 86_400, description: 'How long the old key keeps working beside the new one (0: it stops at once). Default 24 hours; at most 30 days.' }),
    ),
  },
  { additionalProperties: false, title: 'ApiKeyRotate' },
);
export type ApiKeyRotate = Static<typeof ApiKeyRotate>;

const keyFields = {
  id: Type.String({ examples: ['key_01JD3Z6QK8N8W4W2S1R9B7X5C3'] }),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the secret, to tell keys apart.' }),
  scope: StringEnum(KEY_SCOPES),
  grants: Type.Array(Type.String()),
  user_id: Type.String(),
  expires_at: Nullable(Timestamp),
  last_used_at: Nullable(Timestamp),
  revoked: Type.Boolean(),
  revoked_at: Nullable(Timestamp),
  rate_limit_per_minute: Nullable(Type.Integer()),
  created_at: Timestamp,
  updated_at: Timestamp,
  version: Type.Integer(),
};

export const ApiKeyOut = Type.Object(keyFields, { $id: 'ApiKey', title: 'ApiKey' });
const newKeyFields = { ...keyFields, secret: Type.String({ description: 'The key itself. Shown only in this response: store it now.' }) };
export const NewApiKeyOut = Type.Object(newKeyFields, { $id: 'NewApiKey', title: 'NewApiKey' });
export const RotatedApiKeyOut = Type.Object(
  { ...newKeyFields, replaces: Type.Ref('ApiKey', { description: 'The old key, with the expiry the rotation gave it.' }) },
  { $id: 'RotatedApiKey', title: 'RotatedApiKey' },
);
