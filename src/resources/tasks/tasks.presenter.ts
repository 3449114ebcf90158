import { toIso } from '../../platform/clock.js';
import type { Task } from './tasks.repository.js';

export function presentTask(task: Task) {
  return { ...task, due_at: toIso(task.due_at), completed_at: toIso(task.completed_at), created_at: toIso(task.created_at), updated_at: toIso(task.updated_at) };
}
