import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';
import { tagFilter } from '../tags/tags.list.js';
import { LEAD_STATUSES } from './leads.schema.js';

const lower = (value: string) => value.trim().toLowerCase();

export const leadListSpec: ListSpec = {
  noun: 'lead',
  table: 'leads',
  fields: {
    first_name: { type: 'string', column: 'first_name', sortable: true },
    last_name: { type: 'string', column: 'last_name', sortable: true },
    email: { type: 'string', column: 'email', nullable: true, sortable: true, normalize: lower },
    phone: { type: 'string', column: 'phone', nullable: true },
    company_name: { type: 'string', column: 'company_name', nullable: true, sortable: true },
    website: { type: 'string', column: 'website', nullable: true },
    source: { type: 'string', column: 'source', nullable: true, sortable: true },
    status: { type: 'enum', column: 'status', values: LEAD_STATUSES, sortable: true },
    owner_id: { type: 'id', column: 'owner_id', nullable: true, user: true },
    created_by: { type: 'id', column: 'created_by', nullable: true },
    city: { type: 'string', column: 'city', nullable: true, sortable: true },
    state: { type: 'string', column: 'state', nullable: true, sortable: true },
    zipcode: { type: 'string', column: 'zipcode', nullable: true },
    country: { type: 'string', column: 'country', nullable: true, sortable: true },
    tag: tagFilter('lead'),
    converted_at: { type: 'timestamp', column: 'converted_at', nullable: true, sortable: true },
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['first_name', 'last_name', 'email', 'company_name'] },
};
