/** Settings: one page per file, loaded when first opened. */
import type { ComponentType } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import type { Area, NavEntry } from '../app/areas';

const MANAGERS = ['owner', 'admin'] as const;

const PAGES: Array<NavEntry & { path: string; load: () => Promise<{ default: ComponentType }> }> = [
  { path: 'settings/api-keys', to: '/settings/api-keys', label: 'API keys', roles: MANAGERS, load: () => import('./ApiKeys') },
  { path: 'settings/webhooks', to: '/settings/webhooks', label: 'Webhooks', roles: MANAGERS, load: () => import('./Webhooks') },
  { path: 'settings/sandboxes', to: '/settings/sandboxes', label: 'Sandboxes', roles: MANAGERS, load: () => import('./Sandboxes') },
  { path: 'settings/users', to: '/settings/users', label: 'Users', roles: MANAGERS, load: () => import('./Users') },
  { path: 'settings/workspace', to: '/settings/workspace', label: 'Workspace', load: () => import('./Workspace') },
  { path: 'settings/events', to: '/settings/events', label: 'Events', load: () => import('./Events') },
  { path: 'settings/profile', to: '/settings/profile', label: 'Profile', load: () => import('./Profile') },
];

export const settingsArea: Area = {
  id: 'settings',
  label: 'Settings',
  nav: PAGES.map(({ to, label, roles }) => ({ to, label, ...(roles && { roles }) })),
  routes: [
    { path: 'settings', element: <Navigate to="/settings/profile" replace /> },
    ...PAGES.map(
      ({ path, load }): RouteObject => ({
        path,
        lazy: async () => ({ Component: (await load()).default }),
      }),
    ),
  ],
};
