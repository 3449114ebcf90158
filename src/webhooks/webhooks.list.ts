import { TIME_FIELDS, type ListSpec } from '../list/list-spec.js';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const endpointListSpec: ListSpec = {
  noun: 'webhook endpoint',
  table: 'webhook_endpoints',
  fields: {
    url: { type: 'string', column: 'url', sortable: true },
    ...TIME_FIELDS,
  },
  search: { columns: ['url', 'description'] },
};

export const deliveryListSpec: ListSpec = {
  noun: 'webhook delivery',
  table: 'webhook_deliveries',
  fields: {
    status: { type: 'enum', column: 'status', values: DELIVERY_STATUSES, sortable: true },
    event_type: { type: 'string', column: 'event_type', sortable: true },
    event_id: { type: 'id', column: 'event_id' },
    ...TIME_FIELDS,
  },
  search: { columns: ['event_type'] },
};
