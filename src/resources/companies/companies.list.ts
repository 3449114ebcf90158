import { normalizeDomain } from '../../domain/normalize.js';
import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';
import { tagFilter } from '../tags/tags.list.js';

export const companyListSpec: ListSpec = {
  noun: 'company',
  table: 'companies',
  fields: {
    name: { type: 'string', column: 'name', sortable: true },
    // Filter values are normalized like stored domains: domain=www.Acme.com finds acme.com.
    domain: { type: 'string', column: 'domain', nullable: true, sortable: true, normalize: (v) => normalizeDomain(v) ?? v.trim().toLowerCase() },
    industry: { type: 'string', column: 'industry', nullable: true, sortable: true },
    employee_count: { type: 'integer', column: 'employee_count', nullable: true, sortable: true },
    phone: { type: 'string', column: 'phone', nullable: true },
    website: { type: 'string', column: 'website', nullable: true },
    email: { type: 'string', column: 'email', nullable: true, sortable: true, normalize: (v) => v.trim().toLowerCase() },
    description: { type: 'string', column: 'description', nullable: true },
    owner_id: { type: 'id', column: 'owner_id', nullable: true, user: true },
    'address.city': { type: 'string', column: 'address_city', nullable: true, sortable: true },
    'address.state': { type: 'string', column: 'address_state', nullable: true, sortable: true },
    'address.postal_code': { type: 'string', column: 'address_postal_code', nullable: true },
    'address.country': { type: 'string', column: 'address_country', nullable: true, sortable: true },
    tag: tagFilter('company'),
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['name', 'domain', 'description'] },
};
