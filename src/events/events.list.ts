import type { ListSpec } from '../list/list-spec.js';

export const eventListSpec: ListSpec = {
  noun: 'event',
  table: 'events',
  fields: {
    type: { type: 'string', column: 'type', sortable: true, description: 'The event type, e.g. deal.stage_changed; `type[starts_with]=deal.` for every deal event.' },
    record_id: { type: 'id', column: 'record_id', description: 'The id of the record the event is about.' },
    created_at: { type: 'timestamp', column: 'created_at', sortable: true },
  },
  search: { columns: ['type'] },
  description: 'Oldest first by default, so a client catching up reads events in the order they happened.',
};
