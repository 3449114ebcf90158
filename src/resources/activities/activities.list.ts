import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';
import { linkListFields } from '../shared/record-links.js';
import { ACTIVITY_TYPES, DIRECTIONS } from './activities.schema.js';

export const activityListSpec: ListSpec = {
  noun: 'activity',
  table: 'activities',
  fields: {
    type: { type: 'enum', column: 'type', values: ACTIVITY_TYPES, sortable: true },
    direction: { type: 'enum', column: 'direction', values: DIRECTIONS, nullable: true },
    outcome: { type: 'string', column: 'outcome', nullable: true },
    subject: { type: 'string', column: 'subject', nullable: true, sortable: true },
    logged_by: { type: 'id', column: 'logged_by', nullable: true, user: true },
    ...linkListFields,
    occurred_at: { type: 'timestamp', column: 'occurred_at', sortable: true },
    duration_seconds: { type: 'integer', column: 'duration_seconds', nullable: true, sortable: true },
    source: { type: 'string', column: 'source', nullable: true },
    external_id: { type: 'string', column: 'external_id', nullable: true },
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['subject', 'body'] },
};
