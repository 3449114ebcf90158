import { ID_FIELD, TIME_FIELDS, type ListSpec } from '../../list/list-spec.js';
import { tagFilter } from '../tags/tags.list.js';
import { CONTACT_STATUSES } from './contacts.schema.js';

const lower = (value: string) => value.trim().toLowerCase();
// An address belongs to one contact of a workspace (contact_emails' key is workspace_id, email): dedup relies on it.
const allEmails = { table: 'contact_emails', foreignKey: 'contact_id', column: 'email', unique: true };

export const contactListSpec: ListSpec = {
  noun: 'contact',
  table: 'contacts',
  fields: {
    first_name: { type: 'string', column: 'first_name', nullable: true, sortable: true },
    last_name: { type: 'string', column: 'last_name', nullable: true, sortable: true },
    // Filters match any of a contact's emails; sorting uses the primary one.
    email: { type: 'string', column: 'email', nullable: true, sortable: true, normalize: lower, via: allEmails, description: 'Matches any of the contact\'s emails.' },
    phone: { type: 'string', column: 'phone', nullable: true },
    title: { type: 'string', column: 'title', nullable: true, sortable: true },
    company_id: { type: 'id', column: 'company_id', nullable: true },
    owner_id: { type: 'id', column: 'owner_id', nullable: true, user: true },
    status: { type: 'enum', column: 'status', values: CONTACT_STATUSES, sortable: true },
    source: { type: 'string', column: 'source', nullable: true, sortable: true },
    description: { type: 'string', column: 'description', nullable: true },
    website: { type: 'string', column: 'website', nullable: true },
    'address.city': { type: 'string', column: 'address_city', nullable: true, sortable: true },
    'address.state': { type: 'string', column: 'address_state', nullable: true, sortable: true },
    'address.postal_code': { type: 'string', column: 'address_postal_code', nullable: true },
    'address.country': { type: 'string', column: 'address_country', nullable: true, sortable: true },
    tag: tagFilter('contact'),
    ...ID_FIELD,
    ...TIME_FIELDS,
  },
  search: { columns: ['first_name', 'last_name', 'description'], via: allEmails },
};
