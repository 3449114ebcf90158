import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

/** A page that failed to load or render (a chunk missing after an upgrade, a bug): say so, offer a way on. */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : error instanceof Error ? error.message : String(error);
  return (
    <main className="centered" id="main">
      <h1>Something went wrong</h1>
      <p role="alert">This page could not be shown: {message}</p>
      <p>
        <a href={window.location.pathname}>Reload the page</a> or <Link to="/">go to the start</Link>.
      </p>
    </main>
  );
}
