import { toIso } from '../../platform/clock.js';
import type { Activity } from './activities.repository.js';

export function presentActivity(activity: Activity) {
  return { ...activity, occurred_at: toIso(activity.occurred_at), created_at: toIso(activity.created_at), updated_at: toIso(activity.updated_at) };
}
