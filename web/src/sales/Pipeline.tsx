/**
 * The pipeline board: a column per open stage of the chosen pipeline, cards
 * paged per column as it scrolls, counts and totals per currency (the pipeline
 * report, filtered as the cards are), moves by drag and drop or from the
 * keyboard (each card's "Move to" list), won/lost with a reason, live updates
 * from the event stream, and a notice when a move meets a newer version (412).
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { PreconditionFailedError } from '@trellis/sdk';
import { useEffect, useMemo, useRef, useState, type DragEvent, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { useSignedIn } from '../app/session';
import { Dialog } from '../ui/dialog';
import { Loading, ProblemAlert } from '../ui/feedback';
import { SelectField, TextField } from '../ui/fields';
import { useTitle } from '../ui/useTitle';
import { daysSince, money, moneyTotals, useEventStream, usePipelines, useTags, useUsers } from './shared';

type Deal = Awaited<ReturnType<typeof api.deals.get>>;
type Stage = { id: string; name: string; type: 'open' | 'won' | 'lost'; position: number };

interface Filters {
  owner: string;
  tag: string;
  q: string;
}

const PAGE = 25;

export default function Pipeline() {
  useTitle('Pipeline');
  const session = useSignedIn();
  const client = useQueryClient();
  const { data: pipelines, error: pipelinesError } = usePipelines();
  const { data: users } = useUsers();
  const { data: tags } = useTags();
  const [pipelineId, setPipelineId] = useState<string>('');
  const [typed, setTyped] = useState<Filters>({ owner: '', tag: '', q: '' });
  const [filters, setFilters] = useState<Filters>({ owner: '', tag: '', q: '' });
  const [notice, setNotice] = useState<{ kind: 'conflict' | 'moved' | 'live'; text: string } | null>(null);
  const [losing, setLosing] = useState<{ deal: Deal; stage: Stage } | null>(null);
  const pipeline = pipelines?.find((p) => p.id === pipelineId) ?? pipelines?.find((p) => p.is_default) ?? pipelines?.[0];
  const stages = (pipeline?.stages ?? []) as Stage[];
  const openStages = stages.filter((s) => s.type === 'open');
  const filterQuery = useMemo(
    () => ({ ...(filters.owner && { owner_id: filters.owner }), ...(filters.tag && { tag: filters.tag }), ...(filters.q.trim() && { q: filters.q.trim() }) }),
    [filters],
  );

  const report = useQuery({
    queryKey: ['board', 'report', pipeline?.id, filterQuery],
    enabled: pipeline !== undefined,
    queryFn: () => api.reports.pipeline({ pipeline_id: pipeline?.id, group_by: 'stage', ...filterQuery }),
  });

  // Moves made elsewhere (another person, an integration, a trigger) show up without reloading.
  const refresh = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEventStream('type[starts_with]=deal.', (event) => {
    if (event.type === 'reset' || event.type.startsWith('deal.')) {
      clearTimeout(refresh.current);
      refresh.current = setTimeout(() => void client.invalidateQueries({ queryKey: ['board'] }), 150);
    }
  });
  useEffect(() => () => clearTimeout(refresh.current), []);

  const move = useMutation({
    mutationFn: ({ deal, stage, lostReason }: { deal: Deal; stage: Stage; lostReason?: string }) =>
      api.deals.move(deal.id, { stage_id: stage.id, ...(lostReason && { lost_reason: lostReason }) }, { ifMatch: deal.version }),
    onSuccess: (deal, { stage }) => {
      setNotice({ kind: 'moved', text: `Moved “${deal.name}” to ${stage.name}.` });
      void client.invalidateQueries({ queryKey: ['board'] });
    },
    onError: (error, { deal }) => {
      if (error instanceof PreconditionFailedError) {
        setNotice({ kind: 'conflict', text: `“${deal.name}” was changed by someone else since the board showed it, so it was not moved. The card is reloaded: check it and move it again if you still want to.` });
      }
      void client.invalidateQueries({ queryKey: ['board'] });
    },
  });

  const requestMove = (deal: Deal, stageId: string) => {
    const stage = stages.find((s) => s.id === stageId);
    if (!stage || stage.id === deal.stage_id) return;
    if (stage.type === 'lost') setLosing({ deal, stage });
    else move.mutate({ deal, stage });
  };

  const submitFilters = (event: FormEvent) => {
    event.preventDefault();
    setFilters(typed);
  };

  if (pipelinesError) return <ProblemAlert error={pipelinesError} title="Could not load the pipelines." />;
  if (!pipelines) return <Loading what="the pipeline" />;
  if (!pipeline) {
    return (
      <>
        <h1>Pipeline</h1>
        <p className="empty">There is no pipeline yet. Create one with POST /v1/pipelines, then its deals show here.</p>
      </>
    );
  }
  const rowOf = (stageId: string) => report.data?.rows.find((r) => r.stage_id === stageId);
  const userName = (id: string | null) => (id === null ? 'Nobody' : (users?.find((u) => u.id === id)?.name ?? 'Unknown user'));

  return (
    <>
      <div className="page-header">
        <h1>Pipeline</h1>
        {pipelines.length > 1 && (
          <SelectField label="Pipeline" value={pipeline.id} onChange={(e) => setPipelineId(e.target.value)}>
            {pipelines.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
        )}
      </div>
      <form className="toolbar wide" onSubmit={submitFilters} aria-label="Filter the board">
        <SelectField label="Owner" value={typed.owner} onChange={(e) => setTyped({ ...typed, owner: e.target.value })}>
          <option value="">Anyone</option>
          <option value="me">Me ({session.user.name})</option>
          {users?.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </SelectField>
        <SelectField label="Tag" value={typed.tag} onChange={(e) => setTyped({ ...typed, tag: e.target.value })}>
          <option value="">Any tag</option>
          {tags?.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </SelectField>
        <TextField label="Text" type="search" value={typed.q} onChange={(e) => setTyped({ ...typed, q: e.target.value })} />
        <button type="submit" className="button primary">
          Filter
        </button>
      </form>
      <div aria-live="polite">
        {notice && (
          <div className={`alert ${notice.kind === 'conflict' ? 'alert-warning' : 'alert-success'}`} role={notice.kind === 'conflict' ? 'alert' : 'status'}>
            {notice.text}{' '}
            <button type="button" className="link-button" onClick={() => setNotice(null)}>
              Dismiss
            </button>
          </div>
        )}
      </div>
      {move.error && !(move.error instanceof PreconditionFailedError) && <ProblemAlert error={move.error} title="Could not move the deal." />}
      {report.error && <ProblemAlert error={report.error} title="Could not load the column totals." />}
      <div className="board" role="list" aria-label={`Stages of ${pipeline.name}`}>
        {openStages.map((stage) => (
          <Column
            key={stage.id}
            stage={stage}
            stages={stages}
            filterQuery={filterQuery}
            count={rowOf(stage.id)?.open_deals}
            totals={rowOf(stage.id)?.total_value}
            userName={userName}
            onMove={requestMove}
          />
        ))}
      </div>
      <Dialog open={losing !== null} title={losing ? `Mark “${losing.deal.name}” lost` : 'Mark lost'} onClose={() => setLosing(null)}>
        {losing && (
          <LostForm
            onCancel={() => setLosing(null)}
            onSubmit={(reason) => {
              move.mutate({ deal: losing.deal, stage: losing.stage, lostReason: reason });
              setLosing(null);
            }}
          />
        )}
      </Dialog>
    </>
  );
}

function LostForm({ onSubmit, onCancel }: { onSubmit: (reason: string) => void; onCancel: () => void }) {
  const [reason, setReason] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(reason.trim());
      }}
    >
      <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} hint="Why the deal was lost, e.g. “Went with a competitor”." autoFocus />
      <div className="actions">
        <button type="submit" className="button danger">
          Mark lost
        </button>
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function Column({
  stage,
  stages,
  filterQuery,
  count,
  totals,
  userName,
  onMove,
}: {
  stage: Stage;
  stages: Stage[];
  filterQuery: Record<string, string>;
  count: number | undefined;
  totals: Record<string, number> | undefined;
  userName: (id: string | null) => string;
  onMove: (deal: Deal, stageId: string) => void;
}) {
  const [over, setOver] = useState(false);
  const deals = useInfiniteQuery({
    queryKey: ['board', 'column', stage.id, filterQuery],
    initialPageParam: undefined as string | undefined,
    // stage_id alone (a stage belongs to one pipeline, and an open stage holds open deals only): the
    // (workspace, stage, created_at) index then serves the page; more equality filters lead SQLite to other indexes.
    queryFn: ({ pageParam }) => api.deals.list({ stage_id: stage.id, sort: '-created_at', limit: PAGE, ...filterQuery, ...(pageParam && { cursor: pageParam }) }),
    getNextPageParam: (page) => (page.meta.has_more ? (page.meta.next_cursor ?? undefined) : undefined),
  });
  const cards = deals.data?.pages.flatMap((p) => p.data) ?? [];
  const companyIds = [...new Set(cards.map((d) => d.company_id).filter((id): id is string => id !== null))];
  const companies = useQuery({
    queryKey: ['board', 'companies', companyIds],
    enabled: companyIds.length > 0,
    queryFn: async () => (await api.companies.list({ 'id[in]': companyIds.slice(0, 100).join(','), limit: 100 })).data,
  });
  const companyName = (id: string | null) => (id === null ? null : (companies.data?.find((c) => c.id === id)?.name ?? null));

  // The column pages as it scrolls: the last card coming into view loads the next page.
  const end = useRef<HTMLLIElement>(null);
  useEffect(() => {
    const node = end.current;
    if (!node || !deals.hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting) && !deals.isFetchingNextPage) void deals.fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [deals, cards.length]);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const raw = event.dataTransfer.getData('application/x-trellis-deal');
    if (!raw) return;
    onMove(JSON.parse(raw) as Deal, stage.id);
  };
  const headingId = `stage-${stage.id}`;
  return (
    <section
      className={`column${over ? ' drop-target' : ''}`}
      role="listitem"
      aria-labelledby={headingId}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-stage={stage.name}
    >
      <header className="column-head">
        <h2 id={headingId}>{stage.name}</h2>
        <p className="column-figures">
          <span>{count === undefined ? '…' : `${count} ${count === 1 ? 'deal' : 'deals'}`}</span>
          <span className="totals">{moneyTotals(totals)}</span>
        </p>
      </header>
      {deals.error && <ProblemAlert error={deals.error} title="Could not load the deals." />}
      {deals.isPending ? (
        <Loading what={`${stage.name} deals`} />
      ) : cards.length === 0 ? (
        <p className="empty">No deals here. Drag a card in, or create a deal.</p>
      ) : (
        <ul className="cards" aria-label={`Deals in ${stage.name}`}>
          {cards.map((deal, index) => (
            <li
              key={deal.id}
              ref={index === cards.length - 1 ? end : undefined}
              className="deal-card"
              draggable
              onDragStart={(e) => {
                e.dataTransfer.setData('application/x-trellis-deal', JSON.stringify(deal));
                e.dataTransfer.effectAllowed = 'move';
              }}
              aria-label={deal.name}
            >
              <Link to={`/deals/${deal.id}`} className="deal-name">
                {deal.name}
              </Link>
              <dl className="card-facts">
                <dt>Value</dt>
                <dd>{deal.value ? money(deal.value.amount, deal.value.currency) : '—'}</dd>
                {companyName(deal.company_id) && (
                  <>
                    <dt>Company</dt>
                    <dd>{companyName(deal.company_id)}</dd>
                  </>
                )}
                <dt>Owner</dt>
                <dd>{userName(deal.owner_id)}</dd>
                <dt>Close</dt>
                <dd>{deal.expected_close_date ?? '—'}</dd>
                <dt>In stage</dt>
                <dd>{daysSince(deal.stage_entered_at)} d</dd>
              </dl>
              <label className="move">
                <select aria-label={`Move ${deal.name} to`} value={deal.stage_id} onChange={(e) => onMove(deal, e.target.value)}>
                  {stages.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.type === 'won' ? `Won (${s.name})` : s.type === 'lost' ? `Lost (${s.name})` : s.name}
                    </option>
                  ))}
                </select>
              </label>
            </li>
          ))}
          {deals.isFetchingNextPage && <li className="loading">Loading more…</li>}
        </ul>
      )}
      {deals.hasNextPage && !deals.isFetchingNextPage && (
        <button type="button" className="button small" onClick={() => void deals.fetchNextPage()}>
          More {stage.name} deals
        </button>
      )}
    </section>
  );
}
