/** The route tree: public pages (sign-in, accept a link), and every area under the signed-in layout. */
import { createBrowserRouter, Navigate } from 'react-router';
import { AREAS } from './areas';
import { Layout } from './Layout';
import { RouteError } from './RouteError';
import { NotFound } from '../pages/NotFound';
import { SignIn } from '../pages/SignIn';
import { Accept } from '../pages/Accept';

const firstPage = AREAS.find((area) => area.nav.length > 0)?.nav[0]?.to ?? '/settings';

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignIn />, errorElement: <RouteError /> },
  { path: '/accept/:token', element: <Accept />, errorElement: <RouteError /> },
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [{ index: true, element: <Navigate to={firstPage} replace /> }, ...AREAS.flatMap((area) => area.routes), { path: '*', element: <NotFound /> }],
  },
]);
