/** Sign in again without leaving the page, when a call found the session gone (revoked in another tab, expired). */
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { signIn } from '../api/auth';
import { Dialog } from '../ui/dialog';
import { fieldErrors, ProblemAlert } from '../ui/feedback';
import { TextField } from '../ui/fields';
import { useSessionEnded } from './session';

export function SessionEndedDialog({ email }: { email: string }) {
  const { ended, resume } = useSessionEnded();
  const [password, setPassword] = useState('');
  const again = useMutation({
    mutationFn: () => signIn(email, password),
    onSuccess: (session) => {
      setPassword('');
      resume(session);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    again.mutate();
  };
  return (
    <Dialog open={ended} title="Your session has ended" onClose={() => undefined} dismissible={false}>
      <p>You were signed out (from another tab or device, or the session expired). Sign in again to carry on: this page and what you typed stay as they are.</p>
      <form onSubmit={submit} noValidate>
        <p>
          Signing in as <strong>{email}</strong>. <a href="/sign-in">Sign in as someone else</a>
        </p>
        <TextField label="Password" type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} errors={fieldErrors(again.error, 'password')} required />
        <ProblemAlert error={again.error} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={again.isPending}>
            {again.isPending ? 'Signing in…' : 'Sign in again'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
