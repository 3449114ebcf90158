/** Your own account: name, password, the browsers signed in as you (revoke one, or sign out everywhere). */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { signOutEverywhere, type SessionRow } from '../api/auth';
import { api } from '../api/client';
import { SESSION_KEY, useSignedIn } from '../app/session';
import { ConfirmButton } from '../ui/dialog';
import { fieldErrors, Loading, Notice, ProblemAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { Time } from '../ui/time';

export default function Profile() {
  const session = useSignedIn();
  return (
    <Page title="Profile" intro={`Signed in as ${session.user.email} (${session.user.role}) in ${session.workspace.name}.`}>
      <NameForm />
      <PasswordForm />
      <Sessions />
    </Page>
  );
}

function NameForm() {
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const [name, setName] = useState(session.user.name ?? '');
  const save = useMutation({
    mutationFn: () => api.auth.updateProfile({ name: name.trim() }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: SESSION_KEY }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="card" aria-labelledby="name-title">
      <h2 id="name-title">Name</h2>
      <TextField label="Your name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} errors={fieldErrors(save.error, 'name')} required maxLength={200} />
      <ProblemAlert error={save.error} title="Not saved." />
      {save.isSuccess && <Notice>Saved.</Notice>}
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          Save name
        </button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const session = useSignedIn();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => api.auth.changePassword({ current_password: current, new_password: next }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(next !== repeat);
    if (next === repeat) change.mutate();
  };
  return (
    <form onSubmit={submit} noValidate className="card" aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <input type="email" hidden readOnly autoComplete="username" value={session.user.email} />
      <TextField label="Current password" type="password" autoComplete="current-password" value={current} onChange={(event) => setCurrent(event.target.value)} errors={fieldErrors(change.error, 'current_password')} required />
      <TextField label="New password" type="password" autoComplete="new-password" hint="10 to 200 characters." value={next} onChange={(event) => setNext(event.target.value)} errors={fieldErrors(change.error, 'new_password')} required />
      <TextField label="Repeat the new password" type="password" autoComplete="new-password" value={repeat} onChange={(event) => setRepeat(event.target.value)} errors={mismatch ? ['The two passwords differ.'] : undefined} required />
      <ProblemAlert error={change.error} title="The password was not changed." />
      {change.isSuccess && <Notice>Password changed.</Notice>}
      <div className="actions">
        <button type="submit" className="button primary" disabled={change.isPending}>
          Change password
        </button>
      </div>
    </form>
  );
}

function Sessions() {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const sessions = useQuery({ queryKey: ['sessions'], queryFn: () => api.auth.sessions.list() });
  const revoke = useMutation({
    mutationFn: (row: SessionRow) => api.auth.sessions.revoke(row.id),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['sessions'] }),
  });
  const everywhere = useMutation({
    mutationFn: signOutEverywhere,
    onSuccess: () => {
      queryClient.clear();
      navigate('/sign-in', { replace: true });
    },
  });
  return (
    <section aria-labelledby="sessions-title" className="card">
      <h2 id="sessions-title">Where you are signed in</h2>
      <ProblemAlert error={revoke.error} title="Could not end that session." />
      <ProblemAlert error={everywhere.error} title="Could not sign out everywhere." />
      {sessions.isPending ? (
        <Loading what="sessions" />
      ) : sessions.error ? (
        <ProblemAlert error={sessions.error} title="Could not load the sessions." />
      ) : (
        <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Address</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last active</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.map((row) => (
                <tr key={row.id}>
                  <td data-label="Browser">
                    {row.user_agent ?? 'unknown'}
                    {row.current && <strong> (this browser)</strong>}
                  </td>
                  <td data-label="Address">{row.ip ?? '—'}</td>
                  <td data-label="Signed in">
                    <Time value={row.created_at} />
                  </td>
                  <td data-label="Last active">
                    <Time value={row.last_used_at} />
                  </td>
                  <td data-label="Expires">
                    <Time value={row.expires_at} />
                  </td>
                  <td className="actions-cell">
                    {!row.current && (
                      <button type="button" className="button small danger" onClick={() => revoke.mutate(row)} disabled={revoke.isPending}>
                        Sign out<span className="visually-hidden"> the session from {row.user_agent ?? 'an unknown browser'}, signed in {row.created_at}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="actions">
        <ConfirmButton label="Sign out everywhere" title="Sign out everywhere?" confirmLabel="Sign out everywhere" onConfirm={() => everywhere.mutate()}>
          <p>Every browser signed in as you, this one included, is signed out at once. API keys keep working.</p>
        </ConfirmButton>
      </div>
    </section>
  );
}
