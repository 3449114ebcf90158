import { toIso } from '../../platform/clock.js';
import type { ContactView } from './contacts.service.js';

export function presentContact(contact: ContactView) {
  return {
    id: contact.id,
    first_name: contact.first_name,
    last_name: contact.last_name,
    email: contact.emails[0]?.email ?? null,
    emails: contact.emails.map((e, i) => ({ email: e.email, label: e.label, primary: i === 0 })),
    phone: contact.phones[0]?.phone ?? null,
    phones: contact.phones.map((p, i) => ({ phone: p.phone, label: p.label, primary: i === 0 })),
    title: contact.title,
    company_id: contact.company_id,
    owner_id: contact.owner_id,
    status: contact.status,
    source: contact.source,
    description: contact.description,
    website: contact.website,
    address: contact.address,
    tags: contact.tags,
    custom_fields: contact.custom_fields,
    created_at: toIso(contact.created_at),
    updated_at: toIso(contact.updated_at),
    version: contact.version,
  };
}
