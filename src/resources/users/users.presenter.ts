import { toIso } from '../../platform/clock.js';
import type { UserRow } from './users.repository.js';

export function presentUser(user: UserRow) {
  return { ...user, created_at: toIso(user.created_at), updated_at: toIso(user.updated_at) };
}
