import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';
import { linkListFields } from '../shared/record-links.js';
import { TASK_PRIORITIES, TASK_STATUSES } from './tasks.schema.js';

export const taskListSpec: ListSpec = {
  noun: 'task',
  table: 'tasks',
  fields: {
    title: { type: 'string', column: 'title', sortable: true },
    status: { type: 'enum', column: 'status', values: TASK_STATUSES, sortable: true },
    priority: { type: 'enum', column: 'priority', values: TASK_PRIORITIES, sortable: true },
    assignee_id: { type: 'id', column: 'assignee_id', nullable: true, user: true },
    due_at: { type: 'timestamp', column: 'due_at', nullable: true, sortable: true },
    completed_at: { type: 'timestamp', column: 'completed_at', nullable: true, sortable: true },
    ...linkListFields,
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['title', 'description'] },
  shorthands: {
    overdue: {
      description: 'overdue=true: open tasks whose due_at has passed.',
      flag: true,
      expand: (value, now) => (value === 'true' ? { status: 'open', 'due_at[lt]': new Date(now).toISOString() } : undefined),
    },
  },
};
