/**
 * A one-time link (/accept/<token>): an invitation (set name and password),
 * a password reset, or the owner's first sign-in from the start-up banner.
 * The token stays in the address bar only: the page sends no Referer.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { acceptLink, type LinkInfo } from '../api/auth';
import { api } from '../api/client';
import { problemOf } from '../api/problems';
import { sessionStarted } from '../app/session';
import { fieldErrors, Loading, ProblemAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { Time } from '../ui/time';
import { useTitle } from '../ui/useTitle';

const HEADINGS: Record<LinkInfo['kind'], string> = {
  invitation: 'Join the workspace',
  password_reset: 'Choose a new password',
  bootstrap: 'Set the owner’s password',
};

export function Accept() {
  useTitle('Accept link');
  const { token = '' } = useParams();
  const link = useQuery({ queryKey: ['link', token], queryFn: () => api.auth.links.get(token), retry: false, refetchOnWindowFocus: false });

  if (link.isPending) return <Loading what="the link" />;
  if (link.error) {
    const problem = problemOf(link.error);
    const gone = problem.kind === 'not_found';
    return (
      <main className="centered narrow" id="main">
        <h1>This link cannot be used</h1>
        <div className="alert alert-error" role="alert">
          {gone ? linkGoneMessage(link.error) : problem.message}
        </div>
        <p>
          Ask the person who sent it for a new one, or <Link to="/sign-in">sign in</Link> if you already have a password.
        </p>
      </main>
    );
  }
  return <AcceptForm token={token} info={link.data} />;
}

function linkGoneMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'link_used') return 'This link has already been used. A link works once.';
  if (code === 'link_expired') return 'This link has expired.';
  return 'This link is not valid: it may have been mistyped, replaced by a newer one or withdrawn.';
}

function AcceptForm({ token, info }: { token: string; info: LinkInfo }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const accept = useMutation({
    mutationFn: () => acceptLink(token, { ...(info.kind === 'invitation' && name.trim() !== '' && { name: name.trim() }), password }),
    onSuccess: (session) => {
      sessionStarted(queryClient, session);
      navigate('/', { replace: true });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    accept.mutate();
  };
  const passwordErrors = [...(fieldErrors(accept.error, 'password') ?? []), ...(fieldErrors(accept.error, 'new_password') ?? [])];
  return (
    <main className="centered narrow" id="main">
      <h1>{HEADINGS[info.kind]}</h1>
      <p>
        {info.kind === 'invitation' ? 'You are invited to' : 'Workspace'} <strong>{info.workspace.name}</strong> as <strong>{info.email}</strong>
        {info.role && <> ({info.role})</>}. This link expires <Time value={info.expires_at} />.
      </p>
      <form onSubmit={submit} noValidate className="card">
        {info.kind === 'invitation' && <TextField label="Your name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} errors={fieldErrors(accept.error, 'name')} />}
        <input type="email" hidden readOnly autoComplete="username" value={info.email} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="10 to 200 characters. A long phrase is easier to remember and harder to guess."
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          errors={passwordErrors.length > 0 ? passwordErrors : undefined}
          required
        />
        <TextField
          label="Repeat the password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(event) => setRepeat(event.target.value)}
          errors={mismatch ? ['The two passwords differ.'] : undefined}
          required
        />
        <ProblemAlert error={accept.error} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={accept.isPending}>
            {accept.isPending ? 'Saving…' : info.kind === 'invitation' ? 'Join and sign in' : 'Save password and sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
