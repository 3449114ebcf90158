/**
 * One record's page (contact, company, deal or lead): its fields, owner and
 * (for a deal) value edited inline with If-Match (a newer version elsewhere is
 * said, never overwritten),
 * tags, related records, log activity, the timeline, merging a duplicate with
 * a preview of what survives, and delete with confirmation.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PreconditionFailedError } from '@trellis/sdk';
import { useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { ConfirmButton, Dialog } from '../ui/dialog';
import { fieldErrors, Loading, ProblemAlert } from '../ui/feedback';
import { SelectField, TextField } from '../ui/fields';
import { Time } from '../ui/time';
import { useTitle } from '../ui/useTitle';
import { DuplicateLink, LogActivity, money, NewTask, personName, Timeline, usePipelines, useTags, useUsers, type RecordKind } from './shared';

type AnyRecord = { id: string; version: number; tags?: { id: string; name: string }[] } & Record<string, unknown>;

interface Editable {
  name: string;
  label: string;
  type?: string;
}

const EDITABLE: Record<RecordKind, Editable[]> = {
  contacts: [
    { name: 'first_name', label: 'First name' },
    { name: 'last_name', label: 'Last name' },
    { name: 'email', label: 'Email', type: 'email' },
    { name: 'phone', label: 'Phone', type: 'tel' },
    { name: 'title', label: 'Job title' },
  ],
  companies: [
    { name: 'name', label: 'Name' },
    { name: 'domain', label: 'Domain' },
    { name: 'industry', label: 'Industry' },
  ],
  deals: [
    { name: 'name', label: 'Name' },
    { name: 'expected_close_date', label: 'Expected close', type: 'date' },
  ],
  leads: [
    { name: 'first_name', label: 'First name' },
    { name: 'last_name', label: 'Last name' },
    { name: 'email', label: 'Email', type: 'email' },
    { name: 'company_name', label: 'Company' },
    { name: 'source', label: 'Source' },
  ],
};

/** A currency's minor-unit digits (2 for USD, 0 for JPY); undefined for a code that is not ISO 4217. */
function currencyDigits(currency: string): number | undefined {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return undefined;
  }
}

type Value = { amount: number; currency: string } | null;

/** What a person typed as a deal's value, in minor units; a message when it cannot be one. */
function parseValue(amount: string, currency: string): { value: Value } | { errors: { amount?: string; currency?: string } } {
  if (amount.trim() === '') return { value: null };
  const code = currency.trim().toUpperCase();
  const digits = /^[A-Z]{3}$/.test(code) ? currencyDigits(code) : undefined;
  if (digits === undefined) return { errors: { currency: 'Enter a three-letter currency code, such as USD or EUR.' } };
  const major = amount.trim().replace(/[\s,]/g, '');
  if (!/^\d+(\.\d+)?$/.test(major) || (major.split('.')[1]?.length ?? 0) > digits) {
    return { errors: { amount: `Enter an amount such as ${digits === 0 ? '12500' : '12500.00'}: digits${digits === 0 ? '' : `, and at most ${digits} after the point`}.` } };
  }
  const [whole = '0', fraction = ''] = major.split('.');
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  // Beyond 2^53 a number is no longer exact: refuse it rather than store another amount.
  if (!Number.isSafeInteger(minor)) return { errors: { amount: 'That amount is too large.' } };
  return { value: { amount: minor, currency: code } };
}

const NOUN: Record<RecordKind, string> = { contacts: 'contact', companies: 'company', deals: 'deal', leads: 'lead' };

interface Resource {
  get(id: string): Promise<AnyRecord>;
  update(id: string, body: Record<string, unknown>, options: { ifMatch: number }): Promise<AnyRecord>;
  delete(id: string, options: { ifMatch: number }): Promise<unknown>;
  merge?(id: string, body: { duplicate_id: string; dry_run?: boolean }, options?: { ifMatch?: number }): Promise<AnyRecord>;
}

const resource = (kind: RecordKind): Resource => api[kind] as unknown as Resource;

export const titleOf = (kind: RecordKind, r: AnyRecord): string => (kind === 'contacts' || kind === 'leads' ? personName(r as { first_name?: string | null; last_name?: string | null; email?: string | null }) : String(r.name ?? r.id));

export default function RecordPage() {
  const { id = '' } = useParams();
  const kind = useLocation().pathname.split('/')[1] as RecordKind;
  const noun = NOUN[kind];
  const client = useQueryClient();
  const navigate = useNavigate();
  const record = useQuery({ queryKey: [kind, 'one', id], queryFn: () => resource(kind).get(id) });
  useTitle(record.data ? titleOf(kind, record.data) : noun);
  const remove = useMutation({
    mutationFn: (r: AnyRecord) => resource(kind).delete(r.id, { ifMatch: r.version }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: [kind] });
      void navigate(`/${kind}`);
    },
  });
  if (record.isPending) return <Loading what={`the ${noun}`} />;
  if (record.error) {
    return (
      <>
        <h1>{noun[0]?.toUpperCase() + noun.slice(1)}</h1>
        <ProblemAlert error={record.error} title={`Could not load the ${noun}.`} />
        <Link to={`/${kind}`}>Back to the list</Link>
      </>
    );
  }
  const r = record.data;
  // An activity is linked to the record and to the records it belongs with (a deal's company and first contact, a contact's company).
  const companyOf = typeof r.company_id === 'string' ? { company_id: r.company_id } : {};
  const firstContact = kind === 'deals' && Array.isArray(r.contact_ids) && typeof r.contact_ids[0] === 'string' ? { contact_id: r.contact_ids[0] } : {};
  const links = kind === 'contacts' ? { contact_id: r.id, ...companyOf } : kind === 'companies' ? { company_id: r.id } : kind === 'deals' ? { deal_id: r.id, ...companyOf, ...firstContact } : { lead_id: r.id };
  return (
    <>
      <div className="page-header">
        <h1>{titleOf(kind, r)}</h1>
        <div className="actions">
          {(kind === 'contacts' || kind === 'companies') && <MergeButton kind={kind} record={r} />}
          <ConfirmButton label="Delete" title={`Delete ${titleOf(kind, r)}?`} confirmLabel={`Delete ${noun}`} onConfirm={() => remove.mutate(r)} context={`${noun} ${titleOf(kind, r)}`}>
            The {noun} is deleted. Activities and tasks linked to it stay, unlinked.
          </ConfirmButton>
        </div>
      </div>
      <ProblemAlert error={remove.error} title={`Could not delete the ${noun}.`} />
      <div className="record-grid">
        <div>
          <Fields kind={kind} record={r} />
          <Tags kind={kind} record={r} />
          <Related kind={kind} record={r} />
        </div>
        <div>
          <LogActivity links={links} />
          <NewTask links={links} />
          <Timeline kind={kind} id={r.id} />
        </div>
      </div>
    </>
  );
}

/** The fields, shown; "Edit" turns them into a form that writes with If-Match. */
function Fields({ kind, record }: { kind: RecordKind; record: AnyRecord }) {
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [ownerId, setOwnerId] = useState('');
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('');
  const [valueErrors, setValueErrors] = useState<{ amount?: string; currency?: string }>({});
  const [conflict, setConflict] = useState(false);
  const { data: users } = useUsers();
  const { data: pipelines } = usePipelines();
  const save = useMutation({
    mutationFn: (value: Value | undefined) => {
      const body: Record<string, unknown> = Object.fromEntries(
        EDITABLE[kind].map((f) => [f.name, (values[f.name] ?? '').trim() === '' ? null : (values[f.name] ?? '').trim()]).filter(([name, v]) => v !== (record[name as string] ?? null)),
      );
      if ((ownerId || null) !== (record.owner_id ?? null)) body.owner_id = ownerId || null;
      if (value !== undefined && JSON.stringify(value) !== JSON.stringify(record.value ?? null)) body.value = value;
      return resource(kind).update(record.id, body, { ifMatch: record.version });
    },
    onSuccess: (updated) => {
      client.setQueryData([kind, 'one', record.id], updated);
      void client.invalidateQueries({ queryKey: [kind, 'table'] });
      setEditing(false);
    },
    onError: (error) => {
      if (error instanceof PreconditionFailedError) {
        setConflict(true);
        void client.invalidateQueries({ queryKey: [kind, 'one', record.id] });
      }
    },
  });
  const start = () => {
    setValues(Object.fromEntries(EDITABLE[kind].map((f) => [f.name, record[f.name] === null || record[f.name] === undefined ? '' : String(record[f.name])])));
    setOwnerId(typeof record.owner_id === 'string' ? record.owner_id : '');
    const value = record.value as Value | undefined;
    const digits = value ? (currencyDigits(value.currency) ?? 2) : 2;
    setAmount(value ? (value.amount / 10 ** digits).toFixed(digits) : '');
    setCurrency(value?.currency ?? 'USD');
    setValueErrors({});
    setConflict(false);
    setEditing(true);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setConflict(false);
    if (kind !== 'deals') return save.mutate(undefined);
    const parsed = parseValue(amount, currency);
    setValueErrors('errors' in parsed ? parsed.errors : {});
    if ('value' in parsed) save.mutate(parsed.value);
  };
  const serverValueErrors = fieldErrors(save.error, 'value') ?? [];
  const stage = kind === 'deals' ? pipelines?.flatMap((p) => p.stages).find((s) => s.id === record.stage_id) : undefined;
  const owner = users?.find((u) => u.id === record.owner_id);
  return (
    <section className="card" aria-labelledby="fields-heading">
      <h2 id="fields-heading">Details</h2>
      {conflict && (
        <div className="alert alert-warning" role="alert">
          Someone else changed this {NOUN[kind]} while you were editing, so your changes were not saved. The page now shows the newer version; what you typed is still in the form.
        </div>
      )}
      {editing ? (
        <form onSubmit={submit} noValidate aria-label={`Edit ${NOUN[kind]}`}>
          {EDITABLE[kind].map((f) => (
            <TextField key={f.name} label={f.label} type={f.type ?? 'text'} value={values[f.name] ?? ''} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} errors={fieldErrors(save.error, f.name)} />
          ))}
          {kind === 'deals' && (
            <div className="toolbar">
              <TextField
                label="Value"
                inputMode="decimal"
                hint="Leave empty for no value."
                value={amount}
                onChange={(e) => setAmount(e.target.value)}
                errors={valueErrors.amount ? [valueErrors.amount] : [...serverValueErrors, ...(fieldErrors(save.error, 'value.amount') ?? [])]}
              />
              <TextField
                label="Currency"
                maxLength={3}
                size={4}
                value={currency}
                onChange={(e) => setCurrency(e.target.value)}
                errors={valueErrors.currency ? [valueErrors.currency] : fieldErrors(save.error, 'value.currency')}
              />
            </div>
          )}
          <SelectField label="Owner" value={ownerId} onChange={(e) => setOwnerId(e.target.value)} errors={fieldErrors(save.error, 'owner_id')}>
            <option value="">Nobody</option>
            {(users ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
              </option>
            ))}
          </SelectField>
          <DuplicateLink error={save.error} kind={kind} />
          {!(save.error instanceof PreconditionFailedError) && <ProblemAlert error={save.error} title="Could not save." />}
          <div className="actions">
            <button type="submit" className="button primary" disabled={save.isPending}>
              Save
            </button>
            <button type="button" className="button" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <>
          <dl className="facts">
            {EDITABLE[kind].map((f) => (
              <div key={f.name} className="fact">
                <dt>{f.label}</dt>
                <dd>{record[f.name] === null || record[f.name] === undefined || record[f.name] === '' ? '—' : String(record[f.name])}</dd>
              </div>
            ))}
            {kind === 'deals' && (
              <>
                <div className="fact">
                  <dt>Value</dt>
                  <dd>{record.value ? money((record.value as { amount: number }).amount, (record.value as { currency: string }).currency) : '—'}</dd>
                </div>
                <div className="fact">
                  <dt>Stage</dt>
                  <dd>
                    {stage?.name ?? '—'} ({String(record.status)})
                  </dd>
                </div>
              </>
            )}
            {kind === 'leads' && (
              <div className="fact">
                <dt>Status</dt>
                <dd>{String(record.status)}</dd>
              </div>
            )}
            <div className="fact">
              <dt>Owner</dt>
              <dd>{owner ? owner.name || owner.email : '—'}</dd>
            </div>
            <div className="fact">
              <dt>Created</dt>
              <dd>
                <Time value={String(record.created_at)} />
              </dd>
            </div>
          </dl>
          <button type="button" className="button" onClick={start}>
            Edit details
          </button>
        </>
      )}
    </section>
  );
}

function Tags({ kind, record }: { kind: RecordKind; record: AnyRecord }) {
  const client = useQueryClient();
  const { data: tags } = useTags();
  const [adding, setAdding] = useState('');
  const current = record.tags ?? [];
  const write = useMutation({
    mutationFn: (tagIds: string[]) => resource(kind).update(record.id, { tag_ids: tagIds }, { ifMatch: record.version }),
    onSuccess: (updated) => client.setQueryData([kind, 'one', record.id], updated),
    onError: () => void client.invalidateQueries({ queryKey: [kind, 'one', record.id] }),
  });
  const available = (tags ?? []).filter((t) => !current.some((c) => c.id === t.id));
  return (
    <section className="card" aria-labelledby="tags-heading">
      <h2 id="tags-heading">Tags</h2>
      {current.length === 0 ? (
        <p className="empty">No tags.</p>
      ) : (
        <ul className="tag-list">
          {current.map((t) => (
            <li key={t.id}>
              <span className="badge">{t.name}</span>{' '}
              <button type="button" className="link-button" onClick={() => write.mutate(current.filter((c) => c.id !== t.id).map((c) => c.id))} aria-label={`Remove tag ${t.name}`}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {available.length > 0 && (
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            if (adding) write.mutate([...current.map((c) => c.id), adding]);
            setAdding('');
          }}
        >
          <SelectField label="Add a tag" value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">Choose…</option>
            {available.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </SelectField>
          <button type="submit" className="button">
            Add tag
          </button>
        </form>
      )}
      <ProblemAlert error={write.error} title="Could not change the tags." />
    </section>
  );
}

/** A company's contacts and deals, a contact's company and deals, a deal's company and contacts and its stage history. */
function Related({ kind, record }: { kind: RecordKind; record: AnyRecord }) {
  const companyId = kind === 'companies' ? record.id : (record.company_id as string | null | undefined);
  const contactIds = kind === 'deals' ? ((record.contact_ids as string[]) ?? []) : [];
  const company = useQuery({ queryKey: ['companies', 'one', companyId], enabled: kind !== 'companies' && typeof companyId === 'string', queryFn: () => api.companies.get(companyId as string) });
  const contacts = useQuery({
    queryKey: ['contacts', 'related', kind, record.id, contactIds],
    enabled: kind === 'companies' || (kind === 'deals' && contactIds.length > 0),
    queryFn: async () => (await api.contacts.list(kind === 'companies' ? { company_id: record.id, limit: 50 } : { 'id[in]': contactIds.join(','), limit: 50 })).data,
  });
  const deals = useQuery({
    queryKey: ['deals', 'related', kind, record.id],
    enabled: kind === 'companies' || kind === 'contacts',
    queryFn: async () => (await api.deals.list(kind === 'companies' ? { company_id: record.id, limit: 50 } : { contact_id: record.id, limit: 50 })).data,
  });
  if (kind === 'leads') {
    return record.converted_deal_id ? (
      <section className="card">
        <h2>Converted</h2>
        <Link to={`/deals/${String(record.converted_deal_id)}`}>Open the deal</Link>
      </section>
    ) : null;
  }
  return (
    <section className="card" aria-labelledby="related-heading">
      <h2 id="related-heading">Related</h2>
      {kind !== 'companies' && (
        <p>
          Company: {company.data ? <Link to={`/companies/${company.data.id}`}>{company.data.name}</Link> : typeof companyId === 'string' ? '…' : '—'}
        </p>
      )}
      {(kind === 'companies' || kind === 'deals') && (
        <>
          <h3>Contacts</h3>
          {contacts.data && contacts.data.length > 0 ? (
            <ul>
              {contacts.data.map((c) => (
                <li key={c.id}>
                  <Link to={`/contacts/${c.id}`}>{personName(c)}</Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="empty">No contacts.</p>
          )}
        </>
      )}
      {(kind === 'companies' || kind === 'contacts') && (
        <>
          <h3>Deals</h3>
          {deals.data && deals.data.length > 0 ? (
            <ul>
              {deals.data.map((d) => (
                <li key={d.id}>
                  <Link to={`/deals/${d.id}`}>{d.name}</Link> ({d.status}
                  {d.value ? `, ${money(d.value.amount, d.value.currency)}` : ''})
                </li>
              ))}
            </ul>
          ) : (
            <p className="empty">No deals.</p>
          )}
        </>
      )}
    </section>
  );
}

/** Merge a duplicate into this record: preview (dry_run) first, then merge with If-Match. */
function MergeButton({ kind, record }: { kind: 'contacts' | 'companies'; record: AnyRecord }) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState('');
  const [duplicateId, setDuplicateId] = useState('');
  const candidates = useQuery({
    queryKey: ['merge-candidates', kind, query],
    enabled: open && query.trim().length > 0,
    queryFn: async () => (await api.search({ q: query.trim(), types: kind === 'contacts' ? 'contact' : 'company', limit: 10 })).data.filter((hit) => hit.id !== record.id),
  });
  const preview = useMutation({ mutationFn: (id: string) => (resource(kind).merge as NonNullable<Resource['merge']>)(record.id, { duplicate_id: id, dry_run: true }) });
  const merge = useMutation({
    mutationFn: () => (resource(kind).merge as NonNullable<Resource['merge']>)(record.id, { duplicate_id: duplicateId }, { ifMatch: record.version }),
    onSuccess: (merged) => {
      client.setQueryData([kind, 'one', record.id], merged);
      void client.invalidateQueries();
      setOpen(false);
    },
  });
  const shown = preview.data;
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Merge a duplicate
      </button>
      <Dialog open={open} title={`Merge a duplicate into ${titleOf(kind, record)}`} onClose={() => setOpen(false)}>
        <p>This record survives and keeps its values; the duplicate’s fill what is empty, its links and tags move here, and it is deleted.</p>
        <TextField label="Find the duplicate" type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        {candidates.data && (
          <ul className="plain-list" aria-label="Possible duplicates">
            {candidates.data.map((hit) => (
              <li key={hit.id}>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    setDuplicateId(hit.id);
                    preview.mutate(hit.id);
                  }}
                >
                  Preview merging {hit.title}
                  {hit.subtitle ? ` (${hit.subtitle})` : ''}
                </button>
              </li>
            ))}
            {candidates.data.length === 0 && <li className="empty">No match.</li>}
          </ul>
        )}
        <ProblemAlert error={preview.error} title="Could not preview the merge." />
        {shown && (
          <section aria-label="What survives">
            <h3>What survives</h3>
            <dl className="facts">
              {EDITABLE[kind].map((f) => (
                <div key={f.name} className="fact">
                  <dt>{f.label}</dt>
                  <dd>{shown[f.name] === null || shown[f.name] === undefined ? '—' : String(shown[f.name])}</dd>
                </div>
              ))}
              {kind === 'contacts' && (
                <div className="fact">
                  <dt>Emails</dt>
                  <dd>{((shown.emails as { email: string }[]) ?? []).map((e) => e.email).join(', ') || '—'}</dd>
                </div>
              )}
            </dl>
          </section>
        )}
        <ProblemAlert error={merge.error} title="Could not merge." />
        <div className="actions">
          <button type="button" className="button danger" disabled={!shown || merge.isPending} onClick={() => merge.mutate()}>
            Merge
          </button>
          <button type="button" className="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </>
  );
}
