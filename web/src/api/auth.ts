/**
 * Sign-in, sessions and one-time links (docs/api-guide.md, "Sessions"): the
 * SDK's `auth` calls, with the session's CSRF token remembered for the
 * requests that follow.
 */
import { AuthenticationError, type DataOf } from '@trellis/sdk';
import { api, setCsrfToken } from './client';

export type Session = DataOf<'auth.session'>;
export type LinkInfo = DataOf<'auth.links.get'>;
export type SessionRow = DataOf<'auth.sessions.list'>[number];

const remember = (session: Session): Session => {
  setCsrfToken(session.csrf_token);
  return session;
};

/** The signed-in session, or null when there is none (401). */
export async function currentSession(): Promise<Session | null> {
  try {
    return remember(await api.auth.session());
  } catch (error) {
    if (error instanceof AuthenticationError) {
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

export async function signIn(email: string, password: string): Promise<Session> {
  return remember(await api.auth.signIn({ email, password }));
}

export async function signOut(): Promise<void> {
  await api.auth.signOut();
  setCsrfToken(undefined);
}

export async function signOutEverywhere(): Promise<void> {
  await api.auth.signOutEverywhere();
  setCsrfToken(undefined);
}

export async function acceptLink(token: string, body: { name?: string; password: string }): Promise<Session> {
  return remember(await api.auth.links.accept(token, body));
}
