/** Contacts: search by name or any email, sort, status, cursor paging; create with duplicate-email links. */
import type { api } from '../api/client';
import { Time } from '../ui/time';
import { given, RecordTable } from './RecordTable';
import { personName } from './shared';

type Contact = Awaited<ReturnType<typeof api.contacts.get>>;

export default function Contacts() {
  return (
    <RecordTable<Contact>
      kind="contacts"
      title="Contacts"
      noun="contact"
      intro="The people you sell to. Search matches names, every email and the notes."
      name={personName}
      columns={[
        { label: 'Email', cell: (c) => c.email ?? '—' },
        { label: 'Title', cell: (c) => c.title ?? '—' },
        { label: 'Status', cell: (c) => c.status },
        { label: 'Created', cell: (c) => <Time value={c.created_at} /> },
      ]}
      sorts={[
        { value: '-created_at', label: 'Newest first' },
        { value: 'last_name,first_name', label: 'Last name' },
        { value: 'email', label: 'Email' },
      ]}
      filters={[
        { param: 'status', label: 'Status', options: [{ value: '', label: 'Any status' }, { value: 'active', label: 'Active' }, { value: 'archived', label: 'Archived' }] },
        { param: 'owner_id', label: 'Owner', options: [{ value: '', label: 'Anyone' }, { value: 'me', label: 'Me' }] },
      ]}
      create={{
        fields: [
          { name: 'first_name', label: 'First name' },
          { name: 'last_name', label: 'Last name' },
          { name: 'email', label: 'Email', type: 'email' },
          { name: 'phone', label: 'Phone', type: 'tel' },
          { name: 'title', label: 'Job title' },
        ],
        body: given,
      }}
    />
  );
}
