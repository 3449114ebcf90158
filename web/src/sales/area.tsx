/**
 * The sales workspace: pipeline board, records and their pages, leads inbox,
 * my tasks and reports. Each page is its own file, loaded on demand.
 */
import type { RouteObject } from 'react-router';
import type { Area } from '../app/areas';

const page = (path: string, load: () => Promise<{ default: () => React.ReactNode }>): RouteObject => ({
  path,
  lazy: async () => ({ Component: (await load()).default }),
});

export const salesArea: Area = {
  id: 'sales',
  label: 'Sales',
  nav: [
    { to: '/pipeline', label: 'Pipeline' },
    { to: '/contacts', label: 'Contacts' },
    { to: '/companies', label: 'Companies' },
    { to: '/leads', label: 'Leads' },
    { to: '/deals', label: 'Deals' },
    { to: '/tasks', label: 'My tasks' },
    { to: '/reports', label: 'Reports' },
  ],
  routes: [
    page('pipeline', () => import('./Pipeline')),
    page('contacts', () => import('./Contacts')),
    page('companies', () => import('./Companies')),
    page('leads', () => import('./Leads')),
    page('deals', () => import('./Deals')),
    page('tasks', () => import('./Tasks')),
    page('reports', () => import('./Reports')),
    page('contacts/:id', () => import('./RecordPage')),
    page('companies/:id', () => import('./RecordPage')),
    page('leads/:id', () => import('./RecordPage')),
    page('deals/:id', () => import('./RecordPage')),
  ],
};
