/** Companies: search by name or domain, sort, cursor paging; create with duplicate-domain links. */
import type { api } from '../api/client';
import { Time } from '../ui/time';
import { given, RecordTable } from './RecordTable';

type Company = Awaited<ReturnType<typeof api.companies.get>>;

export default function Companies() {
  return (
    <RecordTable<Company>
      kind="companies"
      title="Companies"
      noun="company"
      intro="The organisations your contacts work for."
      name={(c) => c.name}
      columns={[
        { label: 'Domain', cell: (c) => c.domain ?? '—' },
        { label: 'Industry', cell: (c) => c.industry ?? '—' },
        { label: 'Created', cell: (c) => <Time value={c.created_at} /> },
      ]}
      sorts={[
        { value: 'name', label: 'Name' },
        { value: '-created_at', label: 'Newest first' },
        { value: 'domain', label: 'Domain' },
      ]}
      create={{
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'domain', label: 'Domain' },
          { name: 'industry', label: 'Industry' },
        ],
        body: given,
      }}
    />
  );
}
