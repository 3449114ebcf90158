/**
 * Sandboxes: isolated copies of this workspace's set-up (users, pipelines,
 * tags) for trying integrations, with or without sample records. Creating one
 * shows its trl_test_ key once; "Open" browses the sandbox's records with that
 * key (kept in this tab's memory only, never stored).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Trellis, { type ItemOf } from '@trellis/sdk';
import { useMemo, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ConfirmButton } from '../ui/dialog';
import { fieldErrors, Loading, Notice, ProblemAlert } from '../ui/feedback';
import { CheckboxField, TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { SecretOnce } from '../ui/secret';
import { Time } from '../ui/time';
import { curlLine } from './ApiKeys';

type Sandbox = ItemOf<'sandboxes.list'>;
const SANDBOXES = ['sandboxes'] as const;

export default function Sandboxes() {
  const queryClient = useQueryClient();
  const sandboxes = useQuery({ queryKey: SANDBOXES, queryFn: () => api.sandboxes.list() });
  // Keys of sandboxes made in this tab: shown once, and used to open them.
  const [keys, setKeys] = useState<Record<string, string>>({});
  const [issued, setIssued] = useState<{ sandbox: Sandbox; secret: string } | undefined>();
  const [opened, setOpened] = useState<Sandbox | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const remove = useMutation({
    mutationFn: (sandbox: Sandbox) => api.sandboxes.delete(sandbox.id),
    onSuccess: (_done, sandbox) => {
      setNotice(`Sandbox “${sandbox.name}” and all its data are deleted; its keys no longer work.`);
      if (opened?.id === sandbox.id) setOpened(undefined);
      if (issued?.sandbox.id === sandbox.id) setIssued(undefined);
      void queryClient.invalidateQueries({ queryKey: SANDBOXES });
    },
  });
  return (
    <Page title="Sandboxes" managersOnly intro="A sandbox is a separate workspace with this one’s users, pipelines and tags, for building and testing integrations without touching real records. Its keys start with trl_test_.">
      {issued && <SecretOnce label={`Key of the sandbox “${issued.sandbox.name}”`} secret={issued.secret} curl={curlLine(issued.secret)} />}
      {notice && <Notice>{notice}</Notice>}
      <ProblemAlert error={remove.error} title="Could not delete the sandbox." />
      <section aria-labelledby="sandboxes-title">
        <h2 id="sandboxes-title">Sandboxes</h2>
        {sandboxes.isPending ? (
          <Loading what="sandboxes" />
        ) : sandboxes.error ? (
          <ProblemAlert error={sandboxes.error} title="Could not load the sandboxes." />
        ) : sandboxes.data.data.length === 0 ? (
          <p className="empty">No sandboxes yet. Create one below.</p>
        ) : (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Id</th>
                  <th scope="col">Created</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sandboxes.data.data.map((sandbox) => (
                  <tr key={sandbox.id}>
                    <td data-label="Name">{sandbox.name}</td>
                    <td data-label="Id">
                      <code>{sandbox.id}</code>
                    </td>
                    <td data-label="Created">
                      <Time value={sandbox.created_at} />
                    </td>
                    <td className="actions-cell">
                      <button type="button" className="button small" onClick={() => setOpened(sandbox)}>
                        Open<span className="visually-hidden"> sandbox {sandbox.name}</span>
                      </button>
                      <ConfirmButton small label="Delete" context={`sandbox ${sandbox.name}`} title={`Delete “${sandbox.name}”?`} confirmLabel="Delete sandbox" onConfirm={() => remove.mutate(sandbox)}>
                        <p>Its records, users, keys, events and webhook endpoints are deleted; its keys stop working at once.</p>
                      </ConfirmButton>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {opened && <SandboxView key={opened.id} sandbox={opened} knownKey={keys[opened.id]} onClose={() => setOpened(undefined)} />}
      <CreateSandbox
        onCreated={(sandbox, secret) => {
          setKeys((current) => ({ ...current, [sandbox.id]: secret }));
          setIssued({ sandbox, secret });
          setNotice(undefined);
          void queryClient.invalidateQueries({ queryKey: SANDBOXES });
          window.scrollTo({ top: 0 });
        }}
      />
    </Page>
  );
}

/** The sandbox's own records, read with its key: what an integration pointed at it will see. */
function SandboxView({ sandbox, knownKey, onClose }: { sandbox: Sandbox; knownKey: string | undefined; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [key, setKey] = useState(knownKey);
  const client = useMemo(() => (key ? new Trellis({ baseUrl: '', apiKey: key, credentials: 'omit', maxRetries: 1 }) : undefined), [key]);
  const contents = useQuery({
    queryKey: ['sandbox-contents', sandbox.id, key],
    enabled: client !== undefined,
    queryFn: async () => {
      const sandboxApi = client as Trellis;
      const [contacts, companies, deals, leads] = await Promise.all([
        sandboxApi.contacts.list({ limit: 10 }),
        sandboxApi.companies.list({ limit: 1 }),
        sandboxApi.deals.list({ limit: 1 }),
        sandboxApi.leads.list({ limit: 1 }),
      ]);
      return { contacts, counts: { contacts: contacts.meta.total, companies: companies.meta.total, deals: deals.meta.total, leads: leads.meta.total } };
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setKey(typed.trim());
  };
  return (
    <section aria-labelledby="sandbox-view-title" className="card">
      <div className="page-header">
        <h2 id="sandbox-view-title">Inside “{sandbox.name}”</h2>
        <button type="button" className="button small" onClick={onClose}>
          Close
        </button>
      </div>
      {!key ? (
        <form onSubmit={submit} noValidate>
          <p>Sandboxes are opened with one of their keys (a trl_test_ key). The key stays in this tab only.</p>
          <TextField label="Sandbox key" value={typed} onChange={(event) => setTyped(event.target.value)} autoComplete="off" />
          <div className="actions">
            <button type="submit" className="button primary">
              Open sandbox
            </button>
          </div>
        </form>
      ) : contents.isPending ? (
        <Loading what="the sandbox" />
      ) : contents.error ? (
        <>
          <ProblemAlert error={contents.error} title="Could not open the sandbox with this key." />
          <button type="button" className="button" onClick={() => setKey(undefined)}>
            Use another key
          </button>
        </>
      ) : (
        <>
          <dl className="facts">
            {Object.entries(contents.data.counts).map(([name, count]) => (
              <div key={name} className="fact">
                <dt>{name}</dt>
                <dd>{count}</dd>
              </div>
            ))}
          </dl>
          {contents.data.contacts.data.length > 0 ? (
            <div className="table-wrap">
              <table className="data">
                <caption>Contacts in the sandbox</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Email</th>
                  </tr>
                </thead>
                <tbody>
                  {contents.data.contacts.data.map((contact) => (
                    <tr key={contact.id}>
                      <td data-label="Name">{[contact.first_name, contact.last_name].filter(Boolean).join(' ') || '—'}</td>
                      <td data-label="Email">{contact.email ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="empty">No contacts in this sandbox.</p>
          )}
        </>
      )}
    </section>
  );
}

function CreateSandbox({ onCreated }: { onCreated: (sandbox: Sandbox, secret: string) => void }) {
  const [name, setName] = useState('');
  const [sample, setSample] = useState(true);
  const create = useMutation({
    mutationFn: () => api.sandboxes.create({ ...(name.trim() && { name: name.trim() }), sample_data: sample }),
    onSuccess: (created) => {
      setName('');
      onCreated(created.sandbox, created.api_key.secret);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="new-sandbox-title" className="card">
      <h2 id="new-sandbox-title">Create a sandbox</h2>
      <form onSubmit={submit} noValidate>
        <TextField label="Name (optional)" hint="Default: this workspace’s name + “(sandbox)”." value={name} onChange={(event) => setName(event.target.value)} errors={fieldErrors(create.error, 'name')} />
        <CheckboxField label="Fill it with sample data (companies, contacts, deals, leads, activities, tasks)" checked={sample} onChange={(event) => setSample(event.target.checked)} />
        <ProblemAlert error={create.error} title="No sandbox was created." />
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create sandbox'}
          </button>
        </div>
      </form>
    </section>
  );
}
