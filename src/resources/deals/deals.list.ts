import { SAFE_INTEGER, ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';
import { tagFilter } from '../tags/tags.list.js';
import { DEAL_STATUSES } from './deals.schema.js';

export const dealListSpec: ListSpec = {
  noun: 'deal',
  table: 'deals',
  fields: {
    name: { type: 'string', column: 'name', sortable: true },
    pipeline_id: { type: 'id', column: 'pipeline_id' },
    stage_id: { type: 'id', column: 'stage_id' },
    status: { type: 'enum', column: 'status', values: DEAL_STATUSES, sortable: true },
    owner_id: { type: 'id', column: 'owner_id', nullable: true, user: true },
    company_id: { type: 'id', column: 'company_id', nullable: true },
    contact_id: { type: 'id', column: 'id', via: { table: 'deal_contacts', foreignKey: 'deal_id', column: 'contact_id' }, description: 'Deals with this contact on them.' },
    tag: tagFilter('deal'),
    'value.amount': { type: 'integer', column: 'amount', range: SAFE_INTEGER, nullable: true, sortable: true },
    'value.currency': { type: 'string', column: 'currency', nullable: true },
    expected_close_date: { type: 'date', column: 'expected_close_date', nullable: true, sortable: true },
    closed_at: { type: 'timestamp', column: 'closed_at', nullable: true, sortable: true },
    lost_reason: { type: 'string', column: 'lost_reason', nullable: true },
    source: { type: 'string', column: 'source', nullable: true, sortable: true },
    description: { type: 'string', column: 'description', nullable: true },
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['name', 'description'] },
  // A pipeline board's column: exact at any size (the deal_stage_counts migration).
  countedBy: { field: 'stage_id' },
};
