/**
 * My tasks: open tasks assigned to me, grouped overdue / today / upcoming by
 * the browser's time zone (the day bounds are local midnights, sent as
 * instants), with complete and edit, and a form for a new task.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import { Loading, ProblemAlert } from '../ui/feedback';
import { Page } from '../ui/page';
import { Time } from '../ui/time';
import { EditTask, NewTask } from './shared';

type Task = Awaited<ReturnType<typeof api.tasks.get>>;

function localDayBounds(): { todayStart: string; tomorrowStart: string; now: string } {
  const start = new Date();
  start.setHours(0, 0, 0, 0);
  const tomorrow = new Date(start);
  tomorrow.setDate(start.getDate() + 1);
  return { todayStart: start.toISOString(), tomorrowStart: tomorrow.toISOString(), now: new Date().toISOString() };
}

export default function Tasks() {
  const client = useQueryClient();
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const { now, tomorrowStart } = localDayBounds();
  const base = { assignee_id: 'me', status: 'open' as const, sort: 'due_at', limit: 100 };
  const overdue = useQuery({ queryKey: ['tasks', 'mine', 'overdue'], queryFn: async () => (await api.tasks.list({ ...base, 'due_at[lt]': now })).data });
  const today = useQuery({ queryKey: ['tasks', 'mine', 'today'], queryFn: async () => (await api.tasks.list({ ...base, 'due_at[gte]': now, 'due_at[lt]': tomorrowStart })).data });
  const upcoming = useQuery({ queryKey: ['tasks', 'mine', 'upcoming'], queryFn: async () => (await api.tasks.list({ ...base, 'due_at[gte]': tomorrowStart })).data });
  const complete = useMutation({ mutationFn: (task: Task) => api.tasks.complete(task.id), onSettled: () => void client.invalidateQueries({ queryKey: ['tasks'] }) });
  const group = (title: string, query: typeof overdue) => (
    <section aria-labelledby={`tasks-${title}`}>
      <h2 id={`tasks-${title}`}>{title}</h2>
      {query.isPending ? (
        <Loading what={title.toLowerCase()} />
      ) : query.error ? (
        <ProblemAlert error={query.error} title="Could not load the tasks." />
      ) : query.data.length === 0 ? (
        <p className="empty">Nothing {title.toLowerCase()}.</p>
      ) : (
        <ul className="task-list">
          {query.data.map((task) =>
            editing === task.id ? (
              <li key={task.id}>
                <EditTask task={task} onDone={() => setEditing(undefined)} />
              </li>
            ) : (
              <li key={task.id} className="card">
                <strong>{task.title}</strong> <span className="hint">due <Time value={task.due_at} /></span>{' '}
                <button type="button" className="button small" onClick={() => complete.mutate(task)} disabled={complete.isPending} aria-label={`Complete ${task.title}`}>
                  Complete
                </button>{' '}
                <button type="button" className="button small" onClick={() => setEditing(task.id)} aria-label={`Edit ${task.title}`}>
                  Edit
                </button>
              </li>
            ),
          )}
        </ul>
      )}
    </section>
  );
  return (
    <Page title="My tasks" intro="Open tasks assigned to you, by due date in your time zone. A task about a record is best created on the record's page, which links it.">
      <NewTask />
      <ProblemAlert error={complete.error} title="Could not complete the task." />
      {group('Overdue', overdue)}
      {group('Today', today)}
      {group('Upcoming', upcoming)}
    </Page>
  );
}
