import { KEY_SCOPES } from '../../domain/actor.js';
import { TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';

export const apiKeyListSpec: ListSpec = {
  noun: 'API key',
  table: 'api_keys',
  fields: {
    name: { type: 'string', column: 'name', sortable: true },
    scope: { type: 'enum', column: 'scope', values: KEY_SCOPES, sortable: true },
    user_id: { type: 'id', column: 'user_id' },
    expires_at: { type: 'timestamp', column: 'expires_at', nullable: true, sortable: true },
    last_used_at: { type: 'timestamp', column: 'last_used_at', nullable: true, sortable: true },
    revoked_at: { type: 'timestamp', column: 'revoked_at', nullable: true },
    ...TIME_FIELDS,
  },
  search: { columns: ['name', 'prefix'] },
};
