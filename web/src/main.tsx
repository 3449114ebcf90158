import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { APIError } from '@trellis/sdk';
import { isSessionEnded } from './api/problems';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { RouterProvider } from 'react-router';
import { router } from './app/router';
import { markSessionEnded, SESSION_KEY } from './app/session';
import './styles.css';

const ended = (error: unknown) => {
  if (isSessionEnded(error)) markSessionEnded();
};

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: (error, query) => query.queryKey[0] !== SESSION_KEY[0] && ended(error) }),
  mutationCache: new MutationCache({ onError: ended }),
  defaultOptions: {
    queries: {
      // An answer from the API (403, 404, 422…) will not change on a retry; a dropped connection might.
      retry: (failures, error) => !(error instanceof APIError && error.status < 500) && failures < 2,
      refetchOnWindowFocus: true,
    },
  },
});

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
