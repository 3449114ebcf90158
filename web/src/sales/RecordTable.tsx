/**
 * A records table (contacts, companies, deals, leads): the API's search (`q`),
 * sort and filters, cursor paging ("Load more" reads the next page only, so
 * it stays fast at a million rows), and a create form whose duplicate errors
 * link to the existing record.
 */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client';
import { Dialog } from '../ui/dialog';
import { fieldErrors, Loading, ProblemAlert } from '../ui/feedback';
import { SelectField, TextField } from '../ui/fields';
import { Page } from '../ui/page';
import { DuplicateLink, type RecordKind } from './shared';

export interface Column<T> {
  label: string;
  cell: (row: T) => ReactNode;
}

export interface CreateField {
  name: string;
  label: string;
  type?: string;
  required?: boolean;
}

export interface RecordTableProps<T extends { id: string }> {
  kind: RecordKind;
  title: string;
  intro: string;
  noun: string;
  columns: Column<T>[];
  /** The first column links to the record: its text. */
  name: (row: T) => string;
  sorts: { value: string; label: string }[];
  filters?: { param: string; label: string; options: { value: string; label: string }[] }[];
  create?: { fields: CreateField[]; body: (values: Record<string, string>) => Record<string, unknown> };
  /** Extra actions per row (the leads inbox). */
  rowActions?: (row: T) => ReactNode;
  defaultFilters?: Record<string, string>;
}

type Lister = (query: Record<string, unknown>) => Promise<{ data: { id: string }[]; meta: { has_more: boolean; next_cursor?: string | null; total: number } }>;

export function RecordTable<T extends { id: string }>(props: RecordTableProps<T>) {
  const { kind, noun } = props;
  const client = useQueryClient();
  const navigate = useNavigate();
  const [typed, setTyped] = useState<Record<string, string>>({ q: '', sort: props.sorts[0]?.value ?? '', ...props.defaultFilters });
  const [query, setQuery] = useState<Record<string, string>>(typed);
  const [creating, setCreating] = useState(false);
  const lister = api[kind].list.bind(api[kind]) as unknown as Lister;
  const rows = useInfiniteQuery({
    queryKey: [kind, 'table', query],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => {
      const params = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
      return lister({ limit: 25, ...params, ...(pageParam && { cursor: pageParam }) });
    },
    getNextPageParam: (page) => (page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined),
  });
  const records = (rows.data?.pages.flatMap((p) => p.data) ?? []) as T[];
  const total = rows.data?.pages[0]?.meta.total;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setQuery(typed);
  };
  return (
    <Page title={props.title} intro={props.intro}>
      <div className="actions">
        {props.create && (
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            New {noun}
          </button>
        )}
      </div>
      <form className="toolbar wide" onSubmit={submit} aria-label={`Search ${props.title.toLowerCase()}`}>
        <TextField label="Search" type="search" value={typed.q ?? ''} onChange={(e) => setTyped({ ...typed, q: e.target.value })} errors={fieldErrors(rows.error, 'q')} />
        {props.filters?.map((f) => (
          <SelectField key={f.param} label={f.label} value={typed[f.param] ?? ''} onChange={(e) => setTyped({ ...typed, [f.param]: e.target.value })}>
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </SelectField>
        ))}
        <SelectField label="Sort" value={typed.sort ?? ''} onChange={(e) => setTyped({ ...typed, sort: e.target.value })}>
          {props.sorts.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </SelectField>
        <button type="submit" className="button">
          Apply
        </button>
      </form>
      {rows.isPending ? (
        <Loading what={props.title.toLowerCase()} />
      ) : rows.error && records.length === 0 ? (
        <ProblemAlert error={rows.error} title={`Could not load the ${props.title.toLowerCase()}.`} />
      ) : records.length === 0 ? (
        <p className="empty">No {props.title.toLowerCase()} match. {props.create ? `Create one with “New ${noun}”, or change the search.` : 'Change the search or filters.'}</p>
      ) : (
        <>
          <p className="hint" role="status">
            {total === undefined ? '' : `${total.toLocaleString()} ${total === 1 ? noun : props.title.toLowerCase()}`}
          </p>
          <div className="table-wrap">
            <table className="data">
              <caption className="visually-hidden">{props.title}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  {props.columns.map((c) => (
                    <th scope="col" key={c.label}>
                      {c.label}
                    </th>
                  ))}
                  {props.rowActions && <th scope="col">Actions</th>}
                </tr>
              </thead>
              <tbody>
                {records.map((row) => (
                  <tr key={row.id}>
                    <td data-label="Name">
                      <Link to={`/${kind}/${row.id}`}>{props.name(row)}</Link>
                    </td>
                    {props.columns.map((c) => (
                      <td key={c.label} data-label={c.label}>
                        {c.cell(row)}
                      </td>
                    ))}
                    {props.rowActions && <td className="actions-cell">{props.rowActions(row)}</td>}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {rows.error && <ProblemAlert error={rows.error} title="Could not load more." />}
          {rows.hasNextPage && (
            <div className="actions">
              <button type="button" className="button" onClick={() => void rows.fetchNextPage()} disabled={rows.isFetchingNextPage}>
                {rows.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </div>
          )}
        </>
      )}
      {props.create && (
        <Dialog open={creating} title={`New ${noun}`} onClose={() => setCreating(false)}>
          {creating && (
            <CreateForm
              kind={kind}
              noun={noun}
              fields={props.create.fields}
              body={props.create.body}
              onCancel={() => setCreating(false)}
              onCreated={(id) => {
                setCreating(false);
                void client.invalidateQueries({ queryKey: [kind] });
                void navigate(`/${kind}/${id}`);
              }}
            />
          )}
        </Dialog>
      )}
    </Page>
  );
}

function CreateForm({
  kind,
  noun,
  fields,
  body,
  onCancel,
  onCreated,
}: {
  kind: RecordKind;
  noun: string;
  fields: CreateField[];
  body: (values: Record<string, string>) => Record<string, unknown>;
  onCancel: () => void;
  onCreated: (id: string) => void;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const creator = api[kind].create.bind(api[kind]) as unknown as (b: Record<string, unknown>) => Promise<{ id: string }>;
  const create = useMutation({ mutationFn: () => creator(body(values)), onSuccess: (record) => onCreated(record.id) });
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate();
      }}
    >
      {fields.map((f) => (
        <TextField
          key={f.name}
          label={f.label}
          type={f.type ?? 'text'}
          required={f.required}
          value={values[f.name] ?? ''}
          onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
          errors={fieldErrors(create.error, f.name)}
        />
      ))}
      <DuplicateLink error={create.error} kind={kind} />
      <ProblemAlert error={create.error} title={`Could not create the ${noun}.`} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={create.isPending}>
          Create {noun}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Drops empty values: a form's blank field is "not given". */
export const given = (values: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v !== ''));
