/** Deals as a table: status, owner, value; search, sort, cursor paging. */
import type { api } from '../api/client';
import { Time } from '../ui/time';
import { given, RecordTable } from './RecordTable';
import { money } from './shared';

type Deal = Awaited<ReturnType<typeof api.deals.get>>;

export default function Deals() {
  return (
    <RecordTable<Deal>
      kind="deals"
      title="Deals"
      noun="deal"
      intro="Every deal of every pipeline. The board (Pipeline) shows the open ones by stage."
      name={(d) => d.name}
      columns={[
        { label: 'Value', cell: (d) => (d.value ? money(d.value.amount, d.value.currency) : '—') },
        { label: 'Status', cell: (d) => d.status },
        { label: 'Expected close', cell: (d) => d.expected_close_date ?? '—' },
        { label: 'Created', cell: (d) => <Time value={d.created_at} /> },
      ]}
      sorts={[
        { value: '-created_at', label: 'Newest first' },
        { value: 'name', label: 'Name' },
        { value: '-value.amount', label: 'Largest value' },
        { value: 'expected_close_date', label: 'Closing soonest' },
      ]}
      filters={[
        { param: 'status', label: 'Status', options: [{ value: '', label: 'Any status' }, { value: 'open', label: 'Open' }, { value: 'won', label: 'Won' }, { value: 'lost', label: 'Lost' }] },
        { param: 'owner_id', label: 'Owner', options: [{ value: '', label: 'Anyone' }, { value: 'me', label: 'Me' }] },
      ]}
      create={{
        fields: [
          { name: 'name', label: 'Name', required: true },
          { name: 'amount', label: 'Value (e.g. 12500.00)' },
          { name: 'currency', label: 'Currency (e.g. USD)' },
        ],
        body: (values) => {
          const { amount, currency, ...rest } = given(values);
          return { ...rest, ...(amount && currency && { value: { amount: Math.round(Number(amount) * 100), currency: currency.toUpperCase() } }) };
        },
      }}
    />
  );
}
