/** A Settings page's frame: its title (document and heading) and a line on what it is for. */
import type { ReactNode } from 'react';
import { useSignedIn, canManage } from '../app/session';
import { useTitle } from './useTitle';

export function Page({ title, intro, children, managersOnly = false }: { title: string; intro?: ReactNode; children: ReactNode; managersOnly?: boolean }) {
  useTitle(title);
  const session = useSignedIn();
  if (managersOnly && !canManage(session)) {
    return (
      <>
        <h1>{title}</h1>
        <div className="alert alert-warning" role="alert">
          Only the workspace’s owners and admins can open {title}. You are signed in as a member; ask an admin if you need access.
        </div>
      </>
    );
  }
  return (
    <>
      <h1>{title}</h1>
      {intro && <p className="intro">{intro}</p>}
      {children}
    </>
  );
}
