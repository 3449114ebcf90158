/**
 * The signed-in session as shared state: the query that reads it, and the
 * "session ended" flag any failed call can raise (a session revoked in another
 * tab, signed out everywhere). The layout then asks to sign in again in a
 * dialog over the page, so a half-filled form survives.
 */
import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import { currentSession, type Session } from '../api/auth';

export const SESSION_KEY = ['session'] as const;

export function useSession(): { session: Session | null | undefined; isLoading: boolean; error: unknown } {
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: currentSession, staleTime: 60_000, retry: false });
  return { session: query.data, isLoading: query.isPending, error: query.error };
}

/** The session a page under the signed-in layout runs in (the layout guarantees one). */
export function useSignedIn(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedIn outside the signed-in layout');
  return session;
}

export const canManage = (session: Session): boolean => session.user.role === 'owner' || session.user.role === 'admin';

let ended = false;
const listeners = new Set<() => void>();

/** Raised by a call that got 401: the page stays, a sign-in dialog opens over it. */
export function markSessionEnded(): void {
  if (ended) return;
  ended = true;
  for (const listener of listeners) listener();
}

/** A new session (signed in, a link accepted): the app's state starts from it, with no "session ended" left over. */
export function sessionStarted(queryClient: QueryClient, session: Session): void {
  queryClient.setQueryData(SESSION_KEY, session);
  if (!ended) return;
  ended = false;
  for (const listener of listeners) listener();
}

export function useSessionEnded(): { ended: boolean; resume: (session: Session) => void } {
  const value = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => ended,
  );
  const queryClient = useQueryClient();
  const resume = useCallback(
    (session: Session) => {
      sessionStarted(queryClient, session);
      void queryClient.invalidateQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
    },
    [queryClient],
  );
  return { ended: value, resume };
}
