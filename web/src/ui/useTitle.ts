import { useEffect } from 'react';

/** The document's title for a page: screen readers announce it, tabs show it. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Trellis`;
  }, [title]);
}
