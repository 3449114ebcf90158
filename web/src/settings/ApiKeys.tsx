/**
 * API keys: create (scope full, read-only or custom grants; expiry; rate
 * limit), the secret shown once with the curl line to try it, the list,
 * revoke, and rotate with an overlap during which both keys work.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BodyOf, ItemOf } from '@trellis/sdk';
import { useState, type FormEvent } from 'react';
import { GRANT_RESOURCES, KEY_SCOPES } from '../api/catalogue';
import { api } from '../api/client';
import { useSignedIn } from '../app/session';
import { ConfirmButton, Dialog } from '../ui/dialog';
import { fieldErrors, Loading, Notice, ProblemAlert } from '../ui/feedback';
import { FieldGroup, SelectField, TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { SecretOnce } from '../ui/secret';
import { Time } from '../ui/time';

type ApiKey = ItemOf<'api_keys.list'>;
type NewKey = ApiKey & { secret: string };
type Scope = (typeof KEY_SCOPES)[number];
type Access = 'read' | 'write';

const SCOPE_LABELS: Record<Scope, string> = {
  full: 'Full access: everything the key’s user may do',
  read_only: 'Read-only: every read, no writes',
  custom: 'Custom: only the grants chosen below',
};

const OVERLAPS = [
  { seconds: 0, label: 'None: the old key stops now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
];

const KEYS = ['api-keys'] as const;

export const curlLine = (secret: string) => `curl ${window.location.origin}/v1/me -H "Authorization: Bearer ${secret}"`;

export default function ApiKeys() {
  const [issued, setIssued] = useState<{ title: string; key: NewKey } | undefined>();
  return (
    <Page title="API keys" managersOnly intro="Keys let integrations and scripts use the API as one of this workspace’s users. Give each integration its own key with only the access it needs.">
      {issued && <SecretOnce label={issued.title} secret={issued.key.secret} curl={curlLine(issued.key.secret)} />}
      <KeyList onIssued={(key, title) => setIssued({ key, title })} />
      <CreateKey onIssued={(key) => setIssued({ key, title: `Secret of the new key “${key.name}”` })} />
    </Page>
  );
}

function statusOf(key: ApiKey): { label: string; tone: 'good' | 'bad' | '' } {
  if (key.revoked) return { label: 'Revoked', tone: 'bad' };
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) return { label: 'Expired', tone: 'bad' };
  if (key.expires_at) return { label: 'Active until expiry', tone: 'good' };
  return { label: 'Active', tone: 'good' };
}

function KeyList({ onIssued }: { onIssued: (key: NewKey, title: string) => void }) {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: KEYS, queryFn: () => api.apiKeys.list({ limit: 100 }) });
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list({ limit: 100 }) });
  const [notice, setNotice] = useState<string | undefined>();
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => api.apiKeys.revoke(key.id),
    onSuccess: (_done, key) => {
      setNotice(`Key “${key.name}” is revoked: requests with it now get 401.`);
      void queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });
  const ownerName = (id: string) => {
    const user = users.data?.data.find((candidate) => candidate.id === id);
    return user ? user.name || user.email : id;
  };

  if (keys.isPending) return <Loading what="API keys" />;
  if (keys.error) return <ProblemAlert error={keys.error} title="Could not load the keys." />;
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">Keys</h2>
      {notice && <Notice>{notice}</Notice>}
      <ProblemAlert error={revoke.error} title="Could not revoke the key." />
      {keys.data.data.length === 0 ? (
        <p className="empty">No keys yet. Create one below.</p>
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Prefix</th>
                <th scope="col">Owner</th>
                <th scope="col">Scope</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">Expires</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.data.map((key) => {
                const status = statusOf(key);
                const usable = status.tone === 'good';
                return (
                  <tr key={key.id}>
                    <td data-label="Name">{key.name}</td>
                    <td data-label="Prefix">
                      <code>{key.prefix}…</code>
                    </td>
                    <td data-label="Owner">{ownerName(key.user_id)}</td>
                    <td data-label="Scope">
                      {key.scope === 'custom' ? (
                        <>
                          custom: <span className="mono">{key.grants.join(', ')}</span>
                        </>
                      ) : (
                        key.scope.replace('_', '-')
                      )}
                    </td>
                    <td data-label="Created">
                      <Time value={key.created_at} />
                    </td>
                    <td data-label="Last used">
                      <Time value={key.last_used_at} fallback="never" />
                    </td>
                    <td data-label="Expires">
                      <Time value={key.expires_at} fallback="never" />
                    </td>
                    <td data-label="Status">
                      <span className={`badge ${status.tone}`}>{status.label}</span>
                    </td>
                    <td className="actions-cell">
                      {usable && (
                        <>
                          <RotateButton apiKey={key} onIssued={onIssued} />
                          <ConfirmButton
                            small
                            label="Revoke"
                            context={`key ${key.name}`}
                            title={`Revoke “${key.name}”?`}
                            confirmLabel="Revoke key"
                            onConfirm={() => revoke.mutate(key)}
                            disabled={revoke.isPending}
                          >
                            <p>
                              Every integration using the key <code>{key.prefix}…</code> stops working at once. This cannot be undone.
                            </p>
                          </ConfirmButton>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RotateButton({ apiKey, onIssued }: { apiKey: ApiKey; onIssued: (key: NewKey, title: string) => void }) {
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [overlap, setOverlap] = useState('86400');
  const rotate = useMutation({
    mutationFn: () => api.apiKeys.rotate(apiKey.id, { overlap_seconds: Number(overlap) }),
    onSuccess: (key) => {
      setOpen(false);
      onIssued(key, `Secret of “${key.name}”, replacing ${apiKey.prefix}…`);
      void queryClient.invalidateQueries({ queryKey: KEYS });
    },
  });
  return (
    <>
      <button type="button" className="button small" onClick={() => setOpen(true)}>
        Rotate<span className="visually-hidden"> key {apiKey.name}</span>
      </button>
      <Dialog open={open} title={`Rotate “${apiKey.name}”`} onClose={() => setOpen(false)}>
        <p>A new key with the same name, scope and limits replaces this one. Keep the old one working for a while so integrations can switch over.</p>
        <form
          onSubmit={(event) => {
            event.preventDefault();
            rotate.mutate();
          }}
        >
          <SelectField label="Old key keeps working for" value={overlap} onChange={(event) => setOverlap(event.target.value)} errors={fieldErrors(rotate.error, 'overlap_seconds')}>
            {OVERLAPS.map((option) => (
              <option key={option.seconds} value={option.seconds}>
                {option.label}
              </option>
            ))}
          </SelectField>
          <ProblemAlert error={rotate.error} />
          <div className="actions">
            <button type="submit" className="button primary" disabled={rotate.isPending}>
              Rotate key
            </button>
            <button type="button" className="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

type Grants = Partial<Record<(typeof GRANT_RESOURCES)[number], Access>>;

function CreateKey({ onIssued }: { onIssued: (key: NewKey) => void }) {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const users = useQuery({ queryKey: ['users'], queryFn: () => api.users.list({ limit: 100 }) });
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read_only');
  const [grants, setGrants] = useState<Grants>({});
  const [expiresAt, setExpiresAt] = useState('');
  const [rateLimit, setRateLimit] = useState('');
  const [userId, setUserId] = useState('');
  const create = useMutation({
    mutationFn: () => {
      const body: BodyOf<'api_keys.create'> = { name: name.trim(), scope };
      if (scope === 'custom') body.grants = Object.entries(grants).map(([resource, access]) => `${resource}:${access}`);
      if (expiresAt) body.expires_at = new Date(expiresAt).toISOString();
      // Not a number: sent as typed, so the API names the field (never silently dropped).
      if (rateLimit.trim()) body.rate_limit_per_minute = Number.isFinite(Number(rateLimit)) ? Number(rateLimit) : (rateLimit as unknown as number);
      if (userId) body.user_id = userId;
      return api.apiKeys.create(body) as Promise<NewKey>;
    },
    onSuccess: (key) => {
      onIssued(key);
      setName('');
      setGrants({});
      setExpiresAt('');
      setRateLimit('');
      void queryClient.invalidateQueries({ queryKey: KEYS });
      window.scrollTo({ top: 0 });
    },
  });
  const toggle = (resource: (typeof GRANT_RESOURCES)[number], access: Access, on: boolean) =>
    setGrants((current) => {
      const next = { ...current };
      // Write includes read: unticking read removes write too; ticking write ticks read.
      if (on) next[resource] = access === 'write' || current[resource] === 'write' ? 'write' : 'read';
      else if (access === 'write') next[resource] = 'read';
      else delete next[resource];
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <section aria-labelledby="create-key-title" className="card">
      <h2 id="create-key-title">Create a key</h2>
      <form onSubmit={submit} noValidate>
        <TextField label="Name" hint="What uses it, e.g. “Zapier” or “Website form”." value={name} onChange={(event) => setName(event.target.value)} errors={fieldErrors(create.error, 'name')} required maxLength={200} />
        <FieldGroup legend="Scope" errors={fieldErrors(create.error, 'scope')}>
          {KEY_SCOPES.map((option) => (
            <div className="field-check" key={option}>
              <input type="radio" id={`scope-${option}`} name="scope" value={option} checked={scope === option} onChange={() => setScope(option)} />
              <label htmlFor={`scope-${option}`}>{SCOPE_LABELS[option]}</label>
            </div>
          ))}
        </FieldGroup>
        {scope === 'custom' && (
          <FieldGroup legend="Grants" hint="Write includes read." errors={fieldErrors(create.error, 'grants')}>
            <table className="grants">
              <thead>
                <tr>
                  <th scope="col">Resource</th>
                  <th scope="col">Read</th>
                  <th scope="col">Write</th>
                </tr>
              </thead>
              <tbody>
                {GRANT_RESOURCES.map((resource) => (
                  <tr key={resource}>
                    <th scope="row">{resource}</th>
                    {(['read', 'write'] as const).map((access) => (
                      <td key={access}>
                        <input
                          type="checkbox"
                          aria-label={`${resource} ${access}`}
                          checked={access === 'read' ? grants[resource] !== undefined : grants[resource] === 'write'}
                          onChange={(event) => toggle(resource, access, event.target.checked)}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </FieldGroup>
        )}
        <SelectField label="The key acts as" value={userId} onChange={(event) => setUserId(event.target.value)} errors={fieldErrors(create.error, 'user_id')} hint="The key can do what this user may do, within its scope.">
          <option value="">Me ({session.user.email})</option>
          {users.data?.data
            .filter((user) => user.id !== session.user.id)
            .map((user) => (
              <option key={user.id} value={user.id}>
                {user.name || user.email} ({user.role})
              </option>
            ))}
        </SelectField>
        <TextField label="Expires (optional)" type="datetime-local" value={expiresAt} onChange={(event) => setExpiresAt(event.target.value)} errors={fieldErrors(create.error, 'expires_at')} hint="In your time zone. Leave empty for a key that does not expire." />
        <TextField label="Rate limit per minute (optional)" type="number" inputMode="numeric" min={1} max={100000} value={rateLimit} onChange={(event) => setRateLimit(event.target.value)} errors={fieldErrors(create.error, 'rate_limit_per_minute')} hint="Leave empty for the plan’s limit (see Workspace)." />
        <ProblemAlert error={create.error} title="The key was not created." />
        <div className="actions">
          <button type="submit" className="button primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </section>
  );
}
