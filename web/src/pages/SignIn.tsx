/** Sign in with email and password; back to the page that asked (`?next=`), else the start. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { signIn } from '../api/auth';
import { sessionStarted, useSession } from '../app/session';
import { fieldErrors, ProblemAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { useTitle } from '../ui/useTitle';

/** Only a path of this app: never an absolute URL someone put in a link (an open redirect). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function SignIn() {
  useTitle('Sign in');
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { session } = useSession();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const attempt = useMutation({
    mutationFn: () => signIn(email.trim(), password),
    onSuccess: (signedIn) => {
      sessionStarted(queryClient, signedIn);
      navigate(next, { replace: true });
    },
  });
  if (session && !attempt.isPending) return <Navigate to={next} replace />;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    attempt.mutate();
  };
  return (
    <main className="centered narrow" id="main">
      <h1>Sign in to Trellis</h1>
      <form onSubmit={submit} noValidate className="card">
        <TextField label="Email" type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.target.value)} errors={fieldErrors(attempt.error, 'email')} required autoFocus />
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} errors={fieldErrors(attempt.error, 'password')} required />
        <ProblemAlert error={attempt.error} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={attempt.isPending}>
            {attempt.isPending ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      <p className="hint">Forgot your password? Ask an admin of your workspace for a reset link.</p>
    </main>
  );
}
