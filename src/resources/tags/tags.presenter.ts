import { toIso } from '../../platform/clock.js';
import type { Tag } from './tags.repository.js';

export function presentTag(tag: Tag) {
  return { ...tag, created_at: toIso(tag.created_at), updated_at: toIso(tag.updated_at) };
}
