/**
 * Sales reports over one pipeline: the open pipeline by stage and owner, sales
 * per interval and owner, stage conversion, and the forecast by expected close
 * month. The database aggregates (reports.repository.ts); this folds the few
 * grouped rows into the report's rows, in the pipeline's stage order.
 *
 * Money is never summed across currencies: every value field is an object of
 * amounts (minor units) keyed by currency, `{ "USD": 1250000, "EUR": 90000 }`.
 */
import { can, requireAccess, type Actor } from '../domain/actor.js';
import { DomainError, unknownReference } from '../domain/errors.js';
import type { Capabilities } from '../db/capabilities.js';
import { matchCondition } from '../db/list-rows.js';
import type { Transactor } from '../db/transactor.js';
import type { ListQuery } from '../list/list-query.js';
import { dealListSpec } from '../resources/deals/deals.list.js';
import { toIso, type Clock } from '../platform/clock.js';
import { ACTIVITY_TYPES } from '../resources/activities/activities.schema.js';
import type { Pipeline, PipelineRepository, Stage } from '../resources/pipelines/pipelines.repository.js';
import { checkZone, describePeriod, intervalsOf, localDate, resolvePeriod, type Interval, type IntervalUnit, type Period, type PeriodInput } from './periods.js';
import { ReportRepository, type Bounds, type DealScope, type MoneySums } from './reports.repository.js';

export const GROUP_BY = ['stage', 'owner', 'stage,owner', 'owner,stage'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** What every report takes. */
export interface ReportQuery extends PeriodInput {
  pipelineId?: string | undefined;
  ownerIds?: string[] | undefined;
  timezone?: string | undefined;
  /** Deal list filters (tag, q) the open-deal reports apply: the totals of a filtered board. */
  dealFilter?: Pick<ListQuery, 'filters' | 'search'> | undefined;
}

export type Money = Record<string, number>;

const DAY_MS = 86_400_000;
const round1 = (n: number): number => Math.round(n * 10) / 10;
const days = (ms: number, count: number): number | null => (count === 0 ? null : round1(ms / count / DAY_MS));
const percent = (part: number, whole: number): number | null => (whole === 0 ? null : round1((100 * part) / whole));
const TOP_LOST_REASONS = 3;

/** Amounts per currency, in the order of first appearance; deals without a value count nowhere here. */
class MoneyTotals {
  private readonly amounts = new Map<string, number>();
  private readonly weightedCents = new Map<string, number>();

  add(sums: Pick<MoneySums, 'currency' | 'amount'> & { weightedCents?: number }): void {
    if (sums.currency === null) return;
    this.amounts.set(sums.currency, (this.amounts.get(sums.currency) ?? 0) + sums.amount);
    if (sums.weightedCents !== undefined) this.weightedCents.set(sums.currency, (this.weightedCents.get(sums.currency) ?? 0) + sums.weightedCents);
  }

  merge(other: MoneyTotals): void {
    for (const [currency, amount] of other.amounts) this.add({ currency, amount, weightedCents: other.weightedCents.get(currency) ?? 0 });
  }

  total(): Money {
    return sorted(this.amounts, (v) => v);
  }

  /** value × probability / 100, rounded to the minor unit once, after summing. */
  weighted(): Money {
    return sorted(this.weightedCents, (v) => Math.round(v / 100));
  }
}

const sorted = (map: Map<string, number>, f: (v: number) => number): Money =>
  Object.fromEntries([...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, f(v)]));

/** The report's header: what it covers. */
interface Context {
  actor: Actor;
  pipeline: Pipeline;
  scope: DealScope;
  zone: string;
  now: number;
  period: Period | undefined;
}

/** The GROUP BY queries, which may read every deal of a pipeline, run as long reads (tx.longReader); the pipeline and names, found by key, on the main reader. */
export class ReportService {
  private readonly reports = new ReportRepository();

  constructor(
    private readonly tx: Transactor,
    private readonly clock: Clock,
    private readonly pipelines: PipelineRepository,
    private readonly capabilities: Capabilities,
  ) {}

  /** Open deals now, per stage and/or owner: count, total and weighted value, average age; with a period, only deals created in it. */
  async pipeline(actor: Actor, query: ReportQuery & { groupBy?: GroupBy | undefined }) {
    const context = await this.context(actor, query, undefined);
    const groupBy = query.groupBy ?? 'stage';
    const byStage = groupBy !== 'owner';
    const byOwner = groupBy !== 'stage';
    const openStages = context.pipeline.stages.filter((s) => s.type === 'open');
    const groups = await this.reports.openDeals(
      this.tx.longReader,
      context.scope,
      context.pipeline.stages,
      context.now,
      context.period && [context.period.start.toMillis(), context.period.end.toMillis()],
    );

    interface Acc {
      stageId: string | undefined;
      ownerId: string | null | undefined;
      deals: number;
      ageMs: number;
      money: MoneyTotals;
    }
    const blank = (stageId: string | undefined, ownerId: string | null | undefined): Acc => ({ stageId, ownerId, deals: 0, ageMs: 0, money: new MoneyTotals() });
    const keyOf = (stageId: string | undefined, ownerId: string | null | undefined) => `${stageId ?? ''}|${ownerId === undefined ? '' : (ownerId ?? '(none)')}`;
    const accs = new Map<string, Acc>();
    // Grouped by stage alone, every open stage is listed, holding deals or not.
    if (groupBy === 'stage') for (const stage of openStages) accs.set(keyOf(stage.id, undefined), blank(stage.id, undefined));
    const total = blank(undefined, undefined);
    for (const g of groups) {
      const stageId = byStage ? g.stageId : undefined;
      const ownerId = byOwner ? g.ownerId : undefined;
      const key = keyOf(stageId, ownerId);
      const acc = accs.get(key) ?? blank(stageId, ownerId);
      accs.set(key, acc);
      for (const target of [acc, total]) {
        target.deals += g.deals;
        target.ageMs += g.ageMs;
        target.money.add(g);
      }
    }

    const names = await this.ownerNames(context, [...accs.values()].map((a) => a.ownerId));
    const stageOrder = new Map(context.pipeline.stages.map((s) => [s.id, s.position]));
    const stageNames = this.stageNames(context);
    const figures = (acc: Acc) => ({
      open_deals: acc.deals,
      total_value: acc.money.total(),
      weighted_value: acc.money.weighted(),
      average_age_days: days(acc.ageMs, acc.deals),
    });
    const rows = [...accs.values()]
      .sort((a, b) => (stageOrder.get(a.stageId ?? '') ?? 0) - (stageOrder.get(b.stageId ?? '') ?? 0) || compareOwners(names, a.ownerId, b.ownerId))
      .map((acc) => ({
        ...(byStage && { stage_id: acc.stageId ?? null, stage_name: stageNames(acc.stageId) }),
        ...(byOwner && { owner_id: acc.ownerId ?? null, owner_name: names(acc.ownerId) }),
        ...figures(acc),
      }));
    return {
      ...this.header(context, 'pipeline'),
      group_by: byStage && byOwner ? ['stage', 'owner'] : [byStage ? 'stage' : 'owner'],
      rows,
      totals: figures(total),
    };
  }

  /** Per interval and owner: deals created, won and lost (count, value), lost reasons, win rate, days to close, activities, tasks completed. */
  async sales(actor: Actor, query: ReportQuery & { interval?: IntervalUnit | undefined }) {
    const context = await this.context(actor, query, 'this_month');
    const period = context.period as Period;
    const intervals = intervalsOf(period, query.interval ?? 'week');
    const bounds: Bounds = [...intervals.map((i) => i.start.toMillis()), period.end.toMillis()];
    const { scope } = context;
    const seesActivities = can(actor, 'activities', 'read');
    const seesTasks = can(actor, 'tasks', 'read');
    const db = this.tx.longReader;
    const [created, closed, activities, tasks] = await Promise.all([
      this.reports.created(db, scope, bounds),
      this.reports.closed(db, scope, bounds),
      seesActivities ? this.reports.activities(db, scope.workspaceId, scope.ownerIds, bounds) : [],
      seesTasks ? this.reports.tasksCompleted(db, scope.workspaceId, scope.ownerIds, bounds) : [],
    ]);

    interface Acc {
      created: number;
      won: number;
      lost: number;
      wonMoney: MoneyTotals;
      lostMoney: MoneyTotals;
      wonCycleMs: number;
      reasons: Map<string | null, number>;
      activities: Map<string, number>;
      tasks: number;
    }
    const blank = (): Acc => ({ created: 0, won: 0, lost: 0, wonMoney: new MoneyTotals(), lostMoney: new MoneyTotals(), wonCycleMs: 0, reasons: new Map(), activities: new Map(), tasks: 0 });
    const cells = new Map<string, Acc>();
    const owners = new Set<string | null>(scope.ownerIds ?? []);
    const cell = (bucket: number, ownerId: string | null): Acc => {
      owners.add(ownerId);
      const key = `${bucket}|${ownerId ?? ''}`;
      const acc = cells.get(key) ?? blank();
      cells.set(key, acc);
      return acc;
    };
    for (const g of created) cell(g.bucket, g.ownerId).created += g.deals;
    for (const g of closed) {
      const acc = cell(g.bucket, g.ownerId);
      if (g.status === 'won') {
        acc.won += g.deals;
        acc.wonCycleMs += g.cycleMs;
        acc.wonMoney.add(g);
      } else {
        acc.lost += g.deals;
        acc.lostMoney.add(g);
        acc.reasons.set(g.reason, (acc.reasons.get(g.reason) ?? 0) + g.deals);
      }
    }
    for (const g of activities) {
      const acc = cell(g.bucket, g.ownerId);
      acc.activities.set(g.type, (acc.activities.get(g.type) ?? 0) + g.activities);
    }
    for (const g of tasks) cell(g.bucket, g.ownerId).tasks += g.tasks;

    const names = await this.ownerNames(context, [...owners]);
    const ownerList = [...owners].sort((a, b) => compareOwners(names, a, b));
    const figures = (acc: Acc) => ({
      deals_created: acc.created,
      deals_won: acc.won,
      won_value: acc.wonMoney.total(),
      deals_lost: acc.lost,
      lost_value: acc.lostMoney.total(),
      top_lost_reasons: [...acc.reasons.entries()]
        .sort(([ra, a], [rb, b]) => b - a || (ra === null ? 1 : rb === null ? -1 : ra < rb ? -1 : ra > rb ? 1 : 0))
        .slice(0, TOP_LOST_REASONS)
        .map(([reason, count]) => ({ reason, count })),
      win_rate: percent(acc.won, acc.won + acc.lost),
      average_days_to_close: days(acc.wonCycleMs, acc.won),
      activities: seesActivities ? activityCounts(acc.activities) : null,
      tasks_completed: seesTasks ? acc.tasks : null,
    });
    const span = (interval: Interval) => ({ interval_start: interval.firstDay, interval_end: interval.lastDay });
    const rows = intervals.flatMap((interval, i) =>
      ownerList.map((ownerId) => ({ ...span(interval), owner_id: ownerId, owner_name: names(ownerId), ...figures(cells.get(`${i}|${ownerId ?? ''}`) ?? blank()) })),
    );
    const totals = intervals.map((interval, i) => {
      const sum = blank();
      for (const ownerId of ownerList) {
        const acc = cells.get(`${i}|${ownerId ?? ''}`);
        if (!acc) continue;
        sum.created += acc.created;
        sum.won += acc.won;
        sum.lost += acc.lost;
        sum.wonCycleMs += acc.wonCycleMs;
        sum.tasks += acc.tasks;
        sum.wonMoney.merge(acc.wonMoney);
        sum.lostMoney.merge(acc.lostMoney);
        for (const [k, v] of acc.reasons) sum.reasons.set(k, (sum.reasons.get(k) ?? 0) + v);
        for (const [k, v] of acc.activities) sum.activities.set(k, (sum.activities.get(k) ?? 0) + v);
      }
      return { ...span(interval), ...figures(sum) };
    });
    return { ...this.header(context, 'sales'), interval: query.interval ?? 'week', rows, totals };
  }

  /**
   * Per stage, from the stage changes in the period: how often deals entered
   * it, left it, and where they went (a later stage, won, lost, back); the
   * conversion rate (forward exits / exits) and the median time in the stage
   * over those exits.
   */
  async conversion(actor: Actor, query: ReportQuery) {
    const context = await this.context(actor, query, 'this_month');
    const period = context.period as Period;
    const { stages } = context.pipeline;
    const [start, end] = [period.start.toMillis(), period.end.toMillis()];
    const moves = await this.reports.stageMoves(this.tx.longReader, context.scope, stages, start, end);
    const byId = new Map(stages.map((s) => [s.id, s]));
    // The pipeline's order; a lost stage is no step forward.
    const rank = (stage: Stage) => (stage.type === 'lost' ? -1 : stage.position);
    const stageNames = this.stageNames(context);
    const rows = [];
    for (const stage of stages) {
      let entered = 0;
      let created = 0;
      let exits = 0;
      let advanced = 0;
      let won = 0;
      let lost = 0;
      for (const move of moves) {
        if (move.toStageId === stage.id) {
          entered += move.moves;
          if (move.fromStageId === null) created += move.moves;
        }
        if (move.fromStageId !== stage.id) continue;
        const to = byId.get(move.toStageId);
        if (!to) continue;
        exits += move.moves;
        if (rank(to) > rank(stage)) advanced += move.moves;
        if (to.type === 'won') won += move.moves;
        if (to.type === 'lost') lost += move.moves;
      }
      const middle = await this.reports.middleStays(this.tx.longReader, context.scope, stages, stage.id, exits, start, end);
      const median = middle.length === 0 ? null : round1(middle.reduce((a, b) => a + b, 0) / middle.length / DAY_MS);
      const open = stage.type === 'open';
      rows.push({
        stage_id: stage.id,
        stage_name: stageNames(stage.id),
        stage_type: stage.type,
        entered,
        created,
        exits,
        // Where deals went on leaving an open stage; leaving a won or lost stage is reopening the deal.
        advanced: open ? advanced : null,
        won: open ? won : null,
        lost: open ? lost : null,
        moved_back: open ? exits - advanced - lost : null,
        conversion_rate: open ? percent(advanced, exits) : null,
        median_days_in_stage: median,
      });
    }
    return { ...this.header(context, 'conversion'), rows };
  }

  /** Open deals by expected close month (or quarter) and owner: count, total and weighted value. */
  async forecast(actor: Actor, query: ReportQuery & { interval?: 'month' | 'quarter' | undefined }) {
    const context = await this.context(actor, query, undefined);
    const unit = query.interval ?? 'month';
    const { period } = context;
    const closeDates = period && { from: localDate(period.start), to: localDate(period.end.minus({ days: 1 })) };
    const groups = await this.reports.forecast(this.tx.longReader, context.scope, context.pipeline.stages, closeDates);

    // Intervals: those of the period when there is one; else the months (quarters) that hold deals, and "no date" last.
    const spans = new Map<string, { interval_start: string | null; interval_end: string | null }>();
    const quarterOf = (month: string) => `${month.slice(0, 5)}${String((Math.floor((Number(month.slice(5, 7)) - 1) / 3) * 3 + 1)).padStart(2, '0')}`;
    const keyOf = (month: string | null) => (month === null ? 'none' : unit === 'quarter' ? quarterOf(month) : month);
    if (period) {
      for (const interval of intervalsOf(period, unit)) spans.set(keyOf(interval.firstDay.slice(0, 7)), { interval_start: interval.firstDay, interval_end: interval.lastDay });
    }
    interface Acc {
      deals: number;
      money: MoneyTotals;
    }
    const cells = new Map<string, Acc>();
    const owners = new Set<string | null>(context.scope.ownerIds ?? []);
    for (const g of groups) {
      const key = keyOf(g.month);
      if (!spans.has(key)) spans.set(key, key === 'none' ? { interval_start: null, interval_end: null } : monthSpan(key, unit));
      owners.add(g.ownerId);
      const cellKey = `${key}|${g.ownerId ?? ''}`;
      const acc = cells.get(cellKey) ?? { deals: 0, money: new MoneyTotals() };
      cells.set(cellKey, acc);
      acc.deals += g.deals;
      acc.money.add(g);
    }
    const names = await this.ownerNames(context, [...owners]);
    const ownerList = [...owners].sort((a, b) => compareOwners(names, a, b));
    const keys = [...spans.keys()].sort((a, b) => (a === 'none' ? 1 : b === 'none' ? -1 : a < b ? -1 : 1));
    const figures = (acc: Acc | undefined) => ({
      open_deals: acc?.deals ?? 0,
      total_value: acc?.money.total() ?? {},
      weighted_value: acc?.money.weighted() ?? {},
    });
    const rows = keys.flatMap((key) => ownerList.map((ownerId) => ({ ...spans.get(key), owner_id: ownerId, owner_name: names(ownerId), ...figures(cells.get(`${key}|${ownerId ?? ''}`)) })));
    const totals = keys.map((key) => {
      const sum: Acc = { deals: 0, money: new MoneyTotals() };
      for (const ownerId of ownerList) {
        const acc = cells.get(`${key}|${ownerId ?? ''}`);
        if (!acc) continue;
        sum.deals += acc.deals;
        sum.money.merge(acc.money);
      }
      return { ...spans.get(key), ...figures(sum) };
    });
    return { ...this.header(context, 'forecast'), interval: unit, rows, totals };
  }

  /** Checks access and parameters, and finds the pipeline and owners: format errors (400) before look-ups (422). */
  private async context(actor: Actor, query: ReportQuery, defaultPeriod: 'this_month' | undefined): Promise<Context> {
    requireAccess(actor, 'deals', 'read');
    const zone = checkZone(query.timezone);
    const now = this.clock.now();
    const given = query.period !== undefined || query.from !== undefined || query.to !== undefined;
    const period = resolvePeriod(given ? query : { period: defaultPeriod }, now, zone);
    const db = this.tx.db;
    const pipeline = query.pipelineId === undefined ? await this.pipelines.findDefault(db, actor.workspaceId) : await this.pipelines.find(db, actor.workspaceId, query.pipelineId);
    if (!pipeline) {
      if (query.pipelineId !== undefined) throw unknownReference('pipeline_id', 'pipeline');
      throw new DomainError('unprocessable', 'There is no default pipeline; give pipeline_id.', { pipeline_id: ['Required: the workspace has no default pipeline.'] });
    }
    if (query.ownerIds !== undefined) {
      const found = await this.reports.userNames(db, actor.workspaceId, query.ownerIds);
      if (found.size !== query.ownerIds.length) throw unknownReference('owner_id', 'user');
    }
    const deals = query.dealFilter && matchCondition(this.capabilities, dealListSpec, actor.workspaceId, query.dealFilter);
    return { actor, pipeline, zone, now, period, scope: { workspaceId: actor.workspaceId, pipelineId: pipeline.id, ownerIds: query.ownerIds, deals } };
  }

  private header(context: Context, report: string) {
    const showNames = can(context.actor, 'pipelines', 'read');
    return {
      report,
      pipeline: { id: context.pipeline.id, name: showNames ? context.pipeline.name : null },
      owner_ids: context.scope.ownerIds ?? null,
      period: context.period ? describePeriod(context.period, context.zone) : null,
      timezone: context.zone,
      generated_at: toIso(context.now),
    };
  }

  /** Stage names, for keys that may read pipelines; null otherwise. */
  private stageNames(context: Context): (id: string | undefined) => string | null {
    const show = can(context.actor, 'pipelines', 'read');
    const byId = new Map<string, Stage>(context.pipeline.stages.map((s) => [s.id, s]));
    return (id) => (show && id !== undefined ? (byId.get(id)?.name ?? null) : null);
  }

  /** Owner names, for keys that may read users; null otherwise (and for deals without an owner). */
  private async ownerNames(context: Context, ids: (string | null | undefined)[]): Promise<(id: string | null | undefined) => string | null> {
    if (!can(context.actor, 'users', 'read')) return () => null;
    const wanted = [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
    const names = await this.reports.userNames(this.tx.db, context.scope.workspaceId, wanted);
    return (id) => (typeof id === 'string' ? (names.get(id) ?? null) : null);
  }
}

/** Owners by name (as far as the key sees names), then id; deals without an owner last. */
function compareOwners(names: (id: string | null | undefined) => string | null, a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  const na = names(a) ?? '';
  const nb = names(b) ?? '';
  return na.localeCompare(nb) || (a < b ? -1 : 1);
}

function activityCounts(counts: Map<string, number>) {
  const out: Record<string, number> = {};
  let total = 0;
  for (const type of ACTIVITY_TYPES) {
    const n = counts.get(type) ?? 0;
    out[type] = n;
    total += n;
  }
  return { ...out, total } as Record<(typeof ACTIVITY_TYPES)[number] | 'total', number>;
}

/** A whole month ("2026-03") or the quarter starting at it, as first and last day. */
function monthSpan(month: string, unit: 'month' | 'quarter') {
  const year = Number(month.slice(0, 4));
  const first = Number(month.slice(5, 7));
  const last = first + (unit === 'quarter' ? 2 : 0);
  const lastDay = new Date(Date.UTC(year, last, 0)).getUTCDate();
  return { interval_start: `${month}-01`, interval_end: `${year}-${String(last).padStart(2, '0')}-${String(lastDay).padStart(2, '0')}` };
}
