/**
 * Search everywhere: a button in the top bar and Ctrl-K / ⌘K open one box over
 * contacts, companies, leads and deals; results come as you type (the API's
 * prefix search over names, every email, phones and domains).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client';
import { Dialog } from '../ui/dialog';
import { ProblemAlert } from '../ui/feedback';

const PATH = { contact: 'contacts', company: 'companies', lead: 'leads', deal: 'deals' } as const;

export function SearchBox() {
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [q, setQ] = useState('');
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  // Results follow the typing, a beat after the last key.
  useEffect(() => {
    const timer = setTimeout(() => setQ(typed.trim()), 120);
    return () => clearTimeout(timer);
  }, [typed]);
  const results = useQuery({
    queryKey: ['search', q],
    enabled: open && /[\p{L}\p{N}]/u.test(q),
    queryFn: async () => (await api.search({ q, limit: 10 })).data,
    placeholderData: (previous) => previous,
  });
  const go = (type: keyof typeof PATH, id: string) => {
    setOpen(false);
    setTyped('');
    void navigate(`/${PATH[type]}/${id}`);
  };
  return (
    <>
      <button type="button" className="button" onClick={() => setOpen(true)} aria-keyshortcuts="Control+K Meta+K">
        Search <kbd>Ctrl K</kbd>
      </button>
      <Dialog open={open} title="Search" onClose={() => setOpen(false)}>
        <div className="field">
          <label htmlFor="global-search">Search contacts, companies, leads and deals</label>
          <input id="global-search" type="search" autoFocus value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        </div>
        <ProblemAlert error={results.error} />
        {q !== '' && results.data && (
          // data-query names the term these results are for (not while the previous term's stay shown): the benchmark waits for it.
          <ul className="search-results" aria-label="Search results" data-query={results.isPlaceholderData ? undefined : q}>
            {results.data.length === 0 && <li className="empty">Nothing matches “{q}”.</li>}
            {results.data.map((hit) => (
              <li key={`${hit.type}-${hit.id}`}>
                <button type="button" className="link-button" onClick={() => go(hit.type, hit.id)}>
                  {hit.title}
                </button>{' '}
                <span className="badge">{hit.type}</span> {hit.subtitle && <span className="hint">{hit.subtitle}</span>}
              </li>
            ))}
          </ul>
        )}
        <div className="actions">
          <button type="button" className="button" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      </Dialog>
    </>
  );
}
