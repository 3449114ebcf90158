/** The workspace: its name (owners and admins change it), its plan and the rate limits the plan gives each API key. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { PLAN_BUDGETS, PLANS } from '../api/catalogue';
import { api } from '../api/client';
import { canManage, SESSION_KEY, useSignedIn } from '../app/session';
import { fieldErrors, Loading, Notice, ProblemAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { Time } from '../ui/time';

export default function Workspace() {
  const session = useSignedIn();
  const workspace = useQuery({ queryKey: ['workspace'], queryFn: () => api.workspace.get() });
  return (
    <Page title="Workspace" intro="The workspace holds your team’s records, users and keys.">
      {workspace.isPending ? (
        <Loading what="the workspace" />
      ) : workspace.error ? (
        <ProblemAlert error={workspace.error} title="Could not load the workspace." />
      ) : (
        <>
          <dl className="facts card">
            <dt>Name</dt>
            <dd>{workspace.data.name}</dd>
            <dt>Id</dt>
            <dd>
              <code>{workspace.data.id}</code>
            </dd>
            <dt>Plan</dt>
            <dd>{workspace.data.plan ?? 'none (the instance’s default limits)'}</dd>
            <dt>Created</dt>
            <dd>
              <Time value={workspace.data.created_at} />
            </dd>
          </dl>
          {canManage(session) && <RenameWorkspace name={workspace.data.name} version={workspace.data.version} />}
          <section aria-labelledby="limits-title">
            <h2 id="limits-title">Rate limits</h2>
            <p>
              Each API key may make this many requests per minute, with short bursts up to the burst size. A key created with its own limit uses that instead. A request over the limit gets 429 with <code>Retry-After</code>.
            </p>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    <th scope="col">Plan</th>
                    <th scope="col">Requests per minute</th>
                    <th scope="col">Burst</th>
                  </tr>
                </thead>
                <tbody>
                  {PLANS.map((plan) => (
                    <tr key={plan} aria-current={plan === workspace.data.plan || undefined}>
                      <td data-label="Plan">
                        {plan}
                        {plan === workspace.data.plan && <strong> (this workspace)</strong>}
                      </td>
                      <td data-label="Requests per minute">{PLAN_BUDGETS[plan].perMinute}</td>
                      <td data-label="Burst">{PLAN_BUDGETS[plan].burst}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {workspace.data.plan === null && <p>This workspace has no plan: its keys get the instance’s default limit (RATE_LIMIT_PER_MINUTE, set by whoever runs Trellis).</p>}
          </section>
        </>
      )}
    </Page>
  );
}

function RenameWorkspace({ name: current, version }: { name: string; version: number }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(current);
  const rename = useMutation({
    mutationFn: () => api.workspace.update({ name: name.trim() }, { ifMatch: version }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['workspace'] });
      void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    rename.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="card">
      <h2>Rename</h2>
      <TextField label="Workspace name" value={name} onChange={(event) => setName(event.target.value)} errors={fieldErrors(rename.error, 'name')} required maxLength={200} />
      <ProblemAlert error={rename.error} title="Not renamed." />
      {rename.isSuccess && <Notice>Renamed.</Notice>}
      <div className="actions">
        <button type="submit" className="button primary" disabled={rename.isPending}>
          Save name
        </button>
      </div>
    </form>
  );
}
