/**
 * What the sales pages share: money and dates as a person reads them, the
 * workspace's users, pipelines and tags (read once, cached), live updates from
 * the event stream, a record's timeline and the "log activity" and "new task"
 * forms.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { DuplicateError } from '@trellis/sdk';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { useSession } from '../app/session';
import { fieldErrors, Loading, ProblemAlert } from '../ui/feedback';
import { SelectField, TextArea, TextField } from '../ui/fields';
import { Time } from '../ui/time';

export type RecordKind = 'contacts' | 'companies' | 'leads' | 'deals';

/** 1250000 USD → "$12,500.00": minor units, in the browser's locale; never summed across currencies. */
export function money(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat(undefined, { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 10 ** digits);
}

/** { USD: 100, EUR: 5 } → "$1.00 · €0.05" (each currency on its own). */
export function moneyTotals(totals: Record<string, number> | undefined): string {
  const entries = Object.entries(totals ?? {});
  return entries.length === 0 ? '—' : entries.map(([currency, amount]) => money(amount, currency)).join(' · ');
}

/** "Jane Smith" from a record's name fields. */
export const personName = (r: { first_name?: string | null; last_name?: string | null; email?: string | null }): string =>
  [r.first_name, r.last_name].filter(Boolean).join(' ') || r.email || '(no name)';

export const daysSince = (iso: string): number => Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 86_400_000));

/** The workspace's users by id (owner names and pickers). */
export function useUsers() {
  return useQuery({ queryKey: ['users'], queryFn: async () => (await api.users.list({ limit: 100 })).data, staleTime: 60_000 });
}

export function usePipelines() {
  return useQuery({ queryKey: ['pipelines'], queryFn: async () => (await api.pipelines.list({ limit: 100 })).data, staleTime: 60_000 });
}

export function useTags() {
  return useQuery({ queryKey: ['tags'], queryFn: async () => (await api.tags.list({ limit: 100, sort: 'name' })).data, staleTime: 60_000 });
}

/**
 * Follows the workspace's events (GET /v1/events/stream, with the session
 * cookie) and calls `onEvent` for each: the page refreshes what it shows when
 * a record changes elsewhere. EventSource reconnects by itself and resumes
 * with Last-Event-ID.
 */
export function useEventStream(filter: string, onEvent: (event: { id: string; type: string; data: { object?: { id?: string } } }) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`/v1/events/stream?${filter}`, { withCredentials: true });
    source.onmessage = (message) => {
      try {
        handler.current(JSON.parse(message.data as string));
      } catch {
        // A message that is not an event is not ours to show.
      }
    };
    source.addEventListener('reset', () => handler.current({ id: '', type: 'reset', data: {} }));
    return () => source.close();
  }, [filter]);
}

/** A 409 duplicate names the record that already has the value: link to it. */
export function DuplicateLink({ error, kind }: { error: unknown; kind: RecordKind }) {
  if (!(error instanceof DuplicateError) || !error.existingId) return null;
  return (
    <p className="alert alert-warning" role="alert">
      {error.field ? `Another record already has this ${error.field}. ` : 'This record already exists. '}
      <Link to={`/${kind}/${error.existingId}`}>Open the existing record</Link>
    </p>
  );
}

type TimelineEntry = Awaited<ReturnType<typeof api.contacts.timeline>>['data'][number];

/** Activities, tasks and stage changes of a record, newest first, with "show older". */
export function Timeline({ kind, id }: { kind: 'contacts' | 'companies' | 'deals' | 'leads'; id: string }) {
  const { data: pipelines } = usePipelines();
  const stageName = (stageId: string | null) => pipelines?.flatMap((p) => p.stages).find((s) => s.id === stageId)?.name ?? stageId ?? '—';
  const timeline = useInfiniteQuery({
    queryKey: ['timeline', kind, id],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => api[kind].timeline(id, { limit: 25, ...(pageParam && { cursor: pageParam }) }),
    getNextPageParam: (page) => (page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined),
  });
  const entries: TimelineEntry[] = timeline.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section aria-labelledby={`timeline-${id}`}>
      <h2 id={`timeline-${id}`}>Timeline</h2>
      {timeline.isPending ? (
        <Loading what="the timeline" />
      ) : timeline.error ? (
        <ProblemAlert error={timeline.error} title="Could not load the timeline." />
      ) : entries.length === 0 ? (
        <p className="empty">Nothing yet. Log a call, email, meeting or note above.</p>
      ) : (
        <ol className="timeline">
          {entries.map((entry) => (
            <li key={`${entry.type}-${entry.id}`}>
              <Time value={entry.at} />{' '}
              {entry.type === 'activity' && entry.activity ? (
                <>
                  <span className="badge">{entry.activity.type}</span> <strong>{entry.activity.subject ?? '(no subject)'}</strong>
                  {entry.activity.body && <p className="timeline-body">{entry.activity.body}</p>}
                </>
              ) : entry.type === 'task' && entry.task ? (
                <>
                  <span className="badge">task</span> {entry.task.title} {entry.task.status === 'completed' ? '(completed)' : entry.task.due_at ? <>(due <Time value={entry.task.due_at} />)</> : ''}
                </>
              ) : entry.stage_change ? (
                <>
                  <span className="badge">stage</span> {entry.stage_change.from_stage_id ? `${stageName(entry.stage_change.from_stage_id)} → ` : 'Created in '}
                  {stageName(entry.stage_change.to_stage_id)}
                </>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {timeline.hasNextPage && (
        <button type="button" className="button" onClick={() => void timeline.fetchNextPage()}>
          Show older
        </button>
      )}
    </section>
  );
}

const ACTIVITY_TYPES = ['call', 'email', 'meeting', 'note'] as const;

/** A select's options for API words (`call`, `high`), each shown capitalised. */
function WordOptions({ words }: { words: readonly string[] }) {
  return (
    <>
      {words.map((word) => (
        <option key={word} value={word}>
          {word[0]?.toUpperCase()}
          {word.slice(1)}
        </option>
      ))}
    </>
  );
}

/** Log a call, email, meeting or note on a record (and the records linked to it). */
export function LogActivity({ links }: { links: { contact_id?: string; company_id?: string; deal_id?: string; lead_id?: string } }) {
  const client = useQueryClient();
  const [type, setType] = useState<(typeof ACTIVITY_TYPES)[number]>('call');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [done, setDone] = useState(false);
  const log = useMutation({
    mutationFn: () => api.activities.create({ type, subject: subject.trim() || null, body: body.trim() || null, ...links }),
    onSuccess: () => {
      setSubject('');
      setBody('');
      setDone(true);
      void client.invalidateQueries({ queryKey: ['timeline'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setDone(false);
    log.mutate();
  };
  return (
    <form className="card" onSubmit={submit} aria-label="Log activity" noValidate>
      <h2>Log activity</h2>
      <div className="toolbar">
        <SelectField label="Type" value={type} onChange={(e) => setType(e.target.value as (typeof ACTIVITY_TYPES)[number])}>
          <WordOptions words={ACTIVITY_TYPES} />
        </SelectField>
        <TextField label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} errors={fieldErrors(log.error, 'subject')} />
      </div>
      <TextArea label="Notes" value={body} onChange={(e) => setBody(e.target.value)} errors={fieldErrors(log.error, 'body')} />
      <ProblemAlert error={log.error} title="Could not log the activity." />
      {done && (
        <p role="status" className="copy-status">
          Logged.
        </p>
      )}
      <button type="submit" className="button primary" disabled={log.isPending}>
        Log {type}
      </button>
    </form>
  );
}

const TASK_PRIORITIES = ['low', 'normal', 'high'] as const;
const NOBODY = 'nobody';

type Task = Awaited<ReturnType<typeof api.tasks.get>>;
type Links = { contact_id?: string; company_id?: string; deal_id?: string; lead_id?: string };

/** An instant as a `datetime-local` value in the browser's time zone ("2026-12-07T17:30"). */
function localInput(iso: string | null): string {
  if (iso === null) return '';
  const at = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

/** Create a task: assigned to the signed-in user unless another (or nobody) is chosen, linked to the record when on one. */
export function NewTask({ links = {} }: { links?: Links }) {
  return <TaskForm links={links} />;
}

/** Change a task's title, due time, priority or assignee (with If-Match: a change made meanwhile is said, not overwritten). */
export function EditTask({ task, onDone }: { task: Task; onDone: () => void }) {
  return <TaskForm task={task} onDone={onDone} />;
}

function TaskForm({ task, links = {}, onDone }: { task?: Task; links?: Links; onDone?: () => void }) {
  const client = useQueryClient();
  const { session } = useSession();
  const users = useUsers();
  const [title, setTitle] = useState(task?.title ?? '');
  // A `datetime-local` value: the browser's own time zone, sent as an instant.
  const [due, setDue] = useState(localInput(task?.due_at ?? null));
  const [priority, setPriority] = useState<(typeof TASK_PRIORITIES)[number]>(task?.priority ?? 'normal');
  const [assignee, setAssignee] = useState<string | undefined>(task ? (task.assignee_id ?? NOBODY) : undefined);
  const [created, setCreated] = useState<string | undefined>(undefined);
  const chosen = assignee ?? session?.user.id ?? NOBODY;
  const save = useMutation({
    mutationFn: () => {
      const body = { title, due_at: due ? new Date(due).toISOString() : null, priority, assignee_id: chosen === NOBODY ? null : chosen };
      return task ? api.tasks.update(task.id, body, { ifMatch: task.version }) : api.tasks.create({ ...body, ...links });
    },
    onSuccess: (saved) => {
      void client.invalidateQueries({ queryKey: ['tasks'] });
      void client.invalidateQueries({ queryKey: ['timeline'] });
      if (task) return onDone?.();
      setTitle('');
      setDue('');
      setCreated(saved.title);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setCreated(undefined);
    save.mutate();
  };
  const name = task ? `Edit task ${task.title}` : 'New task';
  return (
    <form className="card" onSubmit={submit} aria-label={name} noValidate>
      {!task && <h2>New task</h2>}
      <TextField label="Title" value={title} onChange={(e) => setTitle(e.target.value)} errors={fieldErrors(save.error, 'title')} required />
      <div className="toolbar">
        <TextField label="Due" type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} errors={fieldErrors(save.error, 'due_at')} />
        <SelectField label="Priority" value={priority} onChange={(e) => setPriority(e.target.value as (typeof TASK_PRIORITIES)[number])}>
          <WordOptions words={TASK_PRIORITIES} />
        </SelectField>
        <SelectField label="Assignee" value={chosen} onChange={(e) => setAssignee(e.target.value)} errors={fieldErrors(save.error, 'assignee_id')}>
          {session && <option value={session.user.id}>Me</option>}
          {(users.data ?? [])
            .filter((user) => user.id !== session?.user.id)
            .map((user) => (
              <option key={user.id} value={user.id}>
                {user.name || user.email}
              </option>
            ))}
          <option value={NOBODY}>Nobody</option>
        </SelectField>
      </div>
      <ProblemAlert error={save.error} title={task ? 'Could not save the task.' : 'Could not create the task.'} />
      {created !== undefined && (
        <p role="status" className="copy-status">
          Created “{created}”.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="button primary" disabled={save.isPending}>
          {task ? 'Save' : 'Create task'}
        </button>
        {task && (
          <button type="button" className="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
