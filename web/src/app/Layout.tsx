/**
 * The signed-in frame: skip link, header (workspace, user, sign out), the
 * navigation built from the areas, and the page. Without a session it sends
 * the visitor to sign in (and back here afterwards).
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { signOut } from '../api/auth';
import { isSessionEnded, problemOf } from '../api/problems';
import { ProblemAlert } from '../ui/feedback';
import { AREAS } from './areas';
import { SearchBox } from '../sales/SearchBox';
import { SessionEndedDialog } from './SessionEndedDialog';
import { SESSION_KEY, useSession } from './session';

export function Layout() {
  const { session, isLoading, error } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [menuOpen, setMenuOpen] = useState(false);
  const signedOut = () => {
    queryClient.clear();
    navigate('/sign-in', { replace: true });
  };
  const out = useMutation({
    mutationFn: signOut,
    onSuccess: signedOut,
    // Already ended elsewhere: signed out is what was asked for.
    onError: (error) => isSessionEnded(error) && signedOut(),
  });

  // A new page closes the menu on narrow screens.
  useEffect(() => setMenuOpen(false), [location.pathname]);

  if (isLoading) {
    return (
      <p className="centered" role="status">
        Loading Trellis…
      </p>
    );
  }
  if (error) {
    return (
      <main className="centered" id="main">
        <h1>Trellis</h1>
        <div className="alert alert-error" role="alert">
          {problemOf(error).message}
        </div>
        <button type="button" className="button primary" onClick={() => queryClient.invalidateQueries({ queryKey: SESSION_KEY })}>
          Try again
        </button>
      </main>
    );
  }
  if (!session) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;

  const role = session.user.role;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <button type="button" className="button menu-button" aria-expanded={menuOpen} aria-controls="app-nav" onClick={() => setMenuOpen((open) => !open)}>
          Menu
        </button>
        <span className="brand">Trellis</span>
        <span className="workspace-name">{session.workspace.name}</span>
        <SearchBox />
        <span className="user">
          <span className="user-name">{session.user.name || session.user.email}</span>
          <span className="role">{role}</span>
        </span>
        <button type="button" className="button" onClick={() => out.mutate()} disabled={out.isPending}>
          Sign out
        </button>
      </header>
      <nav id="app-nav" aria-label="Main" className={menuOpen ? 'nav open' : 'nav'}>
        {AREAS.map((area) => {
          const entries = area.nav.filter((entry) => !entry.roles || entry.roles.includes(role));
          if (entries.length === 0) return null;
          return (
            <div key={area.id} className="nav-group">
              <h2 id={`nav-${area.id}`}>{area.label}</h2>
              <ul aria-labelledby={`nav-${area.id}`}>
                {entries.map((entry) => (
                  <li key={entry.to}>
                    <NavLink to={entry.to}>{entry.label}</NavLink>
                  </li>
                ))}
              </ul>
            </div>
          );
        })}
      </nav>
      <main id="main" tabIndex={-1} className="content">
        {out.error !== null && <ProblemAlert error={out.error} title="Could not sign out." />}
        <Outlet />
      </main>
      <SessionEndedDialog email={session.user.email} />
    </div>
  );
}
