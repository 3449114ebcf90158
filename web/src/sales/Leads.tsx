/**
 * The leads inbox: new leads from every source (SnapCRM intake, JSON-RPC, the
 * API, forms) with their source and age; qualify, disqualify, or convert into
 * a contact, company and deal in one dialog (the API's convert), landing on
 * the new deal.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import { Dialog } from '../ui/dialog';
import { fieldErrors, ProblemAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { given, RecordTable } from './RecordTable';
import { daysSince, personName } from './shared';

type Lead = Awaited<ReturnType<typeof api.leads.get>>;

export default function Leads() {
  const client = useQueryClient();
  const [converting, setConverting] = useState<Lead | null>(null);
  const setStatus = useMutation({
    mutationFn: ({ lead, status }: { lead: Lead; status: 'qualified' | 'unqualified' }) => api.leads.update(lead.id, { status }, { ifMatch: lead.version }),
    onSettled: () => void client.invalidateQueries({ queryKey: ['leads'] }),
  });
  return (
    <>
      <RecordTable<Lead>
        kind="leads"
        title="Leads"
        noun="lead"
        intro="New leads from every source. Qualify or disqualify them, or convert one into a contact, company and deal."
        name={personName}
        defaultFilters={{ status: 'new' }}
        columns={[
          { label: 'Company', cell: (l) => l.company_name ?? '—' },
          { label: 'Source', cell: (l) => l.source ?? '—' },
          { label: 'Age', cell: (l) => `${daysSince(l.created_at)} d` },
          { label: 'Status', cell: (l) => l.status },
        ]}
        sorts={[
          { value: '-created_at', label: 'Newest first' },
          { value: 'created_at', label: 'Oldest first' },
          { value: 'company_name', label: 'Company' },
        ]}
        filters={[
          {
            param: 'status',
            label: 'Status',
            options: [
              { value: '', label: 'Any status' },
              ...['new', 'contacted', 'qualified', 'unqualified', 'converted'].map((s) => ({ value: s, label: s[0]?.toUpperCase() + s.slice(1) })),
            ],
          },
        ]}
        create={{
          fields: [
            { name: 'first_name', label: 'First name', required: true },
            { name: 'last_name', label: 'Last name', required: true },
            { name: 'email', label: 'Email', type: 'email' },
            { name: 'company_name', label: 'Company' },
          ],
          body: (values) => ({ ...given(values), source: 'web' }),
        }}
        rowActions={(lead) =>
          lead.status === 'converted' ? (
            'Converted'
          ) : (
            <>
              {lead.status !== 'qualified' && (
                <button type="button" className="button small" onClick={() => setStatus.mutate({ lead, status: 'qualified' })} aria-label={`Qualify ${personName(lead)}`}>
                  Qualify
                </button>
              )}
              {lead.status !== 'unqualified' && (
                <button type="button" className="button small" onClick={() => setStatus.mutate({ lead, status: 'unqualified' })} aria-label={`Disqualify ${personName(lead)}`}>
                  Disqualify
                </button>
              )}
              <button type="button" className="button small primary" onClick={() => setConverting(lead)} aria-label={`Convert ${personName(lead)}`}>
                Convert
              </button>
            </>
          )
        }
      />
      <ProblemAlert error={setStatus.error} title="Could not change the lead." />
      <Dialog open={converting !== null} title={converting ? `Convert ${personName(converting)}` : 'Convert'} onClose={() => setConverting(null)}>
        {converting && <ConvertForm lead={converting} onCancel={() => setConverting(null)} />}
      </Dialog>
    </>
  );
}

function ConvertForm({ lead, onCancel }: { lead: Lead; onCancel: () => void }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState(lead.company_name ?? personName(lead));
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('USD');
  const convert = useMutation({
    mutationFn: () => {
      const value = amount.trim() ? { amount: Math.round(Number(amount) * 100), currency: currency.trim().toUpperCase() } : undefined;
      return api.leads.convert(lead.id, { deal: { ...given({ name }), ...(value && { value }) } });
    },
    onSuccess: (result) => {
      void client.invalidateQueries();
      onCancel();
      if (result.deal) void navigate(`/deals/${result.deal.id}`);
      else if (result.contact) void navigate(`/contacts/${result.contact.id}`);
    },
  });
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        convert.mutate();
      }}
    >
      <p>
        Makes {personName(lead)} a contact{lead.company_name ? `, ${lead.company_name} a company,` : ''} and opens a deal.
      </p>
      <TextField label="Deal name" value={name} onChange={(e) => setName(e.target.value)} errors={fieldErrors(convert.error, 'deal.name')} />
      <TextField label="Deal value" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} hint="Optional, e.g. 12500.00" />
      <TextField label="Currency" value={currency} onChange={(e) => setCurrency(e.target.value)} />
      <ProblemAlert error={convert.error} title="Could not convert the lead." />
      <div className="actions">
        <button type="submit" className="button primary" disabled={convert.isPending}>
          Convert lead
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
