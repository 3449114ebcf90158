import { toIso } from '../../platform/clock.js';
import type { ApiKeyRow } from './api-keys.repository.js';
import type { IssuedKey } from './api-keys.service.js';

export function presentApiKey(key: ApiKeyRow) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scope: key.scope,
    grants: JSON.parse(key.grants) as string[],
    user_id: key.user_id,
    expires_at: toIso(key.expires_at),
    last_used_at: toIso(key.last_used_at),
    revoked: key.revoked_at !== null,
    revoked_at: toIso(key.revoked_at),
    rate_limit_per_minute: key.rate_limit_per_minute,
    created_at: toIso(key.created_at),
    updated_at: toIso(key.updated_at),
    version: key.version,
  };
}

/** Only at creation: the key with its secret. */
export function presentIssuedKey(issued: IssuedKey) {
  return { ...presentApiKey(issued.key), secret: issued.secret };
}
