/** The change log: recent events, newest first, filtered by type and record, each with its JSON. */
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { SUBSCRIBABLE_EVENT_TYPES } from '../api/catalogue';
import { api } from '../api/client';
import { fieldErrors, Loading, ProblemAlert } from '../ui/feedback';
import { SelectField, TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { Json } from '../ui/json';
import { Time } from '../ui/time';

interface Filters {
  type: string;
  record: string;
}

export default function Events() {
  const [typed, setTyped] = useState<Filters>({ type: '', record: '' });
  const [filters, setFilters] = useState<Filters>({ type: '', record: '' });
  const events = useInfiniteQuery({
    queryKey: ['events', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api.events.list({
        sort: '-created_at',
        limit: 25,
        ...(filters.type && { type: filters.type }),
        ...(filters.record && { record_id: filters.record }),
        ...(pageParam && { cursor: pageParam }),
      }),
    getNextPageParam: (page) => (page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setFilters({ type: typed.type, record: typed.record.trim() });
  };
  const rows = events.data?.pages.flatMap((page) => page.data) ?? [];
  return (
    <Page title="Events" intro="Every change in the workspace, as webhooks and GET /v1/events carry it. Kept for a limited time (EVENT_RETENTION_DAYS).">
      <form onSubmit={submit} noValidate className="toolbar" aria-label="Filter events">
        <SelectField label="Type" value={typed.type} onChange={(event) => setTyped({ ...typed, type: event.target.value })}>
          <option value="">Any type</option>
          {['ping', ...SUBSCRIBABLE_EVENT_TYPES].map((type) => (
            <option key={type} value={type}>
              {type}
            </option>
          ))}
        </SelectField>
        <TextField label="Record id" placeholder="con_…" value={typed.record} onChange={(event) => setTyped({ ...typed, record: event.target.value })} errors={fieldErrors(events.error, 'record_id')} />
        <button type="submit" className="button primary">
          Filter
        </button>
      </form>
      {events.isPending ? (
        <Loading what="events" />
      ) : events.error && rows.length === 0 ? (
        <ProblemAlert error={events.error} title="Could not load the events." />
      ) : rows.length === 0 ? (
        <p className="empty">No events match.</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Type</th>
                  <th scope="col">Record</th>
                  <th scope="col">By</th>
                  <th scope="col">JSON</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((event) => {
                  const record = (event.data.object as { id?: string } | null)?.id;
                  return (
                    <tr key={event.id}>
                      <td data-label="When">
                        <Time value={event.created_at} />
                      </td>
                      <td data-label="Type">
                        <code>{event.type}</code>
                      </td>
                      <td data-label="Record">
                        {record ? (
                          <button type="button" className="link-button" onClick={() => {
                              setTyped({ type: '', record });
                              setFilters({ type: '', record });
                            }} aria-label={`Show the events of ${record}`}>
                            {record}
                          </button>
                        ) : (
                          '—'
                        )}
                      </td>
                      <td data-label="By">
                        <span className="mono">{event.actor.key_id ?? event.actor.user_id ?? 'Trellis'}</span>
                      </td>
                      <td data-label="JSON">
                        <details>
                          <summary>
                            Show<span className="visually-hidden"> the JSON of {event.id}</span>
                          </summary>
                          <Json value={event} label={`JSON of ${event.id}`} />
                        </details>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {events.error && <ProblemAlert error={events.error} title="Could not load more." />}
          {events.hasNextPage && (
            <div className="actions">
              <button type="button" className="button" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
                {events.isFetchingNextPage ? 'Loading…' : 'Load older events'}
              </button>
            </div>
          )}
        </>
      )}
    </Page>
  );
}
